package matcher_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"passerelle/geo"
	"passerelle/matcher"
)

// TestPlanJobNearTie pins the search's rule for jobs that may at best tie
// the best found (tileSource skips a job listed after the best whose own
// bound does not exceed the best's value): two jobs of one occupation a few
// hundred meters from a home, the first listed worth more by its shortage
// value, the second by its start day, so that the second is better by
// 5·10⁻¹⁰ only. The adult takes the second, as the brute force does; a
// skip that let a job within 10⁻⁹ of the best pass for a tie would take
// the first.
func TestPlanJobNearTie(t *testing.T) {
	deps := []geo.Department{
		{Code: "71", Name: "Saône-et-Loire", Region: "27", Prefecture: "Mâcon", PrefectureCode: "71270", Point: orb.Point{4.83, 46.31}, Zone: geo.ZoneB2},
		{Code: "21", Name: "Côte-d'Or", Region: "27", Prefecture: "Dijon", PrefectureCode: "21231", Point: orb.Point{4.84, 46.32}, Zone: geo.ZoneB1},
	}
	communes := []geo.Commune{
		{Code: "71001", Name: "Ville A", Department: "71", Region: "27", EmploymentArea: "ZE1", Point: orb.Point{4.830, 46.310},
			Population: 30000, DensityKm2: 3000, Zone: geo.ZoneB2, RentM2: 10, Unemployment: 0.08},
		{Code: "21001", Name: "Ville B", Department: "21", Region: "27", EmploymentArea: "ZE1", Point: orb.Point{4.834, 46.310},
			Population: 30000, DensityKm2: 3000, Zone: geo.ZoneB1, RentM2: 10, Unemployment: 0.08},
	}
	atlas, err := geo.NewAtlas(deps, communes)
	if err != nil {
		t.Fatal(err)
	}
	w := matcher.DefaultWeights()
	// Job A's shortage value is above B's by what B's start day is worth
	// more, less 5·10⁻¹⁰: A starts 16 days after the move (timing 74/75),
	// B on the day (timing 1).
	shortageB := 0.5
	shortageA := shortageB + (w.Timing/75-5e-10)/w.Shortage
	m := &matcher.Market{Atlas: atlas, Shortage: matcher.NewShortageTable(0.5)}
	m.Shortage.Set("71", "G1602", shortageA)
	m.Shortage.Set("21", "G1602", shortageB)
	home := matcher.HousingOffer{ID: "home", LandlordKind: matcher.Social, Commune: "71001",
		Point: &matcher.Point{Lon: 4.832, Lat: 46.310}, Rooms: 2, SurfaceM2: 45, Lease: matcher.DirectLease,
		RentMonthly: 400, ChargesMonthly: 60}
	home.ApplyDefaults()
	m.Housing = []matcher.HousingOffer{home}
	job := func(id, commune string, lon float64, start matcher.Date) matcher.JobOffer {
		j := matcher.JobOffer{ID: id, ROME: "G1602", Title: "Commis de cuisine", Commune: commune,
			Point: &matcher.Point{Lon: lon, Lat: 46.310}, Contract: matcher.CDI,
			SalaryMonthlyGross: matcher.Salary{Min: 1900, Max: 1900}, StartOn: start, Positions: 1}
		j.ApplyDefaults()
		return j
	}
	move := matcher.NewDate(2026, 12, 1)
	m.Jobs = []matcher.JobOffer{
		job("jobA", "71001", 4.830, matcher.NewDate(2026, 12, 17)),
		job("jobB", "21001", 4.834, move),
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := tieCook(move)
	opts := matcher.PlanOptions{Top: 3, NoWhatIf: true, Today: move}
	for _, plan := range []func() (*matcher.Plan, error){
		func() (*matcher.Plan, error) { return eng.Plan(t.Context(), &h, opts) },
		func() (*matcher.Plan, error) { return eng.PlanNaive(t.Context(), &h, opts) },
	} {
		p, err := plan()
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Options) != 1 || len(p.Options[0].Jobs) != 1 {
			t.Fatalf("want one option with one job, got %+v", p.Options)
		}
		if got := p.Options[0].Jobs[0].ID; got != "jobB" {
			t.Errorf("the adult takes %s, want jobB (better by 5e-10)", got)
		}
	}
}

