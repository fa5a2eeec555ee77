package matcher

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// boundSlack absorbs floating-point rounding: a bound is summed in another
// order than the score it bounds, so it may undershoot by a few ulps.
const boundSlack = 1e-9

// ctxCheckEvery is how many housing offers are evaluated between two checks
// of the context.
const ctxCheckEvery = 256

// tileSource enumerates a seeker's jobs around a housing offer through the
// tiles, best bound first, and skips what cannot beat the step's cut.
type tileSource struct{}

func (tileSource) each(st *step) {
	r := st.r
	s := r.s
	p := st.hc.h.end.Point
	ls := r.tileLists(st.hc.h.tile, st.si)
	for i := 0; ; i++ {
		l := ls.at(i)
		if l == nil {
			break
		}
		cut := st.cut() - boundSlack
		if l.ub < cut {
			break // lists come by bound
		}
		// The home's own distance to the list's box is a tighter
		// bound than the distance between the two tiles.
		rest := l.rest
		if d := minDistPointBox(p, l.box, st.hc.cosLat); d > 0 {
			cm := r.commuteUB(d)
			if cm < 0 {
				continue
			}
			rest = r.w.Commute*cm + r.w.Timing
			if l.ub-l.rest+rest < cut {
				continue
			}
		}
		if l.jobs == nil {
			l.jobs = r.filtered(st.si, l.start, l.end, l.tier)
		}
		for k := 0; ; k++ {
			ji, ok := l.jobs.at(r, k)
			if !ok || l.tf+s.jobs[ji].static+rest < st.cut()-boundSlack {
				break // sorted by static value
			}
			st.try(ji, l.tf)
		}
	}
}

// listRef is one job list (a group's jobs in one tile) seen from a housing
// tile, with the bound of the value v of its jobs.
type listRef struct {
	box        bbox   // where its jobs are
	jobs       *flist // the jobs the seeker may take, best static first; nil until read
	start, end int32  // the list in jobOrder
	tier       int
	tf         float64 // weighted fit of the tier
	rest       float64 // bound of the weighted commute and timing
	ub         float64 // tf + the list's bound for the seeker + rest
}

// listSet is the job lists of one housing tile for one seeker, handed out
// best bound first: a search reads only the first few, so they are kept
// in a heap and sorted as far as they are read.
type listSet struct {
	sorted []listRef
	heap   []listRef // max-heap by ub
}

// at returns the i-th list by bound, or nil past the last.
func (ls *listSet) at(i int) *listRef {
	for i >= len(ls.sorted) {
		h := ls.heap
		if len(h) == 0 {
			return nil
		}
		ls.sorted = append(ls.sorted, h[0])
		n := len(h) - 1
		h[0] = h[n]
		ls.heap = h[:n]
		listDown(ls.heap, 0)
	}
	return &ls.sorted[i]
}

