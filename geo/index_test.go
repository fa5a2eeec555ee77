package geo_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// hit is one reported point of a radius query.
type hit struct {
	id   int32
	dist float64
}

// bruteWithin is the oracle: a linear scan with geo.Distance over the valid
// points, sorted by id.
func bruteWithin(points []orb.Point, center orb.Point, radiusM float64) []hit {
	var out []hit
	if !geo.ValidPoint(center) {
		return nil
	}
	for i, p := range points {
		if !geo.ValidPoint(p) {
			continue
		}
		if d := geo.Distance(center, p); d <= radiusM {
			out = append(out, hit{int32(i), d})
		}
	}
	return out
}

// indexWithin collects ix.Within, sorted by id.
func indexWithin(ix *geo.Index, center orb.Point, radiusM float64) []hit {
	var out []hit
	ix.Within(center, radiusM, func(id int32, d float64) bool {
		out = append(out, hit{id, d})
		return true
	})
	slices.SortFunc(out, func(a, b hit) int { return int(a.id) - int(b.id) })
	return out
}

// checkQuery compares Within and AppendWithin with the oracle, bit for bit.
func checkQuery(tb testing.TB, ix *geo.Index, points []orb.Point, center orb.Point, radiusM float64) {
	tb.Helper()
	want := bruteWithin(points, center, radiusM)
	got := indexWithin(ix, center, radiusM)
	if len(got) != len(want) {
		tb.Fatalf("Within(%v, %v): got %d points, want %d (%s)", center, radiusM, len(got), len(want), firstDiff(got, want))
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("Within(%v, %v): got %+v, want %+v", center, radiusM, got[i], want[i])
		}
	}
	ids := ix.AppendWithin(nil, center, radiusM)
	slices.Sort(ids)
	if len(ids) != len(want) {
		tb.Fatalf("AppendWithin(%v, %v): got %d points, want %d", center, radiusM, len(ids), len(want))
	}
	for i := range ids {
		if ids[i] != want[i].id {
			tb.Fatalf("AppendWithin(%v, %v): got id %d, want %d", center, radiusM, ids[i], want[i].id)
		}
	}
}

func firstDiff(got, want []hit) string {
	in := func(s []hit, id int32) bool {
		return slices.ContainsFunc(s, func(h hit) bool { return h.id == id })
	}
	for _, w := range want {
		if !in(got, w.id) {
			return fmt.Sprintf("missing id %d at %v m", w.id, w.dist)
		}
	}
	for _, g := range got {
		if !in(want, g.id) {
			return fmt.Sprintf("extra id %d at %v m", g.id, g.dist)
		}
	}
	return "same ids"
}

// Bounding box of metropolitan France, degrees.
const (
	metroW, metroE = -5.0, 9.6
	metroS, metroN = 41.3, 51.1
)

func uniformMetro(rng *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{metroW + rng.Float64()*(metroE-metroW), metroS + rng.Float64()*(metroN-metroS)}
	}
	return pts
}

// cities are dense centres with a spread (standard deviation) in km.
var cities = []struct {
	name   string
	pt     orb.Point
	sigmaK float64
	weight float64
}{
	{"Paris", orb.Point{2.3522, 48.8566}, 12, 10},
	{"Lyon", orb.Point{4.8357, 45.7640}, 8, 3},
	{"Marseille", orb.Point{5.3698, 43.2965}, 8, 3},
	{"Toulouse", orb.Point{1.4442, 43.6047}, 7, 2},
	{"Lille", orb.Point{3.0573, 50.6292}, 7, 2},
	{"Bordeaux", orb.Point{-0.5792, 44.8378}, 7, 2},
	{"Nantes", orb.Point{-1.5536, 47.2184}, 6, 1.5},
	{"Strasbourg", orb.Point{7.7521, 48.5734}, 5, 1},
	{"Chalon-sur-Saône", orb.Point{4.8535, 46.7808}, 3, 0.3},
	{"Saint-Denis (Réunion)", orb.Point{55.4504, -20.8823}, 6, 0.8},
	{"Pointe-à-Pitre", orb.Point{-61.5331, 16.2411}, 5, 0.5},
	{"Cayenne", orb.Point{-52.3260, 4.9372}, 5, 0.4},
}

