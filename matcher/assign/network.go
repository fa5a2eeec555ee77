package assign

import (
	"context"
	"fmt"
	"math"
)

// Network is a min-cost flow network, the model of the DIMACS min-cost-flow
// format. Nodes are numbered from 0 here (from 1 in DIMACS files).
type Network struct {
	// Nodes is the number of nodes (≥ 0).
	Nodes int
	// Supply has length Nodes: a positive value is a supply, a negative value
	// a demand (DIMACS "n" lines). Feasible networks have Σ Supply == 0.
	Supply []int64
	// Arcs are the directed arcs, in file order.
	Arcs []Arc
}

// Arc is a directed arc carrying between Low and Cap units (0 ≤ Low ≤ Cap),
// each at cost Cost (any sign).
type Arc struct {
	From, To       int
	Low, Cap, Cost int64
}

// Validate reports whether n is well formed. The error wraps ErrInvalid and
// names the first offending node or arc (0-based).
func (n *Network) Validate() error {
	if n == nil {
		return fmt.Errorf("%w: nil network", ErrInvalid)
	}
	if n.Nodes < 0 || n.Nodes > math.MaxInt32-2 {
		return fmt.Errorf("%w: node count %d out of range", ErrInvalid, n.Nodes)
	}
	if len(n.Supply) != n.Nodes {
		return fmt.Errorf("%w: len(Supply) = %d, want Nodes = %d", ErrInvalid, len(n.Supply), n.Nodes)
	}
	for k, a := range n.Arcs {
		if a.From < 0 || a.From >= n.Nodes || a.To < 0 || a.To >= n.Nodes {
			return fmt.Errorf("%w: arc %d: node out of range [0,%d): %d→%d", ErrInvalid, k, n.Nodes, a.From, a.To)
		}
		if a.Low < 0 || a.Cap < a.Low {
			return fmt.Errorf("%w: arc %d: bounds [%d,%d] not 0 ≤ low ≤ cap", ErrInvalid, k, a.Low, a.Cap)
		}
	}
	return nil
}

// Network returns the assignment problem p as a min-cost flow network, for
// WriteDIMACS and SolveNetwork. Layout (0-based): left node i is node i with
// supply 1; right node j is node NumLeft+j; node NumLeft+NumRight is the
// sink with demand −NumLeft. Arcs, in order: one per edge (left→right,
// capacity 1), one per right node (right→sink, capacity Capacity[j], cost
// 0), one per left node (left→sink, capacity 1, the unassigned cost).
//
// DIMACS costs are integers: every cost is multiplied by scale (> 0) and
// rounded to the nearest integer. With integer costs and scale 1 the network
// optimum equals Solve's exactly; otherwise it is Solve's optimum on the
// rounded costs. It returns an error wrapping ErrInvalid if p is malformed,
// scale is not positive and finite, or a scaled cost exceeds ±2^53.
func (p *Problem) Network(scale float64) (*Network, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("%w: scale %v must be positive and finite", ErrInvalid, scale)
	}
	const limit = 1 << 53
	conv := func(c float64, what string, k int) (int64, error) {
		v := math.Round(c * scale)
		if math.Abs(v) > limit {
			return 0, fmt.Errorf("%w: %s %d: scaled cost %v exceeds 2^53", ErrInvalid, what, k, v)
		}
		return int64(v), nil
	}
	L, R := p.NumLeft, p.NumRight
	t := L + R
	n := &Network{Nodes: L + R + 1, Supply: make([]int64, L+R+1)}
	n.Arcs = make([]Arc, 0, len(p.Edges)+L+R)
	for i := 0; i < L; i++ {
		n.Supply[i] = 1
	}
	n.Supply[t] = -int64(L)
	for k, e := range p.Edges {
		c, err := conv(e.Cost, "edge", k)
		if err != nil {
			return nil, err
		}
		n.Arcs = append(n.Arcs, Arc{From: e.Left, To: L + e.Right, Cap: 1, Cost: c})
	}
	for j, c := range p.Capacity {
		n.Arcs = append(n.Arcs, Arc{From: L + j, To: t, Cap: int64(c)})
	}
	for i := 0; i < L; i++ {
		var u float64
		if p.Unassigned != nil {
			u = p.Unassigned[i]
		}
		c, err := conv(u, "left node", i)
		if err != nil {
			return nil, err
		}
		n.Arcs = append(n.Arcs, Arc{From: i, To: t, Cap: 1, Cost: c})
	}
	return n, nil
}

