package matcher

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"passerelle/matcher/assign"
)

// gapEps is the relative tolerance under which the gap counts as closed.
const gapEps = 1e-9

// nodeIterations is the number of subgradient iterations at each
// branch-and-bound node after the root.
const nodeIterations = 20

// nodeRes is the outcome of the Lagrangian dual at one node: its best
// (lowest) bound, the job prices and housing prices reaching it, and the
// relaxed assignment at those prices.
type nodeRes struct {
	ub     float64
	lam    []float64
	prices []float64
	sel    []int32
}

// solve allocates the free households: baselines, the Lagrangian root,
// then a bounded branch and bound when the gap is open.
func (st *allocState) solve(ctx context.Context) error {
	n := len(st.hs)
	st.dead = make([]bool, len(st.opt))
	for o := range st.opt {
		op := &st.opt[o]
		if st.hCap[op.res] < 1 {
			st.dead[o] = true
			continue
		}
		for _, j := range op.jobs {
			if st.jCap[j] < countOf(op.jobs, j) {
				st.dead[o] = true
			}
		}
	}
	st.solves = st.opts.MaxSolves
	if st.solves <= 0 {
		st.solves = min(max(4_000_000/max(1, len(st.opt)), 20), 400)
	}
	empty := make([]int32, n)
	for i := range empty {
		empty[i] = -1
	}
	st.greedy = st.complete(empty)
	st.fcfs = st.firstCome()
	st.incSel, st.incVal = st.greedy, st.value(st.greedy)
	st.consider(st.fcfs)

	root, err := st.lagrange(ctx, st.dead, nil, st.opts.Iterations, true)
	if err != nil {
		return err
	}
	st.ub, st.lagUB = root.ub, root.ub
	st.lam, st.hPrice = root.lam, root.prices
	if st.open(st.ub) && st.maxNodes() > 0 {
		worst, err := st.branch(ctx, st.dead, root)
		if err != nil {
			return err
		}
		st.ub = min(st.ub, max(st.incVal, worst))
	}
	st.ub = max(st.ub, st.incVal)
	// Merge the free households' solution with the locks.
	for _, i := range st.free {
		st.sel[i] = st.incSel[i]
	}
	st.hUsed = make([]int, len(st.hRes))
	st.jUsed = make([]int, len(st.jRes))
	for _, i := range st.free {
		if o := st.sel[i]; o >= 0 {
			st.use(o, 1)
		}
	}
	for i := range st.greedy {
		if st.locked[i].ok {
			st.greedy[i], st.fcfs[i] = st.sel[i], st.sel[i]
		}
	}
	return nil
}

// maxNodes is the branch-and-bound budget: MaxNodes, reduced on large
// problems so that the nodes visit about 2 million options in all.
func (st *allocState) maxNodes() int {
	if st.opts.MaxNodes < 0 {
		return 0
	}
	return max(min(st.opts.MaxNodes, 2_000_000/max(1, len(st.opt)*nodeIterations/8)), min(st.opts.MaxNodes, 2))
}

// open reports whether bound ub leaves a gap above the incumbent.
func (st *allocState) open(ub float64) bool {
	return ub-st.incVal > gapEps*(1+math.Abs(ub))
}

func countOf(xs []int32, x int32) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// use adds (d = 1) or removes (d = −1) option o's use of its resources.
func (st *allocState) use(o int32, d int) {
	op := &st.opt[o]
	st.hUsed[op.res] += d
	for _, j := range op.jobs {
		st.jUsed[j] += d
	}
}

// value returns the total value of the free households' options in sel.
func (st *allocState) value(sel []int32) float64 {
	v := 0.0
	for _, i := range st.free {
		if o := sel[i]; o >= 0 {
			v += st.opt[o].value
		}
	}
	return v
}

// usage returns the use of each job resource by sel and whether some job
// is used beyond its capacity.
func (st *allocState) usage(sel []int32) ([]int, bool) {
	u := make([]int, len(st.jRes))
	over := false
	for _, i := range st.free {
		if o := sel[i]; o >= 0 {
			for _, j := range st.opt[o].jobs {
				u[j]++
				over = over || u[j] > st.jCap[j]
			}
		}
	}
	return u, over
}

