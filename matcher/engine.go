package matcher

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// EngineOptions configure an Engine. The zero value gives the defaults.
type EngineOptions struct {
	Weights Weights    // default DefaultWeights()
	Router  geo.Router // default geo.DefaultModel()
	APL     *APLParams // default &APL2025
	// TileKM is the side of the tiles that carry the score bounds, in
	// kilometres (default 10).
	TileKM float64
	// SplitListsFrom is the number of jobs of one group in one tile from
	// which they are split into finer cells (default 96). Tuning and
	// tests only: results do not depend on it.
	SplitListsFrom int
	// MaxReachKM caps the straight-line distance between a home and a job,
	// in kilometres (default 60): no daily commute is planned beyond it,
	// whatever the household's maximum time. It bounds the neighbour lists
	// of tiles.
	MaxReachKM float64
}

// Engine builds mobility plans over a Market. Plan is safe for concurrent
// use; the market is held in an immutable snapshot.
type Engine struct {
	opts EngineOptions
	snap atomic.Pointer[snapshot]
}

// NewEngine indexes market m and returns an Engine. It returns a
// *ValidationError for invalid weights, and an error when an offer's
// commune is unknown and it has no point. Offers that are not open are
// left out of the indexes. m must not be modified afterwards.
func NewEngine(m *Market, opts EngineOptions) (*Engine, error) {
	if opts.Weights == (Weights{}) {
		opts.Weights = DefaultWeights()
	}
	if err := opts.Weights.Validate(); err != nil {
		return nil, err
	}
	if opts.Router == nil {
		opts.Router = geo.DefaultModel()
	}
	if opts.APL == nil {
		opts.APL = &APL2025
	}
	if opts.TileKM <= 0 {
		opts.TileKM = 10
	}
	if opts.SplitListsFrom <= 0 {
		opts.SplitListsFrom = subListMin
	}
	if opts.MaxReachKM <= 0 {
		opts.MaxReachKM = 60
	}
	if m == nil || m.Atlas == nil {
		return nil, fmt.Errorf("matcher: building engine: market has no atlas")
	}
	s, err := buildSnapshot(m, &opts)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: opts}
	e.snap.Store(s)
	return e, nil
}

// Weights returns the engine's score weights.
func (e *Engine) Weights() Weights { return e.opts.Weights }

// Version returns the data version of the market the engine plans over.
func (e *Engine) Version() int64 { return e.snap.Load().version }

// Base returns the data version of the market the engine's indexes were
// built from: Version for an engine made by NewEngine, an earlier one for
// an engine made by Without, which lacks the offers created or edited
// since. Version and Base together name what an engine plans over.
func (e *Engine) Base() int64 { return e.snap.Load().base }

// Atlas returns the places the engine knows.
func (e *Engine) Atlas() *geo.Atlas { return e.snap.Load().atlas }

// Counts returns the number of open housing offers and job offers the
// engine plans over (those Without left out are not counted).
func (e *Engine) Counts() (housing, jobs int) {
	s := e.snap.Load()
	return len(s.housing) - countBits(s.deadH), len(s.jobs) - countBits(s.deadJ)
}

// day is a date as whole days since 1970-01-01; noDay means unset.
type day = int32

const noDay day = math.MinInt32

func toDay(d Date) day {
	if d.IsZero() {
		return noDay
	}
	return day(d.Unix() / 86400)
}

// hItem is an indexed housing offer.
type hItem struct {
	o       *HousingOffer
	c       *geo.Commune
	end     geo.End
	cos     float64 // geo.CosLat of end, for geo.DistanceCos
	stab    float64 // housing_stability value
	terr    float64 // territory value
	static  float64 // weighted stability + territory
	rent    float64 // copied from o, like the fields below, so that the
	charges float64 // search reads one contiguous item per home
	maxOcc  int32
	avail   day
	expires day
	tile    int32
	rooms   int16
	places  int16
	ord     int32 // rank in the market's order within its tile: ties go to the home listed first
	kind    LandlordKind
	shared  bool
	free    bool  // step-free
	gender  uint8 // genderBit of a shared flat
	aplZone int8
	dep     int32 // index of the commune's department (snapshot.deps)
}

