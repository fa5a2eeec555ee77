package matcher

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"
	"sync"

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
	need := math.Inf(-1)
	if hb, ok := r.tileHb[st.hc.h.tile]; ok && len(r.seekers) == 1 && !math.IsInf(st.floor, -1) {
		// Every home of the tile has a floor of at least θ − (its
		// housing bound − Timing), and θ only rises.
		need = r.theta - (hb - r.w.Timing) - boundSlack
	}
	ls := r.tileLists(st.hc.h.tile, st.si, need)
	// Warm start: the job the seeker took from the last home of the tile
	// is likely near the best from this one; trying it first raises the
	// cut before any list is read. The search stays exact: every job
	// that could beat it is still tried.
	wk := [2]int32{st.hc.h.tile, int32(st.si)}
	if ji, ok := r.warm[wk]; ok {
		st.try(ji, r.w.JobFit, -1)
	} else if st.pair.tp != nil && st.pair.tp.probe[st.si] >= 0 {
		st.try(st.pair.tp.probe[st.si], r.w.JobFit, -1)
	}
	if st.drop {
		return
	}
	defer func() {
		if st.hasBest {
			if r.warm == nil {
				r.warm = make(map[[2]int32]int32)
			}
			r.warm[wk] = st.best.job
		}
	}()
	// The pair cut at the home's level (homePairCut), checked again when
	// the best job changed or the list that held it up (by its start; a
	// split list's first cell shares it) has been read. Skipping a check
	// only ever keeps a home: the search stays exact whatever the protocol.
	checked, blocker := int32(-1), int32(-1)
	for i := 0; ; i++ {
		l := r.listAt(ls, i)
		if l == nil {
			break
		}
		cut := st.cut() - boundSlack
		if l.ub < cut {
			break // lists come by bound
		}
		if st.pair.tp != nil && st.hasBest && (st.best.job != checked || i > 0 && ls.out[i-1].start == blocker) {
			checked = st.best.job
			var drop bool
			if homePairCutCheck != nil {
				r.checkHomePairCut(st, ls, i)
			}
			if drop, blocker = r.homePairCut(st, ls, i); drop {
				st.drop = true
				return
			}
		}
		// The home's own distance to the list's box is a tighter
		// bound than the distance between the two tiles.
		rest := l.rest
		if cm := st.homeCM(l.box); cm < 0 {
			continue
		} else if hr := r.w.Commute*cm + r.w.Timing; hr < rest {
			if rest = hr; l.ub-l.rest+rest < cut {
				continue
			}
		}
		if l.jobs == nil {
			l.jobs = r.filtered(st.si, l.start, l.end, int(l.tier))
		}
		for k := 0; ; k++ {
			fj, ok := l.jobs.at(r, k)
			if !ok {
				break
			}
			if l.tf+fj.static+rest < st.cut()-boundSlack {
				break // sorted by static value
			}
			// The job's own bound, with the seeker's French penalty and
			// summed as v is (pairJobTier), so that it is never below v,
			// not even by a rounding; read from the list, not the job.
			own := (fj.wfit + fj.static) + rest
			if own < st.cut()-boundSlack {
				continue
			}
			ji := fj.ji
			if st.hasBest && fj.mkt > st.bestMkt && own <= st.best.v {
				// It may at best tie, and a tie goes to the job listed
				// first: in a dense town, hundreds of jobs of one
				// occupation within 15 minutes all reach the bound.
				continue
			}
			st.try(ji, fj.wfit, int(l.tier))
			if st.drop {
				return
			}
		}
	}
}

// homeCM bounds the commute value of the jobs in box from st's home, by
// the home's own distance to the box (an equirectangular lower bound), a
// tighter bound than the distance between their tiles: −1 when every job
// there is beyond reach.
func (st *step) homeCM(box bbox) float64 {
	return st.r.commuteUB(minDistPointBox(st.hc.h.end.Point, box, st.hc.cosLat))
}

// homePairCutCheck, when set (by a test), is called before each
// homePairCut of tileSource, with the verdict of checkHomePairCut.
var homePairCutCheck func(wrong bool, job int32, v float64)

// checkHomePairCut runs homePairCut on a copy of st whose floor is the
// value of the best job found, and reports to homePairCutCheck whether
// that copy drops a home that the best job alone, with the second seeker's
// lists (secondUB), may bring to θ: the best job found must count.
//
// It takes st and hands on scalars only: a step passed to a function
// value escapes to the heap, and with it every step and home context of
// every search (two allocations per home examined).
func (r *request) checkHomePairCut(st *step, ls *listSet, i int) {
	at := *st
	at.floor = st.best.v
	pc := &st.pair
	drop, _ := r.homePairCut(&at, ls, i)
	wrong := drop && r.secondUB(&st.best, pc.tp.within(1, pc.lo1), math.IsInf(pc.lo1, -1)) >= pc.need
	homePairCutCheck(wrong, st.best.job, st.best.v)
}

// homePairCut is the pair cut of a two-seeker household (pairCut) on the
// first seeker's search of one home, with what the search knows by the
// time it comes to the i-th list of ls: every list before it has been
// read as far as a job could beat the cut, so the job the seeker takes is
// the best one found so far or one of a list from the i-th on whose bound
// from this home, rather than from the tile (see tileSource), reaches the
// cut. Each such list is paired with the second seeker's lists, as
// tilePair.bound pairs the tile's, with its best values of fit, contract
// and shortage and the commute bound of the home's distance to its jobs.
// It reports whether the option provably cannot reach θ, or else the
// start of the list that kept it (−1: the best job found, or a tile not
// yet listed).
//
// A job below the step's floor leaves the option below θ (see evaluate):
// the best job counts only when it reaches the floor, and the lists only
// when they reach the cut, which is at least the floor.
func (r *request) homePairCut(st *step, ls *listSet, i int) (bool, int32) {
	pc := &st.pair
	w := &r.w
	ys := pc.tp.within(1, pc.lo1)
	none1 := math.IsInf(pc.lo1, -1)
	keeps := func(a compUB) bool {
		if none1 && w.soloValue(a) >= pc.need {
			return true
		}
		for k := range ys {
			if w.pairValue(a, ys[k].c) >= pc.need {
				return true
			}
		}
		return false
	}
	if b := &st.best; b.v >= st.floor {
		j := &r.s.jobs[b.job]
		if keeps(compUB{fit: b.fit, ct: j.ct, sh: j.sh, cm: b.cm}) {
			return false, -1
		}
	}
	cut := st.cut() - boundSlack
	// keepsList reports whether a list may hold a job that keeps the
	// option: a job of its best values c of fit, contract and shortage,
	// within the home's distance to box, if its bound ub, with the
	// commute bound of rest replaced by the home's, reaches the cut.
	keepsList := func(ub, rest float64, box bbox, c compUB) bool {
		cm := st.homeCM(box)
		if cm < 0 || ub-rest+min(rest, w.Commute*cm+w.Timing) < cut {
			return false
		}
		c.cm = cm
		return keeps(c)
	}
	for k := i; k < len(ls.out) && ls.out[k].ub >= cut; k++ {
		x := &ls.out[k]
		if keepsList(x.ub, x.rest, x.box, x.comps()) {
			return false, x.start
		}
	}
	// The lists not yet handed out, in their heap: an entry below the
	// cut has none above it under it.
	sk := &r.seekers[ls.si]
	stack := append(r.heapStack[:0], 0)
	defer func() { r.heapStack = stack[:0] }()
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if int(k) >= len(ls.h) || ls.h[k].ub < cut {
			continue
		}
		e := &ls.h[k]
		if e.g < 0 {
			// A tile not yet listed: the best values of its lists.
			if keepsList(e.ub, e.rest, r.s.tiles.bbox(e.a), r.tileComp[ls.si][e.a]) {
				return false, -1
			}
		} else if x := r.listOf(sk, e); keepsList(x.ub, x.rest, x.box, x.comps()) {
			return false, x.start
		}
		stack = append(stack, 2*k+1, 2*k+2)
	}
	return true, -1
}

