package assign

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Solve returns an optimal solution of p: the assignment of least total cost
// where every left node takes one of its edges or stays unassigned, and no
// right node takes more than its capacity. It always has a solution.
//
// Algorithm (detailed in the package documentation): a primal-dual method
// that keeps right-node prices and an assignment satisfying the reduced-cost
// conditions of Solution at every step. An initial phase of bids
// (Jonker–Volgenant's augmenting row reduction generalised to capacities,
// one bid per left node) places most left nodes in O(degree) each;
// successive shortest paths then place the rest, one Dijkstra per
// remaining left node over right nodes only, stopped at the first right
// node with spare capacity or the cheapest "unassigned" exit. Capacities
// are handled natively. Worst case O(L·E log R) time; memory O(L + R) plus
// 16 bytes per edge (a sorted copy of the edges), and 4 more per edge
// while a large problem is prepared (the graph of the locality ranking).
//
// The result is deterministic for a given input. Solve returns an error
// wrapping ErrInvalid for a malformed problem, or one wrapping ctx.Err() if
// ctx is done (checked every 256 shortest paths and every 65,536 bids).
// Solve does not modify p and is safe for concurrent use.
func Solve(ctx context.Context, p *Problem) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := newFastSolver(p)
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	return s.solution(), nil
}

const (
	// free marks a left node not placed yet in fastSolver.pos; unassigned
	// marks one that takes its unassigned option.
	free       = -2
	unassigned = -1

	// maxBidMembers: a full right node with more members than this is left
	// to shortest paths, as finding its least attached member is linear.
	maxBidMembers = 64
	// bidCtxEvery and augmentCtxEvery are how often ctx is checked.
	bidCtxEvery     = 1 << 16
	augmentCtxEvery = 256
)

// fastSolver holds the state of Solve. Its invariant, after every bid and
// every augmentation: price[j] ≥ 0, and price[j] == 0 unless load[j] ==
// capacity[j]; every placed left node's option (its edge at the current
// price, or its unassigned cost) is its cheapest option. The left dual of a
// placed node is implicit: its edge's cost + price[right], or u[i].
type fastSolver struct {
	p    *Problem
	L, R int

	// Adjacency: adj[start[i]:start[i+1]] are the edges of left node i,
	// sorted by cost (then input order), so that scans stop early: prices
	// are ≥ 0, so an edge costs at least its cost.
	start []int32
	adj   []half
	// Left nodes are numbered internally: perm maps an internal number to
	// the caller's, inv the caller's to the internal one. Right nodes too:
	// rank maps the caller's number to the internal one, rperm back. All
	// the state below uses internal numbers.
	perm, inv   []int32
	rank, rperm []int32

	u  []float64 // unassigned costs
	rn []rnode   // state of the right nodes

	// Members of right node j are slots[off[j] : off[j]+rn[j].load]; there
	// are min(capacity, in-degree) slots per right node.
	off    []int32
	slots  []slot
	pos    []int32 // position in es of a left node's edge, or unassigned, or free
	slotOf []int32 // slot of a placed left node

	// Dijkstra scratch, over right nodes (and rnode's dist).
	predRow []int32 // left node through which a right node was reached
	predPos []int32 // its edge position
	settled []int32
	touched []int32 // right nodes whose dist was set by this search
	h       fheap
	bound   float64 // labels ≥ bound cannot shorten the path being sought
	endNode int     // right node with spare capacity at label bound, or −1

	stats stats
}

// rnode is the state of a right node, in one struct as a search reads most
// fields of each right node it reaches.
type rnode struct {
	price          float64 // +Inf for zero-capacity right nodes during the solve
	dist           float64 // label in the current search; +Inf between searches
	load, capacity int32   // members, capacity
}

// slot is a member of a right node: left node row, placed by an edge of
// cost cost, with unassigned cost u; alt is a lower bound (exact when set)
// of row's cheapest option other than this right node, unassigned included.
// Prices only rise, so alt stays a lower bound.
type slot struct {
	row       int32
	cost, alt float64
	u         float64
}

