package matcher

import (
	"context"
	"fmt"
	"slices"
)

// PrepareInsert splits Engine.Insert for the benchmarks: it runs the plan
// search of h against allocation a and returns the placement step, which
// inserts a copy of h under a fresh id on each call.
func PrepareInsert(ctx context.Context, a *Allocation, h *Household) (func() *InsertResult, error) {
	st := a.st
	hh := *h
	hh.Members = slices.Clone(h.Members)
	hh.ApplyDefaults()
	r, err := st.e.newRequest(st.s, &hh, st.popts)
	if err != nil {
		return nil, err
	}
	cands, _, err := r.searchFast(ctx)
	if err != nil {
		return nil, err
	}
	n := 0
	return func() *InsertResult {
		n++
		c := hh
		c.ID = fmt.Sprintf("%s#%d", hh.ID, n)
		return a.insertPlanned(c, cands)
	}, nil
}