// listRef is one job list (a group's jobs in one tile, or a cell of one)
// seen from a housing tile, with the bound of the value v of its jobs.
type listRef struct {
	box        bbox   // where its jobs are
	jobs       *flist // the jobs the seeker may take, best static first; nil until read
	gt         *groupTile
	start, end int32 // the list in jobOrder
	tier       int32
	tf         float64 // weighted fit of the tier
	rest       float64 // bound of the weighted commute and timing
	ub         float64 // tf + the list's bound for the seeker + rest
}

// listSet is the job lists of one housing tile for one seeker, handed out
// best bound first: a search reads only the first few, so they wait in a
// heap, h, and move to out, in order, as far as they are read. Lists whose
// bound is below minUB were left out.
type listSet struct {
	h     []listEntry
	out   []listRef
	minUB float64
	tb    bbox // the housing tile's box
	si    int  // the seeker
}

// listEntry is what a listSet's heap holds, bounded by ub, with the bound
// rest of the weighted commute and timing of its jobs:
//   - g < 0: the lists of neighbour tile a, not yet listed, bounded by the
//     seeker's best list there (searchFast's job bound per tile). A tile
//     is listed only when it comes first: most never do;
//   - g ≥ 0, q < 0: the list of the seeker's group g in a tile, a indexing
//     the group's tiles. A long list is split into cells (groupTile.sub)
//     when it comes first;
//   - q ≥ 0: the cell q of such a list.
//
// Entries are 24 bytes: a two-seeker plan makes tens of thousands, and
// reads few; the listRef of a list is made when it is handed out.
type listEntry struct {
	ub, rest float64
	a        int32
	g, q     int16
}

// groupTile returns the list of entry e (g ≥ 0) of seeker sk.
func (e *listEntry) groupTile(sk *seeker) *groupTile { return &sk.groups[e.g].g.tiles[e.a] }

// listAt returns the i-th list of ls by bound, or nil past the last. The
// pointer is valid until the next call.
func (r *request) listAt(ls *listSet, i int) *listRef {
	sk := &r.seekers[ls.si]
	for i >= len(ls.out) {
		if len(ls.h) == 0 {
			return nil
		}
		h := ls.h
		last := len(h) - 1
		top := h[0]
		h[0] = h[last]
		ls.h = h[:last]
		listDown(ls.h, 0)
		switch {
		case top.g < 0:
			r.pushTileLists(ls, &ls.h, top.a, top.rest)
			continue
		case top.q < 0 && top.groupTile(sk).sub != nil:
			r.splitList(ls, &top)
			continue
		}
		ls.out = append(grow(&r.refs, ls.out, refChunk), r.listOf(sk, &top))
	}
	return &ls.out[i]
}

// listOf returns the list of entry e (g ≥ 0) of seeker sk.
func (r *request) listOf(sk *seeker, e *listEntry) listRef {
	gt := e.groupTile(sk)
	tier := sk.groups[e.g].tier
	x := listRef{gt: gt, tier: int32(tier), tf: r.w.JobFit * tierFit[tier], rest: e.rest, ub: e.ub}
	if e.q < 0 {
		x.box, x.start, x.end = r.s.tiles.bbox(gt.tile), gt.start, gt.end
	} else {
		sl := &gt.sub[e.q]
		x.box, x.start, x.end = sl.bbox, sl.start, sl.end
	}
	return x
}

// comps returns the best values of fit (its tier's), contract and
// shortage of the jobs of list x.
func (x *listRef) comps() compUB {
	return compUB{fit: tierFit[x.tier], ct: x.gt.maxCt, sh: x.gt.maxSh}
}

// pushTileLists adds to the heap h of ls the lists of tile t2, whose jobs
// are rest away (the weighted commute and timing bound) from the housing
// tile.
func (r *request) pushTileLists(ls *listSet, h *[]listEntry, t2 int32, rest float64) {
	w := &r.w
	sk := &r.seekers[ls.si]
	for k, g := range sk.groups {
		gi := g.g.tileIndex(t2)
		if gi < 0 {
			continue
		}
		best := g.g.best[sk.kind][gi]
		if math.IsInf(best, -1) {
			continue // no job there the seeker may take
		}
		// Summed as fill sums a tile's job bound, which bounds these.
		if ub := w.JobFit*tierFit[g.tier] + best + rest; ub >= ls.minUB {
			*h = append(grow(&r.arena, *h, listChunk), listEntry{ub: ub, rest: rest, a: gi, g: int16(k), q: -1})
			listUp(*h, len(*h)-1)
		}
	}
}

// splitList puts the cells of split list x in ls's heap, each bounded by
// its own distance to the housing tile and best static value, but never
// above x: every bound here is an upper bound, and the lists must come out
// in the order of their bounds.
func (r *request) splitList(ls *listSet, x *listEntry) {
	w := &r.w
	sk := &r.seekers[ls.si]
	gt := x.groupTile(sk)
	tf := w.JobFit * tierFit[sk.groups[x.g].tier]
	for q := range gt.sub {
		sl := &gt.sub[q]
		cm := r.commuteUB(minDistBBox(ls.tb, sl.bbox))
		if cm < 0 {
			continue
		}
		best := sl.best.of(sk.licence, sk.fr)
		if math.IsInf(best, -1) {
			continue
		}
		rest := min(w.Commute*cm+w.Timing, x.rest)
		if ub := tf + best + rest; ub >= ls.minUB {
			ls.h = append(grow(&r.arena, ls.h, listChunk), listEntry{ub: ub, rest: rest, a: x.a, g: x.g, q: int16(q)})
			listUp(ls.h, len(ls.h)-1)
		}
	}
}

