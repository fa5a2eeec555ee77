package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"passerelle/datasets"
	"passerelle/matcher"
)

func benchCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure the planner on generated households, or a running server over HTTP"}
	cmd.AddCommand(benchPlanCmd(e), benchHTTPCmd(e))
	return cmd
}

// latency are the percentiles of a set of durations, in milliseconds.
type latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func percentiles(d []time.Duration) latency {
	ms := make([]float64, len(d))
	for i, v := range d {
		ms[i] = float64(v.Nanoseconds()) / 1e6
	}
	slices.Sort(ms)
	q := func(p float64) float64 { return math.Round(stat.Quantile(p, stat.Empirical, ms, nil)*1000) / 1000 }
	return latency{P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: q(1)}
}

func benchPlanCmd(e *env) *cobra.Command {
	var market string
	var n, top int
	var whatIf, skipNaive bool
	var naiveN int
	var seed uint64
	var cpuProfile, detail string
	cmd := &cobra.Command{
		Use:   "plan [--market national] [--households N]",
		Short: "Time the fast planner and the naive every-pair baseline over the same households; prints JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 {
				return usageErr(fmt.Errorf("--households must be at least 1"))
			}
			t0 := time.Now()
			eng, m, err := loadEngine(e, market)
			if err != nil {
				return err
			}
			build := time.Since(t0)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			hs := datasets.Households(seed, n, m)
			opts := matcher.PlanOptions{Top: top, NoWhatIf: !whatIf}
			ctx := cmd.Context()
			type result struct {
				Households      int      `json:"households"`
				Market          string   `json:"market"`
				Housing         int      `json:"housing"`
				Jobs            int      `json:"jobs"`
				BuildS          float64  `json:"market_and_index_s"`
				HeapMiB         float64  `json:"heap_after_build_mib"`
				WhatIf          bool     `json:"what_if"`
				Fast            latency  `json:"fast"`
				Naive           *latency `json:"naive,omitempty"`
				NaiveHouseholds int      `json:"naive_households,omitempty"`
				Mismatches      int      `json:"mismatches"`
			}
			res := result{Households: n, Market: market, BuildS: math.Round(build.Seconds()*100) / 100, WhatIf: whatIf,
				HeapMiB: math.Round(float64(ms.HeapAlloc) / (1 << 20))}
			e.log.Info().Str("market", market).Dur("build", build).Float64("heap_mib", res.HeapMiB).Msg("market indexed")
			res.Housing, res.Jobs = eng.Counts()
			fast := make([]time.Duration, 0, n)
			plans := make([]*matcher.Plan, 0, n)
			var detailW *bufio.Writer
			if detail != "" {
				f, err := os.Create(detail)
				if err != nil {
					return usageErr(fmt.Errorf("--detail: %w", err))
				}
				defer f.Close()
				detailW = bufio.NewWriter(f)
				defer detailW.Flush()
				fmt.Fprintln(detailW, "household\tfast_ms\texamined\toptions\tseekers\tscope")
			}
			stopProfile, err := startCPUProfile(cpuProfile)
			if err != nil {
				return err
			}
			defer stopProfile()
			for i := range hs {
				t := time.Now()
				p, err := eng.Plan(ctx, &hs[i], opts)
				if err != nil {
					return fmt.Errorf("household %d: %w", i, err)
				}
				fast = append(fast, time.Since(t))
				plans = append(plans, p)
				if detailW != nil {
					fmt.Fprintf(detailW, "%d\t%.3f\t%d\t%d\t%d\t%s\n", i, float64(time.Since(t).Microseconds())/1000, p.Examined, len(p.Options), seekers(&hs[i]), hs[i].Relocation.Scope)
				}
			}
			stopProfile() // the naive baseline is not profiled
			res.Fast = percentiles(fast)
			if !skipNaive {
				naive := make([]time.Duration, 0, n)
				m := n
				if naiveN > 0 {
					m = min(n, naiveN)
				}
				res.NaiveHouseholds = m
				for i := range hs[:m] {
					t := time.Now()
					p, err := eng.PlanNaive(ctx, &hs[i], opts)
					if err != nil {
						return fmt.Errorf("household %d (naive): %w", i, err)
					}
					naive = append(naive, time.Since(t))
					if !sameOptions(p, plans[i]) {
						res.Mismatches++
					}
				}
				l := percentiles(naive)
				res.Naive = &l
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		},
	}
	cmd.Flags().StringVar(&market, "market", "national", "market: demo, national, or a size such as 100k")
	cmd.Flags().IntVar(&n, "households", 200, "number of generated households")
	cmd.Flags().IntVar(&top, "top", 10, "options per plan")
	cmd.Flags().Uint64Var(&seed, "seed", 7, "seed of the generated households")
	cmd.Flags().BoolVar(&whatIf, "what-if", false, "include the what-if variants in each plan")
	cmd.Flags().BoolVar(&skipNaive, "skip-naive", false, "do not run the naive baseline")
	cmd.Flags().StringVar(&detail, "detail", "", "write one tab-separated line per household (time, homes examined, options, seekers, scope) to this file")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) of the fast plans to this file")
	cmd.Flags().IntVar(&naiveN, "naive-households", 0, "run the naive baseline on the first N households only (0: all)")
	return cmd
}

// sameOptions reports whether two plans hold the same options in the same
// order (housing and jobs).
func sameOptions(a, b *matcher.Plan) bool {
	if len(a.Options) != len(b.Options) {
		return false
	}
	for i := range a.Options {
		x, y := a.Options[i], b.Options[i]
		if x.Housing.ID != y.Housing.ID || x.Score != y.Score || len(x.Jobs) != len(y.Jobs) {
			return false
		}
		for k := range x.Jobs {
			if x.Jobs[k].ID != y.Jobs[k].ID {
				return false
			}
		}
	}
	return true
}

// seekers counts the adults of h who seek work.
func seekers(h *matcher.Household) int {
	n := 0
	for _, m := range h.Members {
		if m.Role == matcher.Adult && m.SeeksWork {
			n++
		}
	}
	return n
}
