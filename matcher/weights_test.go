package matcher_test

import (
	"testing"

	"passerelle/matcher"
)

// TestWeightsValidate checks the weights an engine accepts: the defaults,
// and a clear error on the "weights" field or the weight's own for each
// kind of mistake, among them job-side weights that leave nothing to score
// a household with no adult seeking work.
func TestWeightsValidate(t *testing.T) {
	if err := matcher.DefaultWeights().Validate(); err != nil {
		t.Fatalf("default weights: %v", err)
	}
	tests := []struct {
		name string
		edit func(w *matcher.Weights)
		want []fieldCode
	}{
		{"negative", func(w *matcher.Weights) { w.Territory = -0.1 }, []fieldCode{{"weights.territory", "out_of_range"}}},
		{"sum above 1", func(w *matcher.Weights) { w.JobFit += 0.1 }, []fieldCode{{"weights", "inconsistent"}}},
		{"sum off by less than 0.001", func(w *matcher.Weights) { w.JobFit += 0.0005 }, nil},
		{"nothing but jobs", func(w *matcher.Weights) {
			*w = matcher.Weights{JobFit: 0.5, Contract: 0.2, Shortage: 0.1, Commute: 0.2003,
				Affordability: 0.0003, HousingStability: 0.0001, SizeFit: 0.0001, Territory: 0.0001}
		}, []fieldCode{{"weights", "inconsistent"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := matcher.DefaultWeights()
			tc.edit(&w)
			checkFields(t, w.Validate(), tc.want...)
		})
	}
}
