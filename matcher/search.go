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
	for _, l := range r.tileLists(st.hc.h.tile, st.si) {
		cut := st.cut() - boundSlack
		if l.ub < cut {
			break // lists are sorted by bound
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
	box  bbox   // where its jobs are
	jobs *flist // the jobs the seeker may take, best static first
	tier int
	tf   float64 // weighted fit of the tier
	rest float64 // bound of the weighted commute and timing
	ub   float64 // tf + the list's best static value + rest
}

// tileLists returns, for the homes of tile t, the job lists seeker si may
// take within reach, best bound first. It is computed once per tile and
// request.
func (r *request) tileLists(t int32, si int) []listRef {
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
			gi, ok := g.g.byTile[t2]
			if !ok {
				continue
			}
			gt := &g.g.tiles[gi]
			tf := w.JobFit * tierFit[g.tier]
			if gt.sub == nil {
				out = append(out, listRef{box: s.tiles.bbox(t2), jobs: r.filtered(si, gt.start, gt.end, g.tier), tier: g.tier, tf: tf, rest: rest, ub: tf + gt.maxStatic + rest})
				continue
			}
			tb := s.tiles.bbox(t)
			for _, sl := range gt.sub {
				cm := r.commuteUB(minDistBBox(tb, sl.bbox))
				if cm < 0 {
					continue
				}
				rest := w.Commute*cm + w.Timing
				out = append(out, listRef{box: sl.bbox, jobs: r.filtered(si, sl.start, sl.end, g.tier), tier: g.tier, tf: tf, rest: rest, ub: tf + sl.maxStatic + rest})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b listRef) int { return cmp.Compare(b.ub, a.ub) })
	if r.lists == nil {
		r.lists = make(map[[2]int32][]listRef)
	}
	r.lists[key] = out
	return out
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
type selection struct {
	k, perCommune, perDep int
	cands                 []*candidate
	theta                 float64
	dirty                 bool
	r                     *request
}

func (sel *selection) add(c candidate) {
	if c.score < sel.theta {
		return
	}
	sel.cands = append(sel.cands, &c)
	sel.dirty = true
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
	byCommune := map[string]int{}
	byDep := map[string]int{}
	var out []candidate
	for _, c := range sel.cands {
		h := &sel.r.s.housing[c.h]
		if byCommune[h.c.Code] >= sel.perCommune || byDep[h.c.Department] >= sel.perDep {
			continue
		}
		byCommune[h.c.Code]++
		byDep[h.c.Department]++
		out = append(out, *c)
		if len(out) == sel.k {
			break
		}
	}
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
				v[gt.tile] = math.Max(v[gt.tile], tf+gt.maxStatic)
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
	for _, tu := range order {
		sel.refresh()
		if tu.ub < sel.theta-boundSlack {
			break
		}
		for _, hi := range s.hOrder[s.hStart[tu.t]:s.hStart[tu.t+1]] {
			h := &s.housing[hi]
			if why := r.checkHousing(h); why != "" {
				r.reject(why)
				continue
			}
			hc := r.housingCtx(h)
			if r.housingUB(&hc)+tu.jobUB < sel.theta-boundSlack {
				continue
			}
			examined++
			if examined%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, examined, err
				}
			}
			if c, ok := r.evaluate(hi, src, sel.theta); ok {
				sel.add(c)
			}
		}
	}
	sel.dirty = true
	return sel.pick(), examined, nil
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
