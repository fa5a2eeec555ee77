package matcher

import (
	"math/rand/v2"
	"testing"
)

// TestMaxAPLBoundsEstimate checks the run bound of the planner against
// the estimate itself: for random households, incomes and rent intervals,
// no rent of the interval gets more APL than MaxAPL says, and the bound
// of a single rent is the estimate within a cent (or the minimum paid).
func TestMaxAPLBoundsEstimate(t *testing.T) {
	p := &APL2025
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		zone := rng.IntN(4) // 0 is out of range: treated as zone III
		couple := rng.IntN(2) == 0
		dep := rng.IntN(6)
		income := []float64{0, 300, 800, 1400, 2500}[rng.IntN(5)] + rng.Float64()*200
		lo := rng.Float64() * 900
		hi := lo + rng.Float64()*rng.Float64()*800
		ub := p.MaxAPL(zone, couple, dep, lo, hi, income)
		for k := range 9 {
			rent := lo + (hi-lo)*float64(k)/8
			if got := p.EstimateAPL(zone, couple, dep, rent, income); got > ub {
				t.Fatalf("zone %d couple %v dependants %d income %.2f: APL(%.2f) = %.2f above MaxAPL(%.2f, %.2f) = %.4f",
					zone, couple, dep, income, rent, got, lo, hi, ub)
			}
		}
		if est, one := p.EstimateAPL(zone, couple, dep, lo, income), p.MaxAPL(zone, couple, dep, lo, lo, income); lo > 0 && est > 0 && one-est > 0.01 {
			t.Fatalf("MaxAPL(%.2f, %.2f) = %.4f, estimate %.2f: the bound of one rent should be the estimate", lo, lo, one, est)
		}
	}
}

// TestEstimateAPLShape checks the barème's shape: nothing without rent,
// less with more income, more with dependants, capped by the ceiling.
func TestEstimateAPLShape(t *testing.T) {
	p := &APL2025
	if got := p.EstimateAPL(1, false, 0, 0, 0); got != 0 {
		t.Fatalf("no rent: APL %v, want 0", got)
	}
	poor, richer := p.EstimateAPL(2, false, 0, 500, 0), p.EstimateAPL(2, false, 0, 500, 1200)
	if poor <= 0 || richer > poor {
		t.Fatalf("person alone, zone II, 500 €: APL %v without income and %v with 1,200 €", poor, richer)
	}
	if fam := p.EstimateAPL(2, true, 3, 500, 0); fam <= poor {
		t.Fatalf("couple with 3 dependants: APL %v, not above the person alone's %v", fam, poor)
	}
	if a, b := p.EstimateAPL(2, false, 0, 600, 0), p.EstimateAPL(2, false, 0, 900, 0); a != b {
		t.Fatalf("rents above the ceiling: APL %v and %v, want equal", a, b)
	}
	if got := p.EstimateAPL(1, false, 0, 400, 5000); got != 0 {
		t.Fatalf("income of 5,000 €: APL %v, want 0", got)
	}
}
