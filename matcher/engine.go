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
	// kilometres (default 20).
	TileKM float64
	// MaxReachKM caps the straight-line distance between a home and a job,
	// in kilometres (default 120). It bounds the neighbour lists of tiles.
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
		opts.TileKM = 20
	}
	if opts.MaxReachKM <= 0 {
		opts.MaxReachKM = 120
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

// Atlas returns the places the engine knows.
func (e *Engine) Atlas() *geo.Atlas { return e.snap.Load().atlas }

// Counts returns the number of open housing offers and job offers indexed.
func (e *Engine) Counts() (housing, jobs int) {
	s := e.snap.Load()
	return len(s.housing), len(s.jobs)
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
	stab    float64 // housing_stability value
	terr    float64 // territory value
	static  float64 // weighted stability + territory
	maxOcc  int
	avail   day
	expires day
	tile    int32
}

// jItem is an indexed job offer.
type jItem struct {
	o       *JobOffer
	c       *geo.Commune
	end     geo.End
	ct, sh  float64 // contract and shortage values
	static  float64 // weighted contract + shortage
	net     float64 // net monthly wage
	frReq   int
	start   day
	expires day
	tile    int32
}

// bucket summarises the housing of one tile with the same rooms and shared
// flag, for the tile's score bound.
type bucket struct {
	rooms       int
	shared      bool
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
	tile       int32
	start, end int32
	maxStatic  float64
}

// jobGroup is every job of one ROME code ("r:G1602"), one domaine
// ("d:G16"), one grand domaine ("g:G") or accepting beginners ("b").
type jobGroup struct {
	tiles   []groupTile
	byTile  map[int32]int32 // tile → index in tiles
	maxWage float64
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

	tiles tiling
	// housing by tile: hOrder[hStart[t]:hStart[t+1]]
	hStart, hOrder []int32
	// buckets by tile: buckets[bStart[t]:bStart[t+1]]
	bStart  []int32
	buckets []bucket
	// tile departments: tileDeps[t]
	tileDeps  [][]string
	maxStatic float64 // over all housing

	groups   map[string]*jobGroup
	jobOrder []int32
}

func buildSnapshot(m *Market, opts *EngineOptions) (*snapshot, error) {
	w := opts.Weights
	s := &snapshot{
		atlas: m.Atlas, shortage: m.Shortage, version: m.Version, w: w,
		router: opts.Router, apl: opts.APL, groups: make(map[string]*jobGroup),
	}
	s.tiles = newTiling(opts.TileKM, opts.MaxReachKM*1000)

	s.housing = make([]hItem, 0, len(m.Housing))
	for i := range m.Housing {
		o := &m.Housing[i]
		if o.Status != "" && o.Status != StatusOpen {
			continue
		}
		c, pt, err := s.place(o.Commune, o.Point)
		if err != nil {
			return nil, fmt.Errorf("matcher: indexing housing offer %q: %w", o.ID, err)
		}
		it := hItem{o: o, c: c, end: geo.End{Point: pt, DensityKm2: c.DensityKm2, EmploymentArea: c.EmploymentArea},
			stab: stabilityValue(o.LandlordKind, o.Lease), terr: territoryValue(c),
			maxOcc: o.MaxOccupants, avail: toDay(o.AvailableFrom), expires: toDay(o.ExpiresOn)}
		if o.Shared {
			it.maxOcc = 1
		} else if it.maxOcc <= 0 {
			it.maxOcc = MaxOccupantsForSurface(o.SurfaceM2)
		}
		it.static = w.HousingStability*it.stab + w.Territory*it.terr
		s.maxStatic = math.Max(s.maxStatic, it.static)
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
		it := jItem{o: o, c: c, end: geo.End{Point: pt, DensityKm2: c.DensityKm2, EmploymentArea: c.EmploymentArea},
			ct: contractValue(o.Contract, o.Months), sh: sh, net: netMonthly(o),
			frReq: o.FrenchLevel.Rank(), start: toDay(o.StartOn), expires: toDay(o.ExpiresOn)}
		if it.frReq < 0 {
			it.frReq = 0
		}
		it.static = w.Contract*it.ct + w.Shortage*it.sh
		it.tile = s.tiles.add(pt)
		s.jobs = append(s.jobs, it)
	}
	s.tiles.finish()
	s.indexHousing()
	s.indexJobs()
	return s, nil
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
	s.hOrder = make([]int32, len(s.housing))
	next := slices.Clone(s.hStart[:n])
	for i := range s.housing {
		t := s.housing[i].tile
		s.hOrder[next[t]] = int32(i)
		next[t]++
	}
	s.bStart = make([]int32, n+1)
	s.tileDeps = make([][]string, n)
	for t := range n {
		ids := s.hOrder[s.hStart[t]:s.hStart[t+1]]
		var bs []bucket
		for _, id := range ids {
			h := &s.housing[id]
			rooms := min(h.o.Rooms, 6)
			k := slices.IndexFunc(bs, func(b bucket) bool { return b.rooms == rooms && b.shared == h.o.Shared })
			if k < 0 {
				bs = append(bs, bucket{rooms: rooms, shared: h.o.Shared, maxStatic: -1, minRent: math.Inf(1), minCharges: math.Inf(1)})
				k = len(bs) - 1
			}
			b := &bs[k]
			b.maxStatic = math.Max(b.maxStatic, h.static)
			b.minRent = math.Min(b.minRent, h.o.RentMonthly)
			b.minCharges = math.Min(b.minCharges, h.o.ChargesMonthly)
			b.maxOcc = max(b.maxOcc, h.maxOcc)
			b.anyStepFree = b.anyStepFree || h.o.StepFree
			if h.o.Shared {
				b.genders |= genderBit(h.o.Gender)
			}
			if !slices.Contains(s.tileDeps[t], h.c.Department) {
				s.tileDeps[t] = append(s.tileDeps[t], h.c.Department)
			}
		}
		s.buckets = append(s.buckets, bs...)
		s.bStart[t+1] = int32(len(s.buckets))
	}
}

func (s *snapshot) indexJobs() {
	type entry struct {
		group string
		tile  int32
		job   int32
	}
	// Count the entries of each group so that one flat array holds them.
	keys := func(o *JobOffer, fn func(string)) {
		if len(o.ROME) >= 1 {
			fn("r:" + o.ROME)
			fn("g:" + o.ROME[:1])
		}
		if d := domainOf(o.ROME); d != "" {
			fn("d:" + d)
		}
		if o.BeginnersOK {
			fn("b")
		}
	}
	counts := make(map[string]int)
	for i := range s.jobs {
		keys(s.jobs[i].o, func(k string) { counts[k]++ })
	}
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	slices.Sort(names)
	offset := make(map[string]int, len(names))
	total := 0
	for _, k := range names {
		offset[k] = total
		total += counts[k]
	}
	s.jobOrder = make([]int32, total)
	fill := make(map[string]int, len(names))
	for i := range s.jobs {
		keys(s.jobs[i].o, func(k string) {
			s.jobOrder[offset[k]+fill[k]] = int32(i)
			fill[k]++
		})
	}
	for _, k := range names {
		seg := s.jobOrder[offset[k] : offset[k]+counts[k]]
		slices.SortFunc(seg, func(a, b int32) int {
			ja, jb := &s.jobs[a], &s.jobs[b]
			if c := cmp.Compare(ja.tile, jb.tile); c != 0 {
				return c
			}
			if c := cmp.Compare(jb.static, ja.static); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		g := &jobGroup{byTile: make(map[int32]int32)}
		base := int32(offset[k])
		for i := 0; i < len(seg); {
			t := s.jobs[seg[i]].tile
			j := i
			for j < len(seg) && s.jobs[seg[j]].tile == t {
				g.maxWage = math.Max(g.maxWage, s.jobs[seg[j]].net)
				j++
			}
			g.byTile[t] = int32(len(g.tiles))
			g.tiles = append(g.tiles, groupTile{tile: t, start: base + int32(i), end: base + int32(j), maxStatic: s.jobs[seg[i]].static})
			i = j
		}
		s.groups[k] = g
	}
}
