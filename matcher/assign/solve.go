package assign

import (
	"fmt"
	"math"
)

// Problem is a capacitated assignment problem. Left node i takes at most one
// right node; right node j takes at most Capacity[j] left nodes; a left node
// left out costs Unassigned[i]. Solve minimises the total cost.
type Problem struct {
	// NumLeft and NumRight are the numbers of left and right nodes; both ≥ 0.
	NumLeft, NumRight int
	// Capacity has length NumRight; every entry is ≥ 0.
	Capacity []int
	// Unassigned has length NumLeft (or is nil, meaning all 0): the cost of
	// leaving left node i unassigned. Finite.
	Unassigned []float64
	// Edges are the allowed pairs with their costs. Parallel edges are
	// allowed (the cheapest is used).
	Edges []Edge
}

// Edge allows left node Left to take right node Right at cost Cost (finite,
// any sign, in the caller's units).
type Edge struct {
	Left, Right int
	Cost        float64
}

// Solution is an optimal solution of a Problem with its LP duals.
//
// The duals satisfy, within floating-point rounding (exactly for integer
// costs), for every edge e = (i, j):
//
//	Cost(e) + Prices[j] − LeftDuals[i] ≥ 0, with equality when Assign[i] == j,
//	Prices[j] ≥ 0, and Prices[j] == 0 when right node j has spare capacity,
//	LeftDuals[i] ≤ Unassigned[i], with equality when Assign[i] == −1,
//
// and Cost == Σ LeftDuals − Σ Capacity[j]·Prices[j] (strong duality).
// Prices[j] is what a new left node must "pay" to take a place of j: the
// increase of the optimal cost if j had one unit less.
type Solution struct {
	// Cost is the optimal total cost (edge costs plus unassigned costs).
	Cost float64
	// Assign[i] is the right node of left node i, or −1 if unassigned.
	Assign []int
	// Edge[i] is the index in Problem.Edges of the edge used by left node i,
	// or −1 if unassigned.
	Edge []int
	// Prices are the dual prices of right nodes (≥ 0, same units as costs).
	Prices []float64
	// LeftDuals are the dual values of left nodes: the best cost available to
	// each left node at the current prices.
	LeftDuals []float64
}

// Validate reports whether p is well formed. The error wraps ErrInvalid and
// names the first offending node or edge.
func (p *Problem) Validate() error {
	if p == nil {
		return fmt.Errorf("%w: nil problem", ErrInvalid)
	}
	if p.NumLeft < 0 || p.NumRight < 0 {
		return fmt.Errorf("%w: negative size %d×%d", ErrInvalid, p.NumLeft, p.NumRight)
	}
	if p.NumLeft > math.MaxInt32-1 || p.NumRight > math.MaxInt32-1 || len(p.Edges) > math.MaxInt32-1 {
		return fmt.Errorf("%w: problem too large", ErrInvalid)
	}
	if len(p.Capacity) != p.NumRight {
		return fmt.Errorf("%w: len(Capacity) = %d, want NumRight = %d", ErrInvalid, len(p.Capacity), p.NumRight)
	}
	if p.Unassigned != nil && len(p.Unassigned) != p.NumLeft {
		return fmt.Errorf("%w: len(Unassigned) = %d, want NumLeft = %d", ErrInvalid, len(p.Unassigned), p.NumLeft)
	}
	for j, c := range p.Capacity {
		if c < 0 {
			return fmt.Errorf("%w: right node %d: negative capacity %d", ErrInvalid, j, c)
		}
	}
	for i, u := range p.Unassigned {
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return fmt.Errorf("%w: left node %d: unassigned cost %v is not finite", ErrInvalid, i, u)
		}
	}
	for k, e := range p.Edges {
		if e.Left < 0 || e.Left >= p.NumLeft {
			return fmt.Errorf("%w: edge %d: left node %d out of range [0,%d)", ErrInvalid, k, e.Left, p.NumLeft)
		}
		if e.Right < 0 || e.Right >= p.NumRight {
			return fmt.Errorf("%w: edge %d: right node %d out of range [0,%d)", ErrInvalid, k, e.Right, p.NumRight)
		}
		if math.IsNaN(e.Cost) || math.IsInf(e.Cost, 0) {
			return fmt.Errorf("%w: edge %d: cost %v is not finite", ErrInvalid, k, e.Cost)
		}
	}
	return nil
}
