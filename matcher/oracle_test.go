package matcher_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"passerelle/matcher"
)

func sortStrings(s []string) { slices.Sort(s) }

// optionKeys summarises a plan's options for comparison.
func optionKeys(p *matcher.Plan) []string {
	var out []string
	for _, o := range p.Options {
		k := o.Housing.ID
		for _, j := range o.Jobs {
			k += "+" + j.ID
		}
		out = append(out, k)
	}
	return out
}

// TestPlanMatchesNaive is the oracle test: on random markets, the pruned
// search returns the same options, in the same order and with the same
// scores, as the brute force that scores every candidate pair.
func TestPlanMatchesNaive(t *testing.T) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 1))
		m := randomMarket(t, rng, 300+rng.IntN(600), 300+rng.IntN(900))
		// Tiles of several sizes, and job lists split into finer cells
		// from 4 or from the default length.
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{5, 20, 40}[seed%3], SplitListsFrom: []int{4, 0}[seed%2]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			h := randomHousehold(rng, m, i)
			top := []int{1, 3, 10}[i%3]
			// Diversity limits of several sizes: the search cuts homes
			// whose commune or department is already full of better ones.
			opts := matcher.PlanOptions{Top: top, NoWhatIf: true,
				MaxPerCommune: []int{0, 1, 3, 1}[i%4], MaxPerDepartment: []int{0, 1, 2, 5, 3}[i%5]}
			fast, err := eng.Plan(t.Context(), &h, opts)
			if err != nil {
				t.Fatalf("seed %d household %d: %v", seed, i, err)
			}
			naive, err := eng.PlanNaive(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := optionKeys(fast), optionKeys(naive); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d household %d (%d members): options\n got %v\nwant %v", seed, i, len(h.Members), got, want)
			}
			for k := range fast.Options {
				if fast.Options[k].Score != naive.Options[k].Score {
					t.Fatalf("seed %d household %d option %d: score %v, want %v", seed, i, k, fast.Options[k].Score, naive.Options[k].Score)
				}
			}
			if fast.Examined > naive.Examined {
				t.Errorf("seed %d household %d: fast examined %d > naive %d", seed, i, fast.Examined, naive.Examined)
			}
		}
	}
}

// TestWhatIfMatchesNaive checks the what-if variants of the pruned search
// (which start each variant's search at the plan's lowest score when the
// plan is full) against the brute force's, which search every variant
// from scratch.
func TestWhatIfMatchesNaive(t *testing.T) {
	compared := 0
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 9))
		m := randomMarket(t, rng, 300+rng.IntN(300), 300+rng.IntN(400))
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 15 {
			h := randomHousehold(rng, m, i)
			opts := matcher.PlanOptions{Top: []int{3, 10}[i%2]}
			fast, err := eng.Plan(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			naive, err := eng.PlanNaive(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fast.WhatIf, naive.WhatIf) {
				t.Fatalf("seed %d household %d: what-if\n got %+v\nwant %+v", seed, i, fast.WhatIf, naive.WhatIf)
			}
			compared += len(fast.WhatIf)
		}
	}
	if compared == 0 {
		t.Fatal("no what-if variant compared")
	}
}
