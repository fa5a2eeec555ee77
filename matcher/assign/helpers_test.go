package assign_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"passerelle/matcher/assign"
)

// randomProblem returns a seeded random instance. integer selects integer
// costs; costs lie in [lo, hi].
func randomProblem(rng *rand.Rand, L, R, maxCap, deg int, lo, hi float64, integer bool) *assign.Problem {
	cost := func() float64 {
		c := lo + rng.Float64()*(hi-lo)
		if integer {
			c = math.Round(c)
		}
		return c
	}
	p := &assign.Problem{NumLeft: L, NumRight: R, Capacity: make([]int, R), Unassigned: make([]float64, L)}
	for j := range p.Capacity {
		p.Capacity[j] = rng.IntN(maxCap + 1)
	}
	for i := range L {
		p.Unassigned[i] = cost()
		for range rng.IntN(deg + 1) {
			p.Edges = append(p.Edges, assign.Edge{Left: i, Right: rng.IntN(R), Cost: cost()})
		}
	}
	return p
}

// benchProblem returns a seeded instance with exactly deg distinct-ish edges
// per left node, negative integer scores as costs and 0 unassigned costs.
func benchProblem(seed uint64, L, R, deg int, capOf func(*rand.Rand) int) *assign.Problem {
	rng := rand.New(rand.NewPCG(seed, 42))
	p := &assign.Problem{NumLeft: L, NumRight: R, Capacity: make([]int, R), Unassigned: make([]float64, L)}
	for j := range p.Capacity {
		p.Capacity[j] = capOf(rng)
	}
	p.Edges = make([]assign.Edge, 0, L*deg)
	for i := range L {
		for range deg {
			p.Edges = append(p.Edges, assign.Edge{Left: i, Right: rng.IntN(R), Cost: -float64(rng.IntN(1000))})
		}
	}
	return p
}

// checkSolution checks feasibility, the reported cost, and complementary
// slackness of the duals.
func checkSolution(t *testing.T, p *assign.Problem, s *assign.Solution) {
	t.Helper()
	const eps = 1e-9
	unassigned := func(i int) float64 {
		if p.Unassigned == nil {
			return 0
		}
		return p.Unassigned[i]
	}
	if len(s.Assign) != p.NumLeft || len(s.Edge) != p.NumLeft || len(s.LeftDuals) != p.NumLeft || len(s.Prices) != p.NumRight {
		t.Fatalf("solution lengths %d/%d/%d/%d", len(s.Assign), len(s.Edge), len(s.LeftDuals), len(s.Prices))
	}
	load := make([]int, p.NumRight)
	var cost float64
	for i, j := range s.Assign {
		if j < 0 {
			if s.Edge[i] != -1 {
				t.Fatalf("left %d unassigned with edge %d", i, s.Edge[i])
			}
			cost += unassigned(i)
			continue
		}
		e := p.Edges[s.Edge[i]]
		if e.Left != i || e.Right != j {
			t.Fatalf("left %d: edge %d = %+v does not match right %d", i, s.Edge[i], e, j)
		}
		load[j]++
		cost += e.Cost
	}
	for j, l := range load {
		if l > p.Capacity[j] {
			t.Fatalf("right %d: load %d > capacity %d", j, l, p.Capacity[j])
		}
	}
	if math.Abs(cost-s.Cost) > eps*max(1, math.Abs(cost)) {
		t.Fatalf("reported cost %v, recomputed %v", s.Cost, cost)
	}
	// Duals.
	dual := 0.0
	for j, pr := range s.Prices {
		if pr < -eps {
			t.Fatalf("right %d: negative price %v", j, pr)
		}
		if load[j] < p.Capacity[j] && math.Abs(pr) > eps {
			t.Fatalf("right %d: spare capacity but price %v", j, pr)
		}
		dual -= float64(p.Capacity[j]) * pr
	}
	for i, v := range s.LeftDuals {
		u := unassigned(i)
		if v > u+eps {
			t.Fatalf("left %d: dual %v > unassigned cost %v", i, v, u)
		}
		if s.Assign[i] < 0 && math.Abs(v-u) > eps {
			t.Fatalf("left %d: unassigned but dual %v != %v", i, v, u)
		}
		dual += v
	}
	for k, e := range p.Edges {
		rc := e.Cost + s.Prices[e.Right] - s.LeftDuals[e.Left]
		if rc < -eps {
			t.Fatalf("edge %d %+v: reduced cost %v < 0", k, e, rc)
		}
		if s.Edge[e.Left] == k && math.Abs(rc) > eps {
			t.Fatalf("edge %d %+v: assigned with reduced cost %v", k, e, rc)
		}
	}
	if math.Abs(dual-s.Cost) > 1e-6*max(1, math.Abs(cost)) {
		t.Fatalf("dual objective %v != cost %v", dual, s.Cost)
	}
}

