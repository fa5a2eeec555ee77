package matcher

import (
	"cmp"
	"math"
	"slices"

	"passerelle/geo"
)

// superShift groups tiles into super-tiles of 2^superShift × 2^superShift
// tiles (40 km with the default 10 km tiles). A plan first orders the few
// hundred super-tiles by a bound of their scores and opens only the ones
// that may hold an option, instead of bounding every tile of the country:
// that bounding, a walk over each tile's neighbours within reach, cost
// 2–4 ms per plan on the national market, more than the search itself.
const superShift = 2

// superTile is a block of tiles with the summaries that bound the score
// of any option on its homes.
type superTile struct {
	tiles    []int32 // its tiles holding homes
	box      bbox
	deps     []string       // departments of its homes
	slack    float64        // the largest tileSlack of its tiles
	communes []*geo.Commune // communes of its homes
	buckets  []bucket       // its tiles' buckets merged by rooms and shared flag
	// neighbours within the tiling's reach, nearest first, with lower
	// bounds of distance
	nb     []int32
	nbDist []float32
}

// superJobs bounds a job group's jobs in one super-tile, as groupTile does
// for one tile.
type superJobs struct {
	super        int32
	best         seekerBound
	maxCt, maxSh float64
}

// indexSupers builds the super-tiles over the homes' tiles and each job
// group's bounds per super-tile. It runs after indexHousing and
// indexJobs.
func (s *snapshot) indexSupers() {
	t := &s.tiles
	ids := map[[2]int32]int32{}
	s.superOf = make([]int32, t.len())
	for i, k := range t.keys {
		sk := [2]int32{k[0] >> superShift, k[1] >> superShift}
		id, ok := ids[sk]
		if !ok {
			id = int32(len(s.supers))
			ids[sk] = id
			lat0, lon0 := float64(sk[0]<<superShift)*t.dLat, float64(sk[1]<<superShift)*t.dLon
			s.supers = append(s.supers, superTile{box: bbox{lat0: lat0, lat1: lat0 + float64(int32(1)<<superShift)*t.dLat,
				lon0: lon0, lon1: lon0 + float64(int32(1)<<superShift)*t.dLon}})
		}
		s.superOf[i] = id
		if s.hStart[i] == s.hStart[i+1] {
			continue // no home: only its jobs count, through the groups
		}
		st := &s.supers[id]
		st.tiles = append(st.tiles, int32(i))
		st.slack = max(st.slack, s.tileSlack[i])
		for _, d := range s.tileDeps[i] {
			if !slices.Contains(st.deps, d) {
				st.deps = append(st.deps, d)
			}
		}
		for ri := s.rStart[i]; ri < s.rStart[i+1]; ri++ {
			if c := s.runs[ri].c; !slices.Contains(st.communes, c) {
				st.communes = append(st.communes, c)
			}
		}
		for _, b := range s.buckets[s.bStart[i]:s.bStart[i+1]] {
			k := slices.IndexFunc(st.buckets, func(x bucket) bool { return x.rooms == b.rooms && x.shared == b.shared })
			if k < 0 {
				st.buckets = append(st.buckets, b)
				continue
			}
			m := &st.buckets[k]
			m.maxStatic = max(m.maxStatic, b.maxStatic)
			m.minRent = min(m.minRent, b.minRent)
			m.minCharges = min(m.minCharges, b.minCharges)
			m.maxOcc = max(m.maxOcc, b.maxOcc)
			m.anyStepFree = m.anyStepFree || b.anyStepFree
			m.genders |= b.genders
		}
	}
	// The super-tiles of each commune and department, for wishes.
	s.supersOf = make(map[string][]int32)
	for id := range s.supers {
		st := &s.supers[id]
		for _, c := range st.communes {
			s.supersOf[c.Code] = append(s.supersOf[c.Code], int32(id))
		}
		for _, d := range st.deps {
			s.supersOf[d] = append(s.supersOf[d], int32(id))
		}
	}
	// Neighbours: super-tiles whose boxes are within reach.
	type nb struct {
		id int32
		d  float32
	}
	var buf []nb
	for a := range s.supers {
		buf = buf[:0]
		for b := range s.supers {
			if d := minDistBBox(s.supers[a].box, s.supers[b].box); d <= t.maxReachM {
				buf = append(buf, nb{int32(b), float32(d)})
			}
		}
		slices.SortFunc(buf, func(x, y nb) int { return cmp.Or(cmp.Compare(x.d, y.d), cmp.Compare(x.id, y.id)) })
		st := &s.supers[a]
		for _, n := range buf {
			st.nb = append(st.nb, n.id)
			st.nbDist = append(st.nbDist, n.d)
		}
	}
	for _, g := range s.groups {
		// Only the super-tiles where the group has jobs, in the order of
		// its tiles' first appearance.
		at := map[int32]int{}
		g.supers = g.supers[:0]
		for i, gt := range g.tiles {
			id := s.superOf[gt.tile]
			k, ok := at[id]
			if !ok {
				k = len(g.supers)
				at[id] = k
				sj := superJobs{super: id}
				for l := range sj.best {
					for f := range sj.best[l] {
						sj.best[l][f] = math.Inf(-1)
					}
				}
				g.supers = append(g.supers, sj)
			}
			sj := &g.supers[k]
			sj.maxCt = max(sj.maxCt, gt.maxCt)
			sj.maxSh = max(sj.maxSh, gt.maxSh)
			for l := range sj.best {
				for f := range sj.best[l] {
					sj.best[l][f] = max(sj.best[l][f], g.best[l*nFrench+f][i])
				}
			}
		}
	}
}

// superInScope reports whether super-tile id may hold a home within the
// household's relocation scope.
func (r *request) superInScope(id int32) bool {
	st := &r.s.supers[id]
	switch r.h.Relocation.Scope {
	case ScopeRegions, ScopeDepartments:
		return r.depsInScope(st.deps)
	case ScopeRadius:
		return minDistBBox(bbox{lat0: r.home.Point[1], lat1: r.home.Point[1], lon0: r.home.Point[0], lon1: r.home.Point[0]}, st.box) <=
			r.h.Relocation.RadiusKM*1000+radiusMargin(st.slack)
	}
	return true
}

// wishedSupers returns which super-tiles hold a home in one of the
// household's wishes (a commune or department code), or nil when it has
// none.
func (r *request) wishedSupers() []bool {
	if len(r.wishes) == 0 {
		return nil
	}
	out := make([]bool, len(r.s.supers))
	for _, w := range r.wishes {
		for _, id := range r.s.supersOf[w] {
			out[id] = true
		}
	}
	return out
}
