package assign_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"passerelle/matcher/assign"
)

var benchSizes = []struct {
	name     string
	L, R     int
	deg      int
	capOf    func(*rand.Rand) int
	baseline bool // also run the SolveNetwork reference (slow)
}{
	{"1k×1k/unit", 1000, 1000, 32, func(*rand.Rand) int { return 1 }, true},
	{"10k×10k/unit", 10_000, 10_000, 32, func(*rand.Rand) int { return 1 }, false},
	{"50k×6k/cap1-15", 50_000, 6000, 32, func(r *rand.Rand) int { return 1 + r.IntN(15) }, false},
}

// BenchmarkSolve measures Solve on seeded random instances (negative integer
// scores in [-999, 0], unassigned cost 0), beside the general network SSP
// (SolveNetwork) as the naive baseline on the small size.
func BenchmarkSolve(b *testing.B) {
	for _, sz := range benchSizes {
		p := benchProblem(1, sz.L, sz.R, sz.deg, sz.capOf)
		b.Run(fmt.Sprintf("%s/Solve", sz.name), func(b *testing.B) {
			var cost float64
			for b.Loop() {
				s, err := assign.Solve(context.Background(), p)
				if err != nil {
					b.Fatal(err)
				}
				cost = s.Cost
			}
			b.ReportMetric(cost, "cost")
		})
		if !sz.baseline {
			continue
		}
		n, err := p.Network(1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/SolveNetwork", sz.name), func(b *testing.B) {
			var cost int64
			for b.Loop() {
				c, _, err := assign.SolveNetwork(context.Background(), n)
				if err != nil {
					b.Fatal(err)
				}
				cost = c
			}
			b.ReportMetric(float64(cost), "cost")
		})
	}
}