// hRun is a run of homes of one tile that share everything the housing
// bound reads except the cost, and the rules that hold for all of them:
// commune (so territory, APL zone, wishes and scope), rooms, the shared
// flag, the stability value and the landlord kind. Its homes,
// housing[start:end], are sorted by rent + charges, cheapest first, so the
// bound of the run's first unread home bounds all the rest: the search
// reads each tile's homes best bound first, through a heap of its runs,
// and stops without touching the homes below the bar.
type hRun struct {
	start, end int32
	c          *geo.Commune
	static     float64
	rooms      int16
	shared     bool
	aplZone    int8
	dep        int32 // as hItem.dep
	kind       LandlordKind
}

// jItem is an indexed job offer.
type jItem struct {
	// What a search reads of every job it tries comes first, in the first
	// 64 bytes of the item (128 bytes, so that a job of the page-aligned
	// array spans two cache lines, not three).
	end    geo.End
	cos    float64 // geo.CosLat of end, for geo.DistanceCos
	static float64 // weighted contract + shortage
	start  day
	frReq  int32 // French rank required (0 for none)
	// Copied from o, so that filtering a list reads the item only.
	rome      uint64 // romeKey of o.ROME
	expires   day
	tile      int32
	beginners bool    // o.BeginnersOK
	licence   bool    // o.DrivingLicence
	mkt       int32   // index in the market's jobs: ties go to the job listed first
	ct, sh    float64 // contract and shortage values
	net       float64 // net monthly wage
	o         *JobOffer
	c         *geo.Commune
}

// bucket summarises the housing of one tile with the same rooms and shared
// flag, for the tile's score bound. Rooms are never lumped together: the
// bound's size fit is that of the bucket's rooms, and a household's ideal
// can be 7 rooms or more (a "6 and more" bucket bounded a 9-room home with
// a 6-room size fit, so too low; TestPlanLargeHouseholdsMatchNaive). A
// tile's runs are ordered by bucket: a tile's bucket holds
// runs[rStart:rEnd], so that a plan bounds a bucket's runs only when the
// bucket's bound comes first (bounding every run of the tiles it opened, a
// median plan bounded 4,500 runs and read fewer than 400). A super-tile's
// merged buckets have no runs.
type bucket struct {
	rooms       int
	shared      bool
	rStart      int32
	rEnd        int32
	maxStatic   float64
	minRent     float64
	minCharges  float64
	maxOcc      int
	anyStepFree bool
	genders     uint8 // bit 0 F, 1 M, 2 any
}

// groupTile is the jobs of one group in one tile: jobOrder[start:end],
// sorted by static value, best first.
type groupTile struct {
	tile         int32
	start, end   int32
	maxStatic    float64
	maxCt, maxSh float64 // best contract and shortage values
	// sub splits a long list into the cells of a finer grid, each sorted
	// by static value, so that distance prunes inside dense tiles; when
	// set, jobOrder[start:end] is their concatenation and is read through
	// them only.
	sub []subList
}

// subList is the part of a long group-tile list in one cell of a finer
// grid: jobOrder[start:end], sorted by static value, within bbox.
type subList struct {
	start, end int32
	maxStatic  float64
	best       seekerBound
	bbox       bbox
}

// nFrench is the number of French ranks, A0 to C2.
const nFrench = 7

// seekerBound bounds, for a seeker with or without a driving licence
// ([0] without) and of each French rank, the static value of a list's
// jobs the seeker may take minus the weighted French penalty of job_fit:
// max of static − JobFit × FrenchPenaltyPerLevel × gap over the jobs
// whose licence rule and French gap (≤ MaxFrenchGap) let the seeker in,
// or -Inf when there is none. With the tier's fit it bounds a job's v
// (choice.v) far tighter than maxStatic for a seeker without a licence or
// with little French: the penalty never meets the floor of 0 of job_fit,
// since every tier's fit is ≥ 0.3 = MaxFrenchGap × FrenchPenaltyPerLevel.
// float64, not float32: rounded up to float32 the bound stood 1e-8 above
// the jobs that reach it, and the search could no longer see that a home
// only ties the option holding its bar.
type seekerBound [2][nFrench]float64

