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

// LocalLists runs household h's two allocation searches (national and
// department, see allocState.lists) twice: with the department list
// started from the national options there, as Allocate does, and from
// nothing. It returns both department lists, each option a key of home,
// score and jobs, in order (nil when the household has no department
// list).
func LocalLists(ctx context.Context, e *Engine, h *Household, top int) (seeded, plain []string, err error) {
	hh := *h
	hh.Members = slices.Clone(h.Members)
	hh.ApplyDefaults()
	keys := func(noSeeds bool) ([]string, error) {
		st := &allocState{e: e, s: e.snap.Load(), noSeeds: noSeeds,
			popts: PlanOptions{Top: top, NoWhatIf: true, MaxPerCommune: top, MaxPerDepartment: top}}
		_, local, _, err := st.lists(ctx, &hh, top)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, c := range local {
			k := fmt.Sprintf("%d:%v", c.h, c.score)
			for _, ch := range c.jobs {
				k += fmt.Sprintf("+%d", ch.job)
			}
			out = append(out, k)
		}
		return out, nil
	}
	if seeded, err = keys(false); err != nil {
		return nil, nil, err
	}
	plain, err = keys(true)
	return seeded, plain, err
}
