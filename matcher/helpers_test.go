package matcher_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"passerelle/geo"
	"passerelle/matcher"
)

// randomMarket builds a small random market: departments around real-ish
// points, communes scattered around them, housing and jobs of every kind.
func randomMarket(tb testing.TB, rng *rand.Rand, nHousing, nJobs int) *matcher.Market {
	tb.Helper()
	return randomMarketAt(tb, rng, nHousing, nJobs, nil)
}

// randomMarketAt is randomMarket with its four departments centred on
// centres instead (cycled), e.g. overseas or all in one dense area.
func randomMarketAt(tb testing.TB, rng *rand.Rand, nHousing, nJobs int, centres []orb.Point) *matcher.Market {
	tb.Helper()
	deps := []geo.Department{
		{Code: "71", Name: "Saône-et-Loire", Region: "27", Prefecture: "Mâcon", PrefectureCode: "71270", Point: orb.Point{4.83, 46.31}, Zone: geo.ZoneB2},
		{Code: "21", Name: "Côte-d'Or", Region: "27", Prefecture: "Dijon", PrefectureCode: "21231", Point: orb.Point{5.04, 47.32}, Zone: geo.ZoneB1},
		{Code: "69", Name: "Rhône", Region: "84", Prefecture: "Lyon", PrefectureCode: "69123", Point: orb.Point{4.84, 45.76}, Zone: geo.ZoneA},
		{Code: "75", Name: "Paris", Region: "11", Prefecture: "Paris", PrefectureCode: "75056", Point: orb.Point{2.35, 48.86}, Zone: geo.ZoneAbis},
	}
	if len(centres) > 0 {
		for i := range deps {
			deps[i].Point = centres[i%len(centres)]
		}
	}
	zones := []geo.Zone{geo.ZoneAbis, geo.ZoneA, geo.ZoneB1, geo.ZoneB2, geo.ZoneC}
	var communes []geo.Commune
	for _, d := range deps {
		for k := 1; k <= 12; k++ {
			p := orb.Point{d.Point[0] + (rng.Float64()-0.5)*0.8, d.Point[1] + (rng.Float64()-0.5)*0.5}
			dens := 30 + rng.Float64()*3000
			communes = append(communes, geo.Commune{
				Code: fmt.Sprintf("%s%03d", d.Code, k), Name: fmt.Sprintf("Commune %s-%d", d.Code, k),
				Department: d.Code, Region: d.Region, EmploymentArea: fmt.Sprintf("ZE%s%d", d.Code, k%3),
				Point: p, Population: int(dens * 10), DensityKm2: dens, Zone: zones[rng.IntN(len(zones))],
				RentM2: 8 + rng.Float64()*12, Unemployment: 0.05 + rng.Float64()*0.1,
				AGIROperator: rng.IntN(2) == 0, FrenchCourses: rng.IntN(2) == 0,
			})
		}
	}
	atlas, err := geo.NewAtlas(deps, communes)
	if err != nil {
		tb.Fatal(err)
	}
	start := matcher.NewDate(2026, 12, 1)
	day := func(max int) matcher.Date { return matcher.Date{Time: start.AddDate(0, 0, rng.IntN(max))} }
	m := &matcher.Market{Atlas: atlas, Shortage: matcher.NewShortageTable(0.5)}
	kinds := matcher.LandlordKinds
	leases := map[matcher.LandlordKind][]matcher.Lease{
		matcher.Private: {matcher.DirectLease}, matcher.Social: {matcher.DirectLease, matcher.SlidingLease},
		matcher.Relay: {matcher.SubLease, matcher.SlidingLease}, matcher.IML: {matcher.SubLease},
		matcher.ResidenceSociale: {matcher.ResidenceLease}, matcher.PensionDeFamille: {matcher.ResidenceLease},
	}
	for i := range nHousing {
		c := communes[rng.IntN(len(communes))]
		k := kinds[rng.IntN(len(kinds))]
		rooms := 1 + rng.IntN(5)
		o := matcher.HousingOffer{
			ID: fmt.Sprintf("h%04d", i), ExternalRef: fmt.Sprintf("H-%04d", i), LandlordKind: k, Commune: c.Code,
			Point: &matcher.Point{Lon: c.Point[0] + (rng.Float64()-0.5)*0.02, Lat: c.Point[1] + (rng.Float64()-0.5)*0.02},
			Rooms: rooms, SurfaceM2: float64(12 + rooms*15 + rng.IntN(10)), Lease: leases[k][rng.IntN(len(leases[k]))],
			AvailableFrom: day(60), StepFree: rng.IntN(4) == 0,
		}
		o.RentMonthly = float64(int(o.SurfaceM2 * c.RentM2 * (0.5 + rng.Float64()*0.6)))
		o.ChargesMonthly = float64(int(o.SurfaceM2 * 2))
		if k == matcher.IML && rng.IntN(2) == 0 {
			o.Shared, o.Places, o.Rooms = true, 1+rng.IntN(2), 3
			o.Gender = []matcher.Sex{matcher.Female, matcher.Male, matcher.AnyGender}[rng.IntN(3)]
			o.RentMonthly = 250 + float64(rng.IntN(150))
		}
		if k == matcher.IML || k == matcher.Relay {
			o.MaxMonths = 18
		}
		o.ApplyDefaults()
		m.Housing = append(m.Housing, o)
	}
	romes := []string{"G1602", "G1603", "G1605", "F1703", "F1704", "J1501", "J1506", "K2204", "N1103", "H2913", "A1414"}
	for i := range nJobs {
		c := communes[rng.IntN(len(communes))]
		ct := matcher.Contracts[rng.IntN(len(matcher.Contracts))]
		j := matcher.JobOffer{
			ID: fmt.Sprintf("j%04d", i), ExternalRef: fmt.Sprintf("J-%04d", i), ROME: romes[rng.IntN(len(romes))],
			Title: "Poste", Commune: c.Code,
			Point:    &matcher.Point{Lon: c.Point[0] + (rng.Float64()-0.5)*0.02, Lat: c.Point[1] + (rng.Float64()-0.5)*0.02},
			Contract: ct, SalaryMonthlyGross: matcher.Salary{Min: 1800, Max: 1800 + float64(rng.IntN(1200))},
			FrenchLevel:    []matcher.FrenchLevel{"", matcher.A1, matcher.A2, matcher.B1, matcher.B2}[rng.IntN(5)],
			DrivingLicence: rng.IntN(6) == 0, BeginnersOK: rng.IntN(3) == 0, StartOn: day(60), Positions: 1,
		}
		if ct != matcher.CDI {
			j.Months = 1 + rng.IntN(12)
		}
		m.Shortage.Set(c.Department, j.ROME[:3], rng.Float64())
		j.ApplyDefaults()
		m.Jobs = append(m.Jobs, j)
	}
	return m
}

