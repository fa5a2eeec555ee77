package datasets

import (
	"math"
	"math/rand/v2"
	"sort"

	"passerelle/geo"
	"passerelle/matcher"
)

// Households returns n deterministic synthetic households shaped like the
// people AGIR, Key to France and IML BPI serve: mostly isolated men aged
// 21–35 (about 55 %), women alone (10 %, some with children), couples
// without children (10 %), families with one to four children (20 %), a few
// older isolated men; French levels A0–C1; about a quarter of adults with a
// foreign driving licence; occupations from Occupations(); protection
// granted in 2025 or 2026. Each lives in a commune of m (drawn by
// population, Île-de-France, Lyon and Marseille weighted up); when m or its
// atlas is nil, prefectures of the embedded table are used. The same seed,
// n and market give the same households. It returns nil for n <= 0.
func Households(seed uint64, n int, m *matcher.Market) []matcher.Household {
	if n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, streamHouseholds))
	deps := DepartmentInfos()
	depRegion := make(map[string]string, len(deps))
	for _, d := range deps {
		depRegion[d.Code] = d.Region
	}

	// Candidate communes, in code order (the atlas iterates in map order).
	type place struct {
		code string
		pop  int
	}
	var places []place
	if m != nil && m.Atlas != nil {
		m.Atlas.Communes(func(c *geo.Commune) bool {
			places = append(places, place{c.Code, c.Population})
			return true
		})
		sort.Slice(places, func(i, j int) bool { return places[i].code < places[j].code })
	}
	if len(places) == 0 {
		for _, d := range deps {
			places = append(places, place{d.PrefectureCode, d.PrefecturePopulation})
		}
	}
	hasArrondissements := false
	if m != nil && m.Atlas != nil {
		_, hasArrondissements = m.Atlas.Commune("75118")
	}
	w := make([]float64, len(places))
	for i, p := range places {
		if p.code == parisCode && hasArrondissements {
			continue // the arrondissements stand for Paris
		}
		v := math.Pow(float64(max(p.pop, 1)), 1.2)
		switch geo.DepartmentOf(p.code) {
		case "75", "93":
			v *= 4
		case "92", "94", "95", "69", "13":
			v *= 2.5
		}
		w[i] = v
	}
	cum := cumulative(w)

	out := make([]matcher.Household, n)
	ids := newIDBlock("hh-", 6, n)
	for i := range out {
		h := &out[i]
		h.ID = ids.at(i)
		code := places[pick(r, cum)].code
		dep := geo.DepartmentOf(code)
		h.Commune = code
		h.ExternalRef = "AGIR-" + dep + "-" + string(pad(nil, i+1, 4))

		kind := drawCum(r, []float64{55, 65, 75, 95, 100})
		var children int
		switch kind {
		case 0: // isolated man
			age := between(r, 25, 35)
			if r.Float64() < 0.18 {
				age = between(r, 21, 24)
			}
			h.Members = []matcher.Member{adult(r, age, matcher.Male, true)}
		case 1: // woman alone, some with children
			h.Members = []matcher.Member{adult(r, between(r, 20, 45), matcher.Female, true)}
			if r.Float64() < 0.4 {
				children = between(r, 1, 3)
			}
		case 2: // couple without children
			h.Members = []matcher.Member{
				adult(r, between(r, 22, 45), matcher.Male, true),
				adult(r, between(r, 20, 45), matcher.Female, r.Float64() < 0.5),
			}
		case 3: // family
			h.Members = []matcher.Member{
				adult(r, between(r, 26, 50), matcher.Male, true),
				adult(r, between(r, 24, 48), matcher.Female, r.Float64() < 0.4),
			}
			children = between(r, 1, 4)
		default: // older isolated man
			h.Members = []matcher.Member{adult(r, between(r, 36, 58), matcher.Male, true)}
		}
		youngest := h.Members[len(h.Members)-1].Age
		for range children {
			sex := matcher.Male
			if r.IntN(2) == 0 {
				sex = matcher.Female
			}
			h.Members = append(h.Members, matcher.Member{Role: matcher.Child, Age: between(r, 0, min(17, youngest-17)), Sex: sex})
		}
		adults := len(h.Members) - children
		isolated := adults == 1 && children == 0
		first := h.Members[0]

		h.Protection = matcher.Protection{Kind: matcher.Refugee, GrantedOn: grantedOn(r)}
		switch x := r.Float64(); {
		case x < 0.28:
			h.Protection.Kind = matcher.Subsidiary
		case x < 0.30:
			h.Protection.Kind = matcher.Stateless
		}
		h.CIRSigned = r.Float64() < 0.92

		switch {
		case isolated && first.Age < 25:
			h.IncomeMonthly = 0 // no RSA before 25
		case isolated:
			h.IncomeMonthly = round0(uniform(r, 560, 650))
		case children == 0:
			h.IncomeMonthly = round0(uniform(r, 850, 980))
		default:
			h.IncomeMonthly = round0(min(uniform(r, 800, 1000)+float64(children)*uniform(r, 60, 120), 1200))
		}

		switch x := r.Float64(); {
		case x < 0.15:
			h.MaxCommuteMinutes = 30
		case x < 0.8:
			h.MaxCommuteMinutes = 45
		default:
			h.MaxCommuteMinutes = 60
		}
		h.Modes = []geo.Mode{geo.Walk, geo.Bike, geo.Transit}
		for _, mb := range h.Members {
			if mb.DrivingLicence == matcher.FrenchLicence && r.Float64() < 0.6 {
				h.Modes = append(h.Modes, geo.Car)
				break
			}
		}

		switch x := r.Float64(); {
		case x < 0.70:
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeAnywhere}
		case x < 0.82:
			regs := []string{depRegion[dep]}
			if r.Float64() < 0.5 {
				if o := depRegion[deps[r.IntN(len(deps))].Code]; o != regs[0] {
					regs = append(regs, o)
				}
			}
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeRegions, Regions: regs}
		case x < 0.94:
			ds := []string{dep}
			for range r.IntN(3) {
				if o := deps[r.IntN(len(deps))].Code; o != dep && o != ds[len(ds)-1] {
					ds = append(ds, o)
				}
			}
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: ds}
		default:
			h.Relocation = matcher.Relocation{Scope: matcher.ScopeRadius, RadiusKM: float64(50 * between(r, 2, 6))}
		}

		nw := drawCum(r, []float64{50, 75, 90, 100})
		for range nw {
			var wish string
			if r.IntN(2) == 0 {
				wish = deps[r.IntN(len(deps))].Code
			} else {
				wish = places[pick(r, cum)].code
			}
			dup := false
			for _, x := range h.Wishes {
				dup = dup || x == wish
			}
			if !dup {
				h.Wishes = append(h.Wishes, wish)
			}
		}

		h.SharedOK = isolated && r.Float64() < 0.8
		if r.Float64() < 0.03 {
			h.Needs = append(h.Needs, matcher.NeedStepFree)
		}
		if r.Float64() < 0.02 {
			h.Needs = append(h.Needs, matcher.NeedNearHospital)
		}
		if children > 0 {
			h.Needs = append(h.Needs, matcher.NeedSchool)
		}
		h.MoveFrom = matcher.Date{Time: RefDate.AddDate(0, 0, between(r, -15, 45))}
	}
	return out
}

