package assign

import (
	"context"
	"fmt"
	"math"
)

// solveSSP is the plain algorithm Solve used before its initial phase and
// its right-node-only Dijkstra: successive shortest paths with Johnson
// potentials on the residual graph (left, right and sink nodes), one
// Dijkstra per left node, in index order, each stopping at the sink. It is
// kept as the naive baseline of the benchmarks and as a second oracle in
// tests; p must be valid.
//
// Initial potentials come from the bipartite structure (a right node's
// potential is its cheapest incoming cost), so negative costs need no
// Bellman-Ford. Worst case O(L·(E + V) log V).
func solveSSP(ctx context.Context, p *Problem) (*Solution, error) {
	s := newSSPSolver(p)
	for i := 0; i < p.NumLeft; i++ {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("assign: solve stopped after %d of %d left nodes: %w", i, p.NumLeft, err)
			}
		}
		s.augment(int32(i))
	}
	return s.solution(), nil
}

// ctxEvery is how many augmentations of solveSSP run between two checks of
// ctx.
const ctxEvery = 256

type sspSolver struct {
	p    *Problem
	L, R int32
	T    int32 // sink node index: L+R

	// CSR adjacency of left nodes, in input order.
	start []int32
	adjR  []int32   // right node of each CSR position
	adjC  []float64 // cost
	adjE  []int32   // index in p.Edges

	unassigned []float64
	capacity   []int32

	// Flow state.
	assignPos []int32 // CSR position of the assigned edge of a left node, or −1
	load      []int32
	head      []int32 // first member of a right node, or −1
	next      []int32 // doubly linked member lists over left nodes
	prev      []int32

	pot []float64 // potentials, indexed by node: left i, right L+j, sink T

	// Dijkstra scratch.
	dist    []float64
	seen    []uint32
	done    []uint32
	gen     uint32
	pred    []int32 // predecessor node
	predPos []int32 // for right nodes: CSR position of the edge used
	settled []int32
	h       heap[float64]
}

func newSSPSolver(p *Problem) *sspSolver {
	L, R := int32(p.NumLeft), int32(p.NumRight)
	n := L + R + 1
	s := &sspSolver{p: p, L: L, R: R, T: L + R}
	s.start = make([]int32, L+1)
	for _, e := range p.Edges {
		s.start[e.Left+1]++
	}
	for i := int32(0); i < L; i++ {
		s.start[i+1] += s.start[i]
	}
	m := len(p.Edges)
	s.adjR = make([]int32, m)
	s.adjC = make([]float64, m)
	s.adjE = make([]int32, m)
	fill := make([]int32, L)
	copy(fill, s.start[:L])
	for k, e := range p.Edges {
		pos := fill[e.Left]
		fill[e.Left]++
		s.adjR[pos] = int32(e.Right)
		s.adjC[pos] = e.Cost
		s.adjE[pos] = int32(k)
	}
	s.unassigned = make([]float64, L)
	copy(s.unassigned, p.Unassigned)
	s.capacity = make([]int32, R)
	for j, c := range p.Capacity {
		s.capacity[j] = int32(min(c, math.MaxInt32))
	}
	s.assignPos = make([]int32, L)
	s.next = make([]int32, L)
	s.prev = make([]int32, L)
	for i := range s.assignPos {
		s.assignPos[i] = -1
	}
	s.load = make([]int32, R)
	s.head = make([]int32, R)
	for j := range s.head {
		s.head[j] = -1
	}

	// Initial potentials: left 0 (fresh left nodes are set at their turn),
	// right j = cheapest incoming cost, sink = min of everything below.
	s.pot = make([]float64, n)
	hasIn := make([]bool, R)
	for _, e := range p.Edges {
		j := L + int32(e.Right)
		if !hasIn[e.Right] || e.Cost < s.pot[j] {
			s.pot[j] = e.Cost
			hasIn[e.Right] = true
		}
	}
	pt := math.Inf(1)
	for _, u := range s.unassigned {
		pt = min(pt, u)
	}
	for j := int32(0); j < R; j++ {
		if hasIn[j] {
			pt = min(pt, s.pot[L+j])
		}
	}
	if math.IsInf(pt, 1) {
		pt = 0
	}
	s.pot[s.T] = pt
	for j := int32(0); j < R; j++ {
		if !hasIn[j] {
			s.pot[L+j] = pt
		}
	}

	s.dist = make([]float64, n)
	s.seen = make([]uint32, n)
	s.done = make([]uint32, n)
	s.pred = make([]int32, n)
	s.predPos = make([]int32, n)
	return s
}

// visit records a tentative distance d for node v from u.
func (s *sspSolver) visit(v int32, d float64, u, pos int32) {
	if s.seen[v] != s.gen || d < s.dist[v] {
		s.seen[v] = s.gen
		s.dist[v] = d
		s.pred[v] = u
		s.predPos[v] = pos
		s.h.push(d, v)
	}
}

