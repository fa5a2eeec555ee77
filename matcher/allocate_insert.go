package matcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// InsertResult is the outcome of Engine.Insert.
type InsertResult struct {
	// Assignment is the new household's outcome (also appended to the
	// allocation's Assignments).
	Assignment Assignment `json:"assignment"`
	// ObjectiveDelta is the value the new household adds to the objective
	// (0 when it is not placed).
	ObjectiveDelta float64 `json:"objective_delta"`
	// UpperBoundDelta is the increase of the allocation's upper bound.
	UpperBoundDelta float64 `json:"upper_bound_delta"`
	// ReducedValue is the best value of the new household's options less
	// the dual prices of their housing and jobs: what the household could
	// add to the bound.
	ReducedValue float64 `json:"reduced_value"`
	// Optimal is set when the allocation with the new household is proven
	// optimal (its gap is closed).
	Optimal bool `json:"optimal"`
	// Moved lists the households moved to another of their options to
	// make room (at most one).
	Moved []string `json:"moved,omitempty"`
}

// Insert places household h against allocation a, made by Allocate on this
// engine, without solving again: it builds the household's options (the
// plan search, milliseconds on a national market), then places it in
// microseconds on its best option whose housing place and jobs are still
// free, and raises a's upper bound with the dual prices of the allocation
// (housing prices of the assignment and job prices of the Lagrangian): the
// new optimum is at most the old bound plus the best option value less the
// prices of its housing and jobs (InsertResult.ReducedValue). When that
// reduced value is the value placed and a was optimal, the result is
// optimal too. Others keep their places: the insertion never moves anyone.
//
// It returns a *ValidationError (wrapping ErrInvalid) for an invalid
// household or an id already in a, an error wrapping ErrInvalid when a was
// not made by e's Allocate (the prices and places are those of its market:
// an engine from Without, or rebuilt, must allocate again), and ctx.Err()
// (wrapped) when ctx is done. It changes a: not safe for concurrent use on
// the same allocation.
func (e *Engine) Insert(ctx context.Context, a *Allocation, h *Household) (*InsertResult, error) {
	if a == nil || a.st == nil {
		return nil, fmt.Errorf("matcher: insert: %w: the allocation was not made by Allocate", ErrInvalid)
	}
	if a.st.s != e.snap.Load() {
		return nil, fmt.Errorf("matcher: insert: %w: the allocation was made by another engine", ErrInvalid)
	}
	st := a.st
	if err := h.Validate(); err != nil {
		return nil, err
	}
	if _, dup := st.byID[h.ID]; dup || h.ID == "" {
		var ve ValidationError
		ve.add("id", CodeInvalid, fmt.Sprintf("L'identifiant %q est vide ou déjà utilisé dans la répartition.", h.ID),
			fmt.Sprintf("The id %q is empty or already used in the allocation.", h.ID))
		return nil, &ve
	}
	hh := *h
	hh.Members = slices.Clone(h.Members)
	hh.ApplyDefaults()
	cands, _, err := st.searchFor(ctx, &hh, st.opts.Top)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return nil, err
		}
		return nil, fmt.Errorf("matcher: insert: planning household %q: %w", h.ID, err)
	}
	return a.insertPlanned(hh, cands), nil
}

// insertPlanned is the placement step of Insert, once the household's
// options are known: O(options) plus the explanation of its outcome.
func (a *Allocation) insertPlanned(hh Household, cands []candidate) *InsertResult {
	st := a.st
	i := st.addHousehold(hh, cands)
	if st.occ == nil {
		st.occ = make(map[int32][]int32)
		for k, o := range st.sel {
			if o >= 0 {
				st.occ[st.opt[o].res] = append(st.occ[st.opt[o].res], int32(k))
			}
		}
	}
	ins, mv := st.place(i)
	as := st.assignment(i)
	a.Assignments = append(a.Assignments, as)
	for k := range a.Baselines {
		a.Baselines[k].Placements = append(a.Baselines[k].Placements, nil)
	}
	before, beforeObj := a.UpperBound, a.Objective
	a.Households++
	st.incVal += mv.gain
	obj := st.incVal + st.fixedV
	if mv.o >= 0 {
		op := &st.opt[mv.o]
		a.TotalScore += hh.Priority * op.cand.score
		a.Placed++
		if len(op.jobs) > 0 {
			a.WithJob++
		}
	}
	if mv.k >= 0 {
		k := int(mv.k)
		old := &st.opt[mv.cur]
		a.Assignments[k] = st.assignment(k)
		q := &st.opt[mv.q]
		a.TotalScore += st.hs[k].Priority * (q.cand.score - old.cand.score)
		if len(old.jobs) > 0 {
			a.WithJob--
		}
		if len(q.jobs) > 0 {
			a.WithJob++
		}
		ins.Moved = append(ins.Moved, st.hs[k].ID)
	}
	a.TotalScore = round4(a.TotalScore)
	ub := max(st.ub+st.fixedV, obj)
	a.Objective, a.UpperBound = round4(obj), round4(ub)
	a.Gap = 0
	if ub > 0 {
		a.Gap = round4(max(0, ub-obj) / ub)
	}
	a.Optimal = ub-obj <= gapEps*(1+math.Abs(ub))
	ins.Assignment = as
	ins.ObjectiveDelta = round4(a.Objective - beforeObj)
	ins.UpperBoundDelta = round4(a.UpperBound - before)
	ins.Optimal = a.Optimal
	return ins
}

