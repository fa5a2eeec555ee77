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
		name, in, line string
	}{
		{"empty", "", "no problem line"},
		{"no problem", "c hi\n", "no problem line"},
		{"arc before problem", "a 1 2 0 1 1\n", "line 1"},
		{"node before problem", "n 1 1\n", "line 1"},
		{"second problem", "p min 1 0\np min 1 0\n", "line 2"},
		{"wrong type", "p max 1 0\n", "line 1"},
		{"short problem", "p min 1\n", "line 1"},
		{"bad number", "p min x 0\n", "line 1"},
		{"negative nodes", "p min -1 0\n", "line 1"},
		{"too many nodes", "p min 99999999999 0\n", "line 1"},
		{"node out of range", "p min 2 0\nn 3 1\n", "line 2"},
		{"node zero", "p min 2 0\nn 0 1\n", "line 2"},
		{"duplicate node", "p min 2 0\nn 1 1\nn 1 2\n", "line 3"},
		{"arc fields", "p min 2 1\na 1 2 0 1\n", "line 2"},
		{"arc bounds", "p min 2 1\na 1 2 3 1 0\n", "line 2"},
		{"negative low", "p min 2 1\na 1 2 -1 1 0\n", "line 2"},
		{"too many arcs", "p min 2 1\na 1 2 0 1 0\na 1 2 0 1 0\n", "line 3"},
		{"too few arcs", "p min 2 2\na 1 2 0 1 0\n\n", "line 3"},
		{"unknown line", "p min 2 0\nx\n", "line 2"},
		{"overflow", "p min 2 1\na 1 2 0 99999999999999999999 0\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := assign.ReadDIMACS(strings.NewReader(tt.in))
			if !errors.Is(err, assign.ErrDIMACS) {
				t.Fatalf("err = %v, want ErrDIMACS", err)
			}
			if !strings.Contains(err.Error(), tt.line) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.line)
			}
		})
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
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := assign.ReadDIMACSLimit(bytes.NewReader(data), 1<<12)
		if err != nil {
			if !errors.Is(err, assign.ErrDIMACS) {
				t.Fatalf("error %v does not wrap ErrDIMACS", err)
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
	})
}
