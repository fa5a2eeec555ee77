package matcher_test

import (
	"fmt"
	"testing"
	"time"

	"passerelle/datasets"
	"passerelle/matcher"
)

// benchMarkets are built once per size: generating the national market
// takes seconds.
var benchMarkets = map[string]*matcher.Engine{}

func benchEngine(b *testing.B, name string) (*matcher.Engine, []matcher.Household) {
	b.Helper()
	sc, err := datasets.ParseScale(name)
	if err != nil {
		b.Fatal(err)
	}
	m, err := datasets.Synthetic(2026, sc)
	if err != nil {
		b.Fatal(err)
	}
	eng, ok := benchMarkets[name]
	if !ok {
		if eng, err = matcher.NewEngine(m, matcher.EngineOptions{}); err != nil {
			b.Fatal(err)
		}
		benchMarkets[name] = eng
	}
	return eng, datasets.Households(7, 16, m)
}

// BenchmarkPlan times one plan (without the what-if variants) over a size
// ladder, the pruned search beside the naive every-pair baseline. One op
// is one household; the 16 households cycle.
func BenchmarkPlan(b *testing.B) {
	for _, size := range []string{"demo", "100k", "national"} {
		for _, naive := range []bool{false, true} {
			name := fmt.Sprintf("market=%s/fast", size)
			if naive {
				name = fmt.Sprintf("market=%s/naive", size)
			}
			b.Run(name, func(b *testing.B) {
				if naive && size == "national" {
					// 23 s to 9 min per plan: measured with
					// `passerelle bench plan --naive-households 3`
					// instead (docs/BENCHMARKS.md).
					b.Skip("naive national plans take minutes")
				}
				eng, hs := benchEngine(b, size)
				opts := matcher.PlanOptions{NoWhatIf: true}
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					h := &hs[i%len(hs)]
					i++
					var err error
					if naive {
						_, err = eng.PlanNaive(b.Context(), h, opts)
					} else {
						_, err = eng.Plan(b.Context(), h, opts)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkNewEngine times indexing a market.
func BenchmarkNewEngine(b *testing.B) {
	for _, size := range []string{"demo", "100k", "national"} {
		b.Run("market="+size, func(b *testing.B) {
			sc, _ := datasets.ParseScale(size)
			m, err := datasets.Synthetic(2026, sc)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := matcher.NewEngine(m, matcher.EngineOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWithout times Engine.Without leaving one home out, as a service
// does for a withdrawal (the offers' index by id is built by a first call,
// outside the timing), over the size ladder.
func BenchmarkWithout(b *testing.B) {
	for _, size := range []string{"demo", "100k", "national"} {
		b.Run("market="+size, func(b *testing.B) {
			eng, _ := benchEngine(b, size)
			sc, _ := datasets.ParseScale(size)
			m, err := datasets.Synthetic(2026, sc)
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			for _, o := range m.Housing[len(m.Housing)/2:] {
				if o.Status == "" || o.Status == matcher.StatusOpen {
					ids = append(ids, o.ID)
					break
				}
			}
			start := time.Now()
			if h, _ := eng.Without(1, ids, nil).Removed(); h != 1 {
				b.Fatalf("%d homes left out, want 1", h)
			}
			first := time.Since(start)
			b.ReportAllocs()
			for b.Loop() {
				eng.Without(1, ids, nil)
			}
			b.ReportMetric(float64(first.Microseconds())/1000, "first-call-ms")
		})
	}
}