// half is an edge seen from its left node.
type half struct {
	cost  float64
	right int32
	idx   int32 // index in Problem.Edges
}

// stats counts the work of a solve, for tests and tuning.
type stats struct {
	bids, paths, trivial, settled, scanned int
}

func newFastSolver(p *Problem) *fastSolver {
	L, R := p.NumLeft, p.NumRight
	s := &fastSolver{p: p, L: L, R: R}
	// Left nodes are renumbered by the right node of their cheapest edge
	// (a counting sort), so that the members of a right node, scanned
	// together, lie close in memory; right nodes are renumbered in the
	// order of a breadth-first search (Cuthill–McKee), so that the members
	// of nearby right nodes, and the states of nearby right nodes, are
	// close too.
	key := make([]int32, L)
	minCost := make([]float64, L)
	for i := range key {
		key[i], minCost[i] = int32(R), math.Inf(1)
	}
	// sorted: p.Edges lists each left node's edges together, left nodes in
	// order. first[i+1]−first[i] is the degree of left node i, and its
	// edges are p.Edges[first[i]:first[i+1]] if sorted.
	sorted := true
	first := make([]int32, L+1)
	indeg := make([]int32, R+1)
	for k, e := range p.Edges {
		if e.Cost < minCost[e.Left] {
			minCost[e.Left], key[e.Left] = e.Cost, int32(e.Right)
		}
		if k > 0 && e.Left < p.Edges[k-1].Left {
			sorted = false
		}
		first[e.Left+1]++
		indeg[e.Right]++
	}
	for i := range L {
		first[i+1] += first[i]
	}
	byKey := countingSort(key, R+1)
	if sorted && len(p.Edges) >= bfsMinEdges {
		s.rank = bfsRank(p, key, first)
		for i, k := range key {
			if k < int32(R) {
				key[i] = s.rank[k]
			}
		}
		byKey = countingSort(key, R+1)
	} else {
		s.rank = make([]int32, R)
		for j := range s.rank {
			s.rank[j] = int32(j)
		}
	}
	s.rperm = make([]int32, R)
	for j, q := range s.rank {
		s.rperm[q] = int32(j)
	}
	s.perm, s.inv = byKey, make([]int32, L)
	for r, i := range s.perm {
		s.inv[i] = int32(r)
	}
	s.start = make([]int32, L+1)
	for r, i := range s.perm {
		s.start[r+1] = s.start[r] + first[i+1] - first[i]
	}
	s.adj = make([]half, len(p.Edges))
	if sorted {
		s.fillSorted(p, first)
	} else {
		fill := make([]int32, L)
		copy(fill, s.start[:L])
		for k, e := range p.Edges {
			r := s.inv[e.Left]
			s.adj[fill[r]] = half{cost: e.Cost, right: s.rank[e.Right], idx: int32(k)}
			fill[r]++
		}
		for i := range L {
			sortHalves(s.adj[s.start[i]:s.start[i+1]])
		}
	}
	s.u = make([]float64, L)
	if p.Unassigned != nil {
		for r, i := range s.perm {
			s.u[r] = p.Unassigned[i]
		}
	}
	s.rn = make([]rnode, R)
	s.off = make([]int32, R+1)
	for q, j := range s.rperm {
		c := p.Capacity[j]
		s.rn[q].dist = math.Inf(1)
		s.rn[q].capacity = int32(min(c, math.MaxInt32))
		if c == 0 {
			s.rn[q].price = math.Inf(1) // never an option; priced at the end
		}
		s.off[q+1] = s.off[q] + min(s.rn[q].capacity, indeg[j])
	}
	s.slots = make([]slot, s.off[R])
	s.pos = make([]int32, L)
	s.slotOf = make([]int32, L)
	for i := range s.pos {
		s.pos[i] = free
	}
	s.predRow = make([]int32, R)
	s.predPos = make([]int32, R)
	return s
}

// fillBlock is the number of left nodes, in internal order, whose edges
// fillSorted moves together: a block's edges (16 bytes each) should fit in
// the L2 cache.
const fillBlock = 512