func listDown(h []listRef, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r].ub > h[l].ub {
			l = r
		}
		if h[l].ub <= h[i].ub {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// tileLists returns, for the homes of tile t, the job lists seeker si may
// take within reach. It is computed once per tile and request.
func (r *request) tileLists(t int32, si int) *listSet {
	key := [2]int32{t, int32(si)}
	if l, ok := r.lists[key]; ok {
		return l
	}
	s := r.s
	w := &r.w
	sk := &r.seekers[si]
	var out []listRef
	for k := s.tiles.nbStart[t]; k < s.tiles.nbStart[t+1]; k++ {
		cmub := r.commuteUB(float64(s.tiles.nbDist[k]))
		if cmub < 0 {
			break // neighbours are sorted by distance
		}
		rest := w.Commute*cmub + w.Timing
		t2 := s.tiles.nbTile[k]
		for _, g := range sk.groups {
			gi := g.g.byTile[t2]
			if gi < 0 {
				continue
			}
			gt := &g.g.tiles[gi]
			tf := w.JobFit * tierFit[g.tier]
			if gt.sub == nil {
				best := gt.best.of(sk.licence, sk.fr)
				if math.IsInf(best, -1) {
					continue // no job there the seeker may take
				}
				out = append(out, listRef{box: s.tiles.bbox(t2), start: gt.start, end: gt.end, tier: g.tier, tf: tf, rest: rest, ub: tf + best + rest})
				continue
			}
			tb := s.tiles.bbox(t)
			for _, sl := range gt.sub {
				cm := r.commuteUB(minDistBBox(tb, sl.bbox))
				if cm < 0 {
					continue
				}
				best := sl.best.of(sk.licence, sk.fr)
				if math.IsInf(best, -1) {
					continue
				}
				rest := w.Commute*cm + w.Timing
				out = append(out, listRef{box: sl.bbox, start: sl.start, end: sl.end, tier: g.tier, tf: tf, rest: rest, ub: tf + best + rest})
			}
		}
	}
	for i := len(out)/2 - 1; i >= 0; i-- {
		listDown(out, i)
	}
	ls := &listSet{heap: out}
	if r.lists == nil {
		r.lists = make(map[[2]int32]*listSet)
	}
	r.lists[key] = ls
	return ls
}

// flist is a group's tile list as seen by one seeker: its jobs that the
// seeker may take (the job-level rules pass) and for which the list's
// tier is the best match, so that each job is met in one list only. It is
// filtered lazily, as far as a search reads it, once per request;
// rejections are counted there, once per seeker and job.
type flist struct {
	raw  []int32
	jobs []int32
	pos  int
	sk   *seeker
	tier int
}

// at returns the k-th job of the filtered list, or false past its end.
func (f *flist) at(r *request, k int) (int32, bool) {
	for k >= len(f.jobs) {
		if f.pos >= len(f.raw) {
			return 0, false
		}
		ji := f.raw[f.pos]
		f.pos++
		j := &r.s.jobs[ji]
		if f.tier != TierExact && f.tier != TierExactNew && matchTier(f.sk.m.Occupations, j.o.ROME, j.o.BeginnersOK) != f.tier {
			continue // met in the list of its best tier
		}
		if why := r.checkJob(f.sk, j); why != "" {
			r.reject(why)
			continue
		}
		f.jobs = append(f.jobs, ji)
	}
	return f.jobs[k], true
}

func (r *request) filtered(si int, start, end int32, tier int) *flist {
	key := [2]int32{int32(si), start}
	if l, ok := r.filt[key]; ok {
		return l
	}
	if r.filt == nil {
		r.filt = make(map[[2]int32]*flist)
	}
	f := &flist{raw: r.s.jobOrder[start:end], sk: &r.seekers[si], tier: tier}
	r.filt[key] = f
	return f
}

// scanSource tries every candidate job of the seeker within the search
// radius of the home: the brute-force baseline. Each seeker's candidate
// jobs are put in a geo.Index so that the baseline stays usable on a
// national market; the index is oracle-tested against a linear scan.
type scanSource struct {
	cands [][]int32
	ix    []*geo.Index
	buf   []int32
}

func (src *scanSource) each(st *step) {
	src.buf = src.ix[st.si].AppendWithin(src.buf[:0], st.hc.h.end.Point, st.r.reachM)
	for _, k := range src.buf {
		st.try(src.cands[st.si][k], st.r.w.JobFit)
	}
}

// selection keeps the candidates that may still enter the diversified top
// k, and the threshold θ a candidate must reach.
//
// It also keeps, per commune and per department, the best scores of the
// candidates it took. A candidate x whose commune already holds
// perCommune candidates scoring above it can never be picked: when the
// greedy pick reaches x, each of those was picked (the commune is full) or
// skipped because the commune or the department was full, and either way
// x is skipped too. For the department, only the best perCommune
// candidates of each commune count (a candidate skipped because its own
// commune was full leaves room in the department): once the department
// holds perDep such candidates above x, the pick has filled it before
// reaching x. So a home must reach bar(h) = max(θ, the commune's
// perCommune-th score, the department's perDep-th score), which on a
// national market with many near-ties in the same towns is much higher
// than θ. Both can only rise as candidates are added. Only candidates kept
// by add (score ≥ θ when added) enter these tables; such a candidate is
// dropped by refresh only once θ passes it, and then θ is the higher bar.
type selection struct {
	k, perCommune, perDep int
	cands                 []*candidate
	theta                 float64
	dirty                 bool
	r                     *request
	byCommune             map[*geo.Commune][]float64
	byDep                 map[string][]float64
	// scratch of pick
	nCommune map[*geo.Commune]int
	nDep     map[string]int
	out      []candidate
}

func (sel *selection) add(c candidate) {
	if c.score < sel.theta {
		return
	}
	sel.cands = append(sel.cands, &c)
	sel.dirty = true
	if sel.byCommune == nil {
		sel.byCommune = make(map[*geo.Commune][]float64)
		sel.byDep = make(map[string][]float64)
	}
	h := &sel.r.s.housing[c.h]
	top, out, in := insertTop(sel.byCommune[h.c], c.score, sel.perCommune)
	sel.byCommune[h.c] = top
	if !in {
		return
	}
	// The department counts the communes' best: c replaces the score it
	// pushed out of its commune's list, which is lower.
	d := sel.byDep[h.c.Department]
	if !math.IsNaN(out) {
		if i := slices.Index(d, out); i >= 0 {
			d = slices.Delete(d, i, i+1)
		}
	}
	d, _, _ = insertTop(d, c.score, sel.perDep)
	sel.byDep[h.c.Department] = d
}

// insertTop inserts v into the descending list top, keeping at most n
// values. It returns the list, the value pushed out of it (NaN when none)
// and whether v entered.
func insertTop(top []float64, v float64, n int) (_ []float64, out float64, in bool) {
	i := len(top)
	for i > 0 && top[i-1] < v {
		i--
	}
	if i >= n {
		return top, math.NaN(), false
	}
	out = math.NaN()
	if len(top) < n {
		top = append(top, 0)
	} else {
		out = top[n-1]
	}
	copy(top[i+1:], top[i:])
	top[i] = v
	return top, out, true
}

// full returns the n-th best score of top, or -Inf when it holds fewer.
func full(top []float64, n int) float64 {
	if len(top) < n {
		return math.Inf(-1)
	}
	return top[n-1]
}

// bar returns the score an option on a home of commune c must reach to be
// picked: see selection.
func (sel *selection) bar(c *geo.Commune) float64 {
	b := sel.theta
	if sel.byCommune == nil {
		return b
	}
	b = math.Max(b, full(sel.byCommune[c], sel.perCommune))
	return math.Max(b, full(sel.byDep[c.Department], sel.perDep))
}

// tileBar returns the lowest bar of the departments with homes in tile t.
func (sel *selection) tileBar(t int32) float64 {
	if sel.byDep == nil {
		return sel.theta
	}
	b := math.Inf(1)
	for _, d := range sel.r.s.tileDeps[t] {
		b = math.Min(b, full(sel.byDep[d], sel.perDep))
	}
	return math.Max(sel.theta, b)
}

func (sel *selection) less(a, b *candidate) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.h, b.h)
}

