package assign_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"passerelle/matcher/assign"
)

const sample = `c a small example
c
p min 4 5
n 1 4
n 4 -4
a 1 2 0 4 2
a 1 3 0 2 2
a 2 3 0 2 1
a 2 4 0 3 3
a 3 4 0 5 1
`

func TestReadDIMACS(t *testing.T) {
	n, err := assign.ReadDIMACS(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := &assign.Network{Nodes: 4, Supply: []int64{4, 0, 0, -4}, Arcs: []assign.Arc{
		{0, 1, 0, 4, 2}, {0, 2, 0, 2, 2}, {1, 2, 0, 2, 1}, {1, 3, 0, 3, 3}, {2, 3, 0, 5, 1},
	}}
	if !reflect.DeepEqual(n, want) {
		t.Fatalf("got %+v, want %+v", n, want)
	}
	cost, flow, err := assign.SolveNetwork(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if cost != 14 {
		t.Fatalf("cost %d, want 14 (flow %v)", cost, flow)
	}
	checkFlow(t, n, cost, flow)
	var buf bytes.Buffer
	if err := assign.WriteDIMACS(&buf, n); err != nil {
		t.Fatal(err)
	}
	back, err := assign.ReadDIMACS(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, n) {
		t.Fatalf("round trip: got %+v, want %+v", back, n)
	}
}

func TestReadDIMACSErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"empty", "", []string{"no problem line"}},
		{"no problem", "c hi\n", []string{"no problem line"}},
		{"arc before problem", "a 1 2 0 1 1\n", []string{"line 1:", "arc line before problem line"}},
		{"node before problem", "n 1 1\n", []string{"line 1:", "node line before"}},
		{"second problem", "p min 1 0\np min 1 0\n", []string{"line 2:", "second problem line"}},
		{"wrong type", "p max 1 0\n", []string{"line 1: field 2:", `"max"`}},
		{"short problem", "p min 1\n", []string{"line 1:", "3 fields, want 4"}},
		{"long problem", "p min 1 0 7\n", []string{"line 1:", "5 fields, want 4"}},
		{"bad node count", "p min x 0\n", []string{"line 1: field 3:", `"x" is not an integer`}},
		{"bad arc count", "p min 2 y\n", []string{"line 1: field 4:", `"y" is not an integer`}},
		{"negative nodes", "p min -1 0\n", []string{"line 1: field 3:", "node count -1"}},
		{"negative arcs", "p min 1 -1\n", []string{"line 1: field 4:", "negative arc count"}},
		{"too many nodes", "p min 99999999999 0\n", []string{"line 1: field 3:", "out of range"}},
		{"node out of range", "p min 2 0\nn 3 1\n", []string{"line 2: field 2:", "node 3 out of range [1,2]"}},
		{"node zero", "p min 2 0\nn 0 1\n", []string{"line 2: field 2:", "node 0"}},
		{"bad supply", "p min 2 0\nn 1 z\n", []string{"line 2: field 3:", `"z"`}},
		{"duplicate node", "c\np min 2 0\nn 1 1\nn 1 2\n", []string{"line 4: field 2:", "second node line for node 1"}},
		{"arc fields", "p min 2 1\na 1 2 0 1\n", []string{"line 2:", "5 fields, want 6"}},
		{"arc tail", "p min 2 1\na 3 2 0 1 0\n", []string{"line 2: field 2:", "node 3"}},
		{"arc head", "p min 2 1\na 1 9 0 1 0\n", []string{"line 2: field 3:", "node 9"}},
		{"arc bounds", "p min 2 1\na 1 2 3 1 0\n", []string{"line 2: fields 4-5:", "[3,1]"}},
		{"negative low", "p min 2 1\na 1 2 -1 1 0\n", []string{"line 2: field 4:", "negative lower bound"}},
		{"bad cost", "p min 2 1\na 1 2 0 1 1.5\n", []string{"line 2: field 6:", `"1.5"`}},
		{"too many arcs", "p min 2 1\na 1 2 0 1 0\na 1 2 0 1 0\n", []string{"line 3:", "more than the 1 arcs"}},
		{"too few arcs", "p min 2 2\na 1 2 0 1 0\n\n", []string{"line 3:", "1 arcs, problem line declares 2"}},
		{"unknown line", "p min 2 0\nx\n", []string{"line 2: field 1:", `"x"`}},
		{"overflow", "p min 2 1\na 1 2 0 99999999999999999999 0\n", []string{"line 2: field 5:"}},
		{"long line", "p min 2 0\nc " + strings.Repeat("x", 1<<17) + "\n", []string{"line 2:", "longer than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assign.ReadDIMACS(strings.NewReader(tt.in))
			if !errors.Is(err, assign.ErrDIMACS) {
				t.Fatalf("err = %v, want ErrDIMACS", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// errReader fails after its data.
type errReader struct{ data string }

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadDIMACSReaderError(t *testing.T) {
	_, err := assign.ReadDIMACS(&errReader{"p min 1 0\n"})
	if err == nil || errors.Is(err, assign.ErrDIMACS) || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("got %v, want the reader's error, not ErrDIMACS", err)
	}
}

func TestWriteDIMACSInvalid(t *testing.T) {
	n := &assign.Network{Nodes: 1, Supply: []int64{0}, Arcs: []assign.Arc{{From: 0, To: 1, Cap: 1}}}
	if err := assign.WriteDIMACS(&bytes.Buffer{}, n); !errors.Is(err, assign.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestSolveNetworkCases(t *testing.T) {
	tests := []struct {
		name string
		n    assign.Network
		cost int64
		err  error
	}{
		{name: "empty", n: assign.Network{Supply: []int64{}}},
		{name: "unbalanced", n: assign.Network{Nodes: 2, Supply: []int64{1, 0}}, err: assign.ErrInfeasible},
		{name: "no path", n: assign.Network{Nodes: 2, Supply: []int64{1, -1}}, err: assign.ErrInfeasible},
		{name: "capacity too small", n: assign.Network{Nodes: 2, Supply: []int64{3, -3}, Arcs: []assign.Arc{{0, 1, 0, 2, 1}}}, err: assign.ErrInfeasible},
		{name: "lower bound forces flow", n: assign.Network{Nodes: 2, Supply: []int64{0, 0}, Arcs: []assign.Arc{{0, 1, 2, 5, 3}, {1, 0, 0, 5, 1}}}, cost: 8},
		{name: "negative cycle saturated", n: assign.Network{Nodes: 2, Supply: []int64{0, 0}, Arcs: []assign.Arc{{0, 1, 0, 4, -3}, {1, 0, 0, 5, 1}}}, cost: -8},
		{name: "negative self loop", n: assign.Network{Nodes: 1, Supply: []int64{0}, Arcs: []assign.Arc{{0, 0, 0, 2, -1}}}, cost: -2},
		{name: "two paths", n: assign.Network{Nodes: 3, Supply: []int64{3, 0, -3}, Arcs: []assign.Arc{{0, 2, 0, 1, 10}, {0, 1, 0, 2, 1}, {1, 2, 0, 2, 1}}}, cost: 14},
		{name: "invalid", n: assign.Network{Nodes: 1, Supply: nil}, err: assign.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cost, flow, err := assign.SolveNetwork(context.Background(), &tt.n)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cost != tt.cost {
				t.Fatalf("cost %d, want %d (flow %v)", cost, tt.cost, flow)
			}
			checkFlow(t, &tt.n, cost, flow)
		})
	}
}

func TestProblemNetworkScale(t *testing.T) {
	p := &assign.Problem{NumLeft: 2, NumRight: 1, Capacity: []int{1}, Unassigned: []float64{0, 0},
		Edges: []assign.Edge{{0, 0, -0.25}, {1, 0, -0.5}}}
	n, err := p.Network(100)
	if err != nil {
		t.Fatal(err)
	}
	cost, _, err := assign.SolveNetwork(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if cost != -50 {
		t.Fatalf("cost %d, want -50", cost)
	}
	for _, bad := range []float64{0, -1, 1e300} {
		if _, err := p.Network(bad); !errors.Is(err, assign.ErrInvalid) {
			t.Errorf("scale %v: err = %v, want ErrInvalid", bad, err)
		}
	}
}

// TestProblemNetworkRoundTrip writes a random assignment as DIMACS, reads it
// back and checks both solvers agree.
func TestProblemNetworkRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := randomProblem(rng, 60, 20, 4, 6, -50, 50, true)
	n, err := p.Network(1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := assign.WriteDIMACS(&buf, n); err != nil {
		t.Fatal(err)
	}
	back, err := assign.ReadDIMACS(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, n) {
		t.Fatal("round trip differs")
	}
	cost, _, err := assign.SolveNetwork(context.Background(), back)
	if err != nil {
		t.Fatal(err)
	}
	s, err := assign.Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if float64(cost) != s.Cost {
		t.Fatalf("network %d, Solve %v", cost, s.Cost)
	}
}

func FuzzReadDIMACS(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("p min 0 0\n"))
	f.Add([]byte("p min 2 1\nn 1 5\nn 2 -5\na 1 2 0 9 -3\n"))
	f.Add([]byte("c x\n\np min 3 2\na 1 1 0 0 0\na 3 2 1 1 -9223372036854775808\n"))
	f.Add([]byte("p min 4 5\nn 1 1\nn 2 1\nn 4 -2\na 1 3 0 1 -3\na 2 3 0 1 -2\na 3 4 0 1 0\na 1 4 0 1 0\na 2 4 0 1 0\n"))
	f.Add([]byte("p min 2 1\na 1 2 0 1\n"))
	f.Add([]byte("p max 2 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := assign.ReadDIMACSLimit(bytes.NewReader(data), 1<<12)
		if err != nil {
			if !errors.Is(err, assign.ErrDIMACS) {
				t.Fatalf("error %v does not wrap ErrDIMACS", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "line ") && !strings.Contains(msg, "no problem line") {
				t.Fatalf("error %q names no line", msg)
			}
			return
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("parsed network invalid: %v", err)
		}
		var buf bytes.Buffer
		if err := assign.WriteDIMACS(&buf, n); err != nil {
			t.Fatal(err)
		}
		back, err := assign.ReadDIMACSLimit(&buf, 1<<12)
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(back, n) {
			t.Fatalf("round trip: got %+v, want %+v", back, n)
		}
		// Small networks with small numbers: both solvers agree.
		if n.Nodes > 12 || len(n.Arcs) > 24 {
			return
		}
		for _, a := range n.Arcs {
			if a.Cap > 1000 || a.Cost > 1000 || a.Cost < -1000 {
				return
			}
		}
		for _, b := range n.Supply {
			if b > 1000 || b < -1000 {
				return
			}
		}
		want, _, werr := assign.SolveNetwork(context.Background(), n)
		got, flow, _, err := assign.MinCostFlow(context.Background(), n)
		if (err == nil) != (werr == nil) || got != want {
			t.Fatalf("MinCostFlow %d, %v; SolveNetwork %d, %v", got, err, want, werr)
		}
		if err == nil {
			checkFlow(t, n, got, flow)
		}
	})
}

func TestMinCostFlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for iter := range 30 {
		p := randomProblem(rng, 30+rng.IntN(50), 5+rng.IntN(20), 4, 8, -40, 40, true)
		n, err := p.Network(1)
		if err != nil {
			t.Fatal(err)
		}
		if iter%2 == 1 { // shuffle the arcs: the layout is recognised in any order
			rng.Shuffle(len(n.Arcs), func(a, b int) { n.Arcs[a], n.Arcs[b] = n.Arcs[b], n.Arcs[a] })
		}
		q, ok := n.Assignment()
		if !ok {
			t.Fatalf("iter %d: layout of Problem.Network not recognised", iter)
		}
		if q.NumLeft != p.NumLeft || q.NumRight != p.NumRight || len(q.Edges) != len(p.Edges) {
			t.Fatalf("iter %d: got %d×%d/%d, want %d×%d/%d", iter, q.NumLeft, q.NumRight, len(q.Edges), p.NumLeft, p.NumRight, len(p.Edges))
		}
		want, _, err := assign.SolveNetwork(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		cost, flow, fast, err := assign.MinCostFlow(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		if !fast || cost != want {
			t.Fatalf("iter %d: MinCostFlow %d (assignment %v), SolveNetwork %d", iter, cost, fast, want)
		}
		checkFlow(t, n, cost, flow)
	}
}

func TestNetworkAssignmentRejects(t *testing.T) {
	base := func() *assign.Network {
		// 2 left (1, 2), 1 right (3), sink 4.
		return &assign.Network{Nodes: 4, Supply: []int64{1, 1, 0, -2}, Arcs: []assign.Arc{
			{From: 0, To: 2, Cap: 1, Cost: -3}, {From: 1, To: 2, Cap: 1, Cost: -2},
			{From: 2, To: 3, Cap: 1}, {From: 0, To: 3, Cap: 1}, {From: 1, To: 3, Cap: 1},
		}}
	}
	if _, ok := base().Assignment(); !ok {
		t.Fatal("base layout not recognised")
	}
	tests := []struct {
		name string
		edit func(*assign.Network)
	}{
		{"lower bound", func(n *assign.Network) { n.Arcs[0].Low = 1 }},
		{"supply 2", func(n *assign.Network) { n.Supply[0], n.Supply[3] = 2, -3 }},
		{"sink demand", func(n *assign.Network) { n.Supply[3] = -1; n.Supply[2] = -1 }},
		{"cost to sink", func(n *assign.Network) { n.Arcs[2].Cost = 1 }},
		{"no unassigned arc", func(n *assign.Network) { n.Arcs = n.Arcs[:4] }},
		{"right to left", func(n *assign.Network) { n.Arcs[0].From, n.Arcs[0].To = 2, 0 }},
		{"huge cost", func(n *assign.Network) { n.Arcs[0].Cost = 1 << 50 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base()
			tt.edit(n)
			if _, ok := n.Assignment(); ok {
				t.Fatal("got ok, want the layout rejected")
			}
			want, _, werr := assign.SolveNetwork(context.Background(), n)
			got, flow, fast, err := assign.MinCostFlow(context.Background(), n)
			if fast || (err == nil) != (werr == nil) || got != want {
				t.Fatalf("MinCostFlow %d, %v (assignment %v); SolveNetwork %d, %v", got, err, fast, want, werr)
			}
			if err == nil {
				checkFlow(t, n, got, flow)
			}
		})
	}
}
