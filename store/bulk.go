package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"passerelle/geo"
	"passerelle/matcher"
)

// bulkRows is the number of rows per multi-row INSERT of CreateOffers
// (11 parameters per row stays far below SQLite's and PostgreSQL's limits).
const bulkRows = 200

// CreateOffers stores many offers (validated by the caller) in this
// transaction, much faster than one CreateHousing or CreateJob each:
// multi-row inserts, one data-version bump and one audit row per offer
// kind. Ids are generated; owners follow CreateHousing's rule (an admin
// keeps a given owner). It returns the stored offers, in order, and
// ErrConflict for a duplicate external_ref (then the caller's transaction
// rolls back: nothing is stored).
func (tx *Tx) CreateOffers(ctx context.Context, hs []matcher.HousingOffer, js []matcher.JobOffer) ([]matcher.HousingOffer, []matcher.JobOffer, error) {
	hs, err := bulkCreate(ctx, tx, housingSpec, hs)
	if err != nil {
		return nil, nil, err
	}
	js, err = bulkCreate(ctx, tx, jobSpec, js)
	if err != nil {
		return nil, nil, err
	}
	if len(hs)+len(js) > 0 {
		if _, err := tx.bumpVersion(ctx); err != nil {
			return nil, nil, err
		}
	}
	return hs, js, nil
}

func bulkCreate[T any](ctx context.Context, tx *Tx, sp offerSpec[T], in []T) ([]T, error) {
	if len(in) == 0 {
		return in, nil
	}
	out := make([]T, len(in))
	copy(out, in)
	cols := "id, owner, external_ref, status, commune, department, kind, doc, created_at, updated_at"
	n := 10
	if sp.jobs {
		cols += ", rome"
		n = 11
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	now := formatTime(tx.now)
	orgs := map[string]bool{}
	for start := 0; start < len(out); start += bulkRows {
		end := min(start+bulkRows, len(out))
		args := make([]any, 0, (end-start)*n)
		for i := start; i < end; i++ {
			o := &out[i]
			_, owner, ref, status, commune, kind, rome := sp.cols(o)
			if owner == "" || !tx.actor.admin() {
				owner = tx.actor.Org
			}
			if status == "" {
				status = matcher.StatusOpen
			}
			id := newID(sp.prefix, 10)
			sp.setMeta(o, id, owner, status)
			if !orgs[owner] {
				if err := tx.ensureOrg(ctx, owner); err != nil {
					return nil, err
				}
				orgs[owner] = true
			}
			doc, err := json.Marshal(o)
			if err != nil {
				return nil, fmt.Errorf("store: import %s %d: encode: %w", sp.kind, i, err)
			}
			args = append(args, id, owner, ref, status, commune, geo.DepartmentOf(commune), kind, string(doc), now, now)
			if sp.jobs {
				args = append(args, rome)
			}
		}
		q := "INSERT INTO " + sp.table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", end-start), ", ")
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return nil, fmt.Errorf("store: import %s rows %d–%d: %w", sp.kind, start, end-1, classify(err))
		}
	}
	if err := tx.Audit(ctx, "import", sp.kind, fmt.Sprintf("%d offers", len(out))); err != nil {
		return nil, err
	}
	return out, nil
}