// listUp restores the heap order of h from position i up.
func listUp(h []listEntry, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].ub >= h[i].ub {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// listChunk is the size of the blocks tileLists builds its heaps in: a
// household with two seekers may build megabytes of lists, and one
// growing slice copied them over and over.
const listChunk = 8192

// refChunk is the size of the blocks of the lists handed out (listSet.out).
const refChunk = 1024

func listDown(h []listEntry, i int) { siftDown(h, i, func(x *listEntry) float64 { return x.ub }) }

// siftDown restores the order of the max-heap h, by the bound ub of its
// items, from position i down: the one heap of the frontier's runs and of
// the tiles' job lists.
func siftDown[T any](h []T, i int, ub func(*T) float64) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && ub(&h[r]) > ub(&h[l]) {
			l = r
		}
		if ub(&h[l]) <= ub(&h[i]) {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// tileLists returns, for the homes of tile t, the job lists seeker si may
// take within reach, at least those whose bound reaches need. It is
// computed once per tile and request, again only when a caller needs
// lists it left out. During a search, each neighbour tile enters as one
// entry, bounded by the search's job bound of the tile (r.tileJB), and is
// listed when it comes first.
func (r *request) tileLists(t int32, si int, need float64) *listSet {
	key := [2]int32{t, int32(si)}
	if l, ok := r.lists[key]; ok && l.minUB <= need {
		return l
	}
	s := r.s
	w := &r.w
	// Built in place at the end of the current block.
	ls := &listSet{minUB: need, tb: s.tiles.bbox(t), si: si}
	out := r.arena.tail(listChunk/8, listChunk)
	var jb []float64
	if r.tileJB != nil {
		jb = r.tileJB[si]
	}
	for k := s.tiles.nbStart[t]; k < s.tiles.nbStart[t+1]; k++ {
		cmub := r.commuteUB(float64(s.tiles.nbDist[k]))
		if cmub < 0 {
			break // neighbours are sorted by distance
		}
		rest := w.Commute*cmub + w.Timing
		t2 := s.tiles.nbTile[k]
		if jb == nil || math.IsNaN(jb[t2]) {
			r.pushTileLists(ls, &out, t2, rest)
			continue
		}
		if ub := jb[t2] + rest; ub >= need {
			out = append(out, listEntry{ub: ub, rest: rest, a: t2, g: -1, q: -1})
		}
	}
	r.arena.claim(out)
	h := out[:len(out):len(out)]
	for i := len(h)/2 - 1; i >= 0; i-- {
		listDown(h, i)
	}
	ls.h = h
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
	jobs []fjob
	pos  int
	sk   *seeker
	tier int
}

// fjob is a job of a filtered list with what its bound reads: a search
// reads the list again for every home of the tile, and the jobs a bound
// settles need not be read from the market's million.
type fjob struct {
	static float64 // jItem.static
	wfit   float64 // weighted fit for the seeker, French penalty included
	ji     int32
	mkt    int32 // jItem.mkt
}

// at returns the k-th job of the filtered list, or false past its end.
func (f *flist) at(r *request, k int) (fjob, bool) {
	for k >= len(f.jobs) {
		if f.pos >= len(f.raw) {
			return fjob{}, false
		}
		ji := f.raw[f.pos]
		f.pos++
		j := &r.s.jobs[ji]
		if f.tier != TierExact && f.tier != TierExactNew && matchTierKey(f.sk.m.Occupations, f.sk.occKeys, j) != f.tier {
			continue // met in the list of its best tier
		}
		if gone(r.s.deadJ, ji) {
			continue // withdrawn or changed since the engine was built
		}
		if why := r.checkJob(f.sk, j); why != "" {
			r.reject(why)
			continue
		}
		f.jobs = append(f.jobs, fjob{static: j.static, wfit: r.w.JobFit * jobFit(f.tier, int(j.frReq)-f.sk.fr), ji: ji, mkt: j.mkt})
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
		st.try(src.cands[st.si][k], st.r.w.JobFit, -1)
	}
}

// selection keeps the candidates that may still enter the diversified top
// k, and the threshold θ a candidate must reach.
//
// It also keeps, per commune and per department, the best candidates it
// took, by their place in pick order (score, then home: "above" below
// means before in that order, so a tie counts when it comes first). A
// candidate x whose commune already holds perCommune candidates above it
// can never be picked: when the greedy pick reaches x, each of those was
// picked (the commune is full) or skipped because the commune or the
// department was full, and either way x is skipped too. For the department, only the best perCommune
// candidates of each commune count (a candidate skipped because its own
// commune was full leaves room in the department): once the department
// holds perDep such candidates above x, the pick has filled it before
// reaching x. So a home must reach bar(h) = max(θ, the commune's
// perCommune-th score, the department's perDep-th score), which on a
// national market with many near-ties in the same towns is much higher
// than θ. Both can only rise as candidates are added. Only candidates kept
// by add (placed before barRank(h) when added, in pick order: score, then
// home; one placed after can never be picked) enter these tables; such a
// candidate is dropped by refresh only once the k-th pick comes before it,
// and then that is the first bar. The candidates are kept in pick order,
// so that refresh needs no sort.
type selection struct {
	k, perCommune, perDep int
	cands                 []*candidate // in pick order (byPick)
	thetaRank             rank         // the k-th pick's place (θ = thetaRank.s), once there are k
	dirty                 bool
	r                     *request
	byCommune             map[*geo.Commune][]rank
	byDep                 [][]rank    // by hItem.dep
	slab                  []candidate // where kept candidates live
	out                   []candidate // scratch of pick
}

// newSelection returns an empty selection of the request's top options.
func (r *request) newSelection() *selection {
	return &selection{k: r.opts.Top, perCommune: r.opts.MaxPerCommune, perDep: r.opts.MaxPerDepartment, thetaRank: noRank, r: r}
}

// rank is a candidate's place in pick order: by score, then by home, the
// home listed first before (hItem.ord, not the home's index: the engine
// stores a tile's homes in the order the search reads them).
type rank struct {
	s   float64
	ord int32
}

// noRank comes after every candidate: no bar.
var noRank = rank{s: math.Inf(-1), ord: math.MaxInt32}

func (a rank) before(b rank) bool { return a.s > b.s || a.s == b.s && a.ord < b.ord }

func rankOf(c *candidate) rank { return rank{c.score, c.ord} }

func (sel *selection) add(c candidate) {
	if h := &sel.r.s.housing[c.h]; !rankOf(&c).before(sel.barRank(h.c, h.dep)) {
		return // it can never be picked: see selection
	}
	if len(sel.slab) == cap(sel.slab) {
		// A new block: the candidates kept so far stay where they are.
		sel.slab = make([]candidate, 0, max(16, 2*cap(sel.slab)))
	}
	c.jobs = slices.Clone(c.jobs) // evaluateAt's buffer
	sel.slab = append(sel.slab, c)
	p := &sel.slab[len(sel.slab)-1]
	i, _ := slices.BinarySearchFunc(sel.cands, p, byPick)
	sel.cands = slices.Insert(sel.cands, i, p)
	sel.dirty = true
	if sel.byCommune == nil {
		sel.byCommune = make(map[*geo.Commune][]rank)
		sel.byDep = make([][]rank, len(sel.r.s.deps))
	}
	h := &sel.r.s.housing[c.h]
	top, out, in := insertTop(sel.byCommune[h.c], rankOf(p), sel.perCommune)
	sel.byCommune[h.c] = top
	if !in {
		return
	}
	// The department counts the communes' best: c replaces the one it
	// pushed out of its commune's list, which comes after it.
	d := sel.byDep[h.dep]
	if out != noRank {
		if i := slices.Index(d, out); i >= 0 {
			d = slices.Delete(d, i, i+1)
		}
	}
	d, _, _ = insertTop(d, rankOf(p), sel.perDep)
	sel.byDep[h.dep] = d
}

// insertTop inserts v into top, in pick order, keeping at most n. It
// returns the list, the one pushed out of it (noRank when none) and
// whether v entered.
func insertTop(top []rank, v rank, n int) (_ []rank, out rank, in bool) {
	i := len(top)
	for i > 0 && v.before(top[i-1]) {
		i--
	}
	if i >= n {
		return top, noRank, false
	}
	out = noRank
	if len(top) < n {
		top = append(top, rank{})
	} else {
		out = top[n-1]
	}
	copy(top[i+1:], top[i:])
	top[i] = v
	return top, out, true
}

// full returns the n-th of top, or noRank when it holds fewer.
func full(top []rank, n int) rank {
	if len(top) < n {
		return noRank
	}
	return top[n-1]
}

// barRank returns what an option on a home of commune c must come before
// to be picked: the first, in pick order, of the k-th pick, the commune's
// perCommune-th and the department's perDep-th (see selection).
func (sel *selection) barRank(c *geo.Commune, dep int32) rank {
	b := sel.thetaRank
	if sel.byCommune == nil {
		return b
	}
	if x := full(sel.byCommune[c], sel.perCommune); x.before(b) {
		b = x
	}
	if x := full(sel.byDep[dep], sel.perDep); x.before(b) {
		b = x
	}
	return b
}

// bar returns the score an option on a home of commune c must reach to be
// picked.
func (sel *selection) bar(c *geo.Commune, dep int32) float64 { return sel.barRank(c, dep).s }

// byPick orders candidates in pick order (see rank).
func byPick(a, b *candidate) int {
	switch ra, rb := rankOf(a), rankOf(b); {
	case ra.before(rb):
		return -1
	case rb.before(ra):
		return 1
	}
	return 0
}

// pick returns the diversified top k: candidates in score order, at most
// perCommune per commune and perDep per department.
func (sel *selection) pick() []candidate {
	out := sel.out[:0]
	for _, c := range sel.cands {
		hc := sel.r.s.housing[c.h].c
		nc, nd := 0, 0
		for i := range out {
			oc := sel.r.s.housing[out[i].h].c
			if oc == hc {
				nc++
			}
			if oc.Department == hc.Department {
				nd++
			}
		}
		if nc >= sel.perCommune || nd >= sel.perDep {
			continue
		}
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
	if sel.perCommune >= sel.k && sel.perDep >= sel.k {
		// No limit can bind (an allocation's lists): the pick is the
		// first k in pick order, and θ the k-th, with no pick to copy.
		if len(sel.cands) < sel.k {
			return
		}
		sel.thetaRank = rankOf(sel.cands[sel.k-1])
	} else {
		top := sel.pick()
		if len(top) < sel.k {
			return
		}
		sel.thetaRank = rankOf(&top[len(top)-1])
	}
	i := len(sel.cands)
	for i > 0 && sel.thetaRank.before(rankOf(sel.cands[i-1])) {
		i--
	}
	clear(sel.cands[i:])
	sel.cands = sel.cands[:i]
}

// searchFast finds the diversified top options, exactly, visiting tiles in
// the order of their score bound and stopping when no tile can beat θ.
func (r *request) searchFast(ctx context.Context) ([]candidate, int, error) {
	s := r.s
	n := s.tiles.len()
	w := r.w
	sel := r.newSelection()

	// Job bound per tile and seeker: the best fit and static value there,
	// computed when a tile next to an opened one needs it (NaN: not yet).
	// With several seekers, the bound follows the household aggregation
	// component by component: the best fit, contract and shortage values
	// per tile and seeker.
	multi := len(r.seekers) > 1
	oneJob := !multi && r.jobSide // jobBound's one-seeker case
	sc := scratchPool.Get().(*searchScratch)
	defer scratchPool.Put(sc)
	nsk := len(r.seekers)
	sc.jb = resize(sc.jb, nsk*n)
	for i := range sc.jb {
		sc.jb[i] = math.NaN()
	}
	jb := make([][]float64, nsk)
	var comp [][]compUB
	if multi {
		comp = make([][]compUB, nsk)
		sc.comp = resize(sc.comp, nsk*n)
	}
	for i := range r.seekers {
		jb[i] = sc.jb[i*n : (i+1)*n]
		if multi {
			comp[i] = sc.comp[i*n : (i+1)*n]
		}
	}
	// With two seekers, each seeker's job lists per tile for pairBound,
	// without those another list of the tile dominates (the commute bound
	// is the same for all): pairArena[i][pairSpan[i][t]].
	pairs := nsk == 2
	var pairSpan [2][][2]int32
	if pairs {
		sc.pairSpan = resize(sc.pairSpan, nsk*n)
		for i := range pairSpan {
			pairSpan[i] = sc.pairSpan[i*n : (i+1)*n]
			r.pairArena[i] = sc.pairArena[i][:0]
		}
		r.pairSpan = pairSpan
	}
	fill := func(nb []int32) {
		for i := range r.seekers {
			sk := &r.seekers[i]
			v := jb[i]
			for _, t2 := range nb {
				if !math.IsNaN(v[t2]) {
					continue
				}
				v[t2] = math.Inf(-1)
				var c compUB
				var p []pairList
				if pairs {
					p = r.pairArena[i]
				}
				from := len(p)
				for _, g := range sk.groups {
					gi := g.g.tileIndex(t2)
					if gi < 0 {
						continue
					}
					gt := &g.g.tiles[gi]
					x := g.g.best[sk.kind][gi]
					if math.IsInf(x, -1) {
						continue // no job there the seeker may take
					}
					// One seeker reads the list's bound only: its best
					// contract and shortage values sit in another cache
					// line (5 % of a median plan).
					tv := w.JobFit*tierFit[g.tier] + x
					v[t2] = max(v[t2], tv)
					if !multi {
						continue
					}
					c.fold(g.tier, gt.maxCt, gt.maxSh)
					if pairs {
						// vub as tileLists bounds the list's jobs' v, but
						// for the commute and timing.
						p = addPairListFrom(p, from, pairList{vub: tv,
							c: compUB{fit: tierFit[g.tier], ct: gt.maxCt, sh: gt.maxSh}, gt: gt, tier: int32(g.tier)})
					}
				}
				if multi {
					comp[i][t2] = c
				}
				if pairs {
					r.pairArena[i] = p
					pairSpan[i][t2] = [2]int32{int32(from), int32(len(p))}
				}
			}
		}
	}

	// The same per super-tile, to order them.
	ns := len(s.supers)
	jbS := make([][]float64, nsk)
	compS := make([][]compUB, nsk)
	sc.jbS = resize(sc.jbS, nsk*ns)
	sc.compS = resize(sc.compS, nsk*ns)
	for i := range r.seekers {
		sk := &r.seekers[i]
		v := sc.jbS[i*ns : (i+1)*ns]
		for k := range v {
			v[k] = math.Inf(-1)
		}
		cv := sc.compS[i*ns : (i+1)*ns]
		for _, g := range sk.groups {
			for x := range g.g.supers {
				sj := &g.g.supers[x]
				r.foldJobs(sk, g.tier, &sj.best, sj.maxCt, sj.maxSh, &v[sj.super], &cv[sj.super])
			}
		}
		jbS[i], compS[i] = v, cv
	}

	wished := r.wishedSupers()
	order := sc.order[:0]
	defer func() { sc.order = order[:0] }()
	for k := range s.supers {
		st := &s.supers[k]
		if len(st.tiles) == 0 || !r.superInScope(int32(k)) {
			continue
		}
		wish := 0.0
		if wished != nil && wished[k] {
			wish = w.WishBonus
		}
		hb := r.bucketsUB(st.buckets, wish)
		if math.IsInf(hb, -1) {
			continue
		}
		jobUB, _ := r.jobBound(st.nb, st.nbDist, jbS, compS)
		order = append(order, runHead{ub: hb + jobUB, jobUB: jobUB, run: superItem, pos: int32(k)})
	}

	// Best first over the whole market: the frontier holds super-tiles
	// and tiles not yet opened, and the first unread home of each run of
	// the opened tiles, by bound. An area is opened when it comes first;
	// its parts then compete with every other's, so the bars rise as early
	// as they can and the search stops as soon as nothing left can reach θ.
	examined := 0
	r.arena.buf = sc.arena[:0]
	r.tileJB, r.tileComp = jb, comp
	defer func() {
		// The last block goes back to the pool: lists built from now on
		// (an allocation's locked option) start a new one.
		sc.arena, r.arena.buf, r.lists = r.arena.buf[:0], nil, nil
		r.tileJB, r.tileComp = nil, nil
		r.pairSpan = [2][][2]int32{} // the pool's
		for i, p := range r.pairArena {
			if pairs {
				clear(p) // no pointer into an old snapshot stays in the pool
				sc.pairArena[i] = p[:0]
			}
			r.pairArena[i] = nil
		}
	}()
	heads := append(sc.heads[:0], order...)
	defer func() { sc.heads = heads[:0] }()
	bubs := sc.bubs[:0]
	defer func() { sc.bubs = bubs[:0] }()
	heads.init()
	var seeded map[int32]bool
	if len(r.seeds) > 0 {
		// Known options raise θ and the bars before any home is read;
		// the selection's outcome does not depend on the order in which
		// it meets candidates.
		seeded = make(map[int32]bool, len(r.seeds))
		for _, c := range r.seeds {
			seeded[c.h] = true
			sel.add(c)
		}
	}
	for len(heads) > 0 {
		top := &heads[0]
		sel.refresh()
		if top.ub < sel.thetaRank.s-boundSlack {
			break
		}
		switch top.run {
		case superItem:
			// Open the super-tile: its tiles join the frontier, bounded
			// by their homes' buckets and the super-tile's job bound.
			k, superJobUB := top.pos, top.jobUB
			st := &s.supers[k]
			heads.pop()
			wish := 0.0
			if wished != nil && wished[k] {
				wish = w.WishBonus
			}
			for _, t := range st.tiles {
				if !r.tileInScope(t) {
					continue
				}
				hb := r.bucketsUB(s.buckets[s.bStart[t]:s.bStart[t+1]], wish)
				if ub := hb + superJobUB; ub >= sel.thetaRank.s-boundSlack {
					heads.push(runHead{ub: ub, jobUB: superJobUB, run: tileItem, pos: t})
				}
			}
			continue
		case tileItem, tileTight:
			t := top.pos
			if top.run == tileItem && oneJob {
				// First a job bound from the super-tiles around, at
				// their distance from this tile rather than from its
				// super-tile: most tiles that come first on the super-
				// tile's bound fall below θ on it, and need no walk over
				// their own neighbours (a median plan opened 80 tiles to
				// read the homes of 12).
				tj := r.tileJobUB(t, jbS[0])
				if tj < top.jobUB {
					x := runHead{ub: top.ub - top.jobUB + tj, jobUB: tj, run: tileTight, pos: t}
					heads.pop()
					if x.ub >= sel.thetaRank.s-boundSlack {
						heads.push(x)
					}
					continue
				}
			}
			// Open the tile: its buckets join the frontier, with the
			// tile's own job bound, a walk over its neighbours.
			heads.pop()
			wish := 0.0
			if wished != nil && wished[s.superOf[t]] {
				wish = w.WishBonus
			}
			bks := s.buckets[s.bStart[t]:s.bStart[t+1]]
			bubs = bubs[:0]
			hbMax := math.Inf(-1)
			for i := range bks {
				hb := r.bucketsUB(bks[i:i+1], wish)
				bubs = append(bubs, hb)
				hbMax = max(hbMax, hb)
			}
			if r.tileHb == nil {
				r.tileHb = make(map[int32]float64)
			}
			r.tileHb[t] = hbMax
			nb := s.tiles.nbTile[s.tiles.nbStart[t]:s.tiles.nbStart[t+1]]
			nd := s.tiles.nbDist[s.tiles.nbStart[t]:s.tiles.nbStart[t+1]]
			if k := sort.Search(len(nd), func(k int) bool { return r.commuteUB(float64(nd[k])) < 0 }); k < len(nb) {
				nb, nd = nb[:k], nd[:k] // beyond the household's reach
			}
			fill(nb)
			jobUB, ubs := r.jobBound(nb, nd, jb, comp)
			if len(r.seekers) == 2 {
				pb, tp := r.pairBound(nb, nd, comp)
				jobUB = min(jobUB, pb)
				// The seekers' lists, for evaluate's bounds of each home.
				if r.tilePair == nil {
					r.tilePair = make(map[int32]*tilePair)
				}
				r.tilePair[t] = tp
			}
			if multi {
				if r.seekUB == nil {
					r.seekUB = make(map[int32][]compUB)
				}
				r.seekUB[t] = ubs
			}
			for i, hb := range bubs {
				if ub := hb + jobUB; ub >= sel.thetaRank.s-boundSlack {
					heads.push(runHead{ub: ub, jobUB: jobUB, run: bucketItem, pos: s.bStart[t] + int32(i)})
				}
			}
			continue
		case bucketItem:
			// Open the bucket: its runs join the frontier.
			b, jobUB := &s.buckets[top.pos], top.jobUB
			heads.pop()
			for ri := b.rStart; ri < b.rEnd; ri++ {
				u := &s.runs[ri]
				if why := r.checkRun(u); why != "" {
					r.rejected[why] += int(u.end-u.start) - goneIn(s.deadH, u.start, u.end)
					continue
				}
				ub := r.runUB(u, u.start) + jobUB
				if ub < sel.bar(u.c, u.dep)-boundSlack {
					continue // never read
				}
				heads.push(runHead{ub: ub, jobUB: jobUB, run: ri, pos: u.start})
			}
			continue
		}
		u := &s.runs[top.run]
		if top.ub < sel.bar(u.c, u.dep)-boundSlack {
			heads.pop() // the rest of the run is below its bar
			continue
		}
		hi, jobUB := top.pos, top.jobUB
		if top.pos+1 < u.end {
			top.pos++
			top.ub = r.runUB(u, top.pos) + jobUB
			heads.down(0)
		} else {
			heads.pop()
		}
		if seeded != nil && seeded[hi] {
			continue // in the selection since the start
		}
		if gone(s.deadH, hi) {
			continue // withdrawn or changed since the engine was built
		}
		h := &s.housing[hi]
		if why := r.checkHousing(h); why != "" {
			r.reject(why)
			continue
		}
		hc := r.housingCtx(h)
		hub := r.housingUB(&hc)
		ub := hub + jobUB
		br := sel.barRank(h.c, h.dep)
		if !(rank{roundScore(ub + scoreEps), h.ord}).before(br) {
			// Below the bar, or at best a tie with what holds it, which
			// comes first: many homes of a town tie exactly (same rent,
			// the same best job within 15 minutes).
			continue
		}
		examined++
		if examined%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, examined, err
			}
		}
		r.theta = sel.thetaRank.s
		c, ok := r.evaluateAt(hi, &hc, hub, nil, br.s)
		if ok {
			sel.add(c)
		}
	}
	sel.dirty = true
	return sel.pick(), examined, nil
}

// runHead is the first unread home of a run, housing[pos], and the bound
// of the run's homes from there on; with run = superItem, tileItem or
// bucketItem, it is the area pos, not yet opened, and the bound of its
// homes.
// jobUB is the area's job-side bound.
type runHead struct {
	ub, jobUB float64
	run, pos  int32
}

// runHeap is a binary max-heap of run heads by bound.
type runHeap []runHead

func (h runHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h runHeap) down(i int) { siftDown(h, i, func(x *runHead) float64 { return x.ub }) }

func (h *runHeap) push(x runHead) {
	*h = append(*h, x)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if q[p].ub >= q[i].ub {
			break
		}
		q[p], q[i] = q[i], q[p]
		i = p
	}
}