// denseCities returns n points: 80 % spread around cities (Gaussian), 20 %
// uniform over metropolitan France.
func denseCities(rng *rand.Rand, n int) []orb.Point {
	total := 0.0
	for _, c := range cities {
		total += c.weight
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		if rng.Float64() < 0.2 {
			pts[i] = orb.Point{metroW + rng.Float64()*(metroE-metroW), metroS + rng.Float64()*(metroN-metroS)}
			continue
		}
		x := rng.Float64() * total
		k := 0
		for ; k < len(cities)-1 && x >= cities[k].weight; k++ {
			x -= cities[k].weight
		}
		c := cities[k]
		dLat := rng.NormFloat64() * c.sigmaK / 111.2
		dLon := rng.NormFloat64() * c.sigmaK / (111.2 * math.Cos(c.pt[1]*math.Pi/180))
		pts[i] = orb.Point{c.pt[0] + dLon, c.pt[1] + dLat}
	}
	return pts
}

// overseas returns points around Réunion, Guadeloupe and Guyane.
func overseas(rng *rand.Rand, n int) []orb.Point {
	centres := []orb.Point{{55.5, -21.1}, {-61.5, 16.2}, {-53, 4}}
	pts := make([]orb.Point, n)
	for i := range pts {
		c := centres[i%len(centres)]
		pts[i] = orb.Point{c[0] + rng.NormFloat64()*0.3, c[1] + rng.NormFloat64()*0.3}
	}
	return pts
}

var radii = []float64{0, 1, 50, 500, 2_000, 10_000, 30_000, 75_000, 200_000}

func TestIndexOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	type tc struct {
		name    string
		points  []orb.Point
		cellKM  float64
		centers []orb.Point
	}
	uni := uniformMetro(rng, 20_000)
	dense := denseCities(rng, 20_000)
	over := overseas(rng, 6_000)
	// Duplicates: few distinct places, many copies each.
	var dups []orb.Point
	for range 50 {
		p := orb.Point{2 + rng.Float64(), 47 + rng.Float64()}
		for range 40 {
			dups = append(dups, p)
		}
	}
	cases := []tc{
		{"uniform metro", uni, 0, sampleCenters(rng, uni, 40)},
		{"uniform metro, 3 km cells", uni, 3, sampleCenters(rng, uni, 20)},
		{"uniform metro, 60 km cells", uni, 60, sampleCenters(rng, uni, 20)},
		{"dense cities", dense, 0, sampleCenters(rng, dense, 40)},
		{"overseas", over, 0, append(sampleCenters(rng, over, 30), orb.Point{55.5, -21.1}, orb.Point{-61.5, 16.2}, orb.Point{-53, 4})},
		{"duplicates", dups, 0, sampleCenters(rng, dups, 30)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix := geo.NewIndex(c.points, c.cellKM)
			if ix.Len() != len(c.points) {
				t.Fatalf("Len: got %d, want %d", ix.Len(), len(c.points))
			}
			for _, center := range c.centers {
				for _, r := range radii {
					checkQuery(t, ix, c.points, center, r)
				}
				// Radii exactly at the distance of some points: the
				// boundary is inclusive.
				for range 5 {
					p := c.points[rng.IntN(len(c.points))]
					checkQuery(t, ix, c.points, center, geo.Distance(center, p))
				}
			}
		})
	}
}

// sampleCenters returns k query centers: points of pts, some of them
// jittered.
func sampleCenters(rng *rand.Rand, pts []orb.Point, k int) []orb.Point {
	out := make([]orb.Point, k)
	for i := range out {
		p := pts[rng.IntN(len(pts))]
		if i%2 == 1 {
			p[0] += rng.NormFloat64() * 0.05
			p[1] += rng.NormFloat64() * 0.05
		}
		out[i] = p
	}
	return out
}

// TestIndexCellEdges puts points and query centers exactly on cell edges
// and corners, where a rounding slip would lose points.
func TestIndexCellEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, cellKM := range []float64{0, 1, 7.3} {
		t.Run(fmt.Sprintf("cell=%vkm", cellKM), func(t *testing.T) {
			probe := geo.NewIndex(nil, cellKM)
			h := geo.RowHeight(probe)
			var pts []orb.Point
			for lat := 45.0; lat < 45.0+12*h; lat += h / 2 {
				rowLat, lons := geo.CellEdges(probe, lat, 1)
				for _, lon := range lons {
					if lon < 2 || lon > 2.4 {
						continue
					}
					pts = append(pts, orb.Point{lon, rowLat}, orb.Point{lon, lat},
						orb.Point{math.Nextafter(lon, -180), rowLat}, orb.Point{lon, math.Nextafter(rowLat, -90)})
				}
			}
			ix := geo.NewIndex(pts, cellKM)
			for range 200 {
				center := pts[rng.IntN(len(pts))]
				r := []float64{0, h * 111_000 / 2, h * 111_000, 3 * h * 111_000}[rng.IntN(4)]
				checkQuery(t, ix, pts, center, r)
				other := pts[rng.IntN(len(pts))]
				checkQuery(t, ix, pts, center, geo.Distance(center, other))
			}
		})
	}
}

