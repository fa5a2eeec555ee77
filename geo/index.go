package geo

import (
	"math"
	"math/bits"

	"github.com/paulmach/orb"
)

// DefaultCellKM is the cell size, in kilometers, that NewIndex uses when it
// is given a size ≤ 0: about half the radius of a typical commute search
// (20–50 km), so that a query scans a handful of rows of cells.
const DefaultCellKM = 10

// The cell size NewIndex accepts, in kilometers. Smaller cells would make the
// per-row tables of the grid too large; larger ones make every query a scan.
// The lower bound keeps the dense numbering of all the cells of the sphere
// (about 5.1e8 / cellKM²) within 32 bits.
const (
	minCellKM = 0.5
	maxCellKM = 2000
)

// mPerDeg is the length of one degree of a great circle, in meters, on
// orb's sphere (the one Distance uses).
const mPerDeg = orb.EarthRadius * math.Pi / 180

// Index is an immutable flat-grid spatial index of points for radius queries
// (housing and job offers within reach of a place).
//
// The grid cuts the sphere into rows of equal latitude height (the cell
// size); each row is cut into columns of equal longitude width, as many as
// make the cells about square at the row's latitude. Only the non-empty
// cells are stored, sorted by (row, column), and the points are stored
// contiguously in that order (a CSR layout): the points of a whole row
// segment are one contiguous run, so a query costs two binary searches and
// one linear scan per row of cells it crosses (two across the antimeridian).
// The per-row tables cover only the rows between the southernmost and the
// northernmost point.
//
// An Index is safe for concurrent use by multiple goroutines.
type Index struct {
	n int // number of points given to NewIndex (the id range)

	// The grid.
	// Rows are numbered from the South Pole (0) to the North Pole
	// (nRows-1); the per-row tables cover only rows rowLo … rowLo +
	// len(nCols) - 1, from the southernmost to the northernmost point, and
	// are indexed by r - rowLo.
	rowH     float64   // row height, in degrees of latitude
	invRowH  float64   // 1 / rowH
	nRows    int       // rows of the whole sphere
	rowLo    int       // first row of the tables
	colScale []float64 // per row: columns per degree of longitude
	nCols    []int32   // per row: number of columns (≥ 1)

	// The non-empty cells, sorted by (row, column).
	rowCell   []int32 // per row r: cells of row r are rowCell[r-rowLo] … rowCell[r-rowLo+1]-1
	cellCol   []int32 // column of each cell
	cellStart []int32 // per cell c: its points are cellStart[c] … cellStart[c+1]-1

	// The points, reordered by cell (struct of arrays).
	ids    []int32   // position in the slice given to NewIndex
	lon    []float64 // degrees
	lat    []float64 // degrees
	cosLat []float64 // math.Cos of the latitude in radians, exactly as Distance computes it
}

