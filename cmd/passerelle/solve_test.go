package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"passerelle/matcher/assign"
)

const solveSample = `c the example of the DIMACS challenge
p min 4 5
n 1 4
n 4 -4
a 1 2 0 4 2
a 1 3 0 2 2
a 2 3 0 2 1
a 2 4 0 3 3
a 3 4 0 5 1
`

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// parseSolution reads "s" and "f" lines and checks the flow against n:
// bounds, conservation and cost.
func parseSolution(t *testing.T, n *assign.Network, out string) (cost int64) {
	t.Helper()
	bal := make([]int64, n.Nodes)
	var sum int64
	seenCost := false
	// Flows of parallel arcs are listed in file order; match them in order.
	next := map[[2]int]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		switch f[0] {
		case "c":
		case "s":
			v, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			cost, seenCost = v, true
		case "f":
			u, _ := strconv.Atoi(f[1])
			v, _ := strconv.Atoi(f[2])
			fl, _ := strconv.ParseInt(f[3], 10, 64)
			k := next[[2]int{u, v}]
			for k < len(n.Arcs) && (n.Arcs[k].From != u-1 || n.Arcs[k].To != v-1) {
				k++
			}
			if k == len(n.Arcs) {
				t.Fatalf("flow on %d→%d: no such arc left", u, v)
			}
			next[[2]int{u, v}] = k + 1
			if fl < n.Arcs[k].Low || fl > n.Arcs[k].Cap {
				t.Fatalf("arc %d: flow %d outside its bounds", k, fl)
			}
			bal[u-1] -= fl
			bal[v-1] += fl
			sum += fl * n.Arcs[k].Cost
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	if !seenCost {
		t.Fatal("no s line")
	}
	for v := range bal {
		if bal[v]+n.Supply[v] != 0 {
			t.Fatalf("node %d: supply %d, net inflow %d", v+1, n.Supply[v], bal[v])
		}
	}
	if sum != cost {
		t.Fatalf("s line %d, flow costs %d", cost, sum)
	}
	return cost
}

func TestSolveSample(t *testing.T) {
	n, err := assign.ReadDIMACS(strings.NewReader(solveSample))
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "sample.min", solveSample)
	for _, args := range [][]string{{"solve", path}, {"solve", path, "--method", "network"}} {
		out, errOut, code := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if got := parseSolution(t, n, out); got != 14 {
			t.Fatalf("%v: cost %d, want 14", args, got)
		}
		if !strings.Contains(out, "method network") {
			t.Errorf("%v: output lacks the method:\n%s", args, out)
		}
	}
	// Standard input.
	out, errOut, code := runCLI(t, solveSample, "solve", "-")
	if code != 0 || !strings.Contains(out, "s 14\n") {
		t.Fatalf("stdin: exit %d, %s%s", code, out, errOut)
	}
}

// TestSolveAssignment solves a random capacitated assignment written as
// DIMACS with both methods and checks they agree.
func TestSolveAssignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	p := &assign.Problem{NumLeft: 60, NumRight: 15, Capacity: make([]int, 15), Unassigned: make([]float64, 60)}
	for j := range p.Capacity {
		p.Capacity[j] = rng.IntN(4)
	}
	for i := range p.NumLeft {
		p.Unassigned[i] = float64(rng.IntN(20) - 10)
		// Distinct right nodes: "f" lines cannot tell parallel arcs apart.
		for _, j := range rng.Perm(15)[:rng.IntN(6)] {
			p.Edges = append(p.Edges, assign.Edge{Left: i, Right: j, Cost: float64(rng.IntN(41) - 20)})
		}
	}
	n, err := p.Network(1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := assign.WriteDIMACS(&buf, n); err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "assign.min", buf.String())
	fast, errOut, code := runCLI(t, "", "solve", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(fast, "method assignment") {
		t.Errorf("assignment layout not used:\n%s", fast[:min(len(fast), 200)])
	}
	slow, errOut, code := runCLI(t, "", "solve", "--method", "network", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if a, b := parseSolution(t, n, fast), parseSolution(t, n, slow); a != b {
		t.Fatalf("assignment method %d, network method %d", a, b)
	}

	js, errOut, code := runCLI(t, "", "solve", "--format", "json", path)
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var got solveOutput
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if got.Method != "assignment" || got.Nodes != n.Nodes || got.Arcs != len(n.Arcs) || got.Cost != parseSolution(t, n, fast) {
		t.Fatalf("json %+v", got)
	}
	var units int64
	for _, f := range got.Flow {
		a := n.Arcs[f.Arc-1]
		if f.From != a.From+1 || f.To != a.To+1 || f.Flow <= 0 {
			t.Fatalf("json flow %+v does not match arc %+v", f, a)
		}
		if f.To == n.Nodes { // the sink
			units += f.Flow
		}
	}
	if units != int64(p.NumLeft) {
		t.Fatalf("json flow brings %d units to the sink, want %d", units, p.NumLeft)
	}
}

func TestSolveErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string // on stderr
	}{
		{"missing file", []string{"solve", filepath.Join(t.TempDir(), "nope.min")}, "", 2, "reading the network"},
		{"malformed", []string{"solve", "-"}, "p min x 0\n", 2, "line 1: field 3"},
		{"bad arc", []string{"solve", "-"}, "p min 2 1\na 1 3 0 1 0\n", 2, "line 2: field 3: node 3 out of range"},
		{"infeasible", []string{"solve", "-"}, "p min 2 0\nn 1 1\nn 2 -1\n", 1, "infeasible"},
		{"bad format", []string{"solve", "--format", "xml", "-"}, solveSample, 2, "--format"},
		{"bad method", []string{"solve", "--method", "magic", "-"}, solveSample, 2, "--method"},
		{"no file", []string{"solve"}, "", 1, "arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.want)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