// fillSorted fills s.adj from p.Edges sorted by Left (left node i's edges
// being p.Edges[first[i]:first[i+1]]) in two passes rather than one
// scattering each left node's edges to a random place of s.adj: first each
// left node's edges are appended, in p's order, to the region of s.adj of
// its block of fillBlock internal left nodes (a few hundred sequential
// streams); then each region is copied to a buffer and its left nodes'
// edges put in place and sorted, within the cache.
func (s *fastSolver) fillSorted(p *Problem, first []int32) {
	L := s.L
	nb := (L + fillBlock - 1) / fillBlock
	at := make([]int32, nb) // next free position of each block's region
	for b := range at {
		at[b] = s.start[b*fillBlock]
	}
	from := make([]int32, L) // position of left node i's edges after pass 1
	for i := range L {
		r := s.inv[i]
		b := r / fillBlock
		k0, k1 := first[i], first[i+1]
		from[i] = at[b]
		out := s.adj[at[b] : at[b]+k1-k0]
		for n, e := range p.Edges[k0:k1] {
			out[n] = half{cost: e.Cost, right: s.rank[e.Right], idx: k0 + int32(n)}
		}
		at[b] += k1 - k0
	}
	var buf []half
	for b := range nb {
		r0, r1 := b*fillBlock, min((b+1)*fillBlock, L)
		lo, hi := s.start[r0], s.start[r1]
		buf = append(buf[:0], s.adj[lo:hi]...)
		for r := r0; r < r1; r++ {
			i := s.perm[r]
			out := s.adj[s.start[r]:s.start[r+1]]
			copy(out, buf[from[i]-lo:])
			sortHalves(out)
		}
	}
}

func (s *fastSolver) run(ctx context.Context) error {
	// Initial phase: one bid per left node, in index order. The evicted do
	// not bid again: they go to shortest paths with the deferred. (JV run
	// two passes of augmenting row reduction, evicted nodes bidding in the
	// second; on the benchmarks, the searches place them faster.)
	var rest []int32 // left for shortest paths
	for i := range int32(s.L) {
		if i%bidCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("assign: solve stopped in the initial phase: %w", err)
			}
		}
		s.stats.bids++
		switch ev := s.bid(i); {
		case ev >= 0:
			rest = append(rest, ev)
		case ev == deferred:
			rest = append(rest, i)
		}
	}
	// In internal order: consecutive searches then explore nearby regions.
	slices.Sort(rest)
	for n, i := range rest {
		if n%augmentCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("assign: solve stopped after %d of %d shortest paths: %w", n, len(rest), err)
			}
		}
		s.augment(i)
	}
	return nil
}

// best returns the cheapest option of left node i at the current prices:
// its value w1, the edge position b (or −1 for the unassigned option), and
// the value w2 of the cheapest option that is not b's right node. Ties go to
// the unassigned option, then to a right node with spare capacity, then to
// the earlier edge.
func (s *fastSolver) best(i int32) (w1, w2 float64, b int32) {
	w1, w2, b = s.u[i], math.Inf(1), -1
	bj := int32(-1)
	rn := s.rn
	base := s.start[i]
	for k, e := range s.adj[base:s.start[i+1]] {
		if e.cost > w2 {
			break // sorted by cost, and prices are ≥ 0
		}
		val := e.cost + rn[e.right].price
		switch {
		case val < w1:
			if bj != e.right {
				w2 = w1
			}
			b, bj, w1 = base+int32(k), e.right, val
		case e.right == bj:
		case val == w1 && b >= 0 && rn[bj].load == rn[bj].capacity && rn[e.right].load < rn[e.right].capacity:
			w2 = w1
			b, bj = base+int32(k), e.right
		case val < w2:
			w2 = val
		}
	}
	return w1, w2, b
}

// deferred is returned by bid for a left node left to shortest paths.
const deferred = -2

