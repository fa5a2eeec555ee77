package matcher

import "math"

// APLParams are the parameters of the APL (aide personnalisée au logement)
// barème for rented homes, in euros per month. They sit in one table with
// their year so that the yearly revaluation is one edit.
type APLParams struct {
	Year int
	// Ceilings[zone-1] are the rent ceilings of APL zones I, II and III:
	// one person alone, a couple, a household of one or two with one
	// dependant, and the increment per further dependant.
	Ceilings [3]struct{ Single, Couple, OneDependant, PerExtra float64 }
	// Charges is the flat-rate charges allowance for a person alone or a
	// couple, and ChargesPerDependant the increment per dependant.
	Charges, ChargesPerDependant float64
	// P0Rate and P0Min give the minimal personal participation:
	// max(P0Rate × (rent + charges), P0Min).
	P0Rate, P0Min float64
	// FamilyRate is the TF rate by number of dependants (index 0 for a
	// person alone, 1 for a couple without dependants, then 1 to 4+
	// dependants at indexes 2 to 5).
	FamilyRate [6]float64
	// Allowance is the yearly income disregarded (R0), for a person alone
	// and for a couple, plus the increment per dependant.
	AllowanceSingle, AllowanceCouple, AllowancePerDependant float64
	// MinPaid is the smallest amount paid: below it no APL is paid.
	MinPaid float64
	// Deduction is the flat amount withheld from every payment.
	Deduction float64
}

// APL2025 is the barème in force from 1 October 2024 to 30 September 2025
// (arrêté of 27 September 2024, revaluation of +3.26 %), rounded to the cent.
// The income allowances (R0) are yearly, rounded. Plans say
// "estimate": the CAF computes the real amount from the household's
// declared resources.
var APL2025 = APLParams{
	Year: 2025,
	Ceilings: [3]struct{ Single, Couple, OneDependant, PerExtra float64 }{
		{319.30, 385.09, 435.24, 63.15},
		{278.28, 340.62, 383.28, 55.79},
		{260.82, 316.17, 354.44, 50.81},
	},
	Charges: 58.08, ChargesPerDependant: 13.16,
	P0Rate: 0.085, P0Min: 39.48,
	FamilyRate:      [6]float64{0.0283, 0.0315, 0.0270, 0.0238, 0.0201, 0.0185},
	AllowanceSingle: 5093, AllowanceCouple: 7300, AllowancePerDependant: 1500,
	MinPaid: 10, Deduction: 5,
}

// EstimateAPL estimates the monthly APL of a household renting a home, in
// euros: zone is the APL zone (1, 2 or 3), couple says whether two adults
// share the home, dependants counts children and other dependants, rent
// excludes charges, income is the household's monthly net income. Shared
// flats are estimated per occupant as a person alone. The result is ≥ 0
// and never NaN.
func (p *APLParams) EstimateAPL(zone int, couple bool, dependants int, rent, income float64) float64 {
	if zone < 1 || zone > 3 {
		zone = 3
	}
	if rent <= 0 || math.IsNaN(rent) {
		return 0
	}
	if income < 0 || math.IsNaN(income) {
		income = 0
	}
	l := min(rent, p.ceiling(zone, couple, dependants))
	apl := p.raw(couple, dependants, l, l, income)
	if apl < p.MinPaid {
		return 0
	}
	return math.Round(apl*100) / 100
}

// MaxAPL bounds from above the APL of every rent in [rentLo, rentHi] for
// the household: EstimateAPL(zone, couple, dependants, rent, income) ≤
// MaxAPL(zone, couple, dependants, rentLo, rentHi, income) whenever rentLo ≤
// rent ≤ rentHi. The APL is not monotone in the rent (the participation
// grows with it), so the bound takes the rent's own term at rentHi and the
// participation at rentLo. It lets the planner bound the cost of a whole
// run of homes without estimating each.
func (p *APLParams) MaxAPL(zone int, couple bool, dependants int, rentLo, rentHi, income float64) float64 {
	if zone < 1 || zone > 3 {
		zone = 3
	}
	if rentHi <= 0 || math.IsNaN(rentHi) || math.IsNaN(rentLo) {
		return 0
	}
	if income < 0 || math.IsNaN(income) {
		income = 0
	}
	ceiling := p.ceiling(zone, couple, dependants)
	apl := p.raw(couple, dependants, min(rentHi, ceiling), min(max(rentLo, 0), ceiling), income)
	// EstimateAPL rounds to the cent: half a cent more at most.
	return max(0, apl+0.005)
}

// ceiling is the rent ceiling of the household in the zone.
func (p *APLParams) ceiling(zone int, couple bool, dependants int) float64 {
	c := p.Ceilings[zone-1]
	switch {
	case dependants == 0 && !couple:
		return c.Single
	case dependants == 0:
		return c.Couple
	default:
		return c.OneDependant + float64(dependants-1)*c.PerExtra
	}
}

// raw is the barème's formula before the minimum payment and the rounding,
// with the rent term l and the participation computed on the rent lp:
// both are the capped rent for an estimate; a bound takes l ≥ lp.
func (p *APLParams) raw(couple bool, dependants int, l, lp, income float64) float64 {
	ch := p.Charges + float64(dependants)*p.ChargesPerDependant
	tfIdx := 0
	switch {
	case dependants == 0 && couple:
		tfIdx = 1
	case dependants > 0:
		tfIdx = 1 + min(dependants, 4)
	}
	// TL, the rent rate: grows with the rent relative to the zone II
	// ceiling of the household, as in the barème.
	ref := p.Ceilings[1].Single
	if couple || dependants > 0 {
		ref = p.Ceilings[1].Couple
	}
	rl := lp / ref
	tl := 0.0
	switch {
	case rl > 0.75:
		tl = 0.0045*30 + 0.0068*(rl*100-75)
	case rl > 0.45:
		tl = 0.0045 * (rl*100 - 45)
	}
	tp := p.FamilyRate[tfIdx] + tl/100

	r0 := p.AllowanceSingle
	if couple {
		r0 = p.AllowanceCouple
	}
	r0 += float64(dependants) * p.AllowancePerDependant
	p0 := max(p.P0Rate*(lp+ch), p.P0Min)
	pp := p0 + tp*max(0, 12*income-r0) // Tp applies to yearly resources
	return l + ch - pp - p.Deduction
}
