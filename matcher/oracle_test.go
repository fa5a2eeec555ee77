package matcher_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"

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

// oracleWeights are the weight sets the oracle tests draw from: the
// default, a shortage-heavy, a commute-and-fit-heavy one without timing,
// one with a wish bonus, and one where commute is most of the score.
var oracleWeights = []matcher.Weights{{}, // the default
	{JobFit: 0.15, Contract: 0.1, Shortage: 0.3, Commute: 0.1, Affordability: 0.15, HousingStability: 0.06, SizeFit: 0.05, Territory: 0.05, Timing: 0.04},
	{JobFit: 0.3, Contract: 0.05, Shortage: 0.05, Commute: 0.3, Affordability: 0.1, HousingStability: 0.05, SizeFit: 0.05, Territory: 0.1, Timing: 0},
	{JobFit: 0.1, Contract: 0.2, Shortage: 0.1, Commute: 0.05, Affordability: 0.2, HousingStability: 0.1, SizeFit: 0.05, Territory: 0.05, Timing: 0.15, WishBonus: 0.05},
	{JobFit: 0.05, Contract: 0.05, Shortage: 0.05, Commute: 0.6, Affordability: 0.05, HousingStability: 0.05, SizeFit: 0.05, Territory: 0.05, Timing: 0.05, WishBonus: 0.2},
}

// TestPlanLargeHouseholdsMatchNaive is the oracle test for households
// whose ideal home has 7 rooms or more (two adults and 7–12 children) on
// markets of 1- to 10-room homes: the housing bounds summarise homes by
// rooms, and a summary that lumped 6 rooms and more together bounded a
// 9-room home with the size fit of a 6-room one (found by a review,
// 2026-12-03).
func TestPlanLargeHouseholdsMatchNaive(t *testing.T) {
	for seed := range oracleSeeds(t, 8) {
		rng := rand.New(rand.NewPCG(seed, 31))
		m := randomMarket(t, rng, 300+rng.IntN(600), 300+rng.IntN(900))
		for k := range m.Housing {
			if o := &m.Housing[k]; !o.Shared {
				o.Rooms = 1 + rng.IntN(10)
				o.SurfaceM2 = float64(12 + 15*o.Rooms)
				o.MaxOccupants = 20
			}
		}
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{5, 20, 40}[seed%3]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			h := randomHousehold(rng, m, i)
			adult := h.Members[0]
			h.Members, h.Modes = []matcher.Member{adult, adult}, nil
			h.Members[1].SeeksWork = i%2 == 0
			for range 7 + rng.IntN(6) {
				h.Members = append(h.Members, matcher.Member{Role: matcher.Child, Age: rng.IntN(17), Sex: matcher.Female})
			}
			opts := matcher.PlanOptions{Top: []int{1, 3, 10}[i%3], NoWhatIf: true}
			comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d (%d members)", seed, i, len(h.Members)))
		}
	}
}

// TestPlanWideMatchNaive is the oracle test over engines, places and
// households the other oracle tests do not draw together: departments
// overseas, all in one dense area or across the meridian; tiles of 2 to
// 40 km; job lists split from 1 to 8 jobs; reaches of 5 to 100 km; markets
// of a handful to 2,000 jobs; five weight sets; very short and very long
// commute limits, wishes, every top size and diversity limit. (Adapted
// from a review's test, 2026-12-03.)
func TestPlanWideMatchNaive(t *testing.T) {
	places := [][]orb.Point{
		nil, // the default departments
		{{55.45, -21.1}, {55.3, -21.3}, {45.15, -12.8}, {55.6, -20.95}}, // Réunion and Mayotte
		{{-61.5, 16.2}, {-61.0, 14.6}, {-52.3, 4.9}, {-61.6, 16.0}},     // the Antilles and Guyane
		{{2.35, 48.86}, {2.45, 48.9}, {2.25, 48.75}, {2.4, 48.8}},       // all around Paris
		{{-0.1, 44.0}, {0.1, 44.1}, {-0.05, 43.9}, {0.05, 44.05}},       // across the meridian
		{{4.83, 46.31}, {9.2, 42.0}, {4.84, 45.76}, {8.7, 41.9}},        // with Corsica
	}
	for seed := range oracleSeeds(t, 8) {
		rng := rand.New(rand.NewPCG(seed, 41))
		nJobs := []int{5 + rng.IntN(20), 300 + rng.IntN(900), 2000}[seed%3]
		m := randomMarketAt(t, rng, 100+rng.IntN(700), nJobs, places[seed%uint64(len(places))])
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{
			TileKM:         []float64{2, 5, 10, 20, 40, 3.3, 7}[seed%7],
			SplitListsFrom: []int{4, 0, 2, 8, 1}[seed%5],
			MaxReachKM:     []float64{0, 60, 30, 15, 100, 5, 45, 8}[seed%8],
			Weights:        oracleWeights[seed%uint64(len(oracleWeights))],
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			h := randomHousehold(rng, m, i)
			switch i % 6 {
			case 0:
				h.MaxCommuteMinutes = 5 + rng.IntN(15)
			case 1:
				h.MaxCommuteMinutes = 90 + rng.IntN(90)
			}
			if i%5 == 0 {
				h.Wishes = []string{m.Housing[rng.IntN(len(m.Housing))].Commune}
			}
			opts := matcher.PlanOptions{Top: []int{1, 3, 10, 20}[i%4], NoWhatIf: i%7 != 0,
				MaxPerCommune: []int{0, 1, 3, 1}[i%4], MaxPerDepartment: []int{0, 1, 2, 5, 3}[i%5]}
			comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d (%d members)", seed, i, len(h.Members)))
		}
	}
}