// consider keeps sel as the incumbent when it is feasible for the jobs
// (housing is feasible by construction) and strictly better.
func (st *allocState) consider(sel []int32) {
	if _, over := st.usage(sel); over {
		return
	}
	if v := st.value(sel); v > st.incVal+gapEps*(1+math.Abs(v)) {
		st.incSel, st.incVal = slices.Clone(sel), v
	}
}

// relax solves the Lagrangian relaxation at job prices lam: the exact
// assignment of the free households to housing with each option's value
// less the prices of its jobs, the options of ban left out. It returns the
// assignment (per household, −1 when unassigned), the dual value L(lam)
// and the housing prices.
func (st *allocState) relax(ctx context.Context, lam []float64, ban []bool) ([]int32, float64, []float64, error) {
	// The edges and their options are rebuilt in the same two buffers at
	// every solve: grown by append, they were a fifth of the solve's time.
	if cap(st.relaxEdges) < len(st.opt) {
		st.relaxEdges = make([]assign.Edge, 0, len(st.opt))
		st.relaxOpt = make([]int32, 0, len(st.opt))
	}
	p := &assign.Problem{NumLeft: len(st.free), NumRight: len(st.hRes), Capacity: st.hCap, Edges: st.relaxEdges[:0]}
	edgeOpt := st.relaxOpt[:0]
	for k, i := range st.free {
		for _, o := range st.byHH[i] {
			if ban[o] {
				continue
			}
			op := &st.opt[o]
			rv := op.value
			for _, j := range op.jobs {
				rv -= lam[j]
			}
			if rv <= 0 {
				continue // never better than staying unassigned
			}
			p.Edges = append(p.Edges, assign.Edge{Left: k, Right: int(op.res), Cost: -rv})
			edgeOpt = append(edgeOpt, o)
		}
	}
	st.stats.Solves++
	st.solves--
	sol, err := assign.Solve(ctx, p)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("matcher: allocating: solving the assignment: %w", err)
	}
	sel := make([]int32, len(st.hs))
	for i := range sel {
		sel[i] = -1
	}
	for k, e := range sol.Edge {
		if e >= 0 {
			sel[st.free[k]] = edgeOpt[e]
		}
	}
	L := -sol.Cost
	for j, l := range lam {
		L += l * float64(st.jCap[j])
	}
	return sel, L, sol.Prices, nil
}

// lagrange minimises the Lagrangian dual over the job prices by
// subgradient steps (Polyak step towards the incumbent's value, halved
// after 5 iterations without progress), starting from lam0 (nil: zero).
// Every relaxed assignment that respects the job capacities is offered as
// incumbent; the best one that does not is repaired (and at the root the
// first one too).
func (st *allocState) lagrange(ctx context.Context, ban []bool, lam0 []float64, iters int, root bool) (nodeRes, error) {
	nJ := len(st.jRes)
	zero := make([]float64, nJ)
	sel, L, prices, err := st.relax(ctx, zero, ban)
	if err != nil {
		return nodeRes{}, err
	}
	st.stats.Iterations++
	res := nodeRes{ub: L, lam: zero, prices: prices, sel: sel}
	u, over := st.usage(sel)
	if !over {
		st.consider(sel) // exact: L(0) is the value of sel
		return res, nil
	}
	if root {
		if err := st.repairAndConsider(ctx, zero, sel, ban); err != nil {
			return nodeRes{}, err
		}
	}
	lam := make([]float64, nJ)
	started := false
	if lam0 != nil && slices.ContainsFunc(lam0, func(v float64) bool { return v > 0 }) {
		copy(lam, lam0)
	} else {
		started = true // the zero iterate is the first one
	}
	theta := 1.0
	if !root {
		theta = 0.5
	}
	stall := 0
	for it := 0; it < iters && st.solves > 0; it++ {
		if !started {
			if sel, L, prices, err = st.relax(ctx, lam, ban); err != nil {
				return nodeRes{}, err
			}
			st.stats.Iterations++
			u, over = st.usage(sel)
			if !over {
				st.consider(sel)
			}
			if L < res.ub-1e-12 {
				res = nodeRes{ub: L, lam: slices.Clone(lam), prices: prices, sel: sel}
				stall = 0
			} else if stall++; stall >= 5 {
				theta, stall = theta/2, 0
			}
		}
		started = false
		if !st.open(res.ub) || theta < 1e-4 {
			break
		}
		norm := 0.0
		g := make([]float64, nJ)
		for j := range g {
			g[j] = float64(st.jCap[j] - u[j])
			if lam[j] == 0 && g[j] > 0 {
				g[j] = 0
			}
			norm += g[j] * g[j]
		}
		if norm == 0 {
			break
		}
		step := theta * max(L-st.incVal, 1e-6) / norm
		for j := range lam {
			lam[j] = max(0, lam[j]-step*g[j])
		}
	}
	if _, over := st.usage(res.sel); over && st.open(res.ub) {
		if err := st.repairAndConsider(ctx, res.lam, res.sel, ban); err != nil {
			return nodeRes{}, err
		}
	}
	return res, nil
}