// SolveNetwork returns a min-cost flow of n that meets every supply and
// demand exactly and respects every arc's bounds: its total cost and the
// flow on each arc (same order as n.Arcs).
//
// Algorithm: negative-cost arcs are first saturated (so no negative cycle
// remains in the residual graph), then successive shortest paths with
// potentials from a super source to a super sink, augmenting the bottleneck
// each time (Dijkstra with a binary heap on reduced costs). It runs in
// O(F·(A + V) log V) for F augmentations; it is a reference, slower than
// Solve on assignment problems. Costs and flows are int64; the caller must
// keep Σ |cost·cap| below 2^62.
//
// It returns an error wrapping ErrInvalid for a malformed network,
// ErrInfeasible if the supplies do not sum to zero or cannot be routed, or
// ctx.Err() if ctx is done (checked every 64 augmentations).
func SolveNetwork(ctx context.Context, n *Network) (cost int64, flow []int64, err error) {
	if err := n.Validate(); err != nil {
		return 0, nil, err
	}
	var sum int64
	for _, b := range n.Supply {
		sum += b
	}
	if sum != 0 {
		return 0, nil, fmt.Errorf("%w: supplies sum to %d, want 0", ErrInfeasible, sum)
	}
	N := int32(n.Nodes)
	S, T := N, N+1
	V := N + 2
	flow = make([]int64, len(n.Arcs))
	b := make([]int64, N)
	copy(b, n.Supply)
	for k, a := range n.Arcs {
		f := a.Low
		if a.Cost < 0 {
			f = a.Cap
		}
		flow[k] = f
		b[a.From] -= f
		b[a.To] += f
	}
	// Residual arcs: 2k forward, 2k+1 backward for original arc k; then
	// source and sink arcs.
	type rarc struct {
		to   int32
		cap  int64
		cost int64
	}
	ra := make([]rarc, 0, 2*len(n.Arcs)+2*int(N))
	from := make([]int32, 0, cap(ra))
	add := func(u, v int32, c, w int64) {
		ra = append(ra, rarc{v, c, w}, rarc{u, 0, -w})
		from = append(from, u, v)
	}
	for k, a := range n.Arcs {
		add(int32(a.From), int32(a.To), a.Cap-flow[k], a.Cost)
		ra[2*k+1].cap = flow[k] - a.Low
	}
	var need int64
	for v := int32(0); v < N; v++ {
		if b[v] > 0 {
			add(S, v, b[v], 0)
			need += b[v]
		} else if b[v] < 0 {
			add(v, T, -b[v], 0)
		}
	}
	// CSR of residual arcs by tail.
	start := make([]int32, V+1)
	for _, u := range from {
		start[u+1]++
	}
	for v := int32(0); v < V; v++ {
		start[v+1] += start[v]
	}
	adj := make([]int32, len(ra))
	fill := make([]int32, V)
	copy(fill, start[:V])
	for id, u := range from {
		adj[fill[u]] = int32(id)
		fill[u]++
	}

	pot := make([]int64, V)
	dist := make([]int64, V)
	seen := make([]bool, V)
	done := make([]bool, V)
	predArc := make([]int32, V)
	var h heap[int64]
	var sent int64
	for iter := 0; sent < need; iter++ {
		if iter%64 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, fmt.Errorf("assign: network solve stopped: %w", err)
			}
		}
		clear(seen)
		clear(done)
		h.reset()
		seen[S] = true
		dist[S] = 0
		h.push(0, S)
		for len(h.v) > 0 {
			d, u := h.pop()
			if done[u] || d > dist[u] {
				continue
			}
			done[u] = true
			if u == T {
				break
			}
			for _, id := range adj[start[u]:start[u+1]] {
				a := &ra[id]
				if a.cap == 0 || done[a.to] {
					continue
				}
				nd := d + a.cost + pot[u] - pot[a.to]
				if !seen[a.to] || nd < dist[a.to] {
					seen[a.to] = true
					dist[a.to] = nd
					predArc[a.to] = id
					h.push(nd, a.to)
				}
			}
		}
		if !done[T] {
			return 0, nil, fmt.Errorf("%w: %d of %d units of supply cannot be routed", ErrInfeasible, need-sent, need)
		}
		D := dist[T]
		for v := int32(0); v < V; v++ {
			if done[v] && dist[v] < D {
				pot[v] += dist[v]
			} else {
				pot[v] += D
			}
		}
		delta := need - sent
		for v := T; v != S; v = from[predArc[v]] {
			delta = min(delta, ra[predArc[v]].cap)
		}
		for v := T; v != S; v = from[predArc[v]] {
			id := predArc[v]
			ra[id].cap -= delta
			ra[id^1].cap += delta
		}
		sent += delta
	}
	for k, a := range n.Arcs {
		flow[k] = a.Cap - ra[2*k].cap
		cost += flow[k] * a.Cost
	}
	return cost, flow, nil
}

// arcRoles maps the arcs of a network with the assignment layout to the
// parts of its Problem: edgeArc[k] is the arc of edge k, rightArc[j] the arc
// from right node j to the sink (−1 if none), leftArc[i] the unassigned arc
// of left node i.
type arcRoles struct {
	edgeArc, rightArc, leftArc []int
}

