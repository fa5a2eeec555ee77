package assign_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"passerelle/matcher/assign"
)

func TestSolveOracleExhaustive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		L, R := 1+rng.IntN(7), 1+rng.IntN(4)
		integer := iter%2 == 0
		lo, hi := -10.0, 10.0
		switch iter % 3 {
		case 0:
			lo, hi = -10, 0
		case 1:
			lo, hi, integer = -2, 0, true // ties
		}
		p := randomProblem(rng, L, R, 3, 4, lo, hi, integer) // capacities 0..3
		want := exhaustive(p)
		s, err := assign.Solve(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(s.Cost-want) > 1e-9 {
			t.Fatalf("iter %d: cost %v, exhaustive %v; problem %+v", iter, s.Cost, want, p)
		}
		checkSolution(t, p, s)
		n, err := assign.SolveSSP(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(n.Cost-want) > 1e-9 {
			t.Fatalf("iter %d: naive cost %v, exhaustive %v", iter, n.Cost, want)
		}
	}
}

// TestSolveMatchesNaive compares Solve with the naive baseline on
// geographic instances shaped like the benchmarks, in both edge orders.
func TestSolveMatchesNaive(t *testing.T) {
	for seed := range uint64(4) {
		// Odd seeds exercise the locality ranking of large problems.
		old := assign.SetBFSMinEdges(1 << 30)
		if seed%2 == 1 {
			assign.SetBFSMinEdges(0)
		}
		p := geoProblem(seed, 3000, 250+100*int(seed), 10, 30, int(seed%2), 12)
		want := solveChecked(t, p, fmt.Sprintf("seed %d", seed))
		// The same problem with its edges reversed.
		q := *p
		q.Edges = slices.Clone(p.Edges)
		slices.Reverse(q.Edges)
		rev, err := assign.Solve(context.Background(), &q)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Cost != want.Cost {
			t.Fatalf("seed %d reversed: cost %v, naive %v", seed, rev.Cost, want.Cost)
		}
		checkSolution(t, &q, rev)
		assign.SetBFSMinEdges(old)
	}
}

// TestSolveRankedRandom compares Solve with the naive baseline on small
// random problems with the locality ranking of large problems forced on,
// including left nodes without edges and right nodes without capacity.
func TestSolveRankedRandom(t *testing.T) {
	old := assign.SetBFSMinEdges(0)
	defer assign.SetBFSMinEdges(old)
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 300 {
		p := randomProblem(rng, 1+rng.IntN(60), 1+rng.IntN(20), 3, 6, -20, 5, iter%2 == 0)
		solveChecked(t, p, fmt.Sprintf("iter %d", iter))
	}
}

// solveChecked solves p with Solve and with the naive baseline, checks
// that the costs agree (within 1e-9) and that Solve's solution is valid,
// and returns the naive solution.
func solveChecked(t *testing.T, p *assign.Problem, what string) *assign.Solution {
	t.Helper()
	want, err := assign.SolveSSP(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := assign.Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Cost-want.Cost) > 1e-9 {
		t.Fatalf("%s: cost %v, naive %v", what, got.Cost, want.Cost)
	}
	checkSolution(t, p, got)
	return want
}