func (h *runHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}

// runUB bounds housingUB of the homes of run u from housing[k]
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

// searchScratch is the frontier's memory, reused across plans: a plan
// pushes thousands of runs, and fresh memory for them cost more than the
// heap work.
type searchScratch struct {
	heads, order runHeap
	bubs         []float64
	arena        []listEntry // the last block of job lists
	// the seekers' job bounds per tile and per super-tile
	jb, jbS     []float64
	comp, compS []compUB
	pairSpan    [][2]int32
	pairArena   [2][]pairList // a two-seeker plan grew them to ~1 MB
}

// resize returns x with length n and every element zero, reusing its
// memory when it is large enough.
func resize[T any](x []T, n int) []T {
	if cap(x) < n {
		return make([]T, n)
	}
	x = x[:n]
	clear(x)
	return x
}

// block hands out slices carved from chunks: a search makes thousands of
// small slices, each an allocation otherwise. Chunks double, from 64
// elements up to size, so that a small plan allocates little. A chunk is
// never moved: slices and pointers into it stay valid.
type block[T any] struct{ buf []T }

// carve returns an empty slice with capacity n.
func (b *block[T]) carve(n, size int) []T {
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]T, 0, max(n, min(size, max(64, 2*cap(b.buf)))))
	}
	k := len(b.buf)
	b.buf = b.buf[:k+n]
	return b.buf[k : k : k+n]
}

