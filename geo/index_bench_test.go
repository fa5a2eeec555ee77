package geo_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// benchSizes is the size ladder of the index benchmarks.
var benchSizes = []int{10_000, 100_000, 1_000_000, 1_500_000}

// benchDists are the point distributions of the benchmarks. Query centers
// are drawn from the points themselves, so "dense" queries mostly land in
// cities, as a commute search from a home does.
var benchDists = []struct {
	name string
	gen  func(*rand.Rand, int) []orb.Point
}{
	{"uniform", uniformMetro},
	{"dense", denseCities},
}

const benchRadiusM = 30_000

type benchSet struct {
	points  []orb.Point
	ix      *geo.Index
	centers []orb.Point
}

var (
	benchMu    sync.Mutex
	benchCache = map[string]*benchSet{}
)

// mustBenchSet builds (once per process) n points of distribution dist,
// their index and 1024 query centers.
func mustBenchSet(tb testing.TB, dist string, gen func(*rand.Rand, int) []orb.Point, n int) *benchSet {
	tb.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	key := fmt.Sprint(dist, n)
	if s, ok := benchCache[key]; ok {
		return s
	}
	rng := rand.New(rand.NewPCG(1, 1))
	s := &benchSet{points: gen(rng, n)}
	s.ix = geo.NewIndex(s.points, 0)
	s.centers = make([]orb.Point, 1024)
	for i := range s.centers {
		s.centers[i] = s.points[rng.IntN(n)]
	}
	benchCache[key] = s
	return s
}

func BenchmarkWithin(b *testing.B) {
	for _, d := range benchDists {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/n=%d", d.name, n), func(b *testing.B) {
				s := mustBenchSet(b, d.name, d.gen, n)
				found := 0
				fn := func(int32, float64) bool { found++; return true }
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					s.ix.Within(s.centers[i&1023], benchRadiusM, fn)
					i++
				}
				b.ReportMetric(float64(found)/float64(i), "hits/op")
			})
		}
	}
}

func BenchmarkAppendWithin(b *testing.B) {
	for _, d := range benchDists {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/n=%d", d.name, n), func(b *testing.B) {
				s := mustBenchSet(b, d.name, d.gen, n)
				var dst []int32
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					dst = s.ix.AppendWithin(dst[:0], s.centers[i&1023], benchRadiusM)
					i++
				}
			})
		}
	}
}

// BenchmarkWithinNaive is the baseline: a linear scan with geo.Distance.
func BenchmarkWithinNaive(b *testing.B) {
	for _, d := range benchDists {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/n=%d", d.name, n), func(b *testing.B) {
				s := mustBenchSet(b, d.name, d.gen, n)
				found := 0
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					c := s.centers[i&1023]
					for j, p := range s.points {
						if geo.Distance(c, p) <= benchRadiusM {
							_ = j
							found++
						}
					}
					i++
				}
				b.ReportMetric(float64(found)/float64(i), "hits/op")
			})
		}
	}
}

func BenchmarkNewIndex(b *testing.B) {
	for _, d := range benchDists {
		b.Run(fmt.Sprintf("%s/n=%d", d.name, 1_500_000), func(b *testing.B) {
			pts := d.gen(rand.New(rand.NewPCG(1, 1)), 1_500_000)
			b.ReportAllocs()
			for b.Loop() {
				geo.NewIndex(pts, 0)
			}
		})
	}
}