func (st *allocState) repairAndConsider(ctx context.Context, lam []float64, sel []int32, ban []bool) error {
	rep, err := st.repair(ctx, lam, sel, ban)
	if err != nil {
		return err
	}
	st.consider(rep)
	return nil
}

// repair turns a relaxed assignment into a feasible one: for each job used
// beyond its positions, the households whose loss is least (the reduced
// value of their option less that of their best other option) lose that
// option, and the assignment is solved again without the options lost;
// this repeats until every job is within its positions (at most 8 rounds
// and within the solve budget, then the remaining excess users are
// dropped). The households left out
// are then completed greedily with what is still free.
func (st *allocState) repair(ctx context.Context, lam []float64, sel []int32, ban []bool) ([]int32, error) {
	st.stats.Repairs++
	b := slices.Clone(ban)
	cur := slices.Clone(sel)
	rv := func(o int32) float64 {
		v := st.opt[o].value
		for _, j := range st.opt[o].jobs {
			v -= lam[j]
		}
		return v
	}
	type user struct {
		i    int32
		loss float64
	}
	removed := make([]bool, len(cur))
	for round := 0; ; round++ {
		u, over := st.usage(cur)
		if !over {
			break
		}
		// The users of each job beyond its positions, in st.free order,
		// each once (two adults of a household may share a job): one pass
		// over the households, not one per job.
		users := map[int32][]int32{}
		for _, i := range st.free {
			o := cur[i]
			if o < 0 {
				continue
			}
			for k, j := range st.opt[o].jobs {
				if u[j] > st.jCap[j] && !slices.Contains(st.opt[o].jobs[:k], j) {
					users[j] = append(users[j], i)
				}
			}
		}
		var gone []int32
		for _, j := range slices.Sorted(maps.Keys(users)) {
			var us []user
			used := 0
			for _, i := range users[j] {
				if removed[i] {
					continue
				}
				o := cur[i]
				used += countOf(st.opt[o].jobs, j)
				alt := 0.0
				for _, q := range st.byHH[i] {
					if q != o && !b[q] && !slices.Contains(st.opt[q].jobs, j) {
						alt = max(alt, rv(q))
					}
				}
				us = append(us, user{i, rv(o) - alt})
			}
			slices.SortStableFunc(us, func(a, c user) int { return cmp.Compare(a.loss, c.loss) })
			for _, x := range us {
				if used <= st.jCap[j] {
					break
				}
				o := cur[x.i]
				used -= countOf(st.opt[o].jobs, j)
				b[o] = true
				removed[x.i] = true
				gone = append(gone, x.i)
			}
		}
		if round >= 8 || st.solves <= 0 {
			for _, i := range gone {
				cur[i] = -1
			}
			break
		}
		for _, i := range gone {
			removed[i] = false
		}
		var err error
		if cur, _, _, err = st.relax(ctx, lam, b); err != nil {
			return nil, err
		}
	}
	return st.complete(cur), nil
}

