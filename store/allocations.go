package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"passerelle/matcher"
)

// AllocationRecord is a stored allocation of a caseload (POST
// /v1/allocations): its document and metadata. The store does not
// interpret Doc beyond checking that it is a JSON object.
type AllocationRecord struct {
	ID         string // "al_…"
	Org        string // the organisation of the actor who created it
	KeyID      string // the API key that created it
	CreatedAt  time.Time
	Households int // households allocated
	Placed     int // households placed
	// Doc is the allocation document (a JSON object) as the caller gave it.
	Doc json.RawMessage
}

// CreateAllocation stores allocation document doc (a JSON object) of
// households households, placed of them placed, for the actor's
// organisation, generates its id ("al_…") and audits ("create",
// "allocation"). It returns an error when doc is not a JSON object or the
// counts are impossible. The caller checks that the households allocated
// are the organisation's (DB.ReadHouseholds).
func (tx *Tx) CreateAllocation(ctx context.Context, households, placed int, doc json.RawMessage) (AllocationRecord, error) {
	if households < 0 || placed < 0 || placed > households {
		return AllocationRecord{}, fmt.Errorf("store: create allocation: %d placed of %d households", placed, households)
	}
	if d := bytes.TrimSpace(doc); len(d) == 0 || d[0] != '{' || !json.Valid(d) {
		return AllocationRecord{}, errors.New("store: create allocation: the document is not a JSON object")
	}
	if err := tx.ensureOrg(ctx, tx.actor.Org); err != nil {
		return AllocationRecord{}, err
	}
	r := AllocationRecord{ID: newID("al_", 10), Org: tx.actor.Org, KeyID: tx.actor.KeyID, CreatedAt: parseTime(formatTime(tx.now)),
		Households: households, Placed: placed, Doc: doc}
	if _, err := tx.exec(ctx, `INSERT INTO allocations (id, org, key_id, households, placed, doc, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Org, r.KeyID, households, placed, string(doc), formatTime(tx.now)); err != nil {
		return AllocationRecord{}, fmt.Errorf("store: create allocation: %w", classify(err))
	}
	return r, tx.Audit(ctx, "create", "allocation", r.ID)
}

// Allocation returns allocation id and writes a "read" audit row in this
// transaction. It returns ErrNotFound for an unknown allocation or another
// organisation's (admins see every allocation).
func (tx *Tx) Allocation(ctx context.Context, id string) (AllocationRecord, error) {
	r := AllocationRecord{ID: id}
	var doc, created string
	err := tx.queryRow(ctx, `SELECT org, key_id, households, placed, doc, created_at FROM allocations WHERE id = ?`, id).
		Scan(&r.Org, &r.KeyID, &r.Households, &r.Placed, &doc, &created)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && r.Org != tx.actor.Org && !tx.actor.admin()) {
		return AllocationRecord{}, fmt.Errorf("store: get allocation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return AllocationRecord{}, fmt.Errorf("store: get allocation %s: %w", id, err)
	}
	r.Doc, r.CreatedAt = json.RawMessage(doc), parseTime(created)
	return r, tx.Audit(ctx, "read", "allocation", id)
}

// CreateAllocation runs Tx.CreateAllocation in its own transaction.
func (db *DB) CreateAllocation(ctx context.Context, actor Actor, households, placed int, doc json.RawMessage) (out AllocationRecord, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.CreateAllocation(ctx, households, placed, doc); return err })
	return out, err
}

// GetAllocation runs Tx.Allocation in its own transaction (a read of an
// allocation is audited).
func (db *DB) GetAllocation(ctx context.Context, actor Actor, id string) (out AllocationRecord, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.Allocation(ctx, id); return err })
	return out, err
}

// readHouseholdsChunk is the most ids in one query of ReadHouseholds.
const readHouseholdsChunk = 500

// ReadHouseholds returns the live households with the given ids, in the
// order of ids, read in one snapshot, for an allocation of a caseload. The
// actor sees its organisation's households (admins all): when some ids are
// unknown, deleted or another organisation's, it returns their indexes in
// missing, no household and no audit row, so that the caller can name them
// without telling which exist elsewhere. Otherwise each household read
// queues one "read" audit row (group-committed like ReadHousehold's).
// Repeated ids read the same household again.
func (db *DB) ReadHouseholds(ctx context.Context, actor Actor, ids []string) (hs []matcher.Household, missing []int, err error) {
	var opts *sql.TxOptions
	if db.driver == DriverPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	// SQLite: a deferred transaction on the read pool, a WAL snapshot that
	// does not block writers.
	tx, err := db.rd.BeginTx(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read households: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	docs := make(map[string][]byte, len(ids))
	for lo := 0; lo < len(ids); lo += readHouseholdsChunk {
		part := ids[lo:min(lo+readHouseholdsChunk, len(ids))]
		q := `SELECT id, org, doc FROM households WHERE deleted_at IS NULL AND id IN (?` + strings.Repeat(", ?", len(part)-1) + `)`
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := func() error {
			rows, err := tx.QueryContext(ctx, db.rebind(q), args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, org, doc string
				if err := rows.Scan(&id, &org, &doc); err != nil {
					return err
				}
				if org == actor.Org || actor.admin() {
					docs[id] = []byte(doc)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return rows.Close()
		}(); err != nil {
			return nil, nil, fmt.Errorf("store: read households: %w", err)
		}
	}
	for i, id := range ids {
		if _, ok := docs[id]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return nil, missing, nil
	}
	hs = make([]matcher.Household, len(ids))
	for i, id := range ids {
		if hs[i], err = DecodeHousehold(id, docs[id]); err != nil {
			return nil, nil, err
		}
	}
	for _, id := range ids {
		if err := db.auditRead(actor, "household", id); err != nil {
			return nil, nil, err
		}
	}
	return hs, nil, nil
}