// tail returns the free end of the current chunk, empty, for a slice to
// be built in place by append; a new chunk of size when less than min is
// left. claim then takes x's elements when x was built there.
func (b *block[T]) tail(min, size int) []T {
	if cap(b.buf)-len(b.buf) < min {
		b.buf = make([]T, 0, size)
	}
	return b.buf[len(b.buf):len(b.buf)]
}

// claim takes from the current chunk the elements of x, a slice built by
// append from tail: none when x outgrew the chunk (append moved it) or the
// chunk has changed since (a carve in between).
func (b *block[T]) claim(x []T) {
	if n := len(x); n > 0 && n <= cap(b.buf)-len(b.buf) && &b.buf[:len(b.buf)+1][len(b.buf)] == &x[0] {
		b.buf = b.buf[:len(b.buf)+n]
	}
}

// one returns a pointer to a new zero element.
func (b *block[T]) one(size int) *T { return &b.carve(1, size)[:1][0] }

// grow returns x with room for at least one more element: when x is
// full, x copied into a slice of twice its capacity carved from b.
func grow[T any](b *block[T], x []T, size int) []T {
	if len(x) < cap(x) {
		return x
	}
	return append(b.carve(max(8, 2*cap(x)), size), x...)
}

var scratchPool = sync.Pool{New: func() any { return new(searchScratch) }}

