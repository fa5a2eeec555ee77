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

// LocalLists runs household h's search in its current department twice,
// seeded with the options of its whole scope in that department (as an
// allocation does) and not seeded, and returns both lists as keys of home,
// score and jobs, in order.
func LocalLists(ctx context.Context, e *Engine, h *Household, top int) (seeded, plain []string, err error) {
	hh := *h
	hh.Members = slices.Clone(h.Members)
	hh.ApplyDefaults()
	popts := PlanOptions{Top: top, NoWhatIf: true, MaxPerCommune: top, MaxPerDepartment: top}
	s := e.snap.Load()
	r, err := e.newRequest(s, &hh, popts)
	if err != nil {
		return nil, nil, err
	}
	cands, _, err := r.searchFast(ctx)
	if err != nil {
		return nil, nil, err
	}
	dep := r.home.Department
	hh.Relocation = Relocation{Scope: ScopeDepartments, Departments: []string{dep}}
	keys := func(seeds bool) ([]string, error) {
		lr, err := e.newRequest(s, &hh, popts)
		if err != nil {
			return nil, err
		}
		if seeds {
			lr.seeds = departmentSeeds(s, cands, dep)
		}
		local, _, err := lr.searchFast(ctx)
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
	if seeded, err = keys(true); err != nil {
		return nil, nil, err
	}
	plain, err = keys(false)
	return seeded, plain, err
}