// randomHousehold draws a valid household living in one of the market's
// communes (or an unknown commune of a known department).
func randomHousehold(rng *rand.Rand, m *matcher.Market, i int) matcher.Household {
	romes := []string{"G1602", "F1703", "J1501", "J1506", "K2204", "N1103", "M1607"}
	levels := []matcher.FrenchLevel{matcher.A0, matcher.A1, matcher.A2, matcher.B1, matcher.B2}
	adult := func(sex matcher.Sex, seeks bool) matcher.Member {
		a := matcher.Member{Role: matcher.Adult, Age: 19 + rng.IntN(40), Sex: sex, FrenchLevel: levels[rng.IntN(len(levels))],
			SeeksWork: seeks, DrivingLicence: []matcher.Licence{matcher.NoLicence, matcher.ForeignLicence, matcher.FrenchLicence}[rng.IntN(3)]}
		if rng.IntN(5) > 0 {
			a.Occupations = []matcher.Occupation{{ROME: romes[rng.IntN(len(romes))], Years: rng.IntN(6)}}
		}
		return a
	}
	h := matcher.Household{
		ID: fmt.Sprintf("hh%d", i), Protection: matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2026, time.Month(1+rng.IntN(10)), 1)},
		CIRSigned: rng.IntN(5) > 0, IncomeMonthly: float64(rng.IntN(3) * 400), MaxCommuteMinutes: 20 + rng.IntN(50),
		Relocation: matcher.Relocation{Scope: matcher.ScopeAnywhere}, SharedOK: rng.IntN(2) == 0,
		MoveFrom: matcher.NewDate(2026, 12, 1+rng.IntN(20)),
	}
	switch rng.IntN(5) {
	case 0, 1:
		h.Members = []matcher.Member{adult(matcher.Male, true)}
	case 2:
		h.Members = []matcher.Member{adult(matcher.Female, rng.IntN(3) > 0)}
	case 3:
		h.Members = []matcher.Member{adult(matcher.Male, true), adult(matcher.Female, true)}
	default:
		h.Members = []matcher.Member{adult(matcher.Male, true), adult(matcher.Female, false)}
		for range 1 + rng.IntN(3) {
			h.Members = append(h.Members, matcher.Member{Role: matcher.Child, Age: rng.IntN(17), Sex: matcher.Female})
		}
	}
	for _, mb := range h.Members {
		if mb.DrivingLicence == matcher.FrenchLicence && rng.IntN(2) == 0 {
			h.Modes = []geo.Mode{geo.Walk, geo.Bike, geo.Transit, geo.Car}
		}
	}
	if rng.IntN(4) == 0 {
		h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: []string{"71", "21"}}
	}
	if rng.IntN(5) == 0 {
		h.Wishes = []string{"69"}
	}
	if rng.IntN(10) == 0 {
		h.Needs = []string{matcher.NeedStepFree}
	}
	h.Commune = "75118" // unknown to the market: department fallback
	if rng.IntN(2) == 0 {
		var codes []string
		m.Atlas.Communes(func(c *geo.Commune) bool { codes = append(codes, c.Code); return true })
		sortStrings(codes)
		h.Commune = codes[rng.IntN(len(codes))]
	}
	// Scopes and wishes the search bounds per area: a region, a radius,
	// a wished commune.
	switch rng.IntN(8) {
	case 0:
		h.Relocation = matcher.Relocation{Scope: matcher.ScopeRegions, Regions: []string{"27"}}
	case 1:
		h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: float64(20 + rng.IntN(150))}
	case 2:
		var codes []string
		m.Atlas.Communes(func(c *geo.Commune) bool { codes = append(codes, c.Code); return true })
		sortStrings(codes)
		h.Wishes = append(h.Wishes, codes[rng.IntN(len(codes))])
	}
	return h
}

func withCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

// oracleSeeds is the number of random markets an oracle test draws: def,
// or ORACLE_SEEDS when set, to widen every oracle test at once on a
// developer machine (e.g. ORACLE_SEEDS=200 go test ./matcher -run Naive).
func oracleSeeds(tb testing.TB, def uint64) uint64 {
	v := os.Getenv("ORACLE_SEEDS")
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 0 {
		tb.Fatalf("ORACLE_SEEDS=%q: want a positive number of seeds", v)
	}
	return n
}
