package matcher

import (
	"math"
	"strings"

	"passerelle/geo"
)

// Match tiers of a job for a person, from the best to the weakest.
const (
	TierNone        = 0
	TierGrandDomain = 1 // same grand domaine (first letter of the ROME code)
	TierBeginners   = 2 // the employer accepts beginners
	TierDomain      = 3 // same domaine professionnel (first three characters)
	TierExactNew    = 4 // exact ROME code, no experience
	TierExact       = 5 // exact ROME code with at least one year of experience
)

// tierFit is the job_fit value of each tier before the French penalty.
var tierFit = [...]float64{TierNone: 0, TierGrandDomain: 0.3, TierBeginners: 0.4, TierDomain: 0.6, TierExactNew: 0.8, TierExact: 1.0}

// tierName is the JSON name of each tier in JobBrief.Match.
var tierName = [...]string{TierNone: "none", TierGrandDomain: "grand_domain", TierBeginners: "beginners", TierDomain: "domain", TierExactNew: "exact", TierExact: "exact"}

// FrenchPenaltyPerLevel is subtracted from job_fit for each CEFR level the
// person is below the job's requirement; more than MaxFrenchGap levels
// below is a hard rejection.
const (
	FrenchPenaltyPerLevel = 0.15
	MaxFrenchGap          = 2
)

// matchTier returns the best tier of a job with ROME code rome and
// beginners flag for a person with occupations occ.
func matchTier(occ []Occupation, rome string, beginnersOK bool) int {
	best := TierNone
	if beginnersOK {
		best = TierBeginners
	}
	for _, o := range occ {
		t := TierNone
		switch {
		case o.ROME == rome && o.Years >= 1:
			t = TierExact
		case o.ROME == rome:
			t = TierExactNew
		case len(o.ROME) >= 3 && len(rome) >= 3 && o.ROME[:3] == rome[:3]:
			t = TierDomain
		case o.ROME != "" && rome != "" && o.ROME[0] == rome[0]:
			t = TierGrandDomain
		}
		if t > best {
			best = t
		}
	}
	return best
}

// romeKey packs a five-character ROME code (a letter and four digits, as
// validation requires) into an integer whose top bits are its prefixes:
// two codes share their grand domaine when key>>32 is equal and their
// domaine when key>>16 is, so matchTierKey compares codes without reading
// the offer behind a job. Any other string gives 0.
func romeKey(code string) uint64 {
	if len(code) != 5 {
		return 0
	}
	var k uint64
	for i := range 5 {
		k = k<<8 | uint64(code[i])
	}
	return k
}

// matchTierKey is matchTier for job j and a seeker's occupations with their
// romeKey in keys (same order): the same tier, from the keys packed in the
// job and the seeker, except for a code that romeKey does not pack.
func matchTierKey(occ []Occupation, keys []uint64, j *jItem) int {
	if j.rome == 0 {
		return matchTier(occ, j.o.ROME, j.beginners)
	}
	best := TierNone
	if j.beginners {
		best = TierBeginners
	}
	for i, k := range keys {
		if k == 0 {
			return matchTier(occ, j.o.ROME, j.beginners)
		}
		t := TierNone
		switch {
		case k == j.rome && occ[i].Years >= 1:
			t = TierExact
		case k == j.rome:
			t = TierExactNew
		case k>>16 == j.rome>>16:
			t = TierDomain
		case k>>32 == j.rome>>32:
			t = TierGrandDomain
		}
		best = max(best, t)
	}
	return best
}

// jobFit returns the job_fit value of a tier for a French gap of gap
// levels (requirement minus the person's level, ≤ 0 when the level is met).
func jobFit(tier, gap int) float64 {
	v := tierFit[tier]
	if gap > 0 {
		v -= FrenchPenaltyPerLevel * float64(gap)
	}
	return max(0, v)
}

// contractValue is the contract component (DESIGN §4). The first four kinds
// of contract meet AGIR's exit criterion.
func contractValue(c Contract, months int) float64 {
	switch c {
	case CDI:
		return 1
	case CDD:
		if months >= 6 {
			return 0.85
		}
		return 0.4
	case Apprenticeship, Professionalisation:
		return 0.8
	case Training:
		return 0.75
	case Insertion:
		return 0.6
	case Interim:
		return 0.35
	case Seasonal:
		return 0.3
	}
	return 0
}

