package matcher

import (
	"math"
	"slices"

	"passerelle/geo"
)

// Component indexes in candidate.comps.
const (
	cJobFit = iota
	cContract
	cShortage
	cCommute
	cAfford
	cStability
	cSize
	cTerritory
	cTiming
	nComps
)

var compNames = [nComps]string{FactorJobFit, FactorContract, FactorShortage, FactorCommute,
	FactorAffordability, FactorHousingStability, FactorSizeFit, FactorTerritory, FactorTiming}

func (w Weights) vector() [nComps]float64 {
	return [nComps]float64{w.JobFit, w.Contract, w.Shortage, w.Commute, w.Affordability,
		w.HousingStability, w.SizeFit, w.Territory, w.Timing}
}

// choice is the job a seeker takes in an option.
type choice struct {
	seeker  int // index in request.seekers
	job     int32
	tier    int
	fit     float64
	minutes float64
	// mode indexes geo.Modes: a string here would make every step, and
	// the home's context it points to, escape to the heap.
	mode   int8
	cm, tm float64
	// v is what the job brings to the seeker from this home: weighted fit,
	// contract, shortage, commute and timing.
	v float64
}

// candidate is one evaluated housing option.
type candidate struct {
	h      int32
	ord    int32 // hItem.ord: ties go to the home listed first
	score  float64
	jobs   []choice
	comps  [nComps]float64
	weight [nComps]float64 // weights used (renormalised without job side)
	apl    float64
	income float64
	effort float64
	wish   bool
}

// housingCtx holds what one housing offer contributes to every option built
// on it.
type housingCtx struct {
	h          *hItem
	rent, ch   float64
	aplZone    int
	dependants int
	couple     bool
	size, wish float64
	moveDay    day // the day the household can move in
	tmNoJob    float64
	cosLat     float64
}

func (r *request) housingCtx(h *hItem) housingCtx {
	hc := housingCtx{h: h, rent: h.rent, ch: h.charges, aplZone: int(h.aplZone),
		dependants: r.children, couple: r.aplCouple, moveDay: r.moveDay}
	if h.shared {
		hc.dependants, hc.couple = 0, false
	}
	hc.size = sizeValue(int(h.rooms), r.ideal, h.shared)
	hc.wish = r.wishOf(h.c)
	// cos of a latitude at least as far from the equator as any job
	// within reach, for the equirectangular lower bounds of distances.
	hc.cosLat = math.Cos(min(89, math.Abs(h.end.Point[1])+r.reachM/110000+0.01) * math.Pi / 180)
	if h.avail != noDay && h.avail > hc.moveDay {
		hc.tmNoJob = timingValue(int(h.avail - hc.moveDay))
		hc.moveDay = h.avail
	} else {
		hc.tmNoJob = 1
	}
	return hc
}

// wishOf returns the wish bonus of a home in commune c.
func (r *request) wishOf(c *geo.Commune) float64 {
	for _, w := range r.wishes {
		if w == c.Code || w == c.Department {
			return r.w.WishBonus
		}
	}
	return 0
}

// upperBound returns an upper bound of the score of any option on this
// housing, whatever its jobs, excluding the job-side components.
func (r *request) housingUB(hc *housingCtx) float64 {
	w := r.w
	effort := (hc.rent + hc.ch - r.s.apl.EstimateAPL(hc.aplZone, hc.couple, hc.dependants, hc.rent, r.incomeMin))
	aff := 1.0
	if r.incomeMax > 0 {
		aff = affordValue(effort / r.incomeMax)
	}
	v := w.Affordability*aff + hc.h.static + w.SizeFit*hc.size + w.Timing + hc.wish
	if !r.jobSide {
		v = (v - hc.wish) / (1 - w.jobSide())
		v += hc.wish
	}
	return v
}

