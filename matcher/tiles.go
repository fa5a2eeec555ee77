package matcher

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// earthRadiusM is orb's Earth radius, so that tile bounds agree with
// geo.Distance.
const earthRadiusM = 6378137.0

// tiling is a regular latitude/longitude grid. Tiles carry the score bounds
// that let a plan skip whole areas; only tiles holding an offer exist.
type tiling struct {
	dLat, dLon float64 // degrees
	maxReachM  float64
	ids        map[[2]int32]int32
	keys       [][2]int32 // row, col of each tile
	// neighbours of each tile within maxReachM, nearest first:
	// nbTile[nbStart[t]:nbStart[t+1]] with lower bounds of distance nbDist.
	nbStart []int32
	nbTile  []int32
	nbDist  []float32
}

func newTiling(tileKM, maxReachM float64) tiling {
	dLat := tileKM / 111.195
	return tiling{dLat: dLat, dLon: dLat * 1.5, maxReachM: maxReachM, ids: make(map[[2]int32]int32)}
}

func (t *tiling) len() int { return len(t.keys) }

func (t *tiling) key(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[1] / t.dLat)), int32(math.Floor(p[0] / t.dLon))}
}

// add returns the tile of p, creating it if needed.
func (t *tiling) add(p orb.Point) int32 {
	k := t.key(p)
	if id, ok := t.ids[k]; ok {
		return id
	}
	id := int32(len(t.keys))
	t.ids[k] = id
	t.keys = append(t.keys, k)
	return id
}

// minDist returns a lower bound, in meters, of the distance between any
// point of tile a and any point of tile b.
func (t *tiling) minDist(a, b int32) float64 {
	ka, kb := t.keys[a], t.keys[b]
	gr := max(0, absI32(ka[0]-kb[0])-1)
	gc := max(0, absI32(ka[1]-kb[1])-1)
	if gr == 0 && gc == 0 {
		return 0
	}
	// The cosine of the latitude farthest from the equator among both
	// tiles makes the east-west term a lower bound.
	lat := max(math.Abs(float64(ka[0])*t.dLat), math.Abs(float64(ka[0]+1)*t.dLat))
	lat = max(lat, max(math.Abs(float64(kb[0])*t.dLat), math.Abs(float64(kb[0]+1)*t.dLat)))
	dy := float64(gr) * t.dLat
	dx := float64(gc) * t.dLon * math.Cos(lat*math.Pi/180)
	// 0.99: margin for the equirectangular approximation at these scales.
	return 0.99 * earthRadiusM * math.Sqrt(dy*dy+dx*dx) * math.Pi / 180
}

// minDistPoint returns a lower bound, in meters, of the distance between p
// and any point of tile b.
func (t *tiling) minDistPoint(p orb.Point, b int32) float64 {
	kb := t.keys[b]
	lat0, lat1 := float64(kb[0])*t.dLat, float64(kb[0]+1)*t.dLat
	lon0, lon1 := float64(kb[1])*t.dLon, float64(kb[1]+1)*t.dLon
	dy := max(0, max(lat0-p[1], p[1]-lat1))
	dxDeg := max(0, max(lon0-p[0], p[0]-lon1))
	if dy == 0 && dxDeg == 0 {
		return 0
	}
	lat := max(math.Abs(p[1]), max(math.Abs(lat0), math.Abs(lat1)))
	dx := dxDeg * math.Cos(lat*math.Pi/180)
	return 0.99 * earthRadiusM * math.Sqrt(dy*dy+dx*dx) * math.Pi / 180
}

func absI32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// finish computes the neighbour lists.
func (t *tiling) finish() {
	kr := int32(math.Ceil(t.maxReachM/(t.dLat*111195*0.99))) + 1
	t.nbStart = make([]int32, len(t.keys)+1)
	type nb struct {
		tile int32
		d    float32
	}
	var buf []nb
	for a, ka := range t.keys {
		buf = buf[:0]
		lat := min(85, max(math.Abs(float64(ka[0])*t.dLat), math.Abs(float64(ka[0]+1)*t.dLat))+t.maxReachM/111195)
		kc := int32(math.Ceil(t.maxReachM/(t.dLon*111195*0.99*math.Cos(lat*math.Pi/180)))) + 1
		for dr := -kr; dr <= kr; dr++ {
			for dc := -kc; dc <= kc; dc++ {
				b, ok := t.ids[[2]int32{ka[0] + dr, ka[1] + dc}]
				if !ok {
					continue
				}
				if d := t.minDist(int32(a), b); d <= t.maxReachM {
					buf = append(buf, nb{b, float32(d)})
				}
			}
		}
		slices.SortFunc(buf, func(x, y nb) int {
			if c := cmp.Compare(x.d, y.d); c != 0 {
				return c
			}
			return cmp.Compare(x.tile, y.tile)
		})
		for _, n := range buf {
			t.nbTile = append(t.nbTile, n.tile)
			t.nbDist = append(t.nbDist, n.d)
		}
		t.nbStart[a+1] = int32(len(t.nbTile))
	}
}

// bbox is a latitude/longitude box, in degrees.
type bbox struct{ lat0, lat1, lon0, lon1 float64 }

// bbox returns the box of tile t.
func (t *tiling) bbox(id int32) bbox {
	k := t.keys[id]
	return bbox{lat0: float64(k[0]) * t.dLat, lat1: float64(k[0]+1) * t.dLat, lon0: float64(k[1]) * t.dLon, lon1: float64(k[1]+1) * t.dLon}
}

// minDistBBox returns a lower bound, in meters, of the distance between any
// point of a and any point of b.
func minDistBBox(a, b bbox) float64 {
	dy := max(0, max(a.lat0-b.lat1, b.lat0-a.lat1))
	dxDeg := max(0, max(a.lon0-b.lon1, b.lon0-a.lon1))
	if dy == 0 && dxDeg == 0 {
		return 0
	}
	lat := max(max(math.Abs(a.lat0), math.Abs(a.lat1)), max(math.Abs(b.lat0), math.Abs(b.lat1)))
	dx := dxDeg * math.Cos(min(89, lat)*math.Pi/180)
	return 0.99 * earthRadiusM * math.Sqrt(dy*dy+dx*dx) * math.Pi / 180
}

// minDistPointBox returns a lower bound, in meters, of the distance between
// p and any point of b, where cosLat is at most the cosine of any latitude
// between them (no trigonometry: it runs once per home and job list).
func minDistPointBox(p orb.Point, b bbox, cosLat float64) float64 {
	dy := max(0, max(b.lat0-p[1], p[1]-b.lat1))
	dx := max(0, max(b.lon0-p[0], p[0]-b.lon1)) * cosLat
	if dy == 0 && dx == 0 {
		return 0
	}
	return 0.99 * earthRadiusM * math.Sqrt(dy*dy+dx*dx) * math.Pi / 180
}