// fits reports whether option o fits the capacities left by the uses hU
// and jU.
func (st *allocState) fits(o int32, hU, jU []int) bool {
	op := &st.opt[o]
	if hU[op.res] >= st.hCap[op.res] {
		return false
	}
	for _, j := range op.jobs {
		if jU[j]+countOf(op.jobs, j) > st.jCap[j] {
			return false
		}
	}
	return true
}

// complete returns sel with its unassigned free households given, greedily
// by value (ties: household order, then rank), the options that still fit.
// From an empty sel it is the greedy baseline.
func (st *allocState) complete(sel []int32) []int32 {
	out := slices.Clone(sel)
	hU := make([]int, len(st.hRes))
	jU := make([]int, len(st.jRes))
	var pool []int32
	for _, i := range st.free {
		if o := out[i]; o >= 0 {
			hU[st.opt[o].res]++
			for _, j := range st.opt[o].jobs {
				jU[j]++
			}
			continue
		}
		for _, o := range st.byHH[i] {
			if !st.dead[o] {
				pool = append(pool, o)
			}
		}
	}
	slices.SortStableFunc(pool, func(a, b int32) int {
		if c := cmp.Compare(st.opt[b].value, st.opt[a].value); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // options are numbered by household, then rank
	})
	for _, o := range pool {
		i := st.opt[o].hh
		if out[i] >= 0 || !st.fits(o, hU, jU) {
			continue
		}
		out[i] = o
		hU[st.opt[o].res]++
		for _, j := range st.opt[o].jobs {
			jU[j]++
		}
	}
	return out
}

// firstCome is the first-come-first-served baseline: households in input
// order, each taking its best option that still fits.
func (st *allocState) firstCome() []int32 {
	out := make([]int32, len(st.hs))
	for i := range out {
		out[i] = -1
	}
	hU := make([]int, len(st.hRes))
	jU := make([]int, len(st.jRes))
	for _, i := range st.free {
		for _, o := range st.byHH[i] {
			if st.dead[o] || !st.fits(o, hU, jU) {
				continue
			}
			out[i] = o
			hU[st.opt[o].res]++
			for _, j := range st.opt[o].jobs {
				jU[j]++
			}
			break
		}
	}
	return out
}

// branch explores the node whose Lagrangian outcome is node: it branches
// on the job most used beyond its positions in the relaxed assignment,
// one child per option using it (the child forbids that option: any
// feasible allocation leaves out at least one of them). It returns the
// largest bound of the nodes left unresolved (−Inf when every node was
// pruned or solved).
func (st *allocState) branch(ctx context.Context, ban []bool, node nodeRes) (float64, error) {
	if !st.open(node.ub) {
		return math.Inf(-1), nil
	}
	u, over := st.usage(node.sel)
	if !over {
		return node.ub, nil // the relaxed assignment is feasible but the bound is not tight
	}
	jb, excess := -1, 0
	for j := range u {
		if e := u[j] - st.jCap[j]; e > excess {
			jb, excess = j, e
		}
	}
	var S []int32
	for _, i := range st.free {
		if o := node.sel[i]; o >= 0 && slices.Contains(st.opt[o].jobs, int32(jb)) {
			S = append(S, o)
		}
	}
	slices.SortStableFunc(S, func(a, b int32) int { return cmp.Compare(st.opt[a].value, st.opt[b].value) })
	worst := math.Inf(-1)
	for _, o := range S {
		if st.stats.Nodes >= st.maxNodes() || st.solves <= 0 {
			return max(worst, node.ub), nil
		}
		if !st.open(node.ub) {
			break
		}
		st.stats.Nodes++
		child := slices.Clone(ban)
		child[o] = true
		cres, err := st.lagrange(ctx, child, node.lam, nodeIterations, false)
		if err != nil {
			return 0, err
		}
		w, err := st.branch(ctx, child, cres)
		if err != nil {
			return 0, err
		}
		worst = max(worst, w)
	}
	return worst, nil
}