// bid places the free left node i on its best option at the current prices.
// If that right node is full, its price rises by min(i's margin to its next
// option, the smallest margin of a member), and the member of smallest
// margin is evicted and returned. It returns −1 when nobody is evicted, or
// deferred when i is left for shortest paths.
func (s *fastSolver) bid(i int32) int32 {
	w1, w2, b := s.best(i)
	if b < 0 {
		s.pos[i] = unassigned
		return -1
	}
	j := int(s.adj[b].right)
	if s.rn[j].load < s.rn[j].capacity {
		s.add(i, b, j, w2)
		return -1
	}
	if s.rn[j].load > maxBidMembers {
		return deferred
	}
	// A member's margin is alt − (cost + price), a lower bound of the true
	// one. The smallest is made exact before it limits the price rise.
	var out int32
	var least float64
	for refresh := 0; ; refresh++ {
		out, least = -1, math.Inf(1)
		for q := s.off[j]; q < s.off[j]+s.rn[j].load; q++ {
			sl := &s.slots[q]
			if v := sl.alt - sl.cost; v < least || (v == least && sl.row < s.slots[out].row) {
				out, least = q, v
			}
		}
		if refresh == 2 || least-s.rn[j].price >= w2-w1 {
			break
		}
		sl := &s.slots[out]
		if alt := s.second(sl.row, j); alt > sl.alt {
			sl.alt = alt
		} else {
			break // exact already
		}
	}
	delta := min(w2-w1, least-s.rn[j].price)
	if delta > 0 {
		s.rn[j].price += delta
	}
	ev := s.slots[out].row
	s.remove(ev, j)
	s.pos[ev] = free
	s.add(i, b, j, w2)
	return ev
}

// second returns the cheapest option of left node i other than right node
// j, unassigned included, at the current prices.
func (s *fastSolver) second(i int32, j int) float64 {
	w := s.u[i]
	for _, e := range s.adj[s.start[i]:s.start[i+1]] {
		if e.cost >= w {
			break
		}
		if int(e.right) != j {
			w = min(w, e.cost+s.rn[e.right].price)
		}
	}
	return w
}

// add makes left node i a member of right node j by the edge at position
// b; alt is a lower bound of i's cheapest other option.
func (s *fastSolver) add(i, b int32, j int, alt float64) {
	q := s.off[j] + s.rn[j].load
	s.rn[j].load++
	s.slots[q] = slot{row: i, cost: s.adj[b].cost, alt: alt, u: s.u[i]}
	s.slotOf[i] = q
	s.pos[i] = b
}

// remove takes left node i out of the members of right node j.
func (s *fastSolver) remove(i int32, j int) {
	q := s.slotOf[i]
	s.rn[j].load--
	last := s.off[j] + s.rn[j].load
	if q != last {
		s.slots[q] = s.slots[last]
		s.slotOf[s.slots[q].row] = q
	}
}

// augment places the free left node src along a shortest augmenting path
// and raises the prices of the right nodes settled before its end.
func (s *fastSolver) augment(src int32) {
	vs, w2, b := s.best(src)
	if b < 0 {
		s.pos[src] = unassigned
		return
	}
	if j := int(s.adj[b].right); s.rn[j].load < s.rn[j].capacity {
		s.add(src, b, j, w2)
		s.stats.trivial++
		return
	}
	s.stats.paths++
	s.h.reset()
	s.settled, s.touched = s.settled[:0], s.touched[:0]
	// The cheapest exit through an unassigned option, and whose it is.
	exit, exitRow := s.u[src]-vs, src
	s.bound, s.endNode = exit, -1
	s.scan(src, 0, vs, -1)
	for len(s.h.v) > 0 {
		d, j := s.h.pop()
		if d >= s.bound {
			break
		}
		r := &s.rn[j]
		if d > r.dist {
			continue // stale entry
		}
		// Labels only decrease, strictly, so this is j's last entry, and
		// scans never queue j again (see scan): j is settled.
		s.settled = append(s.settled, j)
		pj := r.price
		for q := s.off[j]; q < s.off[j]+r.load; q++ {
			sl := &s.slots[q]
			vm := sl.cost + pj // tight: the member's label is d
			if d+sl.alt-vm >= s.bound {
				continue // nothing through it can do better
			}
			s.stats.scanned++
			if t := d + sl.u - vm; t < exit {
				exit, exitRow = t, sl.row
				if t < s.bound {
					s.bound, s.endNode = t, -1
				}
			}
			sl.alt = s.scan(sl.row, d, vm, int(j))
		}
	}
	s.stats.settled += len(s.settled)
	D := s.bound
	for _, j := range s.settled {
		if dj := s.rn[j].dist; dj < D {
			s.rn[j].price += D - dj
		}
	}
	for _, j := range s.touched {
		s.rn[j].dist = math.Inf(1)
	}

	// Shift the members along the path, from its end.
	var j int
	if s.endNode >= 0 {
		j = s.endNode
	} else {
		if exitRow == src {
			s.pos[src] = unassigned
			return
		}
		j = int(s.adj[s.pos[exitRow]].right)
		s.remove(exitRow, j)
		s.pos[exitRow] = unassigned
	}
	for {
		m, k := s.predRow[j], s.predPos[j]
		from := -1
		if m != src {
			from = int(s.adj[s.pos[m]].right)
			s.remove(m, from)
		}
		// m's cheapest other option, at the new prices.
		w1, w2, b := s.best(m)
		alt := w2
		if b < 0 || int(s.adj[b].right) != j {
			alt = w1
		}
		s.add(m, k, j, alt)
		if m == src {
			return
		}
		j = from
	}
}