// TestPlanMatchesNaive is the oracle test: on random markets, the pruned
// search returns the same options, in the same order and with the same
// scores, as the brute force that scores every candidate pair.
func TestPlanMatchesNaive(t *testing.T) {
	for seed := range oracleSeeds(t, 8) {
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
			comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d (%d members)", seed, i, len(h.Members)))
		}
	}
}

// comparePlans fails t unless the pruned plan of h has the same options,
// in the same order and with the same scores, as the brute force's, and
// examined no more homes; and, when opts asks for them, the same what-if
// variants, whose number it returns.
func comparePlans(t *testing.T, eng *matcher.Engine, h *matcher.Household, opts matcher.PlanOptions, label string) int {
	t.Helper()
	fast, err := eng.Plan(t.Context(), h, opts)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	naive, err := eng.PlanNaive(t.Context(), h, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := optionKeys(fast), optionKeys(naive); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: options\n got %v\nwant %v", label, got, want)
	}
	for k := range fast.Options {
		if fast.Options[k].Score != naive.Options[k].Score {
			t.Fatalf("%s option %d: score %v, want %v", label, k, fast.Options[k].Score, naive.Options[k].Score)
		}
	}
	if fast.Examined > naive.Examined {
		t.Errorf("%s: fast examined %d > naive %d", label, fast.Examined, naive.Examined)
	}
	if !reflect.DeepEqual(fast.WhatIf, naive.WhatIf) {
		t.Fatalf("%s: what-if\n got %+v\nwant %+v", label, fast.WhatIf, naive.WhatIf)
	}
	return len(fast.WhatIf)
}

// TestPlanMatchesNaiveWithTies is the oracle test on markets full of exact
// ties: every home and job is listed several times over, identical but for
// its id, so that options tie and a tie goes to the home (and the job)
// listed first. The pruned search skips homes and jobs that can at best
// tie what holds a bar (docs/SCORING.md §6); this checks it skips only
// those that lose the tie.
func TestPlanMatchesNaiveWithTies(t *testing.T) {
	ties := 0
	for seed := range oracleSeeds(t, 4) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := randomMarket(t, rng, 80+rng.IntN(120), 100+rng.IntN(200))
		hs, js := m.Housing, m.Jobs
		for c := range 3 {
			for _, o := range hs {
				o.ID, o.ExternalRef = fmt.Sprintf("%s-%d", o.ID, c), fmt.Sprintf("%s-%d", o.ExternalRef, c)
				m.Housing = append(m.Housing, o)
			}
			for _, j := range js {
				j.ID, j.ExternalRef = fmt.Sprintf("%s-%d", j.ID, c), fmt.Sprintf("%s-%d", j.ExternalRef, c)
				m.Jobs = append(m.Jobs, j)
			}
		}
		// Shuffled, so that the home listed first is not always the
		// original.
		rng.Shuffle(len(m.Housing), func(a, b int) { m.Housing[a], m.Housing[b] = m.Housing[b], m.Housing[a] })
		rng.Shuffle(len(m.Jobs), func(a, b int) { m.Jobs[a], m.Jobs[b] = m.Jobs[b], m.Jobs[a] })
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{5, 20}[seed%2]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			h := randomHousehold(rng, m, i)
			opts := matcher.PlanOptions{Top: []int{1, 3, 10}[i%3], NoWhatIf: true,
				MaxPerCommune: []int{0, 1, 3}[i%3], MaxPerDepartment: []int{0, 2, 5}[i%3]}
			comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d (%d members)", seed, i, len(h.Members)))
			p, err := eng.Plan(t.Context(), &h, opts)
			if err != nil {
				t.Fatal(err)
			}
			for k := 1; k < len(p.Options); k++ {
				if p.Options[k].Score == p.Options[k-1].Score {
					ties++
				}
			}
		}
	}
	if ties == 0 {
		t.Fatal("no tied options: the test markets do not test ties")
	}
}

