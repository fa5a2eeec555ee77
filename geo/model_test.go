package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// Reference densities, inhabitants per km².
const (
	paris   = 20_000
	town    = 1_500
	village = 40
)

// at returns an End distM meters north of a fixed point.
func at(distM, density float64, area string) geo.End {
	return geo.End{Point: orb.Point{4.85, 46.78 + distM/111_195}, DensityKm2: density, EmploymentArea: area}
}

func TestModelMinutes(t *testing.T) {
	m := geo.DefaultModel()
	tests := []struct {
		name     string
		distM    float64
		from, to geo.End
		mode     geo.Mode
		ok       bool
		min, max float64 // expected range of minutes when ok
	}{
		{"Paris to Paris 5 km by transit", 5_000, geo.End{DensityKm2: paris}, geo.End{DensityKm2: paris}, geo.Transit, true, 25, 35},
		{"Paris to Paris 5 km by car", 5_000, geo.End{DensityKm2: paris}, geo.End{DensityKm2: paris}, geo.Car, true, 28, 45},
		{"rural 20 km by car", 20_000, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.End{DensityKm2: village, EmploymentArea: "2607"}, geo.Car, true, 20, 25},
		{"no transit between villages of different areas", 8_000, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.End{DensityKm2: village, EmploymentArea: "2607"}, geo.Transit, false, 0, 0},
		{"no transit between villages of unknown areas", 8_000, geo.End{DensityKm2: village}, geo.End{DensityKm2: village}, geo.Transit, false, 0, 0},
		{"coach between villages of one area", 15_000, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.Transit, true, 50, 80},
		{"no coach 40 km within one area", 40_000, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.End{DensityKm2: village, EmploymentArea: "2606"}, geo.Transit, false, 0, 0},
		{"town to town 30 km by transit", 30_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Transit, true, 60, 90},
		{"bike 5 km in town", 5_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Bike, true, 20, 30},
		{"bike not offered at 40 km", 40_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Bike, false, 0, 0},
		{"walk 1 km", 1_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Walk, true, 14, 19},
		{"walk not offered at 12 km", 12_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Walk, false, 0, 0},
		{"village to city 40 km by car", 40_000, geo.End{DensityKm2: village}, geo.End{DensityKm2: paris}, geo.Car, true, 35, 60},
		{"zero distance by car is the overheads", 0, geo.End{DensityKm2: village}, geo.End{DensityKm2: village}, geo.Car, true, 2, 2},
		{"zero distance by transit is the overheads", 0, geo.End{DensityKm2: paris}, geo.End{DensityKm2: paris}, geo.Transit, true, 12, 12},
		{"zero distance on foot", 0, geo.End{DensityKm2: paris}, geo.End{DensityKm2: paris}, geo.Walk, true, 0, 0},
		{"NaN density counts as rural", 20_000, geo.End{DensityKm2: math.NaN()}, geo.End{DensityKm2: -5}, geo.Car, true, 20, 25},
		{"unknown mode", 1_000, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Mode("plane"), false, 0, 0},
		{"NaN distance", math.NaN(), geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Car, false, 0, 0},
		{"negative distance", -1, geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Car, false, 0, 0},
		{"infinite distance", math.Inf(1), geo.End{DensityKm2: town}, geo.End{DensityKm2: town}, geo.Car, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m.MinutesDist(tt.distM, tt.from, tt.to, tt.mode)
			if ok != tt.ok {
				t.Fatalf("got ok=%v (%.1f min), want %v", ok, got, tt.ok)
			}
			if math.IsNaN(got) || got < tt.min || got > tt.max {
				t.Errorf("got %.2f min, want [%v, %v]", got, tt.min, tt.max)
			}
		})
	}
}

func TestModelMinutesUsesDistance(t *testing.T) {
	m := geo.DefaultModel()
	from, to := at(0, town, "x"), at(7_000, town, "x")
	d := geo.Distance(from.Point, to.Point)
	for _, mode := range geo.Modes {
		got, ok := m.Minutes(from, to, mode)
		want, wok := m.MinutesDist(d, from, to, mode)
		if got != want || ok != wok {
			t.Errorf("%s: Minutes got (%v, %v), want MinutesDist's (%v, %v)", mode, got, ok, want, wok)
		}
	}
	if _, ok := m.Minutes(geo.End{Point: orb.Point{math.NaN(), 0}}, to, geo.Car); ok {
		t.Errorf("invalid point: got ok, want not offered")
	}
}