// of returns the bound for a seeker.
func (b *seekerBound) of(licence bool, fr int) float64 {
	return b[b2i(licence)][min(max(fr, 0), nFrench-1)]
}

// seekerKind returns the index of a seeker's bound in jobGroup.best:
// seekerBound.of's element, counted row by row.
func seekerKind(licence bool, fr int) int {
	return b2i(licence)*nFrench + min(max(fr, 0), nFrench-1)
}

// boundJobs computes the seekerBound of a list of jobs.
func (s *snapshot) boundJobs(ids []int32) seekerBound {
	// The best static value per licence rule and French requirement,
	// then the combination for each kind of seeker.
	var m [2][nFrench]float64
	for l := range m {
		for f := range m[l] {
			m[l][f] = math.Inf(-1)
		}
	}
	for _, ji := range ids {
		j := &s.jobs[ji]
		l, f := b2i(j.licence), min(int(j.frReq), nFrench-1)
		m[l][f] = max(m[l][f], j.static)
	}
	var b seekerBound
	for lic := range 2 {
		for fr := range nFrench {
			v := math.Inf(-1)
			for need := range lic + 1 {
				for req := range nFrench {
					gap := req - fr
					if gap > MaxFrenchGap || math.IsInf(m[need][req], -1) {
						continue
					}
					v = max(v, m[need][req]-s.w.JobFit*FrenchPenaltyPerLevel*float64(max(gap, 0)))
				}
			}
			b[lic][fr] = v
		}
	}
	return b
}

// subListMin is the default length from which a group's jobs in one tile
// are split into subSplit × subSplit cells.
const (
	subListMin = 96
	subSplit   = 4
)

// jobGroup is every job of one ROME code ("r:G1602"), one domaine
// ("d:G16"), one grand domaine ("g:G") or accepting beginners ("b").
type jobGroup struct {
	tiles []groupTile
	// best[k][i] is maxStatic of tiles[i] for seekers of kind k
	// (seekerKind): the search reads it for every neighbour tile and
	// job group of the tiles it opens, and a column of its own is read
	// from a few cache lines where the 170-byte groupTiles took one per
	// tile.
	best [2 * nFrench][]float64
	// tile → index in tiles: dense (-1 where the group has no job) for
	// groups present in many tiles, a map for the others
	dense     []int32
	byTile    map[int32]int32
	supers    []superJobs // the super-tiles where the group has jobs
	maxWage   float64
	maxStatic float64
}

type snapshot struct {
	atlas    *geo.Atlas
	shortage *ShortageTable
	version  int64
	w        Weights
	router   geo.Router
	apl      *APLParams

	housing []hItem
	jobs    []jItem
	// deps numbers the departments of the homes (hItem.dep), so that a
	// plan's diversity bars are read from a slice, not a map of strings.
	deps map[string]int32

	tiles tiling
	// housing by tile: housing[hStart[t]:hStart[t+1]] (orderHomes)
	hStart []int32
	// runs by tile: runs[rStart[t]:rStart[t+1]]; sufRentLo[k] and
	// sufRentHi[k] are the lowest and highest rent of the homes from
	// housing[k] to the end of its run, and hCost[k] the rent plus
	// charges of housing[k], so that a run's bound reads contiguous memory.
	rStart                      []int32
	runs                        []hRun
	sufRentLo, sufRentHi, hCost []float64
	// buckets by tile: buckets[bStart[t]:bStart[t+1]]
	bStart  []int32
	buckets []bucket
	// super-tiles, and the super-tile of each tile
	supers   []superTile
	superOf  []int32
	supersOf map[string][]int32 // by commune and department code
	// tile departments: tileDeps[t]
	tileDeps [][]string
	// tileSlack[t]: the largest distance, in meters, between a home of
	// tile t and its commune's point (a radius scope judges a home by its
	// commune; see radiusMargin)
	tileSlack []float64
	maxStatic float64 // over all housing

	groups    map[string]*jobGroup
	jobOrder  []int32
	splitFrom int

	// Offers an engine made by Without leaves out: bit sets over housing
	// and jobs (nil: none), and the offers' index by id it reads them by.
	deadH, deadJ []uint64
	ids          *offerIDs
	base         int64 // the version of the market the indexes hold
}