// grantedOn draws a day of 2025 or 2026 before RefDate.
func grantedOn(r *rand.Rand) matcher.Date {
	start := matcher.NewDate(2025, 1, 1)
	days := start.DaysUntil(RefDate)
	return matcher.Date{Time: start.AddDate(0, 0, r.IntN(days))}
}

// frenchCumPc are the cumulative shares (percent) of French levels A0…C1
// among adults.
var frenchCumPc = []float64{5, 35, 65, 85, 95, 100}

// adult draws an adult member of the given age and sex.
func adult(r *rand.Rand, age int, sex matcher.Sex, seeks bool) matcher.Member {
	m := matcher.Member{Role: matcher.Adult, Age: age, Sex: sex, SeeksWork: seeks}
	m.FrenchLevel = frenchByRank[drawCum(r, frenchCumPc)]
	m.DrivingLicence = matcher.NoLicence
	switch x := r.Float64(); {
	case x < 0.25:
		m.DrivingLicence = matcher.ForeignLicence
	case x < 0.30:
		m.DrivingLicence = matcher.FrenchLicence
	}
	if age < 25 && r.Float64() < 0.7 {
		return m // no experience yet
	}
	if r.Float64() < 0.12 {
		return m
	}
	nOcc := 1
	if r.Float64() < 0.3 {
		nOcc = 2
	}
	maxYears := min(15, age-18)
	for range nOcc {
		code := occTable[pick(r, occZipfCum)].code
		if len(m.Occupations) > 0 && m.Occupations[0].ROME == code {
			continue
		}
		years := min(int(math.Floor(-math.Log(1-r.Float64())*4)), maxYears)
		m.Occupations = append(m.Occupations, matcher.Occupation{ROME: code, Years: years})
	}
	return m
}