// addHousehold appends household hh with the candidates of its plan and
// returns its index.
func (st *allocState) addHousehold(hh Household, cands []candidate) int {
	i := len(st.hs)
	st.hs = append(st.hs, hh)
	st.byID[hh.ID] = i
	st.cands = append(st.cands, cands)
	st.locked = append(st.locked, lockOutcome{})
	st.nForb = append(st.nForb, 0)
	st.sel = append(st.sel, -1)
	st.free = append(st.free, int32(i))
	var opts []int32
	for k := range cands {
		opts = append(opts, st.addOpt(i, int32(k+1), &cands[k]))
	}
	st.byHH = append(st.byHH, opts)
	st.growCaps()
	for len(st.hPrice) < len(st.hRes) {
		st.hPrice = append(st.hPrice, 0) // a place no one else wanted
	}
	for len(st.lam) < len(st.jRes) {
		st.lam = append(st.lam, 0)
	}
	for len(st.hUsed) < len(st.hRes) {
		st.hUsed = append(st.hUsed, 0)
	}
	for len(st.jUsed) < len(st.jRes) {
		st.jUsed = append(st.jUsed, 0)
	}
	for len(st.dead) < len(st.opt) {
		o := int32(len(st.dead))
		op := &st.opt[o]
		dead := st.hCap[op.res] < 1
		for _, j := range op.jobs {
			dead = dead || st.jCap[j] < countOf(op.jobs, j)
		}
		st.dead = append(st.dead, dead)
	}
	return i
}

// move is an insertion: the new household takes option o; when k ≥ 0,
// household k first moves from its option to option q to free o's place.
type move struct {
	gain      float64
	o, q, cur int32 // cur: k's option before the move
	k         int32
}

// place puts household i on the best move: its best option that fits what
// is free, or an option whose housing is full once one occupant (not
// locked) moves to its own best other option that fits, whichever adds
// more value. It raises the bounds: the Lagrangian bound by the
// household's best reduced value at the stored prices (a dual solution of
// the enlarged relaxation), the current bound by its best value; the
// smaller is kept. Cost: O(options × occupants × options).
func (st *allocState) place(i int) (*InsertResult, move) {
	reduced, maxV := 0.0, 0.0
	best := move{o: -1, q: -1, k: -1}
	for _, o := range st.byHH[i] {
		if st.dead[o] {
			continue
		}
		op := &st.opt[o]
		rv := op.value - st.hPrice[op.res]
		for _, j := range op.jobs {
			rv -= st.lam[j]
		}
		reduced = max(reduced, rv)
		maxV = max(maxV, op.value)
		if op.value <= best.gain {
			continue
		}
		if st.fits(o, st.hUsed, st.jUsed) {
			best = move{gain: op.value, o: o, q: -1, k: -1}
			continue
		}
		if st.hUsed[op.res] < st.hCap[op.res] {
			continue // a job is the blocker: no single move frees it
		}
		for _, k := range st.occ[op.res] {
			if st.locked[k].ok {
				continue
			}
			cur := st.sel[k]
			st.use(cur, -1)
			if st.fits(o, st.hUsed, st.jUsed) {
				st.use(o, 1)
				for _, q := range st.byHH[k] {
					if q == cur || st.dead[q] || st.opt[q].res == op.res || !st.fits(q, st.hUsed, st.jUsed) {
						continue
					}
					if g := op.value - st.opt[cur].value + st.opt[q].value; g > best.gain {
						best = move{gain: g, o: o, q: q, cur: cur, k: k}
					}
					break // k's options are in value order
				}
				st.use(o, -1)
			}
			st.use(cur, 1)
		}
	}
	if best.k >= 0 {
		k := best.k
		st.setSel(int(k), best.q)
	}
	if best.o >= 0 {
		st.setSel(i, best.o)
	}
	st.lagUB += reduced
	st.ub = min(st.ub+maxV, st.lagUB)
	st.ub = max(st.ub, st.incVal+best.gain)
	return &InsertResult{ReducedValue: round4(reduced)}, best
}

// setSel gives household i option o (or none for −1), keeping the uses and
// the occupants up to date.
func (st *allocState) setSel(i int, o int32) {
	if p := st.sel[i]; p >= 0 {
		st.use(p, -1)
		r := st.opt[p].res
		st.occ[r] = slices.DeleteFunc(st.occ[r], func(k int32) bool { return k == int32(i) })
	}
	st.sel[i] = o
	if o >= 0 {
		st.use(o, 1)
		r := st.opt[o].res
		st.occ[r] = append(st.occ[r], int32(i))
	}
}