// TestPlanJobTieGoesToMarketOrder pins the tie rule between jobs worth
// exactly the same: the job listed first in the market wins, although the
// engine stores jobs by tile (so that a tile's jobs are read from a few
// pages). The job listed first lies in a tile of its own, after the
// home's; the other, listed second, stands at the home; both are within
// 15 minutes, so that the commute is worth its most for both.
func TestPlanJobTieGoesToMarketOrder(t *testing.T) {
	m := tieMarket(t, "71001")
	m.Housing = []matcher.HousingOffer{tieHome("home", "71001", 4.832, 46.310, 400)}
	move := matcher.NewDate(2026, 12, 1)
	job := func(id string, lat float64) matcher.JobOffer {
		j := matcher.JobOffer{ID: id, ROME: "G1602", Title: "Commis de cuisine", Commune: "71001",
			Point: &matcher.Point{Lon: 4.832, Lat: lat}, Contract: matcher.CDI,
			SalaryMonthlyGross: matcher.Salary{Min: 1900, Max: 1900}, StartOn: move, Positions: 1}
		j.ApplyDefaults()
		return j
	}
	// 1.5 km north of the home: another tile of 1 km.
	m.Jobs = []matcher.JobOffer{job("listed-first", 46.3235), job("listed-second", 46.310)}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := tieCook(move)
	opts := matcher.PlanOptions{Top: 3, NoWhatIf: true, Today: move}
	for name, p := range fastAndNaive(t, eng, &h, opts) {
		if len(p.Options) != 1 || len(p.Options[0].Jobs) != 1 {
			t.Fatalf("%s: want one option with one job, got %+v", name, p.Options)
		}
		j := p.Options[0].Jobs[0]
		if j.ID != "listed-first" {
			t.Errorf("%s: the adult takes %s (%d min), want listed-first: the jobs tie, and the first listed wins", name, j.ID, j.CommuteMinutes)
		}
	}
}

// TestPlanHomeTieGoesToMarketOrder pins the tie rule between options
// scoring exactly the same: the home listed first in the market comes
// first, although the engine stores a tile's homes in the order the search
// reads them (by run: rooms, commune, cost). Two identical homes at one
// point, in two communes alike but for their code, the first listed in
// the commune whose code sorts last.
func TestPlanHomeTieGoesToMarketOrder(t *testing.T) {
	m := tieMarket(t, "71001", "71002")
	m.Housing = []matcher.HousingOffer{tieHome("listed-first", "71002", 4.832, 46.310, 400), tieHome("listed-second", "71001", 4.832, 46.310, 400)}
	move := matcher.NewDate(2026, 12, 1)
	j := matcher.JobOffer{ID: "job", ROME: "G1602", Title: "Commis de cuisine", Commune: "71001",
		Point: &matcher.Point{Lon: 4.832, Lat: 46.310}, Contract: matcher.CDI,
		SalaryMonthlyGross: matcher.Salary{Min: 1900, Max: 1900}, StartOn: move, Positions: 2}
	j.ApplyDefaults()
	m.Jobs = []matcher.JobOffer{j}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := tieCook(move)
	for _, top := range []int{1, 2} {
		for name, p := range fastAndNaive(t, eng, &h, matcher.PlanOptions{Top: top, NoWhatIf: true, Today: move}) {
			if len(p.Options) != top {
				t.Fatalf("%s, top %d: %d options", name, top, len(p.Options))
			}
			if top == 2 && p.Options[0].Score != p.Options[1].Score {
				t.Fatalf("%s: the homes score %v and %v, want a tie", name, p.Options[0].Score, p.Options[1].Score)
			}
			if got := p.Options[0].Housing.ID; got != "listed-first" {
				t.Errorf("%s, top %d: the first option is %s, want listed-first: the homes tie, and the first listed wins", name, top, got)
			}
		}
	}
}