// scan relaxes the edges of left node m, labelled d with dual vm and a
// member of right node own (−1 for none). Labels not below s.bound are
// skipped; a right node with spare capacity is not queued but lowers the
// bound. It returns m's cheapest option other than own, unassigned
// included.
func (s *fastSolver) scan(m int32, d, vm float64, own int) float64 {
	rn := s.rn
	base := s.start[m]
	alt := s.u[m]
	for k, e := range s.adj[base:s.start[m+1]] {
		if d+e.cost-vm >= s.bound {
			// This edge and the next ones (sorted by cost, prices ≥ 0)
			// cannot give a label below the bound.
			alt = min(alt, e.cost)
			break
		}
		j := e.right
		if int(j) == own {
			continue
		}
		r := &rn[j]
		val := e.cost + r.price
		alt = min(alt, val)
		rc := val - vm
		if rc < 0 {
			rc = 0 // rounding of float costs
		}
		// One test for "below the bound and shorter": a settled right node
		// has a label ≤ d ≤ nd (labels are settled in increasing order), so
		// it is skipped too.
		if nd := d + rc; nd < min(s.bound, r.dist) {
			if r.dist == math.Inf(1) {
				s.touched = append(s.touched, j)
			}
			r.dist = nd
			s.predRow[j] = m
			s.predPos[j] = base + int32(k)
			if r.load < r.capacity {
				s.bound, s.endNode = nd, int(j)
			} else {
				s.h.push(nd, j)
			}
		}
	}
	return alt
}

func (s *fastSolver) solution() *Solution {
	sol := &Solution{
		Assign:    make([]int, s.L),
		Edge:      make([]int, s.L),
		Prices:    make([]float64, s.R),
		LeftDuals: make([]float64, s.L),
	}
	for i := range s.L {
		r := s.inv[i]
		k := s.pos[r]
		if k < 0 {
			sol.Assign[i] = -1
			sol.Edge[i] = -1
			sol.Cost += s.u[r]
			sol.LeftDuals[i] = s.u[r]
			continue
		}
		e := s.adj[k]
		sol.Assign[i] = int(s.rperm[e.right])
		sol.Edge[i] = int(e.idx)
		sol.Cost += e.cost
		sol.LeftDuals[i] = e.cost + s.rn[e.right].price
	}
	// A right node without capacity is full: its price is the least that
	// keeps its edges' reduced costs non-negative.
	zero := false
	for q, j := range s.rperm {
		if s.rn[q].capacity == 0 {
			zero = true
		} else {
			sol.Prices[j] = s.rn[q].price
		}
	}
	for _, e := range s.p.Edges {
		if !zero {
			break
		}
		if s.rn[s.rank[e.Right]].capacity == 0 {
			sol.Prices[e.Right] = max(sol.Prices[e.Right], sol.LeftDuals[e.Left]-e.Cost)
		}
	}
	return sol
}