// Assignment returns the capacitated assignment problem that n encodes, and
// true, when n has the layout that Problem.Network writes, up to the order
// of nodes and arcs: every lower bound is 0; one node, the sink, has a
// demand −L; L nodes, the left nodes, have supply 1, each with exactly one
// arc to the sink (its unassigned cost) and arcs of capacity ≥ 1 to right
// nodes (the edges); the other nodes, the right nodes, have supply 0 and at
// most one arc, of cost 0, to the sink (its capacity; none means 0); and
// the costs are small enough for Solve to be exact (L·max|cost| < 2^51).
// Left and right nodes keep their relative order, edges the arc order.
// Otherwise it returns nil and false. n must be valid (see Validate).
func (n *Network) Assignment() (*Problem, bool) {
	p, _, ok := n.assignment()
	return p, ok
}

func (n *Network) assignment() (*Problem, *arcRoles, bool) {
	if n.Validate() != nil {
		return nil, nil, false
	}
	sinkNode := -1
	index := make([]int, n.Nodes) // left or right index of each node
	role := make([]int8, n.Nodes) // 1 left, 2 right, 3 sink
	L, R := 0, 0
	for v, b := range n.Supply {
		switch {
		case b == 1:
			role[v], index[v] = 1, L
			L++
		case b == 0:
			role[v], index[v] = 2, R
			R++
		case b < 0 && sinkNode < 0:
			role[v] = 3
			sinkNode = v
		default:
			return nil, nil, false
		}
	}
	if sinkNode < 0 || n.Supply[sinkNode] != -int64(L) {
		return nil, nil, false
	}
	p := &Problem{NumLeft: L, NumRight: R, Capacity: make([]int, R), Unassigned: make([]float64, L)}
	roles := &arcRoles{rightArc: make([]int, R), leftArc: make([]int, L)}
	for j := range roles.rightArc {
		roles.rightArc[j] = -1
	}
	for i := range roles.leftArc {
		roles.leftArc[i] = -1
	}
	var maxAbs int64
	for k, a := range n.Arcs {
		if a.Low != 0 {
			return nil, nil, false
		}
		maxAbs = max(maxAbs, a.Cost, -a.Cost)
		if maxAbs > 1<<40 {
			return nil, nil, false
		}
		switch from, to := role[a.From], role[a.To]; {
		case from == 1 && to == 2 && a.Cap >= 1:
			p.Edges = append(p.Edges, Edge{Left: index[a.From], Right: index[a.To], Cost: float64(a.Cost)})
			roles.edgeArc = append(roles.edgeArc, k)
		case from == 1 && to == 3 && a.Cap >= 1 && roles.leftArc[index[a.From]] < 0:
			roles.leftArc[index[a.From]] = k
			p.Unassigned[index[a.From]] = float64(a.Cost)
		case from == 2 && to == 3 && a.Cost == 0 && roles.rightArc[index[a.From]] < 0 && a.Cap <= math.MaxInt32:
			roles.rightArc[index[a.From]] = k
			p.Capacity[index[a.From]] = int(a.Cap)
		default:
			return nil, nil, false
		}
	}
	for _, k := range roles.leftArc {
		if k < 0 {
			return nil, nil, false
		}
	}
	if float64(L+1)*float64(maxAbs) >= 1<<51 {
		return nil, nil, false
	}
	return p, roles, true
}

// MinCostFlow returns a min-cost flow of n with the contract of
// SolveNetwork (same cost; among several optimal flows it may return
// another one), choosing the faster exact method: Solve when n has the
// assignment layout (see Network.Assignment), SolveNetwork otherwise.
// assignment reports which was used. It returns an error wrapping
// ErrInvalid for a malformed network, ErrInfeasible if it has no feasible
// flow, or one wrapping ctx.Err() if ctx is done.
func MinCostFlow(ctx context.Context, n *Network) (cost int64, flow []int64, assignment bool, err error) {
	if err := n.Validate(); err != nil {
		return 0, nil, false, err
	}
	p, roles, ok := n.assignment()
	if !ok {
		cost, flow, err = SolveNetwork(ctx, n)
		return cost, flow, false, err
	}
	sol, err := Solve(ctx, p)
	if err != nil {
		return 0, nil, true, err
	}
	flow = make([]int64, len(n.Arcs))
	for i, k := range sol.Edge {
		if k >= 0 {
			flow[roles.edgeArc[k]] = 1
			flow[roles.rightArc[sol.Assign[i]]]++
		} else {
			flow[roles.leftArc[i]] = 1
		}
	}
	for k, f := range flow {
		cost += f * n.Arcs[k].Cost
	}
	return cost, flow, true, nil
}
