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
	c := p.Ceilings[zone-1]
	var ceiling float64
	switch {
	case dependants == 0 && !couple:
		ceiling = c.Single
	case dependants == 0:
		ceiling = c.Couple
	default:
		ceiling = c.OneDependant + float64(dependants-1)*c.PerExtra
	}
	l := math.Min(rent, ceiling)
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
	rl := l / ref
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
	p0 := math.Max(p.P0Rate*(l+ch), p.P0Min)
	pp := p0 + tp*math.Max(0, 12*income-r0) // Tp applies to yearly resources

	apl := l + ch - pp - p.Deduction
	if apl < p.MinPaid {
		return 0
	}
	return math.Round(apl*100) / 100
}