// score computes an option's score and components. ok is false when the
// option breaks the effort-rate or the under-25 rule; the reason is left
// in r.pending.
func (r *request) score(hc *housingCtx, jobs []choice, out *candidate) (ok bool) {
	w := r.w.vector()
	var comps [nComps]float64
	income := r.incomeMin
	if len(jobs) > 0 {
		nf, nc, ns := 1.0, 1.0, 1.0
		cm, tm := 0.0, 0.0
		for i := range jobs {
			c := &jobs[i]
			j := &r.s.jobs[c.job]
			nf *= 1 - c.fit
			nc *= 1 - j.ct
			ns *= 1 - j.sh
			cm += c.cm
			tm += c.tm
			income += j.net
		}
		n := float64(len(jobs))
		comps[cJobFit], comps[cContract], comps[cShortage] = 1-nf, 1-nc, 1-ns
		comps[cCommute], comps[cTiming] = cm/n, tm/n
	} else {
		comps[cTiming] = hc.tmNoJob
	}
	apl := r.s.apl.EstimateAPL(hc.aplZone, hc.couple, hc.dependants, hc.rent, income)
	cost := hc.rent + hc.ch - apl
	effort := math.Inf(1)
	if income > 0 {
		effort = max(0, cost) / income
	}
	if income <= 0 && r.minAdultAge < 25 {
		r.pending = RejectUnder25NoIncome
		return false
	}
	if effort > EffortMax {
		r.pending = RejectEffortRate
		return false
	}
	comps[cAfford] = affordValue(effort)
	comps[cStability] = hc.h.stab
	comps[cSize] = hc.size
	comps[cTerritory] = hc.h.terr
	if !r.jobSide {
		js := 1 - r.w.jobSide()
		for k := range w {
			if k <= cCommute {
				w[k] = 0
			} else {
				w[k] /= js
			}
		}
	}
	total := hc.wish
	for k := range comps {
		total += w[k] * comps[k]
	}
	out.h = -1
	out.score, out.comps, out.weight = roundScore(total), comps, w
	out.apl, out.income, out.effort, out.wish = apl, income, effort, hc.wish > 0
	return true
}

// Scores are compared at 1e-9 (roundScore): below that, differences are
// the rounding of sums taken in another order, and a tie goes to the home
// listed first. So a home whose bound, rounded up, only ties what holds a
// bar and comes after it can be skipped without evaluating it. scoreEps
// covers the rounding of a bound against the score it bounds.
const scoreEps = 1e-12

