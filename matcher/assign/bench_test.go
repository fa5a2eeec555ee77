package assign_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"passerelle/matcher/assign"
)

var (
	outDir   = flag.String("out", "", "TestWriteInstances: write the benchmark instances as DIMACS files in this directory")
	naiveAll = flag.Bool("naive-all", false, "BenchmarkSolve: also run the naive baseline on the largest instances (minutes)")
)

// instance is one rung of the benchmark ladder.
type instance struct {
	name    string
	naive   bool // run the naive SSP baseline by default
	network bool // run the general network solver too (slow)
	gen     func() *assign.Problem
}

func unitCap(*rand.Rand) int { return 1 }

// instances is the benchmark ladder: uniform random unit-capacity
// assignments (32 edges per left node, costs in [−999, 0]) and realistic
// geographic allocations of households to capacitated sites (geoProblem).
// The three instances of issue 6 are "10k×10k/unit", "50k×6k/geo" and
// "200k×25k/geo" (6.6 M edges); "50k×6k/uniform" is the 50k×6k instance of
// the previous benchmark.
var instances = []instance{
	{"300×300/unit", true, true, func() *assign.Problem { return benchProblem(1, 300, 300, 32, unitCap) }},
	{"1k×1k/unit", true, false, func() *assign.Problem { return benchProblem(1, 1000, 1000, 32, unitCap) }},
	{"10k×10k/unit", true, false, func() *assign.Problem { return benchProblem(1, 10_000, 10_000, 32, unitCap) }},
	{"5k×600/geo", true, false, func() *assign.Problem { return geoProblem(1, 5000, 600, 20, 40, 1, 20) }},
	// The 50k×6k instance of the previous benchmark (uniform, capacities
	// 1–15, 32 edges each), on which the naive solver took about 55 s.
	{"50k×6k/uniform", false, false, func() *assign.Problem {
		return benchProblem(1, 50_000, 6000, 32, func(r *rand.Rand) int { return 1 + r.IntN(15) })
	}},
	{"50k×6k/geo", false, false, func() *assign.Problem { return geoProblem(1, 50_000, 6000, 20, 40, 1, 20) }},
	{"200k×25k/geo", false, false, func() *assign.Problem { return geoProblem(2, 200_000, 25_000, 26, 40, 1, 16) }},
}

var (
	instMu    sync.Mutex
	instCache = map[string]*assign.Problem{}
)

func mustInstance(tb testing.TB, in instance) *assign.Problem {
	tb.Helper()
	instMu.Lock()
	defer instMu.Unlock()
	p, ok := instCache[in.name]
	if !ok {
		p = in.gen()
		instCache[in.name] = p
	}
	return p
}

// BenchmarkSolve measures Solve ("fast") beside the plain successive
// shortest paths it replaced ("naive", skipped on the largest rungs unless
// -naive-all) and, on the smallest rung, the general network solver
// SolveNetwork (network: 15 s on 1k×1k).
func BenchmarkSolve(b *testing.B) {
	for _, in := range instances {
		p := mustInstance(b, in)
		b.Run(in.name+"/fast", func(b *testing.B) {
			benchSolver(b, p, assign.Solve)
			// The work of one solve: shortest-path searches after the
			// initial phase, and right nodes they settled.
			_, _, paths, _, settled, _, err := assign.SolveStats(b.Context(), p)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(paths), "paths")
			b.ReportMetric(float64(settled), "settled")
		})
		if in.naive || *naiveAll {
			b.Run(in.name+"/naive", func(b *testing.B) {
				benchSolver(b, p, assign.SolveSSP)
			})
		}
		if !in.network {
			continue
		}
		n, err := p.Network(1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(in.name+"/network", func(b *testing.B) {
			var cost int64
			for b.Loop() {
				c, _, err := assign.SolveNetwork(context.Background(), n)
				if err != nil {
					b.Fatal(err)
				}
				cost = c
			}
			b.ReportMetric(float64(cost), "cost")
		})
	}
}

func benchSolver(b *testing.B, p *assign.Problem, solve func(context.Context, *assign.Problem) (*assign.Solution, error)) {
	b.ReportAllocs()
	var s *assign.Solution
	c0 := cpuTime()
	for b.Loop() {
		var err error
		if s, err = solve(b.Context(), p); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time of the process per op: wall time misleads on a shared
	// machine, and with -cpu 1 this is the solver's thread plus the GC's.
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
	placed := 0
	for _, j := range s.Assign {
		if j >= 0 {
			placed++
		}
	}
	b.ReportMetric(s.Cost, "cost")
	b.ReportMetric(float64(placed), "placed")
	b.ReportMetric(float64(len(p.Edges)), "edges")
}

// TestWriteInstances writes the benchmark instances as DIMACS min-cost-flow
// files (Problem.Network, scale 1) in the directory given by -out, for the
// reference solver (scripts/reference-solver.sh), with the optimal cost
// found by Solve in a "c solve-cost" comment line. It is skipped without
// -out.
func TestWriteInstances(t *testing.T) {
	if *outDir == "" {
		t.Skip("no -out directory")
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, in := range instances {
		p := mustInstance(t, in)
		s, err := assign.Solve(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		n, err := p.Network(1)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(*outDir, safeName(in.name)+".min")
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "c %s: %d left, %d right, %d edges\nc solve-cost %d\n", in.name, p.NumLeft, p.NumRight, len(p.Edges), int64(s.Cost))
		if err := assign.WriteDIMACS(f, n); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: cost %d", name, int64(s.Cost))
	}
}

// cpuTime returns the user and system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func safeName(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == '×':
			r = 'x'
		case r == '/':
			r = '-'
		}
		out = append(out, r)
	}
	return string(out)
}
