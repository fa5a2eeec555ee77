package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"passerelle/matcher"
)

// CreateHousehold stores a new household (validated by the caller) for the
// actor's organisation in this transaction, generates its id ("hh_…") and
// audits. It returns ErrConflict for a duplicate external_ref within the
// organisation.
func (tx *Tx) CreateHousehold(ctx context.Context, h matcher.Household) (matcher.Household, error) {
	h.ID = newID("hh_", 10)
	doc, err := json.Marshal(h)
	if err != nil {
		return matcher.Household{}, fmt.Errorf("store: create household: encode: %w", err)
	}
	if err := tx.ensureOrg(ctx, tx.actor.Org); err != nil {
		return matcher.Household{}, err
	}
	now := formatTime(tx.now)
	if _, err := tx.exec(ctx, `INSERT INTO households (id, org, external_ref, doc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		h.ID, tx.actor.Org, h.ExternalRef, string(doc), now, now); err != nil {
		return matcher.Household{}, fmt.Errorf("store: create household: %w", classify(err))
	}
	return h, tx.Audit(ctx, "create", "household", h.ID)
}

// householdOrg returns the organisation of live household id if the actor
// may see it, else ErrNotFound.
func (tx *Tx) householdOrg(ctx context.Context, id, op string) (string, error) {
	var org string
	err := tx.queryRow(ctx, `SELECT org FROM households WHERE id = ? AND deleted_at IS NULL`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && org != tx.actor.Org && !tx.actor.admin()) {
		return "", fmt.Errorf("store: %s household %s: %w", op, id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: %s household %s: %w", op, id, err)
	}
	return org, nil
}

// UpdateHousehold replaces the document of household h.ID and audits. It
// returns ErrNotFound for an unknown, deleted or foreign household and
// ErrConflict for a duplicate external_ref.
func (tx *Tx) UpdateHousehold(ctx context.Context, h matcher.Household) (matcher.Household, error) {
	if _, err := tx.householdOrg(ctx, h.ID, "update"); err != nil {
		return matcher.Household{}, err
	}
	doc, err := json.Marshal(h)
	if err != nil {
		return matcher.Household{}, fmt.Errorf("store: update household %s: encode: %w", h.ID, err)
	}
	if _, err := tx.exec(ctx, `UPDATE households SET external_ref = ?, doc = ?, updated_at = ? WHERE id = ?`,
		h.ExternalRef, string(doc), formatTime(tx.now), h.ID); err != nil {
		return matcher.Household{}, fmt.Errorf("store: update household %s: %w", h.ID, classify(err))
	}
	return h, tx.Audit(ctx, "update", "household", h.ID)
}

// DeleteHousehold marks household id deleted (the row and its plans are
// kept for the audit trail; it no longer reads) and audits. It returns
// ErrNotFound for an unknown, already deleted or foreign household.
func (tx *Tx) DeleteHousehold(ctx context.Context, id string) error {
	if _, err := tx.householdOrg(ctx, id, "delete"); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE households SET deleted_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("store: delete household %s: %w", id, err)
	}
	return tx.Audit(ctx, "delete", "household", id)
}

// Household returns live household id and writes a "read" audit row in
// this transaction. It returns ErrNotFound for an unknown, deleted or
// foreign household.
func (tx *Tx) Household(ctx context.Context, id string) (matcher.Household, error) {
	var doc, org string
	err := tx.queryRow(ctx, `SELECT doc, org FROM households WHERE id = ? AND deleted_at IS NULL`, id).Scan(&doc, &org)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && org != tx.actor.Org && !tx.actor.admin()) {
		return matcher.Household{}, fmt.Errorf("store: get household %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return matcher.Household{}, fmt.Errorf("store: get household %s: %w", id, err)
	}
	var h matcher.Household
	if err := json.Unmarshal([]byte(doc), &h); err != nil {
		return matcher.Household{}, fmt.Errorf("store: get household %s: decode: %w", id, err)
	}
	h.ID = id
	return h, tx.Audit(ctx, "read", "household", id)
}

// CreateHousehold runs Tx.CreateHousehold in its own transaction.
func (db *DB) CreateHousehold(ctx context.Context, actor Actor, h matcher.Household) (out matcher.Household, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.CreateHousehold(ctx, h); return err })
	return out, err
}

// UpdateHousehold runs Tx.UpdateHousehold in its own transaction.
func (db *DB) UpdateHousehold(ctx context.Context, actor Actor, h matcher.Household) (out matcher.Household, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.UpdateHousehold(ctx, h); return err })
	return out, err
}

// DeleteHousehold runs Tx.DeleteHousehold in its own transaction.
func (db *DB) DeleteHousehold(ctx context.Context, actor Actor, id string) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.DeleteHousehold(ctx, id) })
}

// ListHouseholds returns one page of the live households of the actor's
// organisation (admin: all), ordered by id, with one "list" audit row.
// cursor is "" or a Page.Next; limit as OfferFilter.Limit.
func (db *DB) ListHouseholds(ctx context.Context, actor Actor, cursor string, limit int) (Page[matcher.Household], error) {
	var where = []string{"deleted_at IS NULL"}
	var args []any
	if !actor.admin() {
		where, args = append(where, "org = ?"), append(args, actor.Org)
	}
	if cursor != "" {
		after, err := decodeCursor(cursor)
		if err != nil {
			return Page[matcher.Household]{}, fmt.Errorf("store: list households: %w", err)
		}
		where, args = append(where, "id > ?"), append(args, after)
	}
	n := pageSize(limit)
	q := `SELECT id, doc FROM households WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY id LIMIT %d`, n+1)
	p := Page[matcher.Household]{Items: []matcher.Household{}}
	err := db.Write(ctx, actor, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, db.rebind(q), args...)
		if err != nil {
			return fmt.Errorf("store: list households: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				return fmt.Errorf("store: list households: %w", err)
			}
			var h matcher.Household
			if err := json.Unmarshal([]byte(doc), &h); err != nil {
				return fmt.Errorf("store: list households: decode %s: %w", id, err)
			}
			h.ID = id
			p.Items = append(p.Items, h)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: list households: %w", err)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("store: list households: %w", err)
		}
		if len(p.Items) > n {
			p.Items = p.Items[:n]
			p.Next = encodeCursor(p.Items[n-1].ID)
		}
		return tx.Audit(ctx, "list", "household", "")
	})
	return p, err
}