// augment routes one unit from the fresh left node src to the sink along a
// shortest path and updates the potentials.
func (s *sspSolver) augment(src int32) {
	L, T := s.L, s.T
	pot := s.pot
	// Potential of the fresh node: reduced costs of its arcs must be ≥ 0.
	ps := pot[T] - s.unassigned[src]
	for k := s.start[src]; k < s.start[src+1]; k++ {
		ps = max(ps, pot[L+s.adjR[k]]-s.adjC[k])
	}
	pot[src] = ps

	s.gen++
	if s.gen == 0 { // wrapped: reset stamps
		clear(s.seen)
		clear(s.done)
		s.gen = 1
	}
	s.settled = s.settled[:0]
	s.h.reset()
	s.visit(src, 0, -1, -1)
	for {
		d, v := s.h.pop()
		if s.done[v] == s.gen || d > s.dist[v] {
			continue
		}
		if v == T {
			break
		}
		s.done[v] = s.gen
		s.settled = append(s.settled, v)
		pv := pot[v]
		if v < L {
			ap := s.assignPos[v]
			for k := s.start[v]; k < s.start[v+1]; k++ {
				if k == ap {
					continue
				}
				w := L + s.adjR[k]
				if s.done[w] == s.gen {
					continue
				}
				rc := s.adjC[k] + pv - pot[w]
				if rc < 0 {
					rc = 0
				}
				s.visit(w, d+rc, v, k)
			}
			rc := s.unassigned[v] + pv - pot[T]
			if rc < 0 {
				rc = 0
			}
			s.visit(T, d+rc, v, -1)
			continue
		}
		j := v - L
		if s.load[j] < s.capacity[j] {
			rc := pv - pot[T]
			if rc < 0 {
				rc = 0
			}
			s.visit(T, d+rc, v, -1)
		}
		for m := s.head[j]; m >= 0; m = s.next[m] {
			if s.done[m] == s.gen {
				continue
			}
			rc := -s.adjC[s.assignPos[m]] + pv - pot[m]
			if rc < 0 {
				rc = 0
			}
			s.visit(m, d+rc, v, -1)
		}
	}
	D := s.dist[T]
	for _, v := range s.settled {
		if dv := s.dist[v]; dv < D {
			pot[v] += dv - D
		}
	}

	// Augment along the predecessor chain.
	u := s.pred[T]
	var j int32 // right node (local index) that needs a new member
	if u < L {
		// u leaves its right node for the unassigned arc.
		if u == src {
			return
		}
		j = s.pred[u] - L
		s.unlink(u, j)
		s.assignPos[u] = -1
	} else {
		j = u - L
		s.load[j]++
	}
	for {
		rv := L + j
		i := s.pred[rv]
		pos := s.predPos[rv]
		var from int32 = -1
		if i != src {
			from = s.pred[i] - L
			s.unlink(i, from)
		}
		s.assignPos[i] = pos
		s.link(i, j)
		if i == src {
			return
		}
		j = from
	}
}

func (s *sspSolver) link(i, j int32) {
	s.prev[i] = -1
	s.next[i] = s.head[j]
	if s.head[j] >= 0 {
		s.prev[s.head[j]] = i
	}
	s.head[j] = i
}

func (s *sspSolver) unlink(i, j int32) {
	if s.prev[i] >= 0 {
		s.next[s.prev[i]] = s.next[i]
	} else {
		s.head[j] = s.next[i]
	}
	if s.next[i] >= 0 {
		s.prev[s.next[i]] = s.prev[i]
	}
}

func (s *sspSolver) solution() *Solution {
	L, R, T := s.L, s.R, s.T
	sol := &Solution{
		Assign:    make([]int, L),
		Edge:      make([]int, L),
		Prices:    make([]float64, R),
		LeftDuals: make([]float64, L),
	}
	pt := s.pot[T]
	for i := int32(0); i < L; i++ {
		if k := s.assignPos[i]; k >= 0 {
			sol.Assign[i] = int(s.adjR[k])
			sol.Edge[i] = int(s.adjE[k])
			sol.Cost += s.adjC[k]
		} else {
			sol.Assign[i] = -1
			sol.Edge[i] = -1
			sol.Cost += s.unassigned[i]
		}
		sol.LeftDuals[i] = pt - s.pot[i]
	}
	for j := int32(0); j < R; j++ {
		sol.Prices[j] = max(0, pt-s.pot[L+j])
	}
	return sol
}

// heap is a binary min-heap of (distance, node), ties broken by node index:
// float64 distances in the SSP baseline, int64 in the network solver.
type heap[D int64 | float64] struct {
	d []D
	v []int32
}

func (h *heap[D]) reset() { h.d, h.v = h.d[:0], h.v[:0] }

func (h *heap[D]) less(a, b int) bool {
	return h.d[a] < h.d[b] || (h.d[a] == h.d[b] && h.v[a] < h.v[b])
}

func (h *heap[D]) push(d D, v int32) {
	h.d = append(h.d, d)
	h.v = append(h.v, v)
	i := len(h.d) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.d[i], h.d[p] = h.d[p], h.d[i]
		h.v[i], h.v[p] = h.v[p], h.v[i]
		i = p
	}
}

func (h *heap[D]) pop() (D, int32) {
	d, v := h.d[0], h.v[0]
	n := len(h.d) - 1
	h.d[0], h.v[0] = h.d[n], h.v[n]
	h.d, h.v = h.d[:n], h.v[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			break
		}
		h.d[i], h.d[c] = h.d[c], h.d[i]
		h.v[i], h.v[c] = h.v[c], h.v[i]
		i = c
	}
	return d, v
}
