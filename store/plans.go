package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"passerelle/matcher"
)

// Decision kinds of the plan ledger.
const (
	DecisionProposed          = "proposed"
	DecisionAccepted          = "accepted"
	DecisionDeclinedHousehold = "declined_household"
	DecisionDeclinedLandlord  = "declined_landlord"
	DecisionDeclinedEmployer  = "declined_employer"
	DecisionLeaseSigned       = "lease_signed"
	DecisionJobStarted        = "job_started"
)

// ValidDecision reports whether d is one of the Decision… kinds.
func ValidDecision(d string) bool {
	switch d {
	case DecisionProposed, DecisionAccepted, DecisionDeclinedHousehold, DecisionDeclinedLandlord,
		DecisionDeclinedEmployer, DecisionLeaseSigned, DecisionJobStarted:
		return true
	}
	return false
}

// PlanRecord is a stored plan: the DESIGN §4 plan document plus its
// metadata. Status is the latest decision, DecisionProposed at creation.
type PlanRecord struct {
	ID          string
	HouseholdID string
	Org         string
	Status      string
	CreatedAt   time.Time
	Plan        matcher.Plan
}

// Decision is one entry of a plan's append-only decision ledger.
type Decision struct {
	PlanID   string
	At       time.Time // UTC, microsecond precision
	Decision string    // one of the Decision… kinds
	Reason   string
	KeyID    string // the API key that recorded it
}