func TestSolveMatchesNetwork(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 10 {
		p := randomProblem(rng, 200, 50, 6, 12, -100, 100, true)
		if iter%2 == 0 {
			for i := range p.Unassigned {
				p.Unassigned[i] = 0
			}
		}
		s, err := assign.Solve(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, s)
		n, err := p.Network(1)
		if err != nil {
			t.Fatal(err)
		}
		cost, flow, err := assign.SolveNetwork(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		if float64(cost) != s.Cost {
			t.Fatalf("iter %d: Solve %v, SolveNetwork %d", iter, s.Cost, cost)
		}
		checkFlow(t, n, cost, flow)
	}
}

// checkFlow checks bounds, conservation and the cost of a network flow.
func checkFlow(t *testing.T, n *assign.Network, cost int64, flow []int64) {
	t.Helper()
	bal := make([]int64, n.Nodes)
	var c int64
	for k, a := range n.Arcs {
		f := flow[k]
		if f < a.Low || f > a.Cap {
			t.Fatalf("arc %d: flow %d outside [%d,%d]", k, f, a.Low, a.Cap)
		}
		bal[a.From] -= f
		bal[a.To] += f
		c += f * a.Cost
	}
	for v := range bal {
		if bal[v]+n.Supply[v] != 0 {
			t.Fatalf("node %d: supply %d, net inflow %d", v, n.Supply[v], bal[v])
		}
	}
	if c != cost {
		t.Fatalf("cost %d, recomputed %d", cost, c)
	}
}

func TestSolveCases(t *testing.T) {
	tests := []struct {
		name   string
		p      assign.Problem
		cost   float64
		assign []int
	}{
		{name: "empty", p: assign.Problem{}, cost: 0, assign: []int{}},
		{name: "nothing on the right", p: assign.Problem{NumLeft: 2, Unassigned: []float64{1, -1}}, cost: 0, assign: []int{-1, -1}},
		{name: "no edges", p: assign.Problem{NumLeft: 2, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{3, 4}}, cost: 7, assign: []int{-1, -1}},
		{name: "nil unassigned", p: assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Edges: []assign.Edge{{0, 0, 5}}}, cost: 0, assign: []int{-1}},
		{name: "zero capacity", p: assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{0}, Edges: []assign.Edge{{0, 0, -5}}}, cost: 0, assign: []int{-1}},
		{name: "unassigned cheaper", p: assign.Problem{NumLeft: 2, NumRight: 2, Capacity: []int{1, 1}, Unassigned: []float64{-1, -1}, Edges: []assign.Edge{{0, 0, 1}, {1, 1, 0}}}, cost: -2, assign: []int{-1, -1}},
		{name: "capacity forces displacement", p: assign.Problem{NumLeft: 2, NumRight: 2, Capacity: []int{1, 1}, Edges: []assign.Edge{{0, 0, -10}, {0, 1, -9}, {1, 0, -10}}}, cost: -19, assign: []int{1, 0}},
		{name: "capacity two", p: assign.Problem{NumLeft: 3, NumRight: 1, Capacity: []int{2}, Unassigned: []float64{0, 0, 0}, Edges: []assign.Edge{{0, 0, -1}, {1, 0, -3}, {2, 0, -2}}}, cost: -5, assign: []int{-1, 0, 0}},
		{name: "parallel edges use cheapest", p: assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{0}, Edges: []assign.Edge{{0, 0, -1}, {0, 0, -4}}}, cost: -4, assign: []int{0}},
		{name: "positive costs with penalty", p: assign.Problem{NumLeft: 2, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{100, 100}, Edges: []assign.Edge{{0, 0, 3}, {1, 0, 5}}}, cost: 103, assign: []int{0, -1}},
		{name: "tie between left nodes", p: assign.Problem{NumLeft: 2, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{0, 0}, Edges: []assign.Edge{{0, 0, -1}, {1, 0, -1}}}, cost: -1}, // either
		{name: "tie with unassigned", p: assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{-2}, Edges: []assign.Edge{{0, 0, -2}}}, cost: -2, assign: []int{-1}},
		{name: "unsorted edges", p: assign.Problem{NumLeft: 3, NumRight: 2, Capacity: []int{1, 1}, Unassigned: []float64{0, 0, 0}, Edges: []assign.Edge{{2, 0, -5}, {0, 0, -4}, {1, 1, -1}, {0, 1, -3}}}, cost: -8, assign: []int{1, -1, 0}},
		{name: "zero capacity priced", p: assign.Problem{NumLeft: 2, NumRight: 2, Capacity: []int{0, 1}, Unassigned: []float64{0, 0}, Edges: []assign.Edge{{0, 0, -9}, {0, 1, -1}, {1, 0, -3}}}, cost: -1, assign: []int{1, -1}},
		{name: "chain of displacements", p: assign.Problem{NumLeft: 3, NumRight: 3, Capacity: []int{1, 1, 1}, Unassigned: []float64{0, 0, 0}, Edges: []assign.Edge{{0, 0, -5}, {0, 1, -4}, {1, 1, -5}, {1, 2, -4}, {2, 0, -6}}}, cost: -14, assign: []int{1, 2, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := assign.Solve(context.Background(), &tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if s.Cost != tt.cost {
				t.Errorf("cost %v, want %v", s.Cost, tt.cost)
			}
			if tt.assign != nil && !reflect.DeepEqual(s.Assign, tt.assign) {
				t.Errorf("assign %v, want %v", s.Assign, tt.assign)
			}
			checkSolution(t, &tt.p, s)
		})
	}
}

func TestSolveValidation(t *testing.T) {
	tests := []struct {
		name string
		p    *assign.Problem
	}{
		{"nil", nil},
		{"negative size", &assign.Problem{NumLeft: -1}},
		{"capacity length", &assign.Problem{NumRight: 2, Capacity: []int{1}}},
		{"unassigned length", &assign.Problem{NumLeft: 2, Unassigned: []float64{0}}},
		{"negative capacity", &assign.Problem{NumRight: 1, Capacity: []int{-1}}},
		{"NaN unassigned", &assign.Problem{NumLeft: 1, Unassigned: []float64{math.NaN()}}},
		{"left out of range", &assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Edges: []assign.Edge{{1, 0, 0}}}},
		{"right out of range", &assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Edges: []assign.Edge{{0, -1, 0}}}},
		{"infinite cost", &assign.Problem{NumLeft: 1, NumRight: 1, Capacity: []int{1}, Edges: []assign.Edge{{0, 0, math.Inf(-1)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assign.Solve(context.Background(), tt.p)
			if !errors.Is(err, assign.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSolveDeterministic(t *testing.T) {
	p := benchProblem(7, 500, 300, 8, func(r *rand.Rand) int { return r.IntN(3) })
	a, err := assign.Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := assign.Solve(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two solves of the same problem differ")
		}
	}
	checkSolution(t, p, a)
}

func TestSolveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := benchProblem(1, 10, 10, 2, func(*rand.Rand) int { return 1 })
	if _, err := assign.Solve(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	n, err := p.Network(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := assign.SolveNetwork(ctx, n); !errors.Is(err, context.Canceled) {
		t.Fatalf("network err = %v, want context.Canceled", err)
	}
}
