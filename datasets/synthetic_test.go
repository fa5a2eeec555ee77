package datasets_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/matcher"
)

// validator is the method matcher's offers and households have.
type validator interface{ Validate() error }

// demo is one demo market shared by the read-only tests.
var demo = func() func(tb testing.TB) *matcher.Market {
	var m *matcher.Market
	return func(tb testing.TB) *matcher.Market {
		tb.Helper()
		if m == nil {
			var err error
			if m, err = datasets.Synthetic(1, datasets.Demo); err != nil {
				tb.Fatalf("Synthetic: %v", err)
			}
		}
		return m
	}
}()

// marketHash hashes the JSON of every commune (in code order), offer and
// the shortage table size.
func marketHash(tb testing.TB, m *matcher.Market) string {
	tb.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	var codes []string
	m.Atlas.Communes(func(c *geo.Commune) bool { codes = append(codes, c.Code); return true })
	slices.Sort(codes)
	for _, code := range codes {
		c, _ := m.Atlas.Commune(code)
		if err := enc.Encode(c); err != nil {
			tb.Fatal(err)
		}
	}
	if err := enc.Encode(m.Housing); err != nil {
		tb.Fatal(err)
	}
	if err := enc.Encode(m.Jobs); err != nil {
		tb.Fatal(err)
	}
	if err := enc.Encode(m.Shortage.Len()); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSyntheticDeterministic(t *testing.T) {
	scale := datasets.Scale{Name: "t", Communes: 800, Housing: 3000, Jobs: 6000}
	a, err := datasets.Synthetic(42, scale)
	if err != nil {
		t.Fatal(err)
	}
	b, err := datasets.Synthetic(42, scale)
	if err != nil {
		t.Fatal(err)
	}
	c, err := datasets.Synthetic(43, scale)
	if err != nil {
		t.Fatal(err)
	}
	ha, hb, hc := marketHash(t, a), marketHash(t, b), marketHash(t, c)
	if ha != hb {
		t.Errorf("same seed, different markets: %s vs %s", ha, hb)
	}
	if ha == hc {
		t.Error("different seeds, same market")
	}
	// More jobs leave the housing unchanged (separate streams).
	scale.Jobs = 100
	d, err := datasets.Synthetic(42, scale)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a.Housing)
	jd, _ := json.Marshal(d.Housing)
	if string(ja) != string(jd) {
		t.Error("changing the number of jobs changed the housing")
	}
}