// foldJobs folds a job list of seeker sk's group of tier tier (its bound
// per kind of seeker and its best contract and shortage values) into the
// bounds of an area: v, the best weighted fit + static value, and c, the
// best of each component for households with several seekers. A list
// holding no job the seeker may take changes nothing.
func (r *request) foldJobs(sk *seeker, tier int, b *seekerBound, maxCt, maxSh float64, v *float64, c *compUB) {
	x := b.of(sk.licence, sk.fr)
	if math.IsInf(x, -1) {
		return
	}
	*v = max(*v, r.w.JobFit*tierFit[tier]+x)
	c.fold(tier, maxCt, maxSh)
}

// fold adds to c a job list within reach of tier tier whose best contract
// and shortage values are maxCt and maxSh.
func (c *compUB) fold(tier int, maxCt, maxSh float64) {
	c.fit = max(c.fit, tierFit[tier])
	c.ct = max(c.ct, maxCt)
	c.sh = max(c.sh, maxSh)
	c.cm = 1
}

// superItem, tileItem and bucketItem mark a super-tile, a tile and a
// tile's bucket in the frontier (runHead.run; pos is then the super-tile,
// the tile or the bucket's index in snapshot.buckets).
const (
	superItem  = -1
	tileItem   = -2
	bucketItem = -3
	tileTight  = -4 // a tile bounded by tileJobUB
)

