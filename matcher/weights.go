package matcher

import (
	"fmt"
	"math"
)

// Component names, as reported in Factor.Name and used as JSON keys of
// Weights.
const (
	FactorJobFit           = "job_fit"
	FactorContract         = "contract"
	FactorShortage         = "shortage"
	FactorCommute          = "commute"
	FactorAffordability    = "affordability"
	FactorHousingStability = "housing_stability"
	FactorSizeFit          = "size_fit"
	FactorTerritory        = "territory"
	FactorTiming           = "timing"
)

// Weights are the weights of the score components. They are configurable
// per deployment; DefaultWeights sums to 1.
type Weights struct {
	JobFit           float64 `json:"job_fit"`
	Contract         float64 `json:"contract"`
	Shortage         float64 `json:"shortage"`
	Commute          float64 `json:"commute"`
	Affordability    float64 `json:"affordability"`
	HousingStability float64 `json:"housing_stability"`
	SizeFit          float64 `json:"size_fit"`
	Territory        float64 `json:"territory"`
	Timing           float64 `json:"timing"`
	// WishBonus is added to the score of an option in one of the
	// household's wishes (not a component: it is reported as a flag).
	WishBonus float64 `json:"wish_bonus"`
}

// DefaultWeights returns the weights of DESIGN §4 and a wish bonus of 0.03.
func DefaultWeights() Weights {
	return Weights{
		JobFit: 0.22, Contract: 0.12, Shortage: 0.12, Commute: 0.12,
		Affordability: 0.16, HousingStability: 0.10, SizeFit: 0.06,
		Territory: 0.06, Timing: 0.04, WishBonus: 0.03,
	}
}

// MinHousingWeight is the least total weight Validate accepts for the
// components that do not depend on a job: a household with no adult
// seeking work is scored on them alone.
const MinHousingWeight = 0.01

// jobSide returns the sum of the weights of the components that depend on
// a job.
func (w Weights) jobSide() float64 { return w.JobFit + w.Contract + w.Shortage + w.Commute }

// Validate returns a *ValidationError when a weight is negative, not finite
// or above 1, or when the components do not sum to 1 within 0.001.
func (w Weights) Validate() error {
	var ve ValidationError
	sum := 0.0
	for _, f := range []struct {
		name string
		v    float64
	}{
		{FactorJobFit, w.JobFit}, {FactorContract, w.Contract}, {FactorShortage, w.Shortage},
		{FactorCommute, w.Commute}, {FactorAffordability, w.Affordability},
		{FactorHousingStability, w.HousingStability}, {FactorSizeFit, w.SizeFit},
		{FactorTerritory, w.Territory}, {FactorTiming, w.Timing}, {"wish_bonus", w.WishBonus},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 || f.v > 1 {
			ve.add("weights."+f.name, "out_of_range",
				"Le poids doit être compris entre 0 et 1.", "The weight must be between 0 and 1.")
			continue
		}
		if f.name != "wish_bonus" {
			sum += f.v
		}
	}
	if len(ve.Fields) == 0 && math.Abs(sum-1) > 1e-3 {
		ve.add("weights", "inconsistent",
			fmt.Sprintf("La somme des poids doit valoir 1 (elle vaut %.3f).", sum),
			fmt.Sprintf("The weights must sum to 1 (they sum to %.3f).", sum))
	}
	// A household with no adult seeking work is scored on the other
	// components alone, divided by 1 − jobSide(): with the 0.001 allowed
	// above, that divisor could be zero or negative, and every score and
	// bound of such a household reversed.
	if len(ve.Fields) == 0 && 1-w.jobSide() < MinHousingWeight {
		ve.add("weights", "inconsistent",
			fmt.Sprintf("Les composantes qui ne dépendent pas d'un emploi (%s, %s, %s, %s, %s) doivent peser au moins %.2f ensemble.",
				FactorAffordability, FactorHousingStability, FactorSizeFit, FactorTerritory, FactorTiming, MinHousingWeight),
			fmt.Sprintf("The components that do not depend on a job (%s, %s, %s, %s, %s) must weigh at least %.2f together.",
				FactorAffordability, FactorHousingStability, FactorSizeFit, FactorTerritory, FactorTiming, MinHousingWeight))
	}
	return ve.err()
}