// pick returns the diversified top k: candidates in score order, at most
// perCommune per commune and perDep per department.
func (sel *selection) pick() []candidate {
	slices.SortFunc(sel.cands, sel.less)
	if sel.nCommune == nil {
		sel.nCommune, sel.nDep = make(map[*geo.Commune]int), make(map[string]int)
	}
	byCommune, byDep := sel.nCommune, sel.nDep
	clear(byCommune)
	clear(byDep)
	out := sel.out[:0]
	for _, c := range sel.cands {
		h := &sel.r.s.housing[c.h]
		if byCommune[h.c] >= sel.perCommune || byDep[h.c.Department] >= sel.perDep {
			continue
		}
		byCommune[h.c]++
		byDep[h.c.Department]++
		out = append(out, *c)
		if len(out) == sel.k {
			break
		}
	}
	sel.out = out
	return out
}

// refresh recomputes θ, the k-th score of the diversified selection (the
// diversity limits make a laminar matroid, so that score can only grow as
// candidates are added), and drops the candidates below it.
func (sel *selection) refresh() {
	if !sel.dirty {
		return
	}
	sel.dirty = false
	top := sel.pick()
	if len(top) < sel.k {
		return
	}
	sel.theta = top[len(top)-1].score
	sel.cands = slices.DeleteFunc(sel.cands, func(c *candidate) bool { return c.score < sel.theta })
}