// tieDeps71 is the one department of the tie tests' markets.
var tieDeps71 = []geo.Department{
	{Code: "71", Name: "Saône-et-Loire", Region: "27", Prefecture: "Mâcon", PrefectureCode: "71270", Point: orb.Point{4.83, 46.31}, Zone: geo.ZoneB2},
}

// tieCook is the household of the tie tests: a cook of 28 living in
// commune 71001, moving on day move.
func tieCook(move matcher.Date) matcher.Household {
	return matcher.Household{ID: "hh", Commune: "71001", IncomeMonthly: 600, MaxCommuteMinutes: 45,
		Protection: matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2026, 6, 1)}, CIRSigned: true,
		Relocation: matcher.Relocation{Scope: matcher.ScopeAnywhere}, MoveFrom: move,
		Members: []matcher.Member{{Role: matcher.Adult, Age: 28, Sex: matcher.Male, FrenchLevel: matcher.B1,
			Occupations: []matcher.Occupation{{ROME: "G1602", Years: 3}}, DrivingLicence: matcher.NoLicence, SeeksWork: true}}}
}

// TestPlanHomeTieAcrossTiles pins the tie rule between tiles (SCORING §5:
// "between tiles, the tile where the market lists a home first"): of two
// tied homes, the one listed second lies in a tile of its own, the one
// listed third in the tile of the market's first home (too dear to be
// an option), and comes first.
func TestPlanHomeTieAcrossTiles(t *testing.T) {
	m := tieMarket(t, "71001")
	m.Housing = []matcher.HousingOffer{tieHome("anchor", "71001", 4.832, 46.310, 5000),
		tieHome("new-tile", "71001", 4.832, 46.3235, 400), tieHome("anchor-tile", "71001", 4.832, 46.310, 400)}
	move := matcher.NewDate(2026, 12, 1)
	j := matcher.JobOffer{ID: "job", ROME: "G1602", Title: "Commis", Commune: "71001", Point: &matcher.Point{Lon: 4.832, Lat: 46.317},
		Contract: matcher.CDI, SalaryMonthlyGross: matcher.Salary{Min: 1900, Max: 1900}, StartOn: move, Positions: 3}
	j.ApplyDefaults()
	m.Jobs = []matcher.JobOffer{j}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := tieCook(move)
	opts := matcher.PlanOptions{Top: 2, NoWhatIf: true, Today: move}
	for name, p := range fastAndNaive(t, eng, &h, opts) {
		if len(p.Options) != 2 || p.Options[0].Score != p.Options[1].Score {
			t.Fatalf("%s: want two tied options, got %v", name, optionKeys(p))
		}
		if got := p.Options[0].Housing.ID; got != "anchor-tile" {
			t.Errorf("%s: first option %s, want anchor-tile (its tile holds the market's first home)", name, got)
		}
	}
	// An engine that leaves the anchor out keeps its market's tile order
	// (SCORING §5); one rebuilt without the anchor puts new-tile first.
	for name, want := range map[string]string{"without": "anchor-tile", "rebuilt": "new-tile"} {
		e := eng.Without(2, []string{"anchor"}, nil)
		if name == "rebuilt" {
			m2 := *m
			m2.Housing = m.Housing[1:]
			if e, err = matcher.NewEngine(&m2, matcher.EngineOptions{TileKM: 1}); err != nil {
				t.Fatal(err)
			}
		}
		for how, p := range fastAndNaive(t, e, &h, opts) {
			if len(p.Options) != 2 || p.Options[0].Housing.ID != want {
				t.Errorf("%s, %s: got %v, want %s first", name, how, optionKeys(p), want)
			}
		}
	}
}