// fheap is a binary min-heap of (distance, right node), with stale entries
// left in place (lazy deletion).
type fheap struct {
	d []float64
	v []int32
}

func (h *fheap) reset() { h.d, h.v = h.d[:0], h.v[:0] }

func (h *fheap) push(d float64, v int32) {
	h.d = append(h.d, d)
	h.v = append(h.v, v)
	i := len(h.d) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.d[p] <= d {
			break
		}
		h.d[i], h.v[i] = h.d[p], h.v[p]
		i = p
	}
	h.d[i], h.v[i] = d, v
}

func (h *fheap) pop() (float64, int32) {
	d, v := h.d[0], h.v[0]
	n := len(h.d) - 1
	ld, lv := h.d[n], h.v[n]
	h.d, h.v = h.d[:n], h.v[:n]
	if n == 0 {
		return d, v
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h.d[r] < h.d[c] {
			c = r
		}
		if h.d[c] >= ld {
			break
		}
		h.d[i], h.v[i] = h.d[c], h.v[c]
		i = c
	}
	h.d[i], h.v[i] = ld, lv
	return d, v
}

// sortHalves sorts a left node's edges by cost, then input order: an
// insertion sort for the usual short lists.
func sortHalves(a []half) {
	less := func(x, y half) bool { return x.cost < y.cost || (x.cost == y.cost && x.idx < y.idx) }
	if len(a) > 64 {
		slices.SortFunc(a, func(x, y half) int {
			if less(x, y) {
				return -1
			}
			return 1
		})
		return
	}
	for i := 1; i < len(a); i++ {
		x := a[i]
		k := i
		for k > 0 && less(x, a[k-1]) {
			a[k] = a[k-1]
			k--
		}
		a[k] = x
	}
}

// bfsMinEdges: below this many edges, everything fits in cache and right
// nodes are not ranked. A variable for tests.
var bfsMinEdges = 1 << 18

// countingSort returns the indices of keys (each in [0, n)) sorted by key,
// stably.
func countingSort(keys []int32, n int) []int32 {
	at := make([]int32, n+1)
	for _, k := range keys {
		at[k+1]++
	}
	for j := range n {
		at[j+1] += at[j]
	}
	out := make([]int32, len(keys))
	for i, k := range keys {
		out[at[k]] = int32(i)
		at[k]++
	}
	return out
}

// bfsRank ranks the right nodes of p in breadth-first order over the graph
// linking two right nodes when a left node whose cheapest edge goes to the
// first has an edge to the second. p.Edges must be sorted by Left, left
// node i's edges being p.Edges[first[i]:first[i+1]]; key[i] is the right
// node of its cheapest edge (R if none). The neighbours of a right node are
// visited in the order of p.Edges.
func bfsRank(p *Problem, key, first []int32) []int32 {
	R := p.NumRight
	// The graph in compact form, read sequentially by the search rather
	// than p.Edges in random order: the neighbours of right node j are
	// nbr[at[j]:at[j+1]], the right nodes of the edges of left nodes with
	// key j (a counting sort of the edges by their left node's key).
	at := make([]int32, R+3)
	for i, k := range key {
		at[k+2] += first[i+1] - first[i]
	}
	for j := range R + 1 {
		at[j+2] += at[j+1]
	}
	nbr := make([]int32, len(p.Edges))
	for i, k := range key {
		out := nbr[at[k+1]:]
		for n, e := range p.Edges[first[i]:first[i+1]] {
			out[n] = int32(e.Right)
		}
		at[k+1] += first[i+1] - first[i]
	}
	rank := make([]int32, R)
	for j := range rank {
		rank[j] = -1
	}
	queue := make([]int32, 0, R)
	next := int32(0)
	for seed := range R {
		if rank[seed] >= 0 {
			continue
		}
		rank[seed] = next
		next++
		queue = append(queue[:0], int32(seed))
		for h := 0; h < len(queue); h++ {
			j := queue[h]
			for _, n := range nbr[at[j]:at[j+1]] {
				if rank[n] < 0 {
					rank[n] = next
					next++
					queue = append(queue, n)
				}
			}
		}
	}
	return rank
}