// CreatePlan stores plan p for household householdID (which the actor must
// see; else ErrNotFound) with status proposed, generates its id ("pl_…")
// and audits.
func (tx *Tx) CreatePlan(ctx context.Context, householdID string, p matcher.Plan) (PlanRecord, error) {
	org, err := tx.householdOrg(ctx, householdID, "create plan for")
	if err != nil {
		return PlanRecord{}, err
	}
	p.HouseholdID = householdID
	doc, err := json.Marshal(p)
	if err != nil {
		return PlanRecord{}, fmt.Errorf("store: create plan: encode: %w", err)
	}
	r := PlanRecord{ID: newID("pl_", 10), HouseholdID: householdID, Org: org, Status: DecisionProposed,
		CreatedAt: parseTime(formatTime(tx.now)), Plan: p}
	if _, err := tx.exec(ctx, `INSERT INTO plans (id, household_id, org, status, doc, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, householdID, org, r.Status, string(doc), formatTime(tx.now)); err != nil {
		return PlanRecord{}, fmt.Errorf("store: create plan: %w", classify(err))
	}
	return r, tx.Audit(ctx, "create", "plan", r.ID)
}

// planOrg checks the actor may see plan id.
func (tx *Tx) planOrg(ctx context.Context, id, op string) error {
	var org string
	err := tx.queryRow(ctx, `SELECT org FROM plans WHERE id = ?`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && org != tx.actor.Org && !tx.actor.admin()) {
		return fmt.Errorf("store: %s plan %s: %w", op, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: %s plan %s: %w", op, id, err)
	}
	return nil
}

// Plan returns plan id and writes a "read" audit row. It returns
// ErrNotFound for an unknown or foreign plan.
func (tx *Tx) Plan(ctx context.Context, id string) (PlanRecord, error) {
	if err := tx.planOrg(ctx, id, "get"); err != nil {
		return PlanRecord{}, err
	}
	r := PlanRecord{ID: id}
	var doc, created string
	if err := tx.queryRow(ctx, `SELECT household_id, org, status, doc, created_at FROM plans WHERE id = ?`, id).
		Scan(&r.HouseholdID, &r.Org, &r.Status, &doc, &created); err != nil {
		return PlanRecord{}, fmt.Errorf("store: get plan %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(doc), &r.Plan); err != nil {
		return PlanRecord{}, fmt.Errorf("store: get plan %s: decode: %w", id, err)
	}
	r.CreatedAt = parseTime(created)
	return r, tx.Audit(ctx, "read", "plan", id)
}

// AddDecision appends decision (one of the Decision… kinds; else an error)
// with reason to plan id's ledger, sets the plan's status to it and audits.
// It returns ErrNotFound for an unknown or foreign plan.
func (tx *Tx) AddDecision(ctx context.Context, id, decision, reason string) (Decision, error) {
	if !ValidDecision(decision) {
		return Decision{}, fmt.Errorf("store: add decision to plan %s: invalid decision %q", id, decision)
	}
	if err := tx.planOrg(ctx, id, "add decision to"); err != nil {
		return Decision{}, err
	}
	d := Decision{PlanID: id, At: parseTime(formatTime(tx.now)), Decision: decision, Reason: reason, KeyID: tx.actor.KeyID}
	if _, err := tx.exec(ctx, `INSERT INTO plan_decisions (plan_id, at, decision, reason, key_id) VALUES (?, ?, ?, ?, ?)`,
		id, formatTime(tx.now), decision, reason, tx.actor.KeyID); err != nil {
		return Decision{}, fmt.Errorf("store: add decision to plan %s: %w", id, err)
	}
	if _, err := tx.exec(ctx, `UPDATE plans SET status = ? WHERE id = ?`, decision, id); err != nil {
		return Decision{}, fmt.Errorf("store: add decision to plan %s: %w", id, err)
	}
	return d, tx.Audit(ctx, "decide", "plan", id)
}

// CreatePlan runs Tx.CreatePlan in its own transaction.
func (db *DB) CreatePlan(ctx context.Context, actor Actor, householdID string, p matcher.Plan) (out PlanRecord, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.CreatePlan(ctx, householdID, p); return err })
	return out, err
}

// GetPlan runs Tx.Plan in its own transaction (a read of a plan is audited).
func (db *DB) GetPlan(ctx context.Context, actor Actor, id string) (out PlanRecord, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.Plan(ctx, id); return err })
	return out, err
}

// AddDecision runs Tx.AddDecision in its own transaction.
func (db *DB) AddDecision(ctx context.Context, actor Actor, planID, decision, reason string) (out Decision, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.AddDecision(ctx, planID, decision, reason); return err })
	return out, err
}

// Decisions returns the ledger of plan planID in the order the decisions
// were recorded, with one "read" audit row. It returns ErrNotFound for an
// unknown or foreign plan.
func (db *DB) Decisions(ctx context.Context, actor Actor, planID string) (out []Decision, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.Decisions(ctx, planID); return err })
	return out, err
}

// Decisions returns the ledger of plan planID in the order the decisions
// were recorded and writes one "read" audit row in this transaction. It
// returns ErrNotFound for an unknown or foreign plan.
func (tx *Tx) Decisions(ctx context.Context, planID string) ([]Decision, error) {
	if err := tx.planOrg(ctx, planID, "list decisions of"); err != nil {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, tx.db.rebind(`SELECT at, decision, reason, key_id FROM plan_decisions WHERE plan_id = ? ORDER BY seq`), planID)
	if err != nil {
		return nil, fmt.Errorf("store: list decisions of plan %s: %w", planID, err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		d := Decision{PlanID: planID}
		var at string
		if err := rows.Scan(&at, &d.Decision, &d.Reason, &d.KeyID); err != nil {
			return nil, fmt.Errorf("store: list decisions of plan %s: %w", planID, err)
		}
		d.At = parseTime(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list decisions of plan %s: %w", planID, err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: list decisions of plan %s: %w", planID, err)
	}
	return out, tx.Audit(ctx, "read", "plan_decisions", planID)
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	At         time.Time
	KeyID      string
	Org        string
	Action     string
	ObjectKind string
	ObjectID   string
}

// AuditLog returns the audit rows of one object (kind and id) in the order
// they were written; id "" selects every row of that kind.
func (db *DB) AuditLog(ctx context.Context, kind, id string) ([]AuditEntry, error) {
	q := `SELECT at, key_id, org, action, object_kind, object_id FROM audit_log WHERE object_kind = ?`
	args := []any{kind}
	if id != "" {
		q += ` AND object_id = ?`
		args = append(args, id)
	}
	rows, err := db.sql.QueryContext(ctx, db.rebind(q+` ORDER BY seq`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&at, &e.KeyID, &e.Org, &e.Action, &e.ObjectKind, &e.ObjectID); err != nil {
			return nil, fmt.Errorf("store: read audit log: %w", err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read audit log: %w", err)
	}
	return out, nil
}