// tileJobUB bounds the job side of an option of a one-seeker household on
// a home of tile t from the super-tiles within reach (jbS: the seeker's
// bound per super-tile), each at its distance from the tile: at least
// jobBound's over the tile's neighbours, whose jobs lie in those
// super-tiles and no nearer to the tile.
func (r *request) tileJobUB(t int32, jbS []float64) float64 {
	s := r.s
	st := &s.supers[s.superOf[t]]
	tb := s.tiles.bbox(t)
	best := 0.0
	for k, s2 := range st.nb {
		if r.commuteUB(float64(st.nbDist[k])) < 0 {
			break // and every super-tile after it: nearest first
		}
		v := jbS[s2]
		if math.IsInf(v, -1) || v+r.w.Commute <= best {
			continue
		}
		// A metre less than the boxes' distance: the tiles' distances
		// are kept in float32.
		cm := r.commuteUB(max(0, minDistBBox(tb, s.supers[s2].box)-1))
		if cm >= 0 {
			best = max(best, v+r.w.Commute*cm)
		}
	}
	return best
}

// jobBound bounds the job side of any option on a home of an area (a tile
// or a super-tile) from its neighbours nb at distances of at least nd,
// where jb and comp are the seekers' bounds per neighbour (see searchFast).
// With several seekers it also returns the per-seeker component bounds.
func (r *request) jobBound(nb []int32, nd []float32, jb [][]float64, comp [][]compUB) (float64, []compUB) {
	w := &r.w
	switch {
	case len(r.seekers) > 1:
		ubs := make([]compUB, len(r.seekers))
		for i := range r.seekers {
			u := &ubs[i]
			for k, t2 := range nb {
				cmub := r.commuteUB(float64(nd[k]))
				if cmub < 0 {
					break // neighbours come nearest first
				}
				c := &comp[i][t2]
				if c.cm == 0 {
					continue // no job of this seeker there
				}
				u.fit, u.ct, u.sh = max(u.fit, c.fit), max(u.ct, c.ct), max(u.sh, c.sh)
				u.cm = max(u.cm, cmub)
			}
		}
		return r.jobSideUB(nil, ubs), ubs
	case r.jobSide:
		best := 0.0
		for k, t2 := range nb {
			cmub := r.commuteUB(float64(nd[k]))
			if cmub < 0 {
				break
			}
			if v := jb[0][t2]; !math.IsInf(v, -1) {
				best = max(best, v+w.Commute*cmub)
			}
		}
		return best, nil
	}
	return 0, nil
}

// pairBound bounds the job side (without timing) of an option of a
// household with two seekers on a home of a tile, from the tiles nb
// around it at distances of at least nd (comp: the seekers' bounds per
// tile, filled for nb), and returns each seeker's job lists for the
// bounds of the tile's homes (see tilePair). jobSideUB pairs the best fit,
// contract, shortage and commute found anywhere within reach, each maybe
// from another area and so another job; here each seeker's four values
// come from one job list (a group's jobs in one tile: one tier of fit,
// their best contract and shortage values), with the commute bound of the
// tile's distance, and the pairs of lists are tried. It is the aggregation
// of evaluate: 1 − ∏(1 − x) for fit, contract and shortage, the mean
// commute of the seekers who have a job, and a seeker may have none.
func (r *request) pairBound(nb []int32, nd []float32, comp [][]compUB) (float64, *tilePair) {
	w := &r.w
	tp := r.pairs.one(256)
	for i := range tp.lists {
		p := r.pairBuf[:0]
		for k, t2 := range nb {
			cmub := r.commuteUB(float64(nd[k]))
			if cmub < 0 {
				break // neighbours come nearest first
			}
			if comp[i][t2].cm == 0 {
				continue // no job of this seeker there
			}
			rest := w.Commute*cmub + w.Timing
			sp := r.pairSpan[i][t2]
			for _, x := range r.pairArena[i][sp[0]:sp[1]] {
				x.vub += rest
				x.c.cm = cmub
				p = addPairListFrom(p, 0, x)
			}
		}
		slices.SortFunc(p, func(a, b pairList) int { return cmp.Compare(b.vub, a.vub) })
		tp.lists[i] = append(r.pairLists.carve(len(p), 4096), p...)
		r.pairBuf = p
		// A job of the best list, to bound from below the value of the
		// job the seeker takes from each home (see secondFloor).
		tp.probe[i] = -1
		if len(p) > 0 {
			gt, sk := p[0].gt, &r.seekers[i]
			start, end := gt.start, gt.end
			if len(gt.sub) > 0 {
				// A split list is read through its cells (see
				// groupTile): its probe is in the best.
				k := 0
				for q := range gt.sub {
					if gt.sub[q].best.of(sk.licence, sk.fr) > gt.sub[k].best.of(sk.licence, sk.fr) {
						k = q
					}
				}
				start, end = gt.sub[k].start, gt.sub[k].end
			}
			if fj, ok := r.filtered(i, start, end, int(p[0].tier)).at(r, 0); ok {
				tp.probe[i] = fj.ji
			}
		}
	}
	return tp.bound(w, math.Inf(-1), math.Inf(-1)), tp
}

// pairList is one job list of a seeker around a housing tile (a group's
// jobs in a tile within reach), as the bounds of two-seeker households see
// it: vub bounds the value v (choice.v) of its jobs for the seeker from
// any home of the tile, up to rounding (a job's v may exceed it by an ulp:
// within keeps boundSlack), and c what they bring to the household.
type pairList struct {
	vub  float64
	c    compUB
	gt   *groupTile // the list, where its probe is read (tilePair.probe)
	tier int32
}

// tilePair is, for a housing tile of a two-seeker household, each seeker's
// job lists within reach, by vub, best first, without those that another
// dominates (see addPairListFrom).
//
// A seeker takes the job of highest v from the home, so when a job of
// value L is within its reach from a home, the job it takes is in one of
// the lists with vub ≥ L: the bound of an option on that home (bound)
// pairs those lists only. One list with the household's best shortage
// value may be hours of work away for an adult who has a better-paid
// job in the next street; the tile's bound (pairBound) cannot know it,
// a home's can.
type tilePair struct {
	lists [2][]pairList
	// probe is, for each seeker, a job of its best list (-1: none).
	probe [2]int32
}

// addPairListFrom adds list x to the seeker's lists p[from:] unless one of
// them is at least as good in all five values (vub and the four
// components), and drops those x is at least as good as: no prefix by vub
// then loses its best pair.
func addPairListFrom(p []pairList, from int, x pairList) []pairList {
	for _, q := range p[from:] {
		if q.vub >= x.vub && q.c.fit >= x.c.fit && q.c.ct >= x.c.ct && q.c.sh >= x.c.sh && q.c.cm >= x.c.cm {
			return p
		}
	}
	k := from
	for _, q := range p[from:] {
		if !(x.vub >= q.vub && x.c.fit >= q.c.fit && x.c.ct >= q.c.ct && x.c.sh >= q.c.sh && x.c.cm >= q.c.cm) {
			p[k] = q
			k++
		}
	}
	return append(p[:k], x)
}

// within returns the lists of seeker si that may hold a job of value at
// least lo (all of them for lo = −Inf).
func (tp *tilePair) within(si int, lo float64) []pairList {
	l := tp.lists[si]
	n := 0
	for n < len(l) && l[n].vub >= lo-boundSlack {
		n++
	}
	return l[:n]
}

