package matcher

import (
	"context"
	"fmt"
	"testing"
)

// CheckHomePairCut makes every home-level pair cut of the searches
// (homePairCut) also run on a copy of its step whose floor is the best
// job's value, and call fail when that copy drops a home that the best job
// alone, with the second seeker's lists (secondUB), may bring to θ: the
// best job found must count. checked returns how many cuts were checked;
// stop ends the checks.
func CheckHomePairCut(fail func(string)) (checked func() int, stop func()) {
	n := 0
	homePairCutCheck = func(wrong bool, job int32, v float64) {
		n++
		if wrong {
			fail(fmt.Sprintf("homePairCut dropped a home that its best job keeps (job %d, v = %g)", job, v))
		}
	}
	return func() int { return n }, func() { homePairCutCheck = nil }
}

// EvaluateAllocs plans h with the fast search, then evaluates again up to
// n homes of the market that h may take, against the plan's θ, and
// returns the allocations per home evaluated once the job lists, the
// filtered jobs and the warm starts of their tiles are built (a first
// pass builds them). The search's per-tile pair bounds are left out:
// they live in its scratch memory, returned to the pool when it ends.
func EvaluateAllocs(ctx context.Context, e *Engine, h *Household, n int) (float64, error) {
	hh := *h
	hh.ApplyDefaults()
	r, err := e.newRequest(e.snap.Load(), &hh, PlanOptions{NoWhatIf: true})
	if err != nil {
		return 0, err
	}
	cands, _, err := r.searchFast(ctx)
	if err != nil {
		return 0, err
	}
	theta := 0.0
	if len(cands) > 0 {
		theta = cands[len(cands)-1].score
	}
	r.tilePair, r.seekUB = nil, nil
	var homes []int32
	for hi := range r.s.housing {
		if len(homes) == n {
			break
		}
		if r.checkHousing(&r.s.housing[hi]) == "" {
			homes = append(homes, int32(hi))
		}
	}
	if len(homes) == 0 {
		return 0, nil
	}
	eval := func() {
		for _, hi := range homes {
			hc := r.housingCtx(&r.s.housing[hi])
			r.theta = theta
			r.evaluateAt(hi, &hc, r.housingUB(&hc), nil, theta)
		}
	}
	eval()
	return testing.AllocsPerRun(3, eval) / float64(len(homes)), nil
}