// TestWhatIfMatchesNaive checks the what-if variants of the pruned search
// (each variant a pruned search of its own) against the brute force's.
func TestWhatIfMatchesNaive(t *testing.T) {
	compared := 0
	for seed := range oracleSeeds(t, 4) {
		rng := rand.New(rand.NewPCG(seed, 9))
		m := randomMarket(t, rng, 300+rng.IntN(300), 300+rng.IntN(400))
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 15 {
			h := randomHousehold(rng, m, i)
			opts := matcher.PlanOptions{Top: []int{3, 10}[i%2]}
			compared += comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d", seed, i))
		}
	}
	if compared == 0 {
		t.Fatal("no what-if variant compared")
	}
}

// TestPlanTwoSeekersMatchNaive is the oracle test on households where two
// adults seek work, often in the same occupation: the second adult cannot
// take the job the first took when it has one position, and the bounds of
// two-seeker options (docs/SCORING.md §6) must not count on such a job.
// Jobs have one to three positions; markets with few jobs leave an adult
// often with none within reach, and markets listing everything twice make
// exact ties; tiles, split lists, reach, commute limits
// and weights vary, so that each part of the bounds decides some homes;
// the what-if variants are compared too.
func TestPlanTwoSeekersMatchNaive(t *testing.T) {
	// M1607: no job of the market, so that an adult may find none.
	romes := []string{"G1602", "F1703", "J1501", "G1602", "F1703", "M1607"}
	compared := 0
	cuts, stop := matcher.CheckHomePairCut(func(msg string) { t.Error(msg) })
	defer stop()
	for seed := range oracleSeeds(t, 12) {
		rng := rand.New(rand.NewPCG(seed, 11))
		nJobs := []int{400 + rng.IntN(600), 30 + rng.IntN(60), 300 + rng.IntN(300), 5 + rng.IntN(10)}[seed%4]
		m := randomMarket(t, rng, 200+rng.IntN(400), nJobs)
		for k := range m.Jobs {
			m.Jobs[k].Positions = 1 + rng.IntN(3)
		}
		if seed%4 == 2 {
			// Every home and job twice, identical but for its id: exact
			// ties, which go to the home and the job listed first.
			hs, js := m.Housing, m.Jobs
			for _, o := range hs {
				o.ID, o.ExternalRef = o.ID+"-b", o.ExternalRef+"-b"
				m.Housing = append(m.Housing, o)
			}
			for _, j := range js {
				j.ID, j.ExternalRef = j.ID+"-b", j.ExternalRef+"-b"
				m.Jobs = append(m.Jobs, j)
			}
		}
		eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{5, 10, 20, 2}[seed%4],
			SplitListsFrom: []int{4, 0, 0, 4, 2, 8}[seed%6], MaxReachKM: []float64{0, 60, 30, 0, 15}[seed%5],
			Weights: oracleWeights[seed%uint64(len(oracleWeights))]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			h := randomHousehold(rng, m, i)
			if len(h.Members) < 2 {
				h.Members = append(h.Members, h.Members[0])
				h.Members[1].Sex = matcher.Female
			}
			for k := range 2 {
				mb := &h.Members[k]
				mb.SeeksWork = true
				mb.Occupations = []matcher.Occupation{{ROME: romes[rng.IntN(len(romes))], Years: rng.IntN(4)}}
			}
			if i%4 == 0 {
				h.MaxCommuteMinutes = 10 + rng.IntN(15)
			}
			opts := matcher.PlanOptions{Top: []int{1, 3, 10}[i%3], NoWhatIf: i%5 != 0}
			compared += comparePlans(t, eng, &h, opts, fmt.Sprintf("seed %d household %d", seed, i))
		}
	}
	if compared == 0 {
		t.Fatal("no what-if variant compared")
	}
	if cuts() == 0 {
		t.Fatal("no home-level pair cut checked")
	}
}
