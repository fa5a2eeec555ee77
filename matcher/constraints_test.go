package matcher_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"passerelle/geo"
	"passerelle/matcher"
)

// checkPlan verifies, independently of the engine's code, that every option
// of p satisfies every hard constraint of DESIGN §4 for household h.
func checkPlan(t *testing.T, m *matcher.Market, h matcher.Household, p *matcher.Plan) {
	t.Helper()
	h.ApplyDefaults()
	housing := map[string]*matcher.HousingOffer{}
	for i := range m.Housing {
		housing[m.Housing[i].ID] = &m.Housing[i]
	}
	jobs := map[string]*matcher.JobOffer{}
	for i := range m.Jobs {
		jobs[m.Jobs[i].ID] = &m.Jobs[i]
	}
	adults, children, minAge := 0, 0, 200
	for _, mb := range h.Members {
		if mb.Role == matcher.Adult {
			adults++
			minAge = min(minAge, mb.Age)
		} else {
			children++
		}
	}
	persons := adults + children
	seen := map[string]bool{}
	for _, o := range p.Options {
		ho := housing[o.Housing.ID]
		if ho == nil {
			t.Fatalf("option %d: unknown housing %q", o.Rank, o.Housing.ID)
		}
		if seen[ho.ID] {
			t.Errorf("option %d: housing %s appears twice", o.Rank, ho.ID)
		}
		seen[ho.ID] = true
		if ho.Status != "" && ho.Status != matcher.StatusOpen {
			t.Errorf("option %d: housing %s is %s", o.Rank, ho.ID, ho.Status)
		}
		c, ok := m.Atlas.Commune(ho.Commune)
		if !ok {
			t.Fatalf("housing commune %s unknown", ho.Commune)
		}
		switch h.Relocation.Scope {
		case matcher.ScopeDepartments:
			if !slices.Contains(h.Relocation.Departments, c.Department) {
				t.Errorf("option %d: department %s out of scope", o.Rank, c.Department)
			}
		case matcher.ScopeRegions:
			if !slices.Contains(h.Relocation.Regions, c.Region) {
				t.Errorf("option %d: region %s out of scope", o.Rank, c.Region)
			}
		}
		if ho.Shared {
			if adults != 1 || children != 0 || !h.SharedOK {
				t.Errorf("option %d: shared flat for a household that cannot share", o.Rank)
			}
			if ho.Gender != matcher.AnyGender && ho.Gender != "" && ho.Gender != h.Members[0].Sex {
				t.Errorf("option %d: shared flat for %s, member is %s", o.Rank, ho.Gender, h.Members[0].Sex)
			}
		} else {
			maxOcc := ho.MaxOccupants
			if maxOcc == 0 {
				maxOcc = matcher.MaxOccupantsForSurface(ho.SurfaceM2)
			}
			if persons > maxOcc {
				t.Errorf("option %d: %d persons in a home for %d", o.Rank, persons, maxOcc)
			}
		}
		if ho.LandlordKind == matcher.PensionDeFamille && (adults != 1 || children != 0) {
			t.Errorf("option %d: pension de famille for a household that is not isolated", o.Rank)
		}
		if slices.Contains(h.Needs, matcher.NeedStepFree) && !ho.StepFree {
			t.Errorf("option %d: not step-free", o.Rank)
		}
		if !ho.AvailableFrom.IsZero() && h.MoveFrom.DaysUntil(ho.AvailableFrom) > matcher.HousingWindowDays {
			t.Errorf("option %d: housing available too late", o.Rank)
		}
		b := o.Budget
		if b.EffortRate > matcher.EffortMax+1e-9 || math.IsNaN(b.EffortRate) {
			t.Errorf("option %d: effort rate %v", o.Rank, b.EffortRate)
		}
		if minAge < 25 && b.IncomeMonthly <= 0 {
			t.Errorf("option %d: under 25 with no income", o.Rank)
		}
		members := map[int]bool{}
		for _, jb := range o.Jobs {
			jo := jobs[jb.ID]
			if jo == nil {
				t.Fatalf("option %d: unknown job %q", o.Rank, jb.ID)
			}
			mb := h.Members[jb.Member]
			if mb.Role != matcher.Adult || !mb.SeeksWork {
				t.Errorf("option %d: job for member %d who does not seek work", o.Rank, jb.Member)
			}
			if members[jb.Member] {
				t.Errorf("option %d: two jobs for member %d", o.Rank, jb.Member)
			}
			members[jb.Member] = true
			if jb.CommuteMinutes > h.MaxCommuteMinutes {
				t.Errorf("option %d: commute %d > %d", o.Rank, jb.CommuteMinutes, h.MaxCommuteMinutes)
			}
			if !slices.Contains(h.Modes, jb.Mode) {
				t.Errorf("option %d: mode %s not allowed", o.Rank, jb.Mode)
			}
			if jo.DrivingLicence && mb.DrivingLicence == matcher.NoLicence || jo.DrivingLicence && mb.DrivingLicence == "" {
				t.Errorf("option %d: job needs a licence", o.Rank)
			}
			if jo.FrenchLevel.Rank()-max(0, mb.FrenchLevel.Rank()) > matcher.MaxFrenchGap {
				t.Errorf("option %d: French %s for a job requiring %s", o.Rank, mb.FrenchLevel, jo.FrenchLevel)
			}
			if jb.Mode == geo.Car && mb.DrivingLicence == matcher.NoLicence {
				hasDriver := false
				for _, x := range h.Members {
					hasDriver = hasDriver || x.Role == matcher.Adult && x.DrivingLicence != matcher.NoLicence && x.DrivingLicence != ""
				}
				if !hasDriver {
					t.Errorf("option %d: car with no driver", o.Rank)
				}
			}
		}
		sum := 0.0
		for _, f := range o.Factors {
			if f.Value < 0 || f.Value > 1 {
				t.Errorf("option %d: factor %s = %v", o.Rank, f.Name, f.Value)
			}
			if f.Reason == "" || f.ReasonEN == "" {
				t.Errorf("option %d: factor %s has no reason", o.Rank, f.Name)
			}
			sum += f.Value * f.Weight
		}
		bonus := 0.0
		if o.Wish {
			bonus = matcher.DefaultWeights().WishBonus
		}
		if math.Abs(sum+bonus-o.Score) > 2e-3 {
			t.Errorf("option %d: factors sum to %v + %v, score %v", o.Rank, sum, bonus, o.Score)
		}
	}
	for i := 1; i < len(p.Options); i++ {
		if p.Options[i].Score > p.Options[i-1].Score {
			t.Errorf("options not in score order at %d", i)
		}
	}
}

func TestPlanHardConstraintsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	m := randomMarket(t, rng, 2000, 3000)
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		h := randomHousehold(rng, m, i)
		p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, m, h, p)
	}
}

// TestRadiusScopeFarPoint: a radius scope takes a home whose commune is
// within the radius, wherever the offer's own point lies; the search must
// not leave out the tile of a point 200 km away from its commune (a
// landlord's typo), as a fixed margin around the radius did.
func TestRadiusScopeFarPoint(t *testing.T) {
	m := tieMarket(t, "71001")
	m.Housing = []matcher.HousingOffer{tieHome("far", "71001", 7.43, 46.31, 400)}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	move := matcher.NewDate(2026, 12, 1)
	h := tieCook(move)
	h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: 20}
	for name, p := range fastAndNaive(t, eng, &h, matcher.PlanOptions{Top: 3, NoWhatIf: true, Today: move}) {
		if len(p.Options) != 1 || p.Options[0].Housing.ID != "far" {
			t.Errorf("%s: options %v, want the home of commune 71001", name, optionKeys(p))
		}
	}
}