// searchFast finds the diversified top options, exactly, visiting tiles in
// the order of their score bound and stopping when no tile can beat θ.
func (r *request) searchFast(ctx context.Context) ([]candidate, int, error) {
	s := r.s
	n := s.tiles.len()
	w := r.w
	sel := &selection{k: r.opts.Top, perCommune: r.opts.MaxPerCommune, perDep: r.opts.MaxPerDepartment, theta: math.Inf(-1), r: r}

	// Job bound per tile and seeker: the best fit and static value there.
	jb := make([][]float64, len(r.seekers))
	// With several seekers, the bound follows the household aggregation
	// component by component: the best fit, contract and shortage values
	// per tile and seeker.
	multi := len(r.seekers) > 1
	var comp [][]compUB
	if multi {
		comp = make([][]compUB, len(r.seekers))
	}
	for i := range r.seekers {
		v := make([]float64, n)
		for t := range v {
			v[t] = math.Inf(-1)
		}
		var cv []compUB
		if multi {
			cv = make([]compUB, n)
		}
		for _, g := range r.seekers[i].groups {
			tf := w.JobFit * tierFit[g.tier]
			for _, gt := range g.g.tiles {
				best := gt.best.of(r.seekers[i].licence, r.seekers[i].fr)
				if math.IsInf(best, -1) {
					continue // no job there the seeker may take
				}
				v[gt.tile] = math.Max(v[gt.tile], tf+best)
				if multi {
					c := &cv[gt.tile]
					c.fit = math.Max(c.fit, tierFit[g.tier])
					c.ct = math.Max(c.ct, gt.maxCt)
					c.sh = math.Max(c.sh, gt.maxSh)
					c.cm = 1
				}
			}
		}
		jb[i] = v
		if multi {
			comp[i] = cv
		}
	}

	type tileUB struct {
		t     int32
		ub    float64
		jobUB float64
	}
	var order []tileUB
	for t := range int32(n) {
		if s.hStart[t] == s.hStart[t+1] || !r.tileInScope(t) {
			continue
		}
		hb := r.tileHousingUB(t)
		if math.IsInf(hb, -1) {
			continue
		}
		jobUB := 0.0
		switch {
		case multi:
			ubs := make([]compUB, len(r.seekers))
			for i := range r.seekers {
				u := &ubs[i]
				for k := s.tiles.nbStart[t]; k < s.tiles.nbStart[t+1]; k++ {
					cmub := r.commuteUB(float64(s.tiles.nbDist[k]))
					if cmub < 0 {
						break
					}
					c := &comp[i][s.tiles.nbTile[k]]
					if c.cm == 0 {
						continue // no job of this seeker there
					}
					u.fit, u.ct, u.sh = math.Max(u.fit, c.fit), math.Max(u.ct, c.ct), math.Max(u.sh, c.sh)
					u.cm = math.Max(u.cm, cmub)
				}
			}
			if r.seekUB == nil {
				r.seekUB = make(map[int32][]compUB)
			}
			r.seekUB[t] = ubs
			jobUB = r.jobSideUB(nil, ubs)
		case r.jobSide:
			best := 0.0
			for k := s.tiles.nbStart[t]; k < s.tiles.nbStart[t+1]; k++ {
				cmub := r.commuteUB(float64(s.tiles.nbDist[k]))
				if cmub < 0 {
					break
				}
				if v := jb[0][s.tiles.nbTile[k]]; !math.IsInf(v, -1) {
					best = math.Max(best, v+w.Commute*cmub)
				}
			}
			jobUB = best
		}
		order = append(order, tileUB{t, hb + jobUB, jobUB})
	}
	slices.SortFunc(order, func(a, b tileUB) int {
		if c := cmp.Compare(b.ub, a.ub); c != 0 {
			return c
		}
		return cmp.Compare(a.t, b.t)
	})

	examined := 0
	src := tileSource{}
	var heads runHeap
	for _, tu := range order {
		sel.refresh()
		if tu.ub < sel.theta-boundSlack {
			break
		}
		if tu.ub < sel.tileBar(tu.t)-boundSlack {
			continue // every department there is full of better options
		}
		// The tile's homes, best bound first, through the heads of its
		// runs: the bars rise early and the homes below them are never
		// read.
		heads = heads[:0]
		for ri := s.rStart[tu.t]; ri < s.rStart[tu.t+1]; ri++ {
			u := &s.runs[ri]
			if why := r.checkRun(u); why != "" {
				r.rejected[why] += int(u.end - u.start)
				continue
			}
			heads = append(heads, runHead{ub: r.runUB(u, u.start) + tu.jobUB, run: ri, pos: u.start})
		}
		heads.init()
		for len(heads) > 0 {
			top := &heads[0]
			sel.refresh()
			if top.ub < sel.theta-boundSlack {
				break
			}
			u := &s.runs[top.run]
			if top.ub < sel.bar(u.c)-boundSlack {
				heads.pop() // the rest of the run is below its bar
				continue
			}
			hi := s.hOrder[top.pos]
			if top.pos+1 < u.end {
				top.pos++
				top.ub = r.runUB(u, top.pos) + tu.jobUB
				heads.down(0)
			} else {
				heads.pop()
			}
			h := &s.housing[hi]
			if why := r.checkHousing(h); why != "" {
				r.reject(why)
				continue
			}
			hc := r.housingCtx(h)
			ub := r.housingUB(&hc) + tu.jobUB
			bar := sel.bar(h.c)
			if ub < bar-boundSlack {
				continue
			}
			examined++
			if examined%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, examined, err
				}
			}
			c, ok := r.evaluate(hi, src, bar)
			if ok {
				sel.add(c)
			}
		}
	}
	sel.dirty = true
	return sel.pick(), examined, nil
}