// randomEnd returns an End with a log-uniform density (with some zero and
// NaN) and one of three employment areas.
func randomEnd(rng *rand.Rand) geo.End {
	e := geo.End{DensityKm2: math.Pow(10, rng.Float64()*5), EmploymentArea: []string{"", "a", "b"}[rng.IntN(3)]}
	switch rng.IntN(20) {
	case 0:
		e.DensityKm2 = 0
	case 1:
		e.DensityKm2 = math.NaN()
	case 2:
		e.DensityKm2 = 300
	}
	return e
}

// TestModelMaxReach checks that MaxReachM and Reach are true upper bounds:
// no trip within maxMinutes is longer.
func TestModelMaxReach(t *testing.T) {
	m := geo.DefaultModel()
	rng := rand.New(rand.NewPCG(1, 1))
	for range 200_000 {
		from, to := randomEnd(rng), randomEnd(rng)
		mode := geo.Modes[rng.IntN(len(geo.Modes))]
		d := rng.Float64() * 150_000
		if rng.IntN(4) == 0 {
			d = rng.Float64() * 20_000
		}
		got, ok := m.MinutesDist(d, from, to, mode)
		if !ok {
			continue
		}
		// The tightest budget the trip meets: its own time.
		if reach := m.MaxReachM(got, []geo.Mode{mode}); d > reach {
			t.Fatalf("%s %.0f m, %v → %v: %.4f min but MaxReachM(%.4f) = %.1f m", mode, d, from, to, got, got, reach)
		}
		if reach := m.MaxReachM(got, geo.Modes); d > reach {
			t.Fatalf("%s %.0f m: MaxReachM over all modes %.1f m", mode, d, reach)
		}
		if reach := m.Reach(got, mode, from); d > reach {
			t.Fatalf("%s %.0f m, %v → %v: %.4f min but Reach = %.1f m", mode, d, from, to, got, reach)
		}
	}
}

func TestModelMaxReachValues(t *testing.T) {
	m := geo.DefaultModel()
	tests := []struct {
		name       string
		maxMinutes float64
		modes      []geo.Mode
		min, max   float64 // meters
	}{
		{"car 45 min", 45, []geo.Mode{geo.Car}, 35_000, 70_000},
		{"transit 45 min", 45, []geo.Mode{geo.Transit}, 10_000, 40_000},
		{"walk 45 min", 45, []geo.Mode{geo.Walk}, 2_500, 3_500},
		{"bike capped at 15 km", 120, []geo.Mode{geo.Bike}, 15_000, 15_000},
		{"all modes is the widest", 45, geo.Modes, 35_000, 70_000},
		{"no modes", 45, nil, 0, 0},
		{"unknown mode", 45, []geo.Mode{"plane"}, 0, 0},
		{"negative budget", -1, geo.Modes, 0, 0},
		{"NaN budget", math.NaN(), geo.Modes, 0, 0},
		{"budget below the overheads", 1, []geo.Mode{geo.Car}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.MaxReachM(tt.maxMinutes, tt.modes); got < tt.min || got > tt.max {
				t.Errorf("got %.0f m, want [%v, %v]", got, tt.min, tt.max)
			}
		})
	}
	// Reach is never looser than MaxReachM.
	for _, e := range []geo.End{{DensityKm2: paris}, {DensityKm2: village, EmploymentArea: "a"}, {DensityKm2: village}} {
		for _, mode := range geo.Modes {
			if r, mr := m.Reach(45, mode, e), m.MaxReachM(45, []geo.Mode{mode}); r > mr {
				t.Errorf("Reach(45, %s, %v) = %.0f > MaxReachM = %.0f", mode, e.DensityKm2, r, mr)
			}
		}
	}
	if got := m.Reach(45, geo.Transit, geo.End{DensityKm2: village}); got != 0 {
		t.Errorf("Reach by transit from a village with no area: got %v, want 0", got)
	}
}

// TestModelMonotone: for fixed ends the time never decreases with the
// distance, and is never NaN.
func TestModelMonotone(t *testing.T) {
	m := geo.DefaultModel()
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2_000 {
		from, to := randomEnd(rng), randomEnd(rng)
		for _, mode := range geo.Modes {
			prev := -1.0
			for d := 0.0; d <= 120_000; d += 250 + rng.Float64()*500 {
				got, ok := m.MinutesDist(d, from, to, mode)
				if math.IsNaN(got) {
					t.Fatalf("%s at %.0f m: NaN", mode, d)
				}
				if !ok {
					continue
				}
				if got < prev {
					t.Fatalf("%s %v → %v: %.4f min at %.0f m, less than %.4f before", mode, from, to, got, d, prev)
				}
				prev = got
			}
		}
	}
}