func buildSnapshot(m *Market, opts *EngineOptions) (*snapshot, error) {
	w := opts.Weights
	s := &snapshot{
		atlas: m.Atlas, shortage: m.Shortage, version: m.Version, w: w,
		router: opts.Router, apl: opts.APL, groups: make(map[string]*jobGroup), splitFrom: opts.SplitListsFrom,
		ids: &offerIDs{}, base: m.Version,
	}
	s.tiles = newTiling(opts.TileKM, opts.MaxReachKM*1000)

	s.housing = make([]hItem, 0, len(m.Housing))
	s.deps = make(map[string]int32)
	for i := range m.Housing {
		o := &m.Housing[i]
		if o.Status != "" && o.Status != StatusOpen {
			continue
		}
		c, pt, err := s.place(o.Commune, o.Point)
		if err != nil {
			return nil, fmt.Errorf("matcher: indexing housing offer %q: %w", o.ID, err)
		}
		it := hItem{o: o, c: c, end: geo.End{Point: pt, DensityKm2: c.DensityKm2, EmploymentArea: c.EmploymentArea}, cos: geo.CosLat(pt),
			stab: stabilityValue(o.LandlordKind, o.Lease), terr: territoryValue(c),
			maxOcc: int32(o.MaxOccupants), avail: toDay(o.AvailableFrom), expires: toDay(o.ExpiresOn),
			rent: o.RentMonthly, charges: o.ChargesMonthly, rooms: int16(min(o.Rooms, 1000)), places: int16(min(o.Places, 1000)),
			kind: o.LandlordKind, shared: o.Shared, free: o.StepFree, aplZone: int8(c.Zone.APLZone())}
		if o.Shared {
			it.maxOcc = 1
			it.gender = genderBit(o.Gender)
		} else if it.maxOcc <= 0 {
			it.maxOcc = int32(MaxOccupantsForSurface(o.SurfaceM2))
		}
		d, ok := s.deps[c.Department]
		if !ok {
			d = int32(len(s.deps))
			s.deps[c.Department] = d
		}
		it.dep = d
		it.static = w.HousingStability*it.stab + w.Territory*it.terr
		s.maxStatic = max(s.maxStatic, it.static)
		it.tile = s.tiles.add(pt)
		s.housing = append(s.housing, it)
	}
	s.jobs = make([]jItem, 0, len(m.Jobs))
	for i := range m.Jobs {
		o := &m.Jobs[i]
		if o.Status != "" && o.Status != StatusOpen {
			continue
		}
		c, pt, err := s.place(o.Commune, o.Point)
		if err != nil {
			return nil, fmt.Errorf("matcher: indexing job offer %q: %w", o.ID, err)
		}
		sh, _ := m.Shortage.Lookup(c, o.ROME)
		it := jItem{o: o, c: c, end: geo.End{Point: pt, DensityKm2: c.DensityKm2, EmploymentArea: c.EmploymentArea}, cos: geo.CosLat(pt),
			ct: contractValue(o.Contract, o.Months), sh: sh, net: netMonthly(o),
			frReq: int32(max(0, o.FrenchLevel.Rank())), start: toDay(o.StartOn), expires: toDay(o.ExpiresOn),
			rome: romeKey(o.ROME), beginners: o.BeginnersOK, licence: o.DrivingLicence, mkt: int32(i)}
		it.static = w.Contract*it.ct + w.Shortage*it.sh
		it.tile = s.tiles.add(pt)
		s.jobs = append(s.jobs, it)
	}
	s.tiles.finish()
	s.orderHomes()
	s.orderJobs()
	s.indexHousing()
	s.indexJobs()
	s.indexSupers()
	return s, nil
}