// TestIndexWorld checks the parts of the sphere France does not need: the
// antimeridian, high latitudes, the poles, huge radii.
func TestIndexWorld(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := make([]orb.Point, 20_000)
	for i := range pts {
		pts[i] = orb.Point{rng.Float64()*360 - 180, math.Asin(rng.Float64()*2-1) * 180 / math.Pi}
	}
	pts = append(pts, orb.Point{180, 10}, orb.Point{-180, 10}, orb.Point{0, 90}, orb.Point{45, -90}, orb.Point{179.999, 0}, orb.Point{-179.999, 0})
	ix := geo.NewIndex(pts, 0)
	centers := []orb.Point{{180, 10}, {-180, 10}, {179.95, -3}, {-179.9, 60}, {0, 89.9}, {120, -89}, {0, 90}, {10, 85}, {-170, -85}}
	for range 30 {
		centers = append(centers, pts[rng.IntN(len(pts))])
	}
	for _, c := range centers {
		for _, r := range []float64{0, 10_000, 100_000, 500_000, 3_000_000, 15_000_000, 20_100_000, math.Inf(1)} {
			checkQuery(t, ix, pts, c, r)
		}
	}
}

// TestIndexInvalid: invalid points are never reported; invalid queries
// report nothing.
func TestIndexInvalid(t *testing.T) {
	pts := []orb.Point{{2, 47}, {math.NaN(), 47}, {2, math.Inf(1)}, {200, 47}, {2, 47.001}}
	ix := geo.NewIndex(pts, 0)
	if ix.Len() != len(pts) {
		t.Fatalf("Len: got %d, want %d", ix.Len(), len(pts))
	}
	tests := []struct {
		name   string
		center orb.Point
		r      float64
		want   int
	}{
		{"valid", orb.Point{2, 47}, 1000, 2},
		{"nan center", orb.Point{math.NaN(), 47}, 1000, 0},
		{"out of range center", orb.Point{2, 95}, 1000, 0},
		{"negative radius", orb.Point{2, 47}, -1, 0},
		{"nan radius", orb.Point{2, 47}, math.NaN(), 0},
		{"infinite radius", orb.Point{2, 47}, math.Inf(1), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(ix.AppendWithin(nil, tt.center, tt.r)); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
			checkQuery(t, ix, pts, tt.center, tt.r)
		})
	}
	empty := geo.NewIndex(nil, 0)
	if got := empty.AppendWithin(nil, orb.Point{2, 47}, 1e6); len(got) != 0 {
		t.Errorf("empty index: got %v, want nothing", got)
	}
}

func TestIndexEarlyStop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := denseCities(rng, 10_000)
	ix := geo.NewIndex(pts, 0)
	center := orb.Point{2.35, 48.85}
	total := len(bruteWithin(pts, center, 50_000))
	if total < 100 {
		t.Fatalf("setup: only %d points near Paris", total)
	}
	for _, k := range []int{1, 2, 17, total, total + 5} {
		calls := 0
		ix.Within(center, 50_000, func(int32, float64) bool {
			calls++
			return calls < k
		})
		if want := min(k, total); calls != want {
			t.Errorf("stop after %d: got %d calls, want %d", k, calls, want)
		}
	}
}

func TestIndexConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := uniformMetro(rng, 5_000)
	ix := geo.NewIndex(pts, 0)
	centers := sampleCenters(rng, pts, 64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(centers); i += 4 {
				checkQuery(t, ix, pts, centers[i], 40_000)
			}
		})
	}
	wg.Wait()
}

func TestIndexWithinNoAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	pts := uniformMetro(rng, 10_000)
	ix := geo.NewIndex(pts, 0)
	n := 0
	fn := func(int32, float64) bool { n++; return true }
	allocs := testing.AllocsPerRun(100, func() { ix.Within(orb.Point{2.35, 48.85}, 30_000, fn) })
	if allocs != 0 {
		t.Errorf("Within: got %v allocs per query, want 0", allocs)
	}
	dst := make([]int32, 0, 4096)
	allocs = testing.AllocsPerRun(100, func() { dst = ix.AppendWithin(dst[:0], orb.Point{2.35, 48.85}, 30_000) })
	if allocs != 0 {
		t.Errorf("AppendWithin with capacity: got %v allocs per query, want 0", allocs)
	}
}