// TestEngineBuildIsDeterministic builds one market several times and wants
// the same plans, counts included: the engine orders its homes and jobs,
// and that order must not depend on anything but the market. Offers in a
// commune unknown to the atlas each get a commune of their own, all with
// the same code; every home is listed three times, for exact ties.
func TestEngineBuildIsDeterministic(t *testing.T) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 77))
		m := randomMarket(t, rng, 60+rng.IntN(150), 80+rng.IntN(250))
		for k := range m.Housing {
			if rng.IntN(8) == 0 {
				m.Housing[k].Commune, m.Housing[k].Point = "71999", nil
			}
			m.Housing[k].RentMonthly = float64(100 * (int(m.Housing[k].RentMonthly)/100 + 1))
		}
		orig := m.Housing
		for c := range 2 {
			for _, o := range orig {
				o.ID = fmt.Sprintf("%s-%d", o.ID, c)
				m.Housing = append(m.Housing, o)
			}
		}
		rng.Shuffle(len(m.Housing), func(a, b int) { m.Housing[a], m.Housing[b] = m.Housing[b], m.Housing[a] })
		hs := make([]matcher.Household, 24)
		for i := range hs {
			hs[i] = randomHousehold(rng, m, i)
		}
		var first []string
		for b := range 4 {
			eng, err := matcher.NewEngine(m, matcher.EngineOptions{TileKM: []float64{1, 2, 5}[seed%3]})
			if err != nil {
				t.Fatal(err)
			}
			for i := range hs {
				opts := matcher.PlanOptions{Top: []int{1, 3, 10, 25}[i%4], NoWhatIf: true,
					MaxPerCommune: []int{0, 1, 3}[i%3], MaxPerDepartment: []int{0, 2, 5, 1}[i%4]}
				p, err := eng.Plan(t.Context(), &hs[i], opts)
				if err != nil {
					t.Fatal(err)
				}
				p.GeneratedAt = time.Time{}
				out, err := json.Marshal(p)
				if err != nil {
					t.Fatal(err)
				}
				if b == 0 {
					first = append(first, string(out))
				} else if string(out) != first[i] {
					t.Fatalf("seed %d, build %d, household %d: the plan differs from the first build's", seed, b, i)
				}
			}
		}
	}
}

// fastAndNaive plans h with the fast search and the naive baseline.
func fastAndNaive(t *testing.T, eng *matcher.Engine, h *matcher.Household, opts matcher.PlanOptions) map[string]*matcher.Plan {
	t.Helper()
	fast, err := eng.Plan(t.Context(), h, opts)
	if err != nil {
		t.Fatal(err)
	}
	naive, err := eng.PlanNaive(t.Context(), h, opts)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*matcher.Plan{"fast": fast, "naive": naive}
}

// tieMarket returns an empty market over communes of the given codes,
// alike in everything but their code, in department 71.
func tieMarket(t *testing.T, codes ...string) *matcher.Market {
	t.Helper()
	var communes []geo.Commune
	for _, code := range codes {
		communes = append(communes, geo.Commune{Code: code, Name: "Ville " + code, Department: "71", Region: "27", EmploymentArea: "ZE1",
			Point: orb.Point{4.830, 46.310}, Population: 30000, DensityKm2: 3000, Zone: geo.ZoneB2, RentM2: 10, Unemployment: 0.08})
	}
	atlas, err := geo.NewAtlas(tieDeps71, communes)
	if err != nil {
		t.Fatal(err)
	}
	return &matcher.Market{Atlas: atlas, Shortage: matcher.NewShortageTable(0.5)}
}

// tieHome returns a social T2 of the tie tests at a point of a commune.
func tieHome(id, commune string, lon, lat, rent float64) matcher.HousingOffer {
	h := matcher.HousingOffer{ID: id, LandlordKind: matcher.Social, Commune: commune, Point: &matcher.Point{Lon: lon, Lat: lat},
		Rooms: 2, SurfaceM2: 45, Lease: matcher.DirectLease, RentMonthly: rent, ChargesMonthly: 60}
	h.ApplyDefaults()
	return h
}
