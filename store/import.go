package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"passerelle/geo"
	"passerelle/matcher"
)

// Upserted counts what UpsertOffers did to one kind of offer.
type Upserted struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Repeated counts offers whose external_ref appeared earlier in the
	// same import: the last one wins.
	Repeated int `json:"repeated"`
}

// UpsertOffers stores imported offers (validated by the caller) in this
// transaction, matching them to stored ones by (owner, external_ref): an
// unknown reference is created, a known one is replaced (its id kept, its
// status set to the imported one, open when empty) unless nothing
// changed. Every offer needs an external_ref. Owners follow CreateOffers's
// rule. One data-version bump and one audit row per kind when anything
// changed. It returns the counts per kind; on error the caller's
// transaction rolls back and nothing is stored.
func (tx *Tx) UpsertOffers(ctx context.Context, hs []matcher.HousingOffer, js []matcher.JobOffer) (housing, jobs Upserted, err error) {
	if housing, err = upsert(ctx, tx, housingSpec, hs); err != nil {
		return housing, jobs, err
	}
	if jobs, err = upsert(ctx, tx, jobSpec, js); err != nil {
		return housing, jobs, err
	}
	if housing.Created+housing.Updated+jobs.Created+jobs.Updated > 0 {
		if _, err := tx.bumpVersion(ctx); err != nil {
			return housing, jobs, err
		}
	}
	return housing, jobs, nil
}

// upsertChunk is the number of references looked up per query.
const upsertChunk = 500

func upsert[T any](ctx context.Context, tx *Tx, sp offerSpec[T], in []T) (Upserted, error) {
	var n Upserted
	if len(in) == 0 {
		return n, nil
	}
	// The last offer of each (owner, reference) wins.
	type okey struct{ owner, ref string }
	last := make(map[okey]int, len(in))
	for i := range in {
		_, owner, ref, _, _, _, _ := sp.cols(&in[i])
		if ref == "" {
			return n, fmt.Errorf("store: import %s %d: %w", sp.kind, i, errors.New("external_ref is required"))
		}
		if owner == "" || !tx.actor.admin() {
			owner = tx.actor.Org
		}
		k := okey{owner, ref}
		if _, dup := last[k]; dup {
			n.Repeated++
		}
		last[k] = i
	}
	keys := make([]okey, 0, len(last))
	for i := range in {
		_, owner, ref, _, _, _, _ := sp.cols(&in[i])
		if owner == "" || !tx.actor.admin() {
			owner = tx.actor.Org
		}
		if k := (okey{owner, ref}); last[k] == i {
			keys = append(keys, k)
		}
	}
	type stored struct{ id, doc string }
	found := make(map[okey]stored, len(keys))
	for start := 0; start < len(keys); start += upsertChunk {
		part := keys[start:min(start+upsertChunk, len(keys))]
		var cond []string
		args := make([]any, 0, 2*len(part))
		for _, k := range part {
			cond = append(cond, "(owner = ? AND external_ref = ?)")
			args = append(args, k.owner, k.ref)
		}
		rows, err := tx.tx.QueryContext(ctx, tx.db.rebind(`SELECT id, owner, external_ref, doc FROM `+sp.table+` WHERE `+strings.Join(cond, " OR ")), args...)
		if err != nil {
			return n, fmt.Errorf("store: import %s: look up references: %w", sp.kind, err)
		}
		for rows.Next() {
			var s stored
			var k okey
			if err := rows.Scan(&s.id, &k.owner, &k.ref, &s.doc); err != nil {
				rows.Close()
				return n, fmt.Errorf("store: import %s: look up references: %w", sp.kind, err)
			}
			found[k] = s
		}
		if err := rows.Close(); err != nil {
			return n, fmt.Errorf("store: import %s: look up references: %w", sp.kind, err)
		}
	}
	var fresh []T
	now := formatTime(tx.now)
	for _, k := range keys {
		o := in[last[k]]
		s, ok := found[k]
		if !ok {
			fresh = append(fresh, o)
			continue
		}
		_, _, _, status, commune, kind, rome := sp.cols(&o)
		if status == "" {
			status = matcher.StatusOpen
		}
		sp.setMeta(&o, s.id, k.owner, status)
		doc, err := json.Marshal(o)
		if err != nil {
			return n, fmt.Errorf("store: import %s %s: encode: %w", sp.kind, k.ref, err)
		}
		if string(doc) == s.doc {
			n.Unchanged++
			continue
		}
		q := `UPDATE ` + sp.table + ` SET doc = ?, status = ?, commune = ?, department = ?, kind = ?, updated_at = ?`
		args := []any{string(doc), status, commune, geo.DepartmentOf(commune), kind, now}
		if sp.jobs {
			q += `, rome = ?`
			args = append(args, rome)
		}
		if _, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, s.id)...); err != nil {
			return n, fmt.Errorf("store: import %s %s: %w", sp.kind, k.ref, classify(err))
		}
		tx.changed(sp.jobs, s.id)
		n.Updated++
	}
	if len(fresh) > 0 {
		// bulkCreate writes its own audit row.
		if _, err := bulkCreate(ctx, tx, sp, fresh); err != nil {
			return n, err
		}
		n.Created = len(fresh)
	}
	if n.Updated > 0 {
		if err := tx.Audit(ctx, "import_update", sp.kind, fmt.Sprintf("%d offers", n.Updated)); err != nil {
			return n, err
		}
	}
	return n, nil
}
