package assign_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"passerelle/matcher/assign"
)

// lpOptimum solves the LP relaxation of p with gonum's simplex. The
// constraint matrix of an assignment with capacities is totally unimodular,
// so the LP optimum is the integer optimum. Variables: one per edge, one
// "unassigned" per left node, one capacity slack per right node; rows: Σ
// over a left node's edges + unassigned = 1, Σ over a right node's edges +
// slack = capacity.
func lpOptimum(p *assign.Problem) (float64, error) {
	E, L, R := len(p.Edges), p.NumLeft, p.NumRight
	cols := E + L + R
	A := mat.NewDense(L+R, cols, nil)
	c := make([]float64, cols)
	b := make([]float64, L+R)
	for k, e := range p.Edges {
		A.Set(e.Left, k, 1)
		A.Set(L+e.Right, k, 1)
		c[k] = e.Cost
	}
	basic := make([]int, L+R)
	for i := range L {
		A.Set(i, E+i, 1)
		c[E+i] = p.Unassigned[i]
		b[i] = 1
		basic[i] = E + i
	}
	for j := range R {
		A.Set(L+j, E+L+j, 1)
		b[L+j] = float64(p.Capacity[j])
		basic[L+j] = E + L + j
	}
	opt, _, err := lp.Simplex(c, A, b, 1e-10, basic)
	return opt, err
}

// TestSolveOracleLP checks Solve, and the naive baseline, against the LP
// optimum on medium random instances (up to 40 left nodes and 300 edges),
// integer and float costs of both signs, many ties, capacities 0..3 and
// larger, and the complementary slackness and strong duality of the duals.
func TestSolveOracleLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := range 150 {
		L, R := 5+rng.IntN(36), 2+rng.IntN(15)
		integer := iter%3 != 2
		lo, hi := -20.0, 20.0
		switch iter % 4 {
		case 1:
			lo, hi = -3, 0 // many ties
		case 2:
			lo, hi = 0, 50 // positive costs, unassigned often best
		}
		maxCap := 3
		if iter%5 == 0 {
			maxCap = 12
		}
		p := randomProblem(rng, L, R, maxCap, 8, lo, hi, integer)
		name := fmt.Sprintf("iter %d (%d×%d, %d edges)", iter, L, R, len(p.Edges))
		want, err := lpOptimum(p)
		if err != nil {
			t.Fatalf("%s: LP: %v", name, err)
		}
		for _, solver := range []struct {
			name  string
			solve func(context.Context, *assign.Problem) (*assign.Solution, error)
		}{{"Solve", assign.Solve}, {"naive", assign.SolveSSP}} {
			s, err := solver.solve(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(s.Cost-want) > 1e-7*max(1, math.Abs(want)) {
				t.Fatalf("%s: %s cost %v, LP %v", name, solver.name, s.Cost, want)
			}
			checkSolution(t, p, s)
		}
	}
}