// bound bounds the job side (without timing) of an option on a home of
// the tile when the first seeker takes a job of value v at least lo0 from
// it and the second one of value at least lo1; −Inf when nothing is known
// of a seeker, who may then have no job (both −Inf: the tile's bound,
// pairBound).
func (tp *tilePair) bound(w *Weights, lo0, lo1 float64) float64 {
	a, b := tp.within(0, lo0), tp.within(1, lo1)
	none0, none1 := math.IsInf(lo0, -1), math.IsInf(lo1, -1)
	best := math.Inf(-1)
	if none0 && none1 {
		best = 0 // nobody has a job
	}
	if none1 {
		for _, x := range a {
			best = max(best, w.soloValue(x.c))
		}
	}
	if none0 {
		for _, y := range b {
			best = max(best, w.soloValue(y.c))
		}
	}
	for _, x := range a {
		for _, y := range b {
			best = max(best, w.pairValue(x.c, y.c))
		}
	}
	return best
}

// soloValue is the job side (without timing) of an option where one
// seeker has a job with components a and the other none.
func (w *Weights) soloValue(a compUB) float64 {
	return w.JobFit*a.fit + w.Contract*a.ct + w.Shortage*a.sh + w.Commute*a.cm
}

// pairValue is the job side (without timing) of an option where two
// seekers have jobs with components a and b: 1 − ∏(1 − x) of fit, contract
// and shortage, and the mean commute, as score aggregates them.
func (w *Weights) pairValue(a, b compUB) float64 {
	return w.JobFit*(1-(1-a.fit)*(1-b.fit)) + w.Contract*(1-(1-a.ct)*(1-b.ct)) +
		w.Shortage*(1-(1-a.sh)*(1-b.sh)) + w.Commute*(a.cm+b.cm)/2
}

// secondUB bounds the job side (without timing) of an option of a
// two-seeker household whose first seeker took first (nil: no job), from
// the second seeker's job lists pts (tilePair's, for the home's tile);
// none: the second seeker may have no job.
func (r *request) secondUB(first *choice, pts []pairList, none bool) float64 {
	w := &r.w
	best := math.Inf(-1)
	if first == nil {
		if none {
			best = 0
		}
		for _, b := range pts {
			best = max(best, w.soloValue(b.c))
		}
		return best
	}
	j := &r.s.jobs[first.job]
	a := compUB{fit: first.fit, ct: j.ct, sh: j.sh, cm: first.cm}
	if none {
		best = w.soloValue(a)
	}
	for _, b := range pts {
		best = max(best, w.pairValue(a, b.c))
	}
	return best
}

// bucketsUB bounds the housing part of the score of any option on the
// homes summarised by buckets (a tile's or a super-tile's) for this
// household, with the wish bonus they may get, or returns -Inf when none
// of them fits.
func (r *request) bucketsUB(buckets []bucket, wish float64) float64 {
	s := r.s
	w := r.w
	best := math.Inf(-1)
	stepFree := r.stepFree
	for i := range buckets {
		b := &buckets[i]
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
		size := w.SizeFit * sizeValue(b.rooms, r.ideal, b.shared)
		bucketUB := func(aff float64) float64 {
			v := b.maxStatic + size + w.Affordability*aff + w.Timing
			if !r.jobSide {
				v /= 1 - w.jobSide()
			}
			return v + wish
		}
		if r.incomeMax > 0 {
			// Affordability is at most 1: a bucket that cannot beat the
			// best even so needs no APL estimate (a plan bounds a few
			// thousand buckets before it reads a home).
			if bucketUB(1) <= best {
				continue
			}
			num := b.minRent + b.minCharges - s.apl.EstimateAPL(1, couple, dep, b.minRent, r.incomeMin)
			best = max(best, bucketUB(affordValue(max(0, num)/r.incomeMax)))
		} else {
			best = max(best, bucketUB(1))
		}
	}
	return best
}

// searchNaive scores every feasible housing offer against every candidate
// job of each seeker: the brute-force baseline of the oracle tests and
// benchmarks.
func (r *request) searchNaive(ctx context.Context) ([]candidate, int, error) {
	s := r.s
	src := &scanSource{cands: make([][]int32, len(r.seekers)), ix: make([]*geo.Index, len(r.seekers))}
	// Every job, in the market's order (the order the rejection counts
	// follow), not the engine's.
	byMkt := make([]int32, len(s.jobs))
	for ji := range s.jobs {
		byMkt[ji] = int32(ji)
	}
	slices.SortFunc(byMkt, func(a, b int32) int { return cmp.Compare(s.jobs[a].mkt, s.jobs[b].mkt) })
	for i := range r.seekers {
		sk := &r.seekers[i]
		var pts []orb.Point
		for _, ji := range byMkt {
			j := &s.jobs[ji]
			if gone(s.deadJ, ji) {
				continue
			}
			if matchTier(sk.m.Occupations, j.o.ROME, j.o.BeginnersOK) != TierNone {
				src.cands[i] = append(src.cands[i], int32(ji))
				pts = append(pts, j.end.Point)
			}
		}
		src.ix[i] = geo.NewIndex(pts, 0)
	}
	sel := r.newSelection()
	examined := 0
	for hi := range s.housing {
		if gone(s.deadH, int32(hi)) {
			continue
		}
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
	slices.SortFunc(sel.cands, byPick)
	return sel.pick(), examined, nil
}

// compUB bounds the job components a seeker can bring: fit, contract,
// shortage and commute values.
type compUB struct{ fit, ct, sh, cm float64 }

// jobSideUB bounds the weighted job-side components of an option whose
// seekers have taken the jobs chosen and whose other seekers bring at most
// rest, with the household aggregation 1 − ∏(1 − x) and the mean commute.
func (r *request) jobSideUB(chosen []choice, rest []compUB) float64 {
	nf, nc, ns, cm, _ := r.aggregate(chosen, rest)
	w := &r.w
	return w.JobFit*(1-nf) + w.Contract*(1-nc) + w.Shortage*(1-ns) + w.Commute*cm
}

// aggregate combines what the jobs chosen and the bounds rest bring: the
// products ∏(1 − x) of their fit, contract and shortage values, and the
// largest commute and timing values (1 for a bound: timing is not bounded
// per seeker).
func (r *request) aggregate(chosen []choice, rest []compUB) (nf, nc, ns, cm, tm float64) {
	nf, nc, ns = 1, 1, 1
	for _, c := range chosen {
		j := &r.s.jobs[c.job]
		nf *= 1 - c.fit
		nc *= 1 - j.ct
		ns *= 1 - j.sh
		cm = max(cm, c.cm)
		tm = max(tm, c.tm)
	}
	for _, u := range rest {
		nf *= 1 - u.fit
		nc *= 1 - u.ct
		ns *= 1 - u.sh
		cm = max(cm, u.cm)
		tm = 1
	}
	return nf, nc, ns, cm, tm
}