// MeetsAGIRExit reports whether a contract meets AGIR's employment exit
// criterion: a CDI, a CDD of more than 6 months, a work-study contract
// (apprenticeship, professionalisation) or a qualifying training.
func MeetsAGIRExit(c Contract, months int) bool {
	switch c {
	case CDI, Apprenticeship, Professionalisation, Training:
		return true
	case CDD:
		return months >= 6
	}
	return false
}

// commuteValue is 1 up to 15 minutes, falling linearly to 0 at maxMin.
func commuteValue(minutes, maxMin float64) float64 {
	if minutes <= 15 {
		return 1
	}
	if maxMin <= 15 {
		return 0
	}
	return clamp01((maxMin - minutes) / (maxMin - 15))
}

// Effort-rate thresholds: affordability is 1 at or below EffortGood and 0
// at EffortMax; above EffortMax the option is rejected.
const (
	EffortGood = 0.25
	EffortMax  = 0.40
)

func affordValue(effort float64) float64 {
	return clamp01((EffortMax - effort) / (EffortMax - EffortGood))
}

// stabilityValue is the housing_stability component: AGIR's exit needs
// permanent housing, so a direct lease scores best.
func stabilityValue(kind LandlordKind, lease Lease) float64 {
	if kind == Relay {
		if lease == SlidingLease {
			return 0.85
		}
		return 0.5
	}
	switch lease {
	case DirectLease:
		return 1
	case SlidingLease:
		return 0.85
	case ResidenceLease, SubLease:
		return 0.6
	}
	return 0.5
}

// idealRooms is the T-number that fits a household: one main room for a
// person alone, then a living room plus one bedroom for the couple (or a
// single parent), one per further adult, and one per two children.
func idealRooms(adults, children int) int {
	if adults+children <= 1 {
		return 1
	}
	bedrooms := 1 + max(0, adults-2) + (children+1)/2
	return 1 + bedrooms
}

// sizeValue is the size_fit component: 1 for an exact fit, −0.2 per room
// away from the ideal.
func sizeValue(rooms, ideal int, shared bool) float64 {
	if shared {
		return 1
	}
	d := rooms - ideal
	if d < 0 {
		d = -d
	}
	return clamp01(1 - 0.2*float64(d))
}

// territoryValue is the territory component of a commune: an easier housing
// market (ABC zone), lower unemployment, an AGIR operator and French
// courses within reach.
func territoryValue(c *geo.Commune) float64 {
	v := 0.4 * c.Zone.Ease()
	v += 0.3 * clamp01((0.15-c.Unemployment)/0.10)
	if c.AGIROperator {
		v += 0.15
	}
	if c.FrenchCourses {
		v += 0.15
	}
	return v
}

// timingValue is 1 when the two days are at most 15 days apart, falling
// linearly to 0 at 90 days.
func timingValue(gapDays int) float64 {
	if gapDays < 0 {
		gapDays = -gapDays
	}
	if gapDays <= 15 {
		return 1
	}
	return clamp01(float64(90-gapDays) / 75)
}

// Net wage: the usual private-sector ratio of net to gross pay and the 2026
// SMIC, used when an offer gives no salary.
const (
	NetOfGross      = 0.78
	SMICGrossHourly = 12.02 // euros, 1 January 2026
	hoursPerMonth   = 52.0 / 12
)

// netMonthly estimates the net monthly wage of a job in euros.
func netMonthly(j *JobOffer) float64 {
	hours := j.HoursWeekly
	if hours <= 0 {
		hours = 35
	}
	g := (j.SalaryMonthlyGross.Min + j.SalaryMonthlyGross.Max) / 2
	if j.SalaryMonthlyGross.Max <= 0 {
		g = j.SalaryMonthlyGross.Min
	}
	floor := SMICGrossHourly * hours * hoursPerMonth
	if g < floor {
		g = floor
	}
	return math.Round(g*NetOfGross*100) / 100
}

// domainOf returns the domaine professionnel (first three characters) of a
// ROME code, or "".
func domainOf(rome string) string {
	if len(rome) < 3 {
		return ""
	}
	return strings.ToUpper(rome[:3])
}