// exhaustive returns the optimal cost by trying every assignment.
func exhaustive(p *assign.Problem) float64 {
	byLeft := make([][]assign.Edge, p.NumLeft)
	for _, e := range p.Edges {
		byLeft[e.Left] = append(byLeft[e.Left], e)
	}
	load := make([]int, p.NumRight)
	best := math.Inf(1)
	var rec func(i int, acc float64)
	rec = func(i int, acc float64) {
		if i == p.NumLeft {
			best = min(best, acc)
			return
		}
		rec(i+1, acc+p.Unassigned[i])
		for _, e := range byLeft[i] {
			if load[e.Right] < p.Capacity[e.Right] {
				load[e.Right]++
				rec(i+1, acc+e.Cost)
				load[e.Right]--
			}
		}
	}
	rec(0, 0)
	return best
}

// geoProblem returns a seeded, realistic allocation instance: right nodes
// (sites) and left nodes (households) spread over a unit square, 70 % of
// them around 40 towns of Zipf-like sizes and 30 % uniformly. Each household
// has an edge to each of its deg nearest sites (deg uniform in
// [degLo, degHi]), with cost −round(1000·score), score = 0.6·(1 − d/dk) +
// 0.4·noise where d is the distance and dk that of the deg-th nearest site;
// capacities are uniform in [capLo, capHi]; unassigned costs are 0. Edges
// are in household order.
func geoProblem(seed uint64, L, R, degLo, degHi, capLo, capHi int) *assign.Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	const towns = 40
	type pt struct{ x, y float64 }
	centres := make([]pt, towns)
	cum := make([]float64, towns)
	sigma := make([]float64, towns)
	total := 0.0
	for t := range towns {
		centres[t] = pt{0.05 + 0.9*rng.Float64(), 0.05 + 0.9*rng.Float64()}
		w := 1 / float64(t+1)
		total += w
		cum[t] = total
		sigma[t] = 0.01 + 0.04*math.Sqrt(w)
	}
	point := func() pt {
		if rng.Float64() < 0.3 {
			return pt{rng.Float64(), rng.Float64()}
		}
		r := rng.Float64() * total
		t := 0
		for cum[t] < r {
			t++
		}
		clamp := func(v float64) float64 { return min(max(v, 0), math.Nextafter(1, 0)) }
		return pt{clamp(centres[t].x + sigma[t]*rng.NormFloat64()), clamp(centres[t].y + sigma[t]*rng.NormFloat64())}
	}
	p := &assign.Problem{NumLeft: L, NumRight: R, Capacity: make([]int, R), Unassigned: make([]float64, L)}
	sites := make([]pt, R)
	for j := range sites {
		sites[j] = point()
		p.Capacity[j] = capLo + rng.IntN(capHi-capLo+1)
	}
	// Grid of about 4 sites per cell.
	g := max(1, int(math.Sqrt(float64(R)/4)))
	cells := make([][]int32, g*g)
	cell := func(v float64) int { return min(int(v*float64(g)), g-1) }
	for j, s := range sites {
		c := cell(s.y)*g + cell(s.x)
		cells[c] = append(cells[c], int32(j))
	}
	type cand struct {
		d float64
		j int32
	}
	var cs []cand
	p.Edges = make([]assign.Edge, 0, L*(degLo+degHi)/2)
	for i := range L {
		h := point()
		deg := min(R, degLo+rng.IntN(degHi-degLo+1))
		cx, cy := cell(h.x), cell(h.y)
		cs = cs[:0]
		// Rings of cells until deg sites are in hand, plus one more ring so
		// that the nearest ones are (nearly always) among them.
		for r, extra := 0, -1; r < g && extra != 0; r++ {
			for y := cy - r; y <= cy+r; y++ {
				for x := cx - r; x <= cx+r; x++ {
					if y < 0 || x < 0 || y >= g || x >= g || (max(abs(x-cx), abs(y-cy)) != r) {
						continue
					}
					for _, j := range cells[y*g+x] {
						s := sites[j]
						cs = append(cs, cand{math.Hypot(s.x-h.x, s.y-h.y), j})
					}
				}
			}
			if extra > 0 {
				extra--
			} else if extra < 0 && len(cs) >= deg {
				extra = 1
			}
		}
		slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
		cs = cs[:min(deg, len(cs))]
		dk := cs[len(cs)-1].d
		for _, c := range cs {
			score := 0.4 * rng.Float64()
			if dk > 0 {
				score += 0.6 * (1 - c.d/dk)
			}
			p.Edges = append(p.Edges, assign.Edge{Left: i, Right: int(c.j), Cost: -math.Round(1000 * score)})
		}
	}
	return p
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