// runHead is the first unread home of a run, hOrder[pos], and the bound
// of the run's homes from there on.
type runHead struct {
	ub       float64
	run, pos int32
}

// runHeap is a binary max-heap of run heads by bound.
type runHeap []runHead

func (h runHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h runHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r].ub > h[l].ub {
			l = r
		}
		if h[l].ub <= h[i].ub {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

func (h *runHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}

// runUB bounds housingUB of the homes of run u from position k of hOrder
// on: the run's exact static, size and wish values, and the affordability
// of the cheapest of them with the most APL any of their rents can get.
func (r *request) runUB(u *hRun, k int32) float64 {
	s := r.s
	w := &r.w
	aff := 1.0
	if r.incomeMax > 0 {
		couple, dep := r.aplCouple, r.children
		if u.shared {
			couple, dep = false, 0
		}
		z := int(u.aplZone)
		if z < 1 || z > 3 {
			z = 3
		}
		ac := &r.aplCap[b2i(u.shared)][z-1]
		if ac.ceiling == 0 {
			ac.ceiling = s.apl.ceiling(z, couple, dep)
			ac.apl = s.apl.MaxAPL(z, couple, dep, ac.ceiling, ac.ceiling, r.incomeMin)
		}
		apl := ac.apl // every rent from k on is above the ceiling
		if lo := s.sufRentLo[k]; lo < ac.ceiling {
			apl = s.apl.MaxAPL(z, couple, dep, lo, s.sufRentHi[k], r.incomeMin)
		}
		aff = affordValue((s.hCost[k] - apl) / r.incomeMax)
	}
	wish := r.wishOf(u.c)
	v := w.Affordability*aff + u.static + w.SizeFit*sizeValue(int(u.rooms), r.ideal, u.shared) + w.Timing + wish
	if !r.jobSide {
		v = (v-wish)/(1-w.jobSide()) + wish
	}
	return v
}

// tileHousingUB bounds the housing part of the score of any option in
// tile t for this household, or returns -Inf when no housing there fits.
func (r *request) tileHousingUB(t int32) float64 {
	s := r.s
	w := r.w
	best := math.Inf(-1)
	wish := 0.0
	if len(r.wishes) > 0 {
		wish = w.WishBonus
	}
	stepFree := r.stepFree
	for _, b := range s.buckets[s.bStart[t]:s.bStart[t+1]] {
		if stepFree && !b.anyStepFree {
			continue
		}
		couple, dep := r.aplCouple, r.children
		if b.shared {
			if !r.isolated || !r.h.SharedOK {
				continue
			}
			if b.genders&(genderBit(r.sex)|4) == 0 {
				continue
			}
			couple, dep = false, 0
		} else if b.maxOcc < r.persons {
			continue
		}
		aff := 1.0
		if r.incomeMax > 0 {
			num := b.minRent + b.minCharges - s.apl.EstimateAPL(1, couple, dep, b.minRent, r.incomeMin)
			aff = affordValue(math.Max(0, num) / r.incomeMax)
		}
		v := b.maxStatic + w.SizeFit*sizeValue(b.rooms, r.ideal, b.shared) + w.Affordability*aff + w.Timing
		if !r.jobSide {
			v /= 1 - w.jobSide()
		}
		best = math.Max(best, v+wish)
	}
	return best
}

// searchNaive scores every feasible housing offer against every candidate
// job of each seeker: the brute-force baseline of the oracle tests and
// benchmarks.
func (r *request) searchNaive(ctx context.Context) ([]candidate, int, error) {
	s := r.s
	src := &scanSource{cands: make([][]int32, len(r.seekers)), ix: make([]*geo.Index, len(r.seekers))}
	for i := range r.seekers {
		sk := &r.seekers[i]
		var pts []orb.Point
		for ji := range s.jobs {
			j := &s.jobs[ji]
			if matchTier(sk.m.Occupations, j.o.ROME, j.o.BeginnersOK) != TierNone {
				src.cands[i] = append(src.cands[i], int32(ji))
				pts = append(pts, j.end.Point)
			}
		}
		src.ix[i] = geo.NewIndex(pts, 0)
	}
	sel := &selection{k: r.opts.Top, perCommune: r.opts.MaxPerCommune, perDep: r.opts.MaxPerDepartment, theta: math.Inf(-1), r: r}
	examined := 0
	for hi := range s.housing {
		h := &s.housing[hi]
		if why := r.checkHousing(h); why != "" {
			r.reject(why)
			continue
		}
		examined++
		if examined%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, examined, err
			}
		}
		if c, ok := r.evaluate(int32(hi), src, math.Inf(-1)); ok {
			sel.cands = append(sel.cands, &c)
		}
	}
	return sel.pick(), examined, nil
}

// compUB bounds the job components a seeker can bring: fit, contract,
// shortage and commute values.
type compUB struct{ fit, ct, sh, cm float64 }

// jobSideUB bounds the weighted job-side components of an option whose
// seekers have taken the jobs chosen and whose other seekers bring at most
// rest, with the household aggregation 1 − ∏(1 − x) and the mean commute.
func (r *request) jobSideUB(chosen []choice, rest []compUB) float64 {
	nf, nc, ns, cm := 1.0, 1.0, 1.0, 0.0
	for _, c := range chosen {
		j := &r.s.jobs[c.job]
		nf *= 1 - c.fit
		nc *= 1 - j.ct
		ns *= 1 - j.sh
		cm = math.Max(cm, c.cm)
	}
	for _, u := range rest {
		nf *= 1 - u.fit
		nc *= 1 - u.ct
		ns *= 1 - u.sh
		cm = math.Max(cm, u.cm)
	}
	w := &r.w
	return w.JobFit*(1-nf) + w.Contract*(1-nc) + w.Shortage*(1-ns) + w.Commute*cm
}