func TestSyntheticCounts(t *testing.T) {
	scales := []datasets.Scale{datasets.Demo, {Name: "small", Communes: 300, Housing: 10, Jobs: 0}}
	if s, err := datasets.ParseScale("50k"); err == nil {
		scales = append(scales, s)
	}
	if !testing.Short() {
		scales = append(scales, datasets.National)
	}
	for _, s := range scales {
		t.Run(s.Name, func(t *testing.T) {
			m, err := datasets.Synthetic(7, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Atlas.NumCommunes(); got != s.Communes {
				t.Errorf("communes: got %d, want %d", got, s.Communes)
			}
			if got := len(m.Housing); got != s.Housing {
				t.Errorf("housing: got %d, want %d", got, s.Housing)
			}
			if got := len(m.Jobs); got != s.Jobs {
				t.Errorf("jobs: got %d, want %d", got, s.Jobs)
			}
			if got := len(m.Atlas.Departments()); got != 101 {
				t.Errorf("departments: got %d, want 101", got)
			}
		})
	}
}

func TestSyntheticScaleErrors(t *testing.T) {
	for _, s := range []datasets.Scale{
		{Communes: 10, Housing: 1, Jobs: 1},
		{Communes: 1000, Housing: -1},
		{Communes: 1000, Jobs: datasets.MaxOffers + 1},
		{Communes: datasets.MaxCommunes + 1},
	} {
		if _, err := datasets.Synthetic(1, s); !errors.Is(err, datasets.ErrScale) {
			t.Errorf("Synthetic(%+v): got %v, want ErrScale", s, err)
		}
	}
}

func TestParseScale(t *testing.T) {
	tests := []struct {
		name, in string
		want     datasets.Scale
		wantErr  bool
	}{
		{"demo", "demo", datasets.Demo, false},
		{"national upper", " National ", datasets.National, false},
		{"100k", "100k", datasets.Scale{Name: "100k", Communes: 8944, Housing: 100_000, Jobs: 200_000}, false},
		{"500k is national-sized", "500k", datasets.Scale{Name: "500k", Communes: 20_000, Housing: 500_000, Jobs: 1_000_000}, false},
		{"1m capped communes", "1m", datasets.Scale{Name: "1m", Communes: 20_000, Housing: 1_000_000, Jobs: 2_000_000}, false},
		{"plain number", "2000", datasets.Scale{Name: "2000", Communes: 1265, Housing: 2000, Jobs: 4000}, false},
		{"tiny", "1", datasets.Scale{Name: "1", Communes: datasets.MinCommunes, Housing: 1, Jobs: 2}, false},
		{"empty", "", datasets.Scale{}, true},
		{"word", "huge", datasets.Scale{}, true},
		{"negative", "-5k", datasets.Scale{}, true},
		{"too big", "100m", datasets.Scale{}, true},
		{"zero", "0k", datasets.Scale{}, true},
		{"nan", "NaNk", datasets.Scale{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := datasets.ParseScale(tt.in)
			if tt.wantErr {
				if !errors.Is(err, datasets.ErrScale) {
					t.Errorf("got %+v, %v; want ErrScale", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSyntheticAtlas(t *testing.T) {
	m := demo(t)
	for _, d := range datasets.Departments() {
		c, ok := m.Atlas.Commune(d.PrefectureCode)
		if !ok {
			t.Errorf("prefecture %s of %s missing", d.PrefectureCode, d.Code)
			continue
		}
		if c.Name != d.Prefecture || c.Zone != d.Zone || !c.AGIROperator || c.Point != d.Point {
			t.Errorf("prefecture commune %+v does not match department %+v", c, d)
		}
	}
	for _, code := range []string{"75118", "93066", "69123", "13055", "93048", "71076"} {
		if _, ok := m.Atlas.Commune(code); !ok {
			t.Errorf("commune %s missing", code)
		}
	}
	fixedTowns := map[string]bool{}
	for _, tw := range datasets.Towns() {
		fixedTowns[tw.Code] = true
	}
	areas := map[string]map[string]bool{}
	m.Atlas.Communes(func(c *geo.Commune) bool {
		d, ok := m.Atlas.Department(c.Department)
		switch {
		case !ok || geo.DepartmentOf(c.Code) != c.Department || c.Region != d.Region:
			t.Errorf("commune %s: department %q region %q", c.Code, c.Department, c.Region)
		case c.Name == "" || c.EmploymentArea == "" || c.Basin == "" || c.Population <= 0:
			t.Errorf("commune %s: missing fields %+v", c.Code, c)
		case !c.Zone.Valid() || c.RentM2 < 7 || c.RentM2 > 30 || c.DensityKm2 < 20 || c.DensityKm2 > 20_000:
			t.Errorf("commune %s: zone %s rent %.2f density %.0f", c.Code, c.Zone, c.RentM2, c.DensityKm2)
		case c.SocialShare < 5 || c.SocialShare > 35 || c.Unemployment < 0.05 || c.Unemployment > 0.4:
			t.Errorf("commune %s: social %.1f unemployment %.3f", c.Code, c.SocialShare, c.Unemployment)
		case !fixedTowns[c.Code] && geo.Distance(c.Point, d.Point) > 65_000:
			t.Errorf("commune %s is %.0f km from its prefecture", c.Code, geo.Distance(c.Point, d.Point)/1000)
		}
		if areas[c.Department] == nil {
			areas[c.Department] = map[string]bool{}
		}
		areas[c.Department][c.EmploymentArea] = true
		return true
	})
	for dep, a := range areas {
		if dep != "75" && (len(a) < 2 || len(a) > 6) {
			t.Errorf("department %s: %d employment areas", dep, len(a))
		}
	}
}

func TestSyntheticOffers(t *testing.T) {
	m := demo(t)
	kinds := map[matcher.LandlordKind]int{}
	type acc struct{ sum, n float64 }
	rentByZone := map[geo.Zone]*acc{}
	for i := range m.Housing {
		h := &m.Housing[i]
		kinds[h.LandlordKind]++
		c, ok := m.Atlas.Commune(h.Commune)
		if !ok {
			t.Fatalf("housing %s: commune %s not in the atlas", h.ID, h.Commune)
		}
		if h.Owner != "landlord-"+c.Department || h.Point == nil || geo.Distance(orb.Point{h.Point.Lon, h.Point.Lat}, c.Point) > 1000 {
			t.Errorf("housing %s: owner %q point %v commune %s", h.ID, h.Owner, h.Point, h.Commune)
		}
		if h.Shared != (h.LandlordKind == matcher.IML) {
			t.Errorf("housing %s: kind %s shared %v", h.ID, h.LandlordKind, h.Shared)
		}
		if h.Shared && (h.Gender == "" || h.Places < 1 || h.Places > 2 || h.Rooms != 3) {
			t.Errorf("shared flat %s: gender %q places %d rooms %d", h.ID, h.Gender, h.Places, h.Rooms)
		}
		if d := h.AvailableFrom.Sub(datasets.RefDate.Time); d < 0 || d > 90*24*time.Hour || !h.ExpiresOn.After(h.AvailableFrom.Time) {
			t.Errorf("housing %s: available %s expires %s", h.ID, h.AvailableFrom, h.ExpiresOn)
		}
		if v, ok := any(h).(validator); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("housing %s does not validate: %v", h.ID, err)
			}
		}
		if h.LandlordKind == matcher.Private {
			a := rentByZone[c.Zone]
			if a == nil {
				a = &acc{}
				rentByZone[c.Zone] = a
			}
			a.sum += h.RentMonthly / h.SurfaceM2
			a.n++
		}
	}
	for _, k := range matcher.LandlordKinds {
		if kinds[k] == 0 {
			t.Errorf("no housing of kind %s", k)
		}
	}
	if share := float64(kinds[matcher.Private]) / float64(len(m.Housing)); share < 0.4 || share > 0.5 {
		t.Errorf("private share %.2f, want about 0.45", share)
	}
	prev := 1e9
	for _, z := range []geo.Zone{geo.ZoneAbis, geo.ZoneA, geo.ZoneB1, geo.ZoneB2, geo.ZoneC} {
		a := rentByZone[z]
		if a == nil || a.n == 0 {
			t.Errorf("no private housing in zone %s", z)
			continue
		}
		avg := a.sum / a.n
		t.Logf("zone %-4s private rent %.2f €/m² (%0.f offers)", z, avg, a.n)
		if avg >= prev {
			t.Errorf("zone %s: average rent %.2f €/m² not below the tenser zone's %.2f", z, avg, prev)
		}
		prev = avg
	}

	contracts := map[matcher.Contract]int{}
	licence, beginners := 0, 0
	for i := range m.Jobs {
		j := &m.Jobs[i]
		contracts[j.Contract]++
		c, ok := m.Atlas.Commune(j.Commune)
		if !ok {
			t.Fatalf("job %s: commune %s not in the atlas", j.ID, j.Commune)
		}
		if j.Owner != "employer-"+c.Department || j.Employer == "" || j.Title == "" {
			t.Errorf("job %s: owner %q employer %q title %q", j.ID, j.Owner, j.Employer, j.Title)
		}
		if j.SalaryMonthlyGross.Min <= 0 || j.SalaryMonthlyGross.Max < j.SalaryMonthlyGross.Min || j.SalaryMonthlyGross.Max > 4000 {
			t.Errorf("job %s: salary %+v", j.ID, j.SalaryMonthlyGross)
		}
		if (j.Contract == matcher.CDI) != (j.Months == 0) {
			t.Errorf("job %s: contract %s months %d", j.ID, j.Contract, j.Months)
		}
		if v, ok := any(j).(validator); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("job %s does not validate: %v", j.ID, err)
			}
		}
		if j.DrivingLicence {
			licence++
		}
		if j.BeginnersOK {
			beginners++
		}
	}
	for _, c := range matcher.Contracts {
		if contracts[c] == 0 {
			t.Errorf("no job with contract %s", c)
		}
	}
	n := float64(len(m.Jobs))
	if s := float64(contracts[matcher.CDI]) / n; s < 0.55 || s > 0.65 {
		t.Errorf("CDI share %.2f, want about 0.60", s)
	}
	if s := float64(licence) / n; s < 0.08 || s > 0.25 {
		t.Errorf("licence share %.2f, want about 0.15", s)
	}
	if s := float64(beginners) / n; s < 0.25 || s > 0.45 {
		t.Errorf("beginners share %.2f, want about 0.35", s)
	}
	t.Logf("licence %.2f beginners %.2f", float64(licence)/n, float64(beginners)/n)
}

func TestSyntheticShortage(t *testing.T) {
	m := demo(t)
	if m.Shortage.Len() < 5000 {
		t.Errorf("shortage table has %d entries", m.Shortage.Len())
	}
	levels := map[string]int{}
	for i := range m.Jobs[:2000] {
		c, _ := m.Atlas.Commune(m.Jobs[i].Commune)
		v, level := m.Shortage.Lookup(c, m.Jobs[i].ROME)
		if v < 0 || v > 1 {
			t.Errorf("shortage %v", v)
		}
		levels[level]++
	}
	if levels["basin"] == 0 || levels["department_domain"] == 0 {
		t.Errorf("lookup levels %v, want basin and department_domain hits", levels)
	}
	// Care is tenser than arts, nationally.
	care, _ := m.Shortage.Lookup(nil, "J1501")
	arts, _ := m.Shortage.Lookup(nil, "L1503")
	if care <= arts {
		t.Errorf("care %.2f not above arts %.2f", care, arts)
	}
}

// TestSyntheticNationalMemory reports the heap held by a national market.
func TestSyntheticNationalMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("national market in -short mode")
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	m, err := datasets.Synthetic(1, datasets.National)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("national: %d communes, %d housing, %d jobs, %d shortage entries in %v; heap held %.0f MiB",
		m.Atlas.NumCommunes(), len(m.Housing), len(m.Jobs), m.Shortage.Len(), elapsed.Round(time.Millisecond),
		float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	runtime.KeepAlive(m)
}

func BenchmarkSynthetic(b *testing.B) {
	for _, s := range []datasets.Scale{datasets.Demo, datasets.National} {
		b.Run(s.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := datasets.Synthetic(1, s); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m, err := datasets.Synthetic(1, s)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-held")
			runtime.KeepAlive(m)
		})
	}
}
