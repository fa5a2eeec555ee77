package matcher_test

import (
	"fmt"
	"testing"

	"passerelle/datasets"
	"passerelle/matcher"
)

// BenchmarkAllocate times a whole allocation (options and solve) on the
// demo market over a ladder of caseloads, beside the greedy baseline's
// share (reported in the allocation, computed in the same run).
func BenchmarkAllocate(b *testing.B) {
	m, err := datasets.Synthetic(2026, datasets.Demo)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100, 1_000, 5_000} {
		b.Run(fmt.Sprintf("households=%d", n), func(b *testing.B) {
			hs := datasets.Households(7, n, m)
			opts := matcher.AllocateOptions{NoExplain: true}
			b.ReportAllocs()
			var a *matcher.Allocation
			for b.Loop() {
				if a, err = eng.Allocate(b.Context(), hs, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(a.Placed), "placed")
			b.ReportMetric(float64(a.Baselines[0].Placed), "greedy_placed")
		})
	}
}

// BenchmarkAllocInsert times the placement step of Engine.Insert (the
// household's options already built) against an allocation of 1,000
// households on the demo market.
func BenchmarkAllocInsert(b *testing.B) {
	m, err := datasets.Synthetic(2026, datasets.Demo)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		b.Fatal(err)
	}
	hs := datasets.Households(7, 1_001, m)
	a, err := eng.Allocate(b.Context(), hs[:1000], matcher.AllocateOptions{NoExplain: true})
	if err != nil {
		b.Fatal(err)
	}
	place, err := matcher.PrepareInsert(b.Context(), a, &hs[1000])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		place()
	}
}
