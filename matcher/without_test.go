package matcher_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"passerelle/matcher"
)

// TestWithoutMatchesRebuild is the oracle test of Engine.Without: an
// engine that leaves offers out, in two steps, never plans or allocates
// them, plans as well as an engine built from the market without them (the
// same scores rank by rank and the same what-ifs; tied homes may differ,
// see sameScores) and as its own brute force, and allocates as well (the
// same objective and households placed). The engine it derives from is
// unchanged.
func TestWithoutMatchesRebuild(t *testing.T) {
	for seed := range oracleSeeds(t, 6) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := randomMarket(t, rng, 300+rng.IntN(500), 300+rng.IntN(700))
		m.Version = 1
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{5, 20}[seed%2]})
		if err != nil {
			t.Fatal(err)
		}
		// A fifth of the offers leave, in two writes, one id twice and one
		// unknown.
		var hGone, jGone [2][]string
		removed := map[string]bool{}
		for _, o := range m.Housing {
			if rng.IntN(5) == 0 {
				k := rng.IntN(2)
				hGone[k] = append(hGone[k], o.ID)
				removed[o.ID] = true
			}
		}
		for _, o := range m.Jobs {
			if rng.IntN(5) == 0 {
				k := rng.IntN(2)
				jGone[k] = append(jGone[k], o.ID)
				removed[o.ID] = true
			}
		}
		hGone[1] = append(hGone[1], "no-such-offer")
		if len(hGone[0]) > 0 {
			hGone[1] = append(hGone[1], hGone[0][0])
		}
		part := eng.Without(2, hGone[0], jGone[0]).Without(3, hGone[1], jGone[1])

		rest := *m
		rest.Version = 3
		rest.Housing, rest.Jobs = nil, nil
		for _, o := range m.Housing {
			if !removed[o.ID] {
				rest.Housing = append(rest.Housing, o)
			}
		}
		for _, o := range m.Jobs {
			if !removed[o.ID] {
				rest.Jobs = append(rest.Jobs, o)
			}
		}
		full, err := matcher.NewEngine(&rest, matcher.EngineOptions{TileKM: []float64{5, 20}[seed%2]})
		if err != nil {
			t.Fatal(err)
		}
		if part.Version() != 3 || eng.Version() != 1 || part.Base() != 1 || full.Base() != 3 {
			t.Fatalf("versions: %d (base %d) and %d, rebuilt base %d", part.Version(), part.Base(), eng.Version(), full.Base())
		}
		ph, pj := part.Counts()
		fh, fj := full.Counts()
		rh, rj := part.Removed()
		if ph != fh || pj != fj || rh+ph != len(m.Housing) || rj+pj != len(m.Jobs) {
			t.Fatalf("counts: %d %d (%d %d removed), rebuilt %d %d", ph, pj, rh, rj, fh, fj)
		}
		if h, j := eng.Removed(); h != 0 || j != 0 {
			t.Fatalf("the engine Without derives from lost %d and %d offers", h, j)
		}

		var hs []matcher.Household
		for i := range 30 {
			h := randomHousehold(rng, m, i)
			hs = append(hs, h)
			label := fmt.Sprintf("seed %d household %d", seed, i)
			opts := matcher.PlanOptions{Top: []int{3, 10}[i%2], NoWhatIf: i%3 != 0, MaxPerCommune: []int{0, 1}[i%2]}
			got, err := part.Plan(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			want, err := full.Plan(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			if msg := sameScores(got, want); msg != "" {
				t.Fatalf("%s: %s", label, msg)
			}
			if !reflect.DeepEqual(got.WhatIf, want.WhatIf) {
				t.Fatalf("%s: what-if\n got %+v\nwant %+v", label, got.WhatIf, want.WhatIf)
			}
			for _, o := range got.Options {
				if removed[o.Housing.ID] {
					t.Fatalf("%s: removed home %s planned", label, o.Housing.ID)
				}
				for _, j := range o.Jobs {
					if removed[j.ID] {
						t.Fatalf("%s: removed job %s planned", label, j.ID)
					}
				}
			}
			if i%5 == 0 {
				comparePlans(t, part, &h, opts, label+" (fast against naive)")
			}
		}

		opts := matcher.AllocateOptions{Workers: 1}
		got, err := part.Allocate(t.Context(), hs, opts)
		if err != nil {
			t.Fatal(err)
		}
		want, err := full.Allocate(t.Context(), hs, opts)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Objective-want.Objective) > 1e-9*(1+math.Abs(want.Objective)) || got.Placed != want.Placed {
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			t.Fatalf("seed %d: allocations differ\n got %s\nwant %s", seed, gb, wb)
		}
		for _, as := range got.Assignments {
			if p := as.Placement; p != nil {
				if removed[p.HousingID] {
					t.Fatalf("seed %d: removed home %s allocated", seed, p.HousingID)
				}
				for _, j := range p.Jobs {
					if removed[j.ID] {
						t.Fatalf("seed %d: removed job %s allocated", seed, j.ID)
					}
				}
			}
		}
		// An allocation made by eng takes insertions from eng only: the
		// places and prices are those of its market.
		a, err := eng.Allocate(t.Context(), hs[:5], opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Insert(t.Context(), a, &hs[5]); !errors.Is(err, matcher.ErrInvalid) {
			t.Fatalf("seed %d: insert through another engine: %v", seed, err)
		}
		if _, err := eng.Insert(t.Context(), a, &hs[5]); err != nil {
			t.Fatalf("seed %d: insert: %v", seed, err)
		}
		// A lock on a removed offer is refused as on an engine without it.
		if len(hGone[0]) > 0 {
			lock := matcher.AllocateOptions{Workers: 1, Locks: []matcher.Lock{{HouseholdID: hs[0].ID, HousingID: hGone[0][0]}}}
			_, errP := part.Allocate(t.Context(), hs[:3], lock)
			_, errF := full.Allocate(t.Context(), hs[:3], lock)
			if errP == nil || errF == nil || errP.Error() != errF.Error() {
				t.Fatalf("seed %d: lock on a removed home: %v, rebuilt %v", seed, errP, errF)
			}
		}
	}
}

// sameScores returns "" when plans got and want have as many options
// with the same scores rank by rank, else what differs. Their homes may
// differ where scores tie: an engine from Without keeps its market's tile
// order for ties (SCORING §5), and a tie it breaks the other way can also
// change which home a diversity limit keeps.
func sameScores(got, want *matcher.Plan) string {
	g, w := got.Options, want.Options
	if len(g) != len(w) {
		return fmt.Sprintf("%d options, want %d: %v, want %v", len(g), len(w), optionKeys(got), optionKeys(want))
	}
	for k := range g {
		if g[k].Score != w[k].Score {
			return fmt.Sprintf("option %d: score %v, want %v (%v, want %v)", k, g[k].Score, w[k].Score, optionKeys(got), optionKeys(want))
		}
	}
	return ""
}