// orderHomes stores the homes by tile and, within a tile, in the order
// the search reads them: by run (bucket first: rooms and shared flag; then
// commune, stability and landlord kind) and cost, so that a run's homes lie
// side by side and indexRuns reads the runs off in place. Ties between
// options go to the home listed first in the market within its tile, and
// between tiles to the tile where the market lists an offer first:
// hItem.ord is that rank, not the home's index. (Ties by the market's
// order alone, wherever the homes lie, or by tiles in grid order, placed
// 834 and 843 fewer households of the 10,000-household national
// allocation: 8,615 and 8,606 against 9,449.)
func (s *snapshot) orderHomes() {
	hs := s.housing
	start := make([]int32, s.tiles.len()+1)
	for i := range hs {
		start[hs[i].tile+1]++
	}
	for t := 1; t < len(start); t++ {
		start[t] += start[t-1]
	}
	for i := range hs {
		t := hs[i].tile
		hs[i].ord = start[t]
		start[t]++
	}
	// Sorted on compact keys, not through the items: a comparison that
	// reached into the 150-byte items missed the cache at every step.
	// Communes by code, not by pointer: every offer in a commune the
	// atlas does not know gets a commune of its own with its
	// department's code, and an order by pointer would follow the map's.
	communes := map[string]int32{}
	kinds := map[LandlordKind]int32{}
	for i := range hs {
		communes[hs[i].c.Code] = 0
		kinds[hs[i].kind] = 0
	}
	rankKeys(communes, func(c string) string { return c })
	rankKeys(kinds, func(k LandlordKind) string { return string(k) })
	type key struct {
		tile, commune, kind, ord, i int32
		rooms                       int16
		shared                      bool
		stab, cost                  float64
	}
	keys := make([]key, len(hs))
	for i := range hs {
		h := &hs[i]
		keys[i] = key{tile: h.tile, commune: communes[h.c.Code], kind: kinds[h.kind], ord: h.ord, i: int32(i),
			rooms: h.rooms, shared: h.shared, stab: h.stab, cost: h.rent + h.charges}
	}
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(cmp.Compare(x.tile, y.tile), cmp.Compare(x.rooms, y.rooms), cmp.Compare(b2i(x.shared), b2i(y.shared)),
			cmp.Compare(x.commune, y.commune), cmp.Compare(x.stab, y.stab), cmp.Compare(x.kind, y.kind),
			cmp.Compare(x.cost, y.cost), cmp.Compare(x.ord, y.ord))
	})
	out := make([]hItem, len(hs))
	for i, k := range keys {
		out[i] = hs[k.i]
	}
	s.housing = out
}

// orderJobs stores the jobs by tile and, within a tile, by occupation: the
// jobs of an occupation's list in a tile lie side by side, and the search
// reads and filters them from a few pages instead of all over the array.
// Ties between jobs go to the one listed first in the market (jItem.mkt),
// not to the first in this order.
func (s *snapshot) orderJobs() {
	type key struct {
		rome    uint64
		tile, i int32
	}
	keys := make([]key, len(s.jobs))
	for i := range s.jobs {
		keys[i] = key{rome: s.jobs[i].rome, tile: s.jobs[i].tile, i: int32(i)}
	}
	slices.SortFunc(keys, func(x, y key) int {
		return cmp.Or(cmp.Compare(x.tile, y.tile), cmp.Compare(x.rome, y.rome), cmp.Compare(x.i, y.i))
	})
	out := make([]jItem, len(s.jobs))
	for i, k := range keys {
		out[i] = s.jobs[k.i]
	}
	s.jobs = out
}

