package matcher_test

import (
	"math/rand/v2"
	"testing"

	"passerelle/matcher"
)

// TestEvaluateAllocatesNothing guards the search's memory: evaluating a
// home allocates nothing once its tile's job lists are built. A step of
// the job search or a home's context that escapes to the heap (as when a
// step was handed to a test hook through a function value) costs two
// allocations per home examined and a tenth of a plan's time.
func TestEvaluateAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	m := randomMarket(t, rng, 3000, 3000)
	e, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seekers := map[int]int{}
	for i := range 30 {
		h := randomHousehold(rng, m, i)
		n := 0
		for _, mb := range h.Members {
			if mb.Role == matcher.Adult && mb.SeeksWork {
				n++
			}
		}
		per, err := matcher.EvaluateAllocs(t.Context(), e, &h, 300)
		if err != nil {
			t.Fatal(err)
		}
		if per > 0.05 {
			t.Errorf("household %d (%d adults seeking work): %.2f allocations per home evaluated, want none", i, n, per)
		}
		seekers[n]++
	}
	if seekers[1] == 0 || seekers[2] == 0 {
		t.Fatalf("households by adults seeking work: %v, want some with one and some with two", seekers)
	}
}
