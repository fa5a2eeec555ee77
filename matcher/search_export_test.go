package matcher

import (
	"fmt"
	"math"
)

// CheckHomePairCut makes every home-level pair cut of the searches
// (homePairCut) also run on a copy of its step whose floor is the best
// job's value, and call fail when that copy drops a home that the best job
// alone, with the second seeker's lists (secondUB), may bring to θ: the
// best job found must count. checked returns how many cuts were checked;
// stop ends the checks.
func CheckHomePairCut(fail func(string)) (checked func() int, stop func()) {
	n := 0
	homePairCutHook = func(r *request, st *step, ls *listSet, i int) {
		n++
		at := *st
		at.floor = st.best.v
		pc := &st.pair
		if drop, _ := r.homePairCut(&at, ls, i); drop && r.secondUB(&st.best, pc.tp.within(1, pc.lo1), math.IsInf(pc.lo1, -1)) >= pc.need {
			fail(fmt.Sprintf("homePairCut dropped a home that its best job keeps (job %d, v = %g)", st.best.job, st.best.v))
		}
	}
	return func() int { return n }, func() { homePairCutHook = nil }
}