// rankKeys numbers the keys of m in the order of their names.
func rankKeys[K comparable](m map[K]int32, name func(K) string) {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b K) int { return cmp.Compare(name(a), name(b)) })
	for i, k := range ks {
		m[k] = int32(i)
	}
}

// place returns the commune of an offer and its point (the offer's own, or
// the commune's).
func (s *snapshot) place(code string, p *Point) (*geo.Commune, orb.Point, error) {
	c, _, err := s.atlas.Locate(code)
	if err != nil {
		return nil, orb.Point{}, err
	}
	if p != nil {
		return c, orb.Point{p.Lon, p.Lat}, nil
	}
	return c, c.Point, nil
}

func genderBit(g Sex) uint8 {
	switch g {
	case Female:
		return 1
	case Male:
		return 2
	}
	return 4
}

func (s *snapshot) indexHousing() {
	n := s.tiles.len()
	s.hStart = make([]int32, n+1)
	for i := range s.housing {
		s.hStart[s.housing[i].tile+1]++
	}
	for t := 1; t <= n; t++ {
		s.hStart[t] += s.hStart[t-1]
	}
	s.indexRuns()
	s.bStart = make([]int32, n+1)
	s.tileDeps = make([][]string, n)
	s.tileSlack = make([]float64, n)
	for t := range n {
		// indexRuns put each bucket's runs together.
		var b *bucket
		for ri := s.rStart[t]; ri < s.rStart[t+1]; ri++ {
			u := &s.runs[ri]
			rooms := int(u.rooms)
			if b == nil || b.rooms != rooms || b.shared != u.shared {
				s.buckets = append(s.buckets, bucket{rooms: rooms, shared: u.shared, rStart: ri,
					maxStatic: -1, minRent: math.Inf(1), minCharges: math.Inf(1)})
				b = &s.buckets[len(s.buckets)-1]
			}
			b.rEnd = ri + 1
			for id := u.start; id < u.end; id++ {
				h := &s.housing[id]
				b.maxStatic = max(b.maxStatic, h.static)
				b.minRent = min(b.minRent, h.o.RentMonthly)
				b.minCharges = min(b.minCharges, h.o.ChargesMonthly)
				b.maxOcc = max(b.maxOcc, int(h.maxOcc))
				b.anyStepFree = b.anyStepFree || h.o.StepFree
				if h.o.Shared {
					b.genders |= genderBit(h.o.Gender)
				}
				if !slices.Contains(s.tileDeps[t], h.c.Department) {
					s.tileDeps[t] = append(s.tileDeps[t], h.c.Department)
				}
				s.tileSlack[t] = max(s.tileSlack[t], geo.Distance(h.end.Point, h.c.Point))
			}
		}
		s.bStart[t+1] = int32(len(s.buckets))
	}
}