// NewIndex builds an Index over points, with square-ish cells of about
// cellKM kilometers (DefaultCellKM when cellKM ≤ 0; values are clamped to
// [0.5, 2000]). The id of a point is its position in points. Points for
// which ValidPoint is false are never reported by queries (their distance
// would be NaN); they still count in Len. NewIndex does not keep points.
//
// It panics if points has more than math.MaxInt32 elements.
func NewIndex(points []orb.Point, cellKM float64) *Index {
	if len(points) > math.MaxInt32 {
		panic("geo: NewIndex: more than MaxInt32 points")
	}
	if !(cellKM > 0) {
		cellKM = DefaultCellKM
	}
	cellKM = min(max(cellKM, minCellKM), maxCellKM)

	ix := &Index{n: len(points)}
	ix.rowH = cellKM * 1000 / mPerDeg
	ix.invRowH = 1 / ix.rowH
	ix.nRows = int(math.Ceil(180 * ix.invRowH))

	// The row of every valid point, and the range of rows.
	recs := make([]record, 0, len(points))
	rowLo, rowHi := ix.nRows, -1
	for i, p := range points {
		if !ValidPoint(p) {
			continue
		}
		r := ix.row(p[1])
		rowLo, rowHi = min(rowLo, r), max(rowHi, r)
		recs = append(recs, record{key: uint32(r), id: int32(i), lon: p[0], lat: p[1]})
	}
	if len(recs) == 0 {
		return ix
	}
	ix.rowLo = rowLo
	nRows := rowHi - rowLo + 1

	// The columns of each row, and a dense numbering of the cells of the
	// rows: the key of a cell is rowBase[r-rowLo] + its column.
	ix.colScale = make([]float64, nRows)
	ix.nCols = make([]int32, nRows)
	rowBase := make([]uint64, nRows)
	var base uint64
	for k := range nRows {
		c := ix.rowCols(rowLo + k)
		ix.nCols[k] = c
		ix.colScale[k] = float64(c) / 360
		rowBase[k] = base
		base += uint64(c)
	}
	if base > math.MaxUint32 {
		panic("geo: NewIndex: too many cells") // excluded by minCellKM
	}

	// Key every point by its cell, then sort the points by key.
	for j := range recs {
		e := &recs[j]
		r := int(e.key)
		e.key = uint32(rowBase[r-rowLo] + uint64(ix.col(r, e.lon)))
	}
	recs = radixSort(recs)

	m := len(recs)
	ix.ids = make([]int32, m)
	ix.lon = make([]float64, m)
	ix.lat = make([]float64, m)
	ix.cosLat = make([]float64, m)
	ix.rowCell = make([]int32, nRows+1)
	r := 0 // current row, minus rowLo; rowCell[0…r] are set
	for j := range recs {
		e := &recs[j]
		ix.ids[j] = e.id
		ix.lon[j] = e.lon
		ix.lat[j] = e.lat
		ix.cosLat[j] = math.Cos(deg2rad(e.lat))
		if j > 0 && e.key == recs[j-1].key {
			continue
		}
		// A new cell: find its row (rows only move forward).
		for r+1 < nRows && rowBase[r+1] <= uint64(e.key) {
			r++
			ix.rowCell[r] = int32(len(ix.cellCol))
		}
		ix.cellCol = append(ix.cellCol, int32(uint64(e.key)-rowBase[r]))
		ix.cellStart = append(ix.cellStart, int32(j))
	}
	for r++; r <= nRows; r++ {
		ix.rowCell[r] = int32(len(ix.cellCol))
	}
	ix.cellStart = append(ix.cellStart, int32(m))
	return ix
}

// Len returns the number of points the Index was built from (the range of
// ids), including any invalid points that queries never report.
func (ix *Index) Len() int { return ix.n }

// deg2rad converts degrees to radians with the same floating-point
// operations as orb's haversine, so that results match it bit for bit.
func deg2rad(d float64) float64 { return d * math.Pi / 180.0 }

// rowCols returns the number of columns of row r: as many as make the
// cells as wide, in km, as they are high at the row's middle latitude.
func (ix *Index) rowCols(r int) int32 {
	mid := -90 + (float64(r)+0.5)*ix.rowH
	return int32(max(1, math.Floor(360*math.Cos(mid*math.Pi/180)/ix.rowH)))
}

// row returns the grid row of latitude lat (degrees), clamped to the grid.
// It is non-decreasing in lat, which is what makes queries exact for points
// on cell edges: a query maps its latitude bounds with the same function.
func (ix *Index) row(lat float64) int {
	r := int((lat + 90) * ix.invRowH)
	return min(max(r, 0), ix.nRows-1)
}

// col returns the column of longitude lon (degrees) in row r (one of the
// tables' rows), clamped to the row. It is non-decreasing in lon.
func (ix *Index) col(r int, lon float64) int32 {
	k := r - ix.rowLo
	c := int32((lon + 180) * ix.colScale[k])
	return min(max(c, 0), ix.nCols[k]-1)
}

// span returns the run [lo, hi) of reordered points in the cells of row r
// with columns c0 … c1.
func (ix *Index) span(r int, c0, c1 int32) (lo, hi int) {
	a, b := int(ix.rowCell[r-ix.rowLo]), int(ix.rowCell[r-ix.rowLo+1])
	if a == b {
		return 0, 0
	}
	cols := ix.cellCol[a:b]
	i := lowerBound(cols, c0)
	j := i + lowerBound(cols[i:], c1+1)
	return int(ix.cellStart[a+i]), int(ix.cellStart[a+j])
}