// FuzzModel checks, on fuzzed distances, densities and budgets, that
// MinutesDist is never NaN and that MaxReachM bounds every trip.
func FuzzModel(f *testing.F) {
	f.Add(5_000.0, 20_000.0, 20_000.0, uint8(2), true)
	f.Add(20_000.0, 40.0, 40.0, uint8(3), false)
	f.Add(0.0, 0.0, math.NaN(), uint8(0), true)
	f.Fuzz(func(t *testing.T, distM, df, dt float64, mode uint8, sameArea bool) {
		m := geo.DefaultModel()
		from := geo.End{DensityKm2: df, EmploymentArea: "a"}
		to := geo.End{DensityKm2: dt, EmploymentArea: "b"}
		if sameArea {
			to.EmploymentArea = "a"
		}
		md := geo.Modes[int(mode)%len(geo.Modes)]
		got, ok := m.MinutesDist(distM, from, to, md)
		if math.IsNaN(got) {
			t.Fatalf("NaN minutes")
		}
		if !ok {
			return
		}
		if reach := m.MaxReachM(got, []geo.Mode{md}); distM > reach {
			t.Fatalf("%s %v m in %v min beyond MaxReachM %v", md, distM, got, reach)
		}
		if reach := m.Reach(got, md, from); distM > reach {
			t.Fatalf("%s %v m in %v min beyond Reach %v", md, distM, got, reach)
		}
	})
}

func BenchmarkMinutesDist(b *testing.B) {
	m := geo.DefaultModel()
	from, to := geo.End{DensityKm2: 1_500, EmploymentArea: "2606"}, geo.End{DensityKm2: 300, EmploymentArea: "2606"}
	b.ReportAllocs()
	d, s := 0.0, 0.0
	for b.Loop() {
		d += 10
		if d > 60_000 {
			d = 0
		}
		for _, mode := range geo.Modes {
			t, _ := m.MinutesDist(d, from, to, mode)
			s += t
		}
	}
	_ = s
}

func BenchmarkMinutes(b *testing.B) {
	m := geo.DefaultModel()
	from, to := at(0, 1_500, "2606"), at(12_000, 300, "2606")
	b.ReportAllocs()
	for b.Loop() {
		m.Minutes(from, to, geo.Transit)
	}
}

// TestFastestDist checks FastestDist against the least MinutesDist over the
// same modes, bit for bit, on random ends, distances and mode lists
// (repeated, unknown and out-of-range indexes included).
func TestFastestDist(t *testing.T) {
	m := geo.DefaultModel()
	rng := rand.New(rand.NewPCG(3, 4))
	densities := []float64{0, village, 150, 299.9, town, 2_999, paris, math.NaN()}
	areas := []string{"", "2606", "2607"}
	for range 20_000 {
		from := geo.End{DensityKm2: densities[rng.IntN(len(densities))], EmploymentArea: areas[rng.IntN(len(areas))]}
		to := geo.End{DensityKm2: densities[rng.IntN(len(densities))], EmploymentArea: areas[rng.IntN(len(areas))]}
		d := rng.Float64() * 150_000
		switch rng.IntN(20) {
		case 0:
			d = 0
		case 1:
			d = -1
		case 2:
			d = math.Inf(1)
		}
		var idx []int8
		for range rng.IntN(6) {
			idx = append(idx, int8(rng.IntN(6)-1))
		}
		wantMode, want, wantOK := int8(0), 0.0, false
		for _, mi := range idx {
			if mi < 0 || int(mi) >= len(geo.Modes) {
				continue
			}
			if v, ok := m.MinutesDist(d, from, to, geo.Modes[mi]); ok && (!wantOK || v < want) {
				wantMode, want, wantOK = mi, v, true
			}
		}
		mode, got, ok := m.FastestDist(d, from, to, idx)
		if ok != wantOK || got != want || ok && mode != wantMode {
			t.Fatalf("FastestDist(%v, %+v, %+v, %v) = (%d, %v, %v), want (%d, %v, %v)", d, from, to, idx, mode, got, ok, wantMode, want, wantOK)
		}
	}
}