// indexRuns orders each tile's homes into runs (see hRun) and fills the
// suffix rent ranges of the cost bound.
func (s *snapshot) indexRuns() {
	n := s.tiles.len()
	s.rStart = make([]int32, n+1)
	s.runs = s.runs[:0]
	s.sufRentLo = make([]float64, len(s.housing))
	s.sufRentHi = make([]float64, len(s.housing))
	s.hCost = make([]float64, len(s.housing))
	for t := range n {
		// orderHomes stored a tile's homes in run order, so the runs
		// are read off in place: a run ends where one of the keys it
		// sorted them by, but the cost, changes.
		for i, b := int(s.hStart[t]), int(s.hStart[t+1]); i < b; {
			h := &s.housing[i]
			j := i + 1
			for j < b {
				g := &s.housing[j]
				if g.c != h.c || g.rooms != h.rooms || g.shared != h.shared || g.stab != h.stab || g.kind != h.kind {
					break
				}
				j++
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for k := j - 1; k >= i; k-- {
				g := &s.housing[k]
				lo, hi = min(lo, g.rent), max(hi, g.rent)
				s.sufRentLo[k], s.sufRentHi[k] = lo, hi
				s.hCost[k] = g.rent + g.charges
			}
			s.runs = append(s.runs, hRun{start: int32(i), end: int32(j), c: h.c, static: h.static,
				rooms: h.rooms, shared: h.shared, aplZone: h.aplZone, kind: h.kind, dep: h.dep})
			i = j
		}
		s.rStart[t+1] = int32(len(s.runs))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *snapshot) indexJobs() {
	// Group ids per distinct ROME code, so that no key is built per job.
	type romeGroups struct{ ids [4]int32 } // r:, d:, g:, and -1
	gid := map[string]int32{}
	var names []string
	group := func(key string) int32 {
		if id, ok := gid[key]; ok {
			return id
		}
		id := int32(len(names))
		gid[key] = id
		names = append(names, key)
		return id
	}
	byROME := map[string]romeGroups{}
	beginners := group("b")
	jobGroups := func(o *JobOffer) romeGroups {
		rg, ok := byROME[o.ROME]
		if !ok {
			rg = romeGroups{ids: [4]int32{-1, -1, -1, -1}}
			if o.ROME != "" {
				rg.ids[0] = group("r:" + o.ROME)
				rg.ids[2] = group("g:" + o.ROME[:1])
			}
			if d := domainOf(o.ROME); d != "" {
				rg.ids[1] = group("d:" + d)
			}
			byROME[o.ROME] = rg
		}
		if o.BeginnersOK {
			rg.ids[3] = beginners
		}
		return rg
	}
	// Counting sort of (group, job) entries by group.
	counts := []int{}
	grow := func() {
		for len(counts) < len(names) {
			counts = append(counts, 0)
		}
	}
	per := make([]romeGroups, len(s.jobs))
	for i := range s.jobs {
		per[i] = jobGroups(s.jobs[i].o)
		grow()
		for _, g := range per[i].ids {
			if g >= 0 {
				counts[g]++
			}
		}
	}
	grow() // with no job at all, the beginners' group has no count yet
	offset := make([]int, len(names)+1)
	for g := range names {
		offset[g+1] = offset[g] + counts[g]
	}
	s.jobOrder = make([]int32, offset[len(names)])
	fill := slices.Clone(offset[:len(names)])
	for i := range s.jobs {
		for _, g := range per[i].ids {
			if g >= 0 {
				s.jobOrder[fill[g]] = int32(i)
				fill[g]++
			}
		}
	}
	// Within each group, a counting sort by tile, then each tile's run by
	// static value, best first (ties: market order).
	nt := s.tiles.len()
	tileCount := make([]int32, nt+1)
	tmp := make([]int32, 0)
	for g, name := range names {
		seg := s.jobOrder[offset[g]:offset[g+1]]
		var touched []int32
		for _, ji := range seg {
			t := s.jobs[ji].tile
			if tileCount[t] == 0 {
				touched = append(touched, t)
			}
			tileCount[t]++
		}
		slices.Sort(touched)
		pos := make(map[int32]int32, len(touched))
		acc := int32(0)
		for _, t := range touched {
			pos[t] = acc
			acc += tileCount[t]
			tileCount[t] = 0
		}
		tmp = append(tmp[:0], seg...)
		starts := make(map[int32]int32, len(touched))
		for t, p := range pos {
			starts[t] = p
		}
		for _, ji := range tmp {
			t := s.jobs[ji].tile
			seg[pos[t]] = ji
			pos[t]++
		}
		jg := &jobGroup{tiles: make([]groupTile, 0, len(touched))}
		if len(touched)*64 >= nt {
			jg.dense = make([]int32, nt)
			for t := range jg.dense {
				jg.dense[t] = -1
			}
		} else {
			jg.byTile = make(map[int32]int32, len(touched))
		}
		for k := range jg.best {
			jg.best[k] = make([]float64, 0, len(touched))
		}
		base := int32(offset[g])
		for _, t := range touched {
			a, b := starts[t], pos[t]
			run := seg[a:b]
			slices.SortFunc(run, func(x, y int32) int {
				if c := cmp.Compare(s.jobs[y].static, s.jobs[x].static); c != 0 {
					return c
				}
				return cmp.Compare(s.jobs[x].mkt, s.jobs[y].mkt) // the market's order
			})
			gt := groupTile{tile: t, start: base + a, end: base + b, maxStatic: s.jobs[run[0]].static}
			best := s.boundJobs(run)
			for l := range best {
				for f := range best[l] {
					k := l*nFrench + f
					jg.best[k] = append(jg.best[k], best[l][f])
				}
			}
			if len(run) >= s.splitFrom {
				gt.sub = s.split(run, t, base+a)
			}
			for _, ji := range run {
				j := &s.jobs[ji]
				jg.maxWage = max(jg.maxWage, j.net)
				gt.maxCt = max(gt.maxCt, j.ct)
				gt.maxSh = max(gt.maxSh, j.sh)
			}
			jg.maxStatic = max(jg.maxStatic, gt.maxStatic)
			if jg.dense != nil {
				jg.dense[t] = int32(len(jg.tiles))
			} else {
				jg.byTile[t] = int32(len(jg.tiles))
			}
			jg.tiles = append(jg.tiles, gt)
		}
		s.groups[name] = jg
	}
}

// tileIndex returns the index in g.tiles of tile t, or -1.
func (g *jobGroup) tileIndex(t int32) int32 {
	if g.dense != nil {
		return g.dense[t]
	}
	if i, ok := g.byTile[t]; ok {
		return i
	}
	return -1
}

// split distributes a static-sorted run of jobs of tile t (starting at
// jobOrder position start) into the cells of a subSplit × subSplit grid,
// keeping each cell's jobs in static order, and returns the non-empty
// cells.
func (s *snapshot) split(run []int32, t int32, start int32) []subList {
	tb := s.tiles.bbox(t)
	cell := func(ji int32) int {
		p := s.jobs[ji].end.Point
		r := int((p[1] - tb.lat0) / (tb.lat1 - tb.lat0) * subSplit)
		c := int((p[0] - tb.lon0) / (tb.lon1 - tb.lon0) * subSplit)
		r = min(max(r, 0), subSplit-1)
		c = min(max(c, 0), subSplit-1)
		return r*subSplit + c
	}
	var count [subSplit * subSplit]int32
	for _, ji := range run {
		count[cell(ji)]++
	}
	var at [subSplit * subSplit]int32
	acc := int32(0)
	for k := range count {
		at[k] = acc
		acc += count[k]
	}
	sorted := make([]int32, len(run))
	next := at
	for _, ji := range run {
		k := cell(ji)
		sorted[next[k]] = ji
		next[k]++
	}
	copy(run, sorted)
	var out []subList
	dLat := (tb.lat1 - tb.lat0) / subSplit
	dLon := (tb.lon1 - tb.lon0) / subSplit
	for k := range count {
		if count[k] == 0 {
			continue
		}
		r, c := float64(k/subSplit), float64(k%subSplit)
		// Points on the tile's edges are clamped into the border cells,
		// so the cells' boxes are widened to the tile's box there.
		b := bbox{lat0: tb.lat0 + r*dLat, lat1: tb.lat0 + (r+1)*dLat, lon0: tb.lon0 + c*dLon, lon1: tb.lon0 + (c+1)*dLon}
		if k/subSplit == 0 {
			b.lat0 = tb.lat0
		}
		if k/subSplit == subSplit-1 {
			b.lat1 = tb.lat1
		}
		if k%subSplit == 0 {
			b.lon0 = tb.lon0
		}
		if k%subSplit == subSplit-1 {
			b.lon1 = tb.lon1
		}
		first := run[at[k]]
		out = append(out, subList{start: start + at[k], end: start + at[k] + count[k], maxStatic: s.jobs[first].static,
			best: s.boundJobs(run[at[k] : at[k]+count[k]]), bbox: b})
	}
	return out
}