// FuzzIndexWithin checks the index against the linear scan on small fuzzed
// point sets around a fuzzed center.
func FuzzIndexWithin(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 2, 3, 4, 255, 255, 128, 0}, 2.35, 48.85, 10_000.0, 0.0, 1.0)
	f.Add([]byte{10, 20, 30, 40, 50, 60, 70, 80}, 179.99, 0.0, 50_000.0, 5.0, 10.0)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1}, 55.5, -21.1, 0.0, 1.0, 0.001)
	f.Add([]byte{7, 0, 0, 7}, 0.0, 89.9, 300_000.0, 2.0, 50.0)
	f.Fuzz(func(t *testing.T, data []byte, lon, lat, radiusM, cellKM, spreadDeg float64) {
		if len(data) > 4096 || math.IsNaN(spreadDeg) || math.IsInf(spreadDeg, 0) {
			return
		}
		center := orb.Point{lon, lat}
		var pts []orb.Point
		for len(data) >= 4 {
			dx := float64(int16(binary.LittleEndian.Uint16(data))) / 32768
			dy := float64(int16(binary.LittleEndian.Uint16(data[2:]))) / 32768
			data = data[4:]
			pts = append(pts, orb.Point{lon + dx*spreadDeg, lat + dy*spreadDeg})
		}
		// Cells up to 60 km (NaN, zero and negative: the default).
		ix := geo.NewIndex(pts, math.Mod(cellKM, 60))
		checkQuery(t, ix, pts, center, radiusM)
		for _, p := range pts[:min(len(pts), 8)] {
			checkQuery(t, ix, pts, p, radiusM)
			if geo.ValidPoint(center) && geo.ValidPoint(p) {
				checkQuery(t, ix, pts, center, geo.Distance(center, p))
			}
		}
	})
}

// FuzzDistance checks the properties of Distance: symmetric, non-negative,
// never NaN for valid points, zero from a point to itself.
func FuzzDistance(f *testing.F) {
	f.Add(2.35, 48.85, 4.85, 45.76)
	f.Add(-180.0, 0.0, 180.0, 0.0)
	f.Add(0.0, 90.0, 0.0, -90.0)
	f.Add(55.5, -21.1, -61.5, 16.2)
	f.Fuzz(func(t *testing.T, lon1, lat1, lon2, lat2 float64) {
		a, b := orb.Point{lon1, lat1}, orb.Point{lon2, lat2}
		if !geo.ValidPoint(a) || !geo.ValidPoint(b) {
			return
		}
		d, e := geo.Distance(a, b), geo.Distance(b, a)
		if math.IsNaN(d) || d < 0 {
			t.Fatalf("Distance(%v, %v) = %v", a, b, d)
		}
		if d != e {
			t.Fatalf("Distance not symmetric: %v vs %v", d, e)
		}
		if d > math.Pi*orb.EarthRadius*(1+1e-12) {
			t.Fatalf("Distance(%v, %v) = %v, more than half the circumference", a, b, d)
		}
		if z := geo.Distance(a, a); z != 0 {
			t.Fatalf("Distance(%v, %v) = %v, want 0", a, a, z)
		}
		if c := geo.DistanceCos(a, b, geo.CosLat(a), geo.CosLat(b)); math.Float64bits(c) != math.Float64bits(d) {
			t.Fatalf("DistanceCos(%v, %v) = %v, Distance %v", a, b, c, d)
		}
	})
}

// TestDistanceCos checks that DistanceCos is Distance bit for bit, on
// random pairs over the whole sphere and on pairs less than 200 km apart
// (the pairs a search measures).
func TestDistanceCos(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200_000 {
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		b := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		if i%2 == 0 {
			b = orb.Point{a[0] + rng.NormFloat64(), math.Max(-90, math.Min(90, a[1]+rng.NormFloat64()*0.5))}
		}
		want := geo.Distance(a, b)
		if got := geo.DistanceCos(a, b, geo.CosLat(a), geo.CosLat(b)); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("DistanceCos(%v, %v) = %v, Distance %v", a, b, got, want)
		}
	}
}