// lowerBound returns the first i with s[i] ≥ v (len(s) if none); s is
// sorted.
func lowerBound(s []int32, v int32) int {
	lo, hi := 0, len(s)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if s[h] < v {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// Safety margins of the cell pruning, in radians. The pruning bounds are
// computed in floating point; these margins (a few centimeters to a meter on
// the ground) absorb its rounding so that no point at a distance ≤ radius is
// ever pruned.
const (
	capRelMargin = 1e-9 // relative widening of the cap's angular radius
	capAbsMargin = 1e-9 // absolute widening of the cap's angular radius (≈ 6 mm)
	lonMargin    = 1e-7 // widening of each row's longitude half-width (≈ 0.6 m at the equator)
	bandMargin   = 1e-12
)

// query holds what one radius query needs: the center, the thresholds of
// the cheap distance bounds, and the walk over the grid rows.
type query struct {
	lon, lat  float64 // center, degrees
	cosLat    float64 // cos of the center latitude, as Distance computes it
	radiusM   float64
	aLo, aHi  float64 // haversine "a" thresholds: a < aLo is surely inside, a > aHi surely outside
	fast      bool    // whether aLo/aHi may be used
	r0, r1    int     // rows to scan
	fullRows  bool    // the cap contains a pole, or the radius is huge: scan whole rows
	phiC      float64 // center latitude, radians
	theta     float64 // widened angular radius, radians
	sinPhiC   float64
	cosPhiC   float64
	cosTheta  float64
	sinTheta  float64
	phiStar   float64 // latitude of the cap's widest point, radians
	maxHalfLo float64 // longitude half-width at phiStar, radians
}

// prepare sets up q for a query; it returns false when nothing can match
// (invalid center, NaN or negative radius, empty index).
func (ix *Index) prepare(q *query, center orb.Point, radiusM float64) bool {
	if !ValidPoint(center) || !(radiusM >= 0) || len(ix.ids) == 0 {
		return false
	}
	q.lon, q.lat = center[0], center[1]
	q.radiusM = radiusM
	q.phiC = deg2rad(q.lat)
	q.cosLat = math.Cos(q.phiC)

	// The cap's angular radius, widened for rounding.
	theta := radiusM/orb.EarthRadius*(1+capRelMargin) + capAbsMargin
	q.theta = theta
	if theta >= math.Pi {
		q.r0, q.r1, q.fullRows = 0, ix.nRows-1, true
	} else {
		dLatDeg := theta * 180 / math.Pi
		q.r0, q.r1 = ix.row(q.lat-dLatDeg), ix.row(q.lat+dLatDeg)
		q.fullRows = math.Abs(q.phiC)+theta >= math.Pi/2-1e-9
	}
	// Only the rows of the tables hold points.
	q.r0, q.r1 = max(q.r0, ix.rowLo), min(q.r1, ix.rowLo+len(ix.nCols)-1)
	if !q.fullRows {
		q.sinPhiC, q.cosPhiC = math.Sincos(q.phiC)
		q.sinTheta, q.cosTheta = math.Sincos(theta)
		q.phiStar = math.Asin(min(1, max(-1, q.sinPhiC/q.cosTheta)))
		q.maxHalfLo = math.Asin(min(1, q.sinTheta/q.cosPhiC))
	}

	// Thresholds on haversine's a = sin²(Δφ/2) + cosφ₁cosφ₂ sin²(Δλ/2) for
	// the cheap tests. d ≤ r ⟺ a ≤ sin²(r/2R) on exact arithmetic; the
	// relative and absolute margins (1e-7 and 1 mm) dwarf the rounding of
	// Distance. Used only for radii up to 2000 km, far from the antipode
	// where a stops being well conditioned.
	q.fast = radiusM <= 2e6
	if q.fast {
		lo := max(0, radiusM*(1-1e-7)-1e-3) / (2 * orb.EarthRadius)
		hi := (radiusM*(1+1e-7) + 1e-3) / (2 * orb.EarthRadius)
		q.aLo = math.Sin(lo) * math.Sin(lo)
		q.aHi = math.Sin(hi) * math.Sin(hi)
	}
	return true
}

// rowHalfWidth returns an upper bound, in radians, of the longitude
// half-width of the (widened) cap over the latitudes of row r, or +Inf when
// the whole row must be scanned.
func (ix *Index) rowHalfWidth(q *query, r int) float64 {
	if q.fullRows {
		return math.Inf(1)
	}
	// The band of the row, widened, clipped to the cap's latitudes.
	a := deg2rad(-90+float64(r)*ix.rowH) - bandMargin
	b := deg2rad(-90+float64(r+1)*ix.rowH) + bandMargin
	a = max(a, q.phiC-q.theta)
	b = min(b, q.phiC+q.theta)
	if a > b {
		// The row holds no latitude of the cap (possible only through
		// rounding at its ends): scan what the widest bound allows.
		return q.maxHalfLo + lonMargin
	}
	// The half-width grows up to phiStar and shrinks after it.
	if a <= q.phiStar && q.phiStar <= b {
		return q.maxHalfLo + lonMargin
	}
	phi := a
	if q.phiStar > b {
		phi = b
	}
	sinPhi, cosPhi := math.Sincos(phi)
	c := (q.cosTheta - sinPhi*q.sinPhiC) / (cosPhi * q.cosPhiC)
	c = min(1, max(-1, c))
	return math.Acos(c) + lonMargin
}

// rowSpans calls fn with the runs of reordered points of row r that may lie
// within the query's cap (at most two runs, across the antimeridian). It
// returns false if fn did.
func (ix *Index) rowSpans(q *query, r int, fn func(lo, hi int) bool) bool {
	last := ix.nCols[r-ix.rowLo] - 1
	half := ix.rowHalfWidth(q, r) * 180 / math.Pi // degrees
	if half >= 180 {
		lo, hi := ix.span(r, 0, last)
		return lo == hi || fn(lo, hi)
	}
	west, east := q.lon-half, q.lon+half
	switch {
	case west < -180 && east > 180:
		lo, hi := ix.span(r, 0, last)
		return lo == hi || fn(lo, hi)
	case west < -180:
		// [west+360, 180] and [-180, east]
		c0 := ix.col(r, west+360)
		c1 := ix.col(r, east)
		if c0 <= c1+1 {
			lo, hi := ix.span(r, 0, last)
			return lo == hi || fn(lo, hi)
		}
		if lo, hi := ix.span(r, 0, c1); lo < hi && !fn(lo, hi) {
			return false
		}
		lo, hi := ix.span(r, c0, last)
		return lo == hi || fn(lo, hi)
	case east > 180:
		// [west, 180] and [-180, east-360]
		c0 := ix.col(r, west)
		c1 := ix.col(r, east-360)
		if c0 <= c1+1 {
			lo, hi := ix.span(r, 0, last)
			return lo == hi || fn(lo, hi)
		}
		if lo, hi := ix.span(r, 0, c1); lo < hi && !fn(lo, hi) {
			return false
		}
		lo, hi := ix.span(r, c0, last)
		return lo == hi || fn(lo, hi)
	}
	lo, hi := ix.span(r, ix.col(r, west), ix.col(r, east))
	return lo == hi || fn(lo, hi)
}

// Within calls fn for every indexed point whose great-circle distance to
// center, Distance(center, p) in meters, is ≤ radiusM, with the point's id
// and that exact distance, in no particular order, until fn returns false.
// The set of points and the distances are exactly those of a linear scan
// with Distance. Nothing is reported for an invalid center or a negative or
// NaN radius. Within does not allocate and is safe for concurrent use.
func (ix *Index) Within(center orb.Point, radiusM float64, fn func(id int32, distM float64) bool) {
	var q query
	if !ix.prepare(&q, center, radiusM) {
		return
	}
	for r := q.r0; r <= q.r1; r++ {
		if !ix.rowSpans(&q, r, func(lo, hi int) bool { return ix.scan(&q, lo, hi, fn) }) {
			return
		}
	}
}

// scan reports the points of run [lo, hi) within the radius; it returns
// false if fn did.
func (ix *Index) scan(q *query, lo, hi int, fn func(id int32, distM float64) bool) bool {
	lons, lats, coss, ids := ix.lon[lo:hi], ix.lat[lo:hi], ix.cosLat[lo:hi], ix.ids[lo:hi]
	// Locals, so that the calls to fn do not force reloads.
	latC, lonC, cc, aHi, radiusM, fast := q.lat, q.lon, q.cosLat, q.aHi, q.radiusM, q.fast
	for i := range lons {
		// The same operations as orb's DistanceHaversine(center, p).
		dLat := deg2rad(latC - lats[i])
		dLon := deg2rad(lonC - lons[i])
		cp := coss[i]
		if fast {
			// Cheap reject: a lower bound of a, from sin²x ≥ x²(1 − x²/3).
			x, y := dLat/2, dLon/2
			x2, y2 := x*x, y*y
			if x2*(1-x2/3)+cp*cc*y2*(1-y2/3) > aHi {
				continue
			}
		}
		if d := haversine(dLat, dLon, cp, cc); d <= radiusM && !fn(ids[i], d) {
			return false
		}
	}
	return true
}

// AppendWithin appends to dst the ids of the indexed points within radiusM
// meters of center (the same set as Within, in no particular order) and
// returns the extended slice. It computes the exact distance only for
// points near the boundary of the circle, so it is faster than Within when
// the distances are not needed. It allocates only to grow dst. Safe for
// concurrent use.
func (ix *Index) AppendWithin(dst []int32, center orb.Point, radiusM float64) []int32 {
	var q query
	if !ix.prepare(&q, center, radiusM) {
		return dst
	}
	for r := q.r0; r <= q.r1; r++ {
		ix.rowSpans(&q, r, func(lo, hi int) bool {
			dst = ix.appendScan(&q, lo, hi, dst)
			return true
		})
	}
	return dst
}

// appendScan appends the ids of run [lo, hi) within the radius.
func (ix *Index) appendScan(q *query, lo, hi int, dst []int32) []int32 {
	lons, lats, coss, ids := ix.lon[lo:hi], ix.lat[lo:hi], ix.cosLat[lo:hi], ix.ids[lo:hi]
	latC, lonC, cc, aLo, aHi, radiusM, fast := q.lat, q.lon, q.cosLat, q.aLo, q.aHi, q.radiusM, q.fast
	for i := range lons {
		dLat := deg2rad(latC - lats[i])
		dLon := deg2rad(lonC - lons[i])
		cp := coss[i]
		if fast {
			x, y := dLat/2, dLon/2
			x2, y2 := x*x, y*y
			w := cp * cc * y2
			if x2+w < aLo { // an upper bound of a, from sin²x ≤ x²: surely inside
				dst = append(dst, ids[i])
				continue
			}
			if x2*(1-x2/3)+w*(1-y2/3) > aHi { // surely outside
				continue
			}
		}
		if haversine(dLat, dLon, cp, cc) <= radiusM {
			dst = append(dst, ids[i])
		}
	}
	return dst
}

// haversine finishes orb's DistanceHaversine(p1, p2) from dLat and dLon
// (p1 − p2, radians) and the cosines of p2's and p1's latitudes, with the
// same floating-point operations, so the result is bit for bit the same.
// For 0 ≤ a < 1, math.Atan2(y, x) with x > 0 is math.Atan(y/x) (its
// special cases give the same values), which skips Atan2's checks.
func haversine(dLat, dLon, cos2, cos1 float64) float64 {
	dLat2Sin := math.Sin(dLat / 2)
	dLon2Sin := math.Sin(dLon / 2)
	a := dLat2Sin*dLat2Sin + cos2*cos1*dLon2Sin*dLon2Sin
	if a >= 0 && a < 1 {
		return 2.0 * orb.EarthRadius * math.Atan(math.Sqrt(a)/math.Sqrt(1-a))
	}
	return 2.0 * orb.EarthRadius * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// record is a point with its cell key, sorted at build time.
type record struct {
	lon, lat float64
	key      uint32
	id       int32
}

// radixSort sorts s by key (stable LSD radix sort, at most 11 bits per
// pass, as many passes as the keys' range needs) and returns the sorted
// slice (s or a buffer of the same size).
func radixSort(s []record) []record {
	if len(s) < 2 {
		return s
	}
	lo, hi := s[0].key, s[0].key
	for i := range s {
		lo, hi = min(lo, s[i].key), max(hi, s[i].key)
	}
	nbits := bits.Len32(hi - lo)
	if nbits == 0 {
		return s
	}
	passes := (nbits + 10) / 11
	width := (nbits + passes - 1) / passes
	mask := uint32(1)<<width - 1
	buf := make([]record, len(s))
	// One histogram per pass, all filled in one read of s.
	count := make([]int, passes<<width)
	for i := range s {
		k := s[i].key - lo
		for p := range passes {
			count[p<<width+int((k>>(p*width))&mask)]++
		}
	}
	for p := range passes {
		shift := p * width
		c := count[p<<width : (p+1)<<width]
		sum := 0
		for i, n := range c {
			c[i] = sum
			sum += n
		}
		for i := range s {
			d := ((s[i].key - lo) >> shift) & mask
			buf[c[d]] = s[i]
			c[d]++
		}
		s, buf = buf, s
	}
	return s
}