// roundScore rounds a score to the 1e-9 grid on which options are ranked.
func roundScore(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// pairJob evaluates seeker si taking job j from housing hc: it returns
// false with the rejection reason counted when the pair is not feasible.
func (r *request) pairJob(hc *housingCtx, si int, ji int32, count bool) (choice, bool) {
	return r.pairJobTier(hc, si, ji, -1, count)
}

// pairJobTier is pairJob for a job whose tier for the seeker is known
// and whose job-level rules (checkJob) have passed, as for the jobs of a
// seeker's filtered lists; tier < 0: unknown, both are checked.
func (r *request) pairJobTier(hc *housingCtx, si int, ji int32, tier int, count bool) (choice, bool) {
	sk := &r.seekers[si]
	j := &r.s.jobs[ji]
	if tier < 0 {
		if gone(r.s.deadJ, ji) {
			// Withdrawn or changed since the engine was built. Jobs of
			// unknown tier come from the brute force's candidates, which
			// skip them already, or from filtered lists (warm starts,
			// probes): a second guard.
			return choice{}, false
		}
		tier = matchTierKey(sk.m.Occupations, sk.occKeys, j)
		if tier == TierNone {
			return choice{}, false
		}
		if why := r.checkJob(sk, j); why != "" {
			if count {
				r.reject(why)
			}
			return choice{}, false
		}
	}
	// Pairs beyond the search radius are not candidates: a cheap
	// latitude-only lower bound settles most of them without a haversine.
	if math.Abs(hc.h.end.Point[1]-j.end.Point[1])*metersPerDegLat > r.reachM {
		return choice{}, false
	}
	d := geo.DistanceCos(hc.h.end.Point, j.end.Point, hc.h.cos, j.cos)
	if d > r.reachM {
		return choice{}, false
	}
	mode, minutes, ok := r.fastest(d, hc.h.end, j.end)
	if !ok || minutes > r.maxMin {
		if count {
			r.reject(RejectCommute)
		}
		return choice{}, false
	}
	c := choice{seeker: si, job: ji, tier: tier, fit: jobFit(tier, int(j.frReq)-sk.fr), minutes: minutes, mode: mode,
		cm: commuteValue(minutes, r.maxMin)}
	if j.start != noDay {
		c.tm = timingValue(int(j.start - hc.moveDay))
	} else {
		c.tm = 1
	}
	w := &r.w
	// Summed as (fit + static) + (commute + timing), as tileSource sums a
	// job's own bound, so that v never exceeds it even by a rounding:
	// tileSource relies on it to skip the jobs that can at best tie.
	c.v = (w.JobFit*c.fit + j.static) + (w.Commute*c.cm + w.Timing*c.tm)
	return c, true
}

// modeIndex returns the index of m in geo.Modes.
func modeIndex(m geo.Mode) int8 {
	for i, x := range geo.Modes {
		if x == m {
			return int8(i)
		}
	}
	panic("matcher: unknown commute mode " + string(m))
}

// metersPerDegLat is a lower bound of the length of one degree of
// latitude on orb's sphere (2π × 6,378,137 m / 360 = 111,319 m), rounded down.
const metersPerDegLat = 111300.0

// distRouter is implemented by routers that can reuse a known distance.
type distRouter interface {
	MinutesDist(distM float64, from, to geo.End, mode geo.Mode) (float64, bool)
}

// fastest returns the household's fastest mode (its index in geo.Modes,
// the first of r.modes on a tie) between two ends d meters apart, and its
// minutes: through geo.Model.FastestDist, one call per pair, when the
// router is the distance model, else mode by mode.
func (r *request) fastest(d float64, from, to geo.End) (int8, float64, bool) {
	if r.model != nil {
		return r.model.FastestDist(d, from, to, r.modeIdx)
	}
	return bestMode(r.s.router, d, from, to, r.modes)
}

func bestMode(rt geo.Router, d float64, from, to geo.End, modes []geo.Mode) (int8, float64, bool) {
	dr, fast := rt.(distRouter)
	var best geo.Mode
	bestMin, found := 0.0, false
	for _, m := range modes {
		var t float64
		var ok bool
		if fast {
			t, ok = dr.MinutesDist(d, from, to, m)
		} else {
			t, ok = rt.Minutes(from, to, m)
		}
		if ok && (!found || t < bestMin) {
			best, bestMin, found = m, t, true
		}
	}
	if !found {
		return 0, 0, false
	}
	return modeIndex(best), bestMin, true
}

// step is the search for one seeker's job on one housing offer: the
// feasible job with the highest value v (see choice.v), ties to the job
// listed first in the market.
type step struct {
	r       *request
	hc      *housingCtx
	si      int
	taken   []choice // jobs of the previous seekers
	best    choice
	hasBest bool
	bestMkt int32 // jItem.mkt of best
	// floor is a value below which a job cannot matter: with a single
	// seeker, an option whose job has v < floor scores below θ.
	floor float64
	// pair, when its tp is set, stops the search (drop) as soon as the
	// best job found proves that the option cannot reach θ.
	pair pairCut
	drop bool
}

// cut is the value a job must be able to reach to be worth evaluating.
func (st *step) cut() float64 {
	if st.hasBest && st.best.v > st.floor {
		return st.best.v
	}
	return st.floor
}

// try evaluates job ji for the step's seeker; tf bounds the job's weighted
// fit (it is the fit itself, French penalty included, when the caller
// reads the job from the seeker's filtered list: among the jobs of one
// occupation within 15 minutes the commute is worth its most for all, and
// the French level and start day are what part them), and tier is the
// job's tier for the seeker when the caller knows it and the job passed
// checkJob (see pairJobTier), else −1.
func (st *step) try(ji int32, tf float64, tier int) {
	r := st.r
	j := &r.s.jobs[ji]
	used := 0
	for _, c := range st.taken {
		if c.job == ji {
			used++
		}
	}
	if used > 0 && used >= max(1, j.o.Positions) {
		return
	}
	// The exact timing and an equirectangular lower bound of the distance
	// settle, without a haversine, the jobs that cannot beat the best one
	// found.
	if cut := st.cut() - boundSlack; !math.IsInf(cut, -1) {
		tm := 1.0
		if j.start != noDay {
			tm = timingValue(int(j.start - st.hc.moveDay))
		}
		base := tf + j.static + r.w.Timing*tm
		if base+r.w.Commute < cut {
			return
		}
		p, q := st.hc.h.end.Point, j.end.Point
		dy := math.Abs(p[1] - q[1])
		dx := math.Abs(p[0]-q[0]) * st.hc.cosLat
		d := 0.99 * metersPerDegLat * math.Sqrt(dx*dx+dy*dy)
		if cm := r.commuteUB(d); cm < 0 || base+r.w.Commute*cm < cut {
			return
		}
	}
	c, ok := r.pairJobTier(st.hc, st.si, ji, tier, true)
	if !ok {
		return
	}
	if !st.hasBest || c.v > st.best.v || c.v == st.best.v && j.mkt < st.bestMkt {
		st.best, st.hasBest, st.bestMkt = c, true, j.mkt
		if pc := &st.pair; pc.tp != nil && pc.tp.bound(&r.w, c.v, pc.lo1) < pc.need {
			st.drop = true
		}
	}
}

// eachJob enumerates st's jobs through the tiles, or through scan (the
// naive baseline) when it is not nil. Concrete calls, not an interface:
// through one, the step and the home's context would escape to the heap,
// an allocation per home and seeker on the fast path.
func eachJob(scan *scanSource, st *step) {
	if scan != nil {
		scan.each(st)
		return
	}
	tileSource{}.each(st)
}

// evaluate builds the option of housing hi: each seeker, in member order,
// takes the feasible job of highest value v not already filled by the
// previous seekers (or no job when none is within reach); the option is
// then scored as a whole. It returns false when the option is infeasible
// (the reason is counted) or when it provably scores below theta (not
// counted).
//
// The proof is a floor on each seeker's v. Write H for the housing part of
// the score without timing (bounded by housingUB − Timing) and F, C, S, M,
// T for what the other seekers bring: 1 − ∏(1 − x) of their fit, contract
// and shortage values, the largest of their commute and timing values
// (their jobs when chosen, the tile's bounds otherwise). If this seeker
// takes a job x, the option scores at most H + K + α·v(x), where
// K = JobFit·F + Contract·C + Shortage·S + Commute·M + Timing·T and
// α = max(1−F, 1−C, 1−S, 1−M, 1−T): 1 − (1−f)(1−F) = F + (1−F)·f, and a
// mean of commutes is at most max(c, M) ≤ M + (1−M)·c. So a job with
// v < (θ − H − K)/α cannot lead to θ, and since the seeker takes the best
// v, nor can the option once no job reaches that floor, unless the seeker
// has no job at all: that case is bounded apart (H + K with the no-job
// timing) and searched again without a floor when the bound is not enough.
// With one seeker, K = 0 and α = 1: the floor is θ − H.
func (r *request) evaluate(hi int32, src *scanSource, theta float64) (candidate, bool) {
	hc := r.housingCtx(&r.s.housing[hi])
	c, ok := r.evaluateAt(hi, &hc, r.housingUB(&hc), src, theta)
	c.jobs = slices.Clone(c.jobs)
	return c, ok
}

// evaluateAt is evaluate for a home whose context hc and housing bound
// hub (housingUB) the caller has already computed. The option's jobs are
// the request's buffer, valid until the next call: a caller that keeps
// the option copies them.
func (r *request) evaluateAt(hi int32, hc *housingCtx, hub float64, src *scanSource, theta float64) (candidate, bool) {
	h := hc.h
	// The jobs are chosen in the request's buffer and copied only into
	// an option that is kept: most homes examined are not.
	chosen := r.chosen[:0]
	defer func() { r.chosen = chosen[:0] }()
	bounded := !math.IsInf(theta, -1)
	hs := hub - r.w.Timing // H: housing part bound without timing
	ubs := r.seekUB[h.tile]
	// With two seekers, the lists that cannot hold the job each will take
	// are left out of the option's bound (see tilePair): the second
	// seeker's from a job it can take from this home, the first seeker's
	// as its search finds better jobs, and the search stops as soon as
	// the option cannot reach θ, as it does for most homes.
	var tp *tilePair
	var pc pairCut
	lo1 := math.Inf(-1)
	if bounded && len(r.seekers) == 2 {
		if tp = r.tilePair[h.tile]; tp != nil {
			lo1 = r.secondFloor(hc, tp)
			pc = pairCut{tp: tp, lo1: lo1, need: theta - hub - boundSlack}
		}
	}
	for si := range r.seekers {
		floor, noJob := math.Inf(-1), math.Inf(1)
		if bounded {
			var rest []compUB
			if len(ubs) > 0 {
				rest = ubs[si+1:]
				// Give up as soon as the jobs chosen so far and the best
				// the others could bring cannot reach θ.
				if hs+r.w.Timing+r.jobSideUB(chosen, ubs[si:]) < theta-boundSlack {
					return candidate{}, false
				}
				if si == 1 && len(r.seekers) == 2 {
					// The same from the second seeker's job lists, each
					// list's values together (see pairBound).
					if tp != nil {
						var first *choice
						if len(chosen) > 0 {
							first = &chosen[0]
						}
						if r.secondUB(first, tp.within(1, lo1), math.IsInf(lo1, -1)) < pc.need {
							return candidate{}, false
						}
					}
				}
			}
			k, alpha, tOthers := r.othersBound(chosen, rest)
			if alpha > 0 {
				floor = (theta - hs - k) / alpha
				floor -= boundSlack * (1 + math.Abs(floor))
			}
			// No job for this seeker: the timing is the others' or,
			// when nobody has a job, the home's own.
			noJob = hs + k - r.w.Timing*tOthers + r.w.Timing*max(tOthers, hc.tmNoJob)
		}
		st := &step{r: r, hc: hc, si: si, taken: chosen, floor: floor}
		if si == 0 {
			st.pair = pc
		}
		eachJob(src, st)
		if st.drop {
			return candidate{}, false
		}
		switch {
		case st.hasBest && st.best.v >= floor:
			chosen = append(chosen, st.best)
		case floor <= 0:
			// Every feasible job reaches the floor: the seeker has none.
		case noJob < theta-boundSlack:
			return candidate{}, false
		default:
			// Without a job the option may still reach θ: search again
			// without the floor to know whether the seeker has one.
			st = &step{r: r, hc: hc, si: si, taken: chosen, floor: math.Inf(-1)}
			eachJob(src, st)
			if st.hasBest {
				chosen = append(chosen, st.best)
			}
		}
	}
	var c candidate
	if !r.score(hc, chosen, &c) {
		r.reject(r.pending)
		return candidate{}, false
	}
	c.h, c.ord = hi, h.ord
	c.jobs = chosen
	return c, true
}

// secondFloor returns, for the second seeker of a two-seeker household, a
// lower bound of the value v of the job it takes from home hc (−Inf when
// none is known): the value from hc of the job it took from the last home
// of the tile that it reached (tileSource's warm start), or else of a job
// of its best list there (tilePair.probe), when it can take it from hc.
// The first seeker may take the job before it when it has a single
// position: such a job is used only when the first seeker cannot take it.
func (r *request) secondFloor(hc *housingCtx, tp *tilePair) float64 {
	lo := math.Inf(-1)
	s0 := &r.seekers[0]
	try := func(ji int32) {
		j := &r.s.jobs[ji]
		if max(1, j.o.Positions) < 2 && matchTierKey(s0.m.Occupations, s0.occKeys, j) != TierNone {
			return
		}
		if c, ok := r.pairJob(hc, 1, ji, false); ok {
			lo = max(lo, c.v)
		}
	}
	if ji, ok := r.warm[[2]int32{hc.h.tile, 1}]; ok {
		try(ji)
	}
	if tp.probe[1] >= 0 {
		try(tp.probe[1])
	}
	return lo
}

// pairCut stops the first seeker's search of a two-seeker household as
// soon as a job it found shows that the option cannot reach θ: the job it
// takes is then worth at least as much, so it is in the lists tp.within
// keeps (see tilePair).
type pairCut struct {
	tp   *tilePair
	lo1  float64 // the second seeker's floor (secondFloor)
	need float64 // θ − the home's bound, less the slack
}

// othersBound returns K and α of evaluate's floor for a seeker, from the
// jobs the previous seekers chose and the bounds of the next ones, and the
// largest timing value of the others' jobs (tm, 1 for a next seeker).
func (r *request) othersBound(chosen []choice, rest []compUB) (k, alpha, tOthers float64) {
	nf, nc, ns, m, t := r.aggregate(chosen, rest)
	w := &r.w
	k = w.JobFit*(1-nf) + w.Contract*(1-nc) + w.Shortage*(1-ns) + w.Commute*m + w.Timing*t
	alpha = max(nf, nc, ns, 1-m, 1-t)
	return k, alpha, t
}
