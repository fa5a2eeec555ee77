package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"passerelle/datasets"
	"passerelle/matcher"
	"passerelle/store"
)

// benchHTTPCmd is a small closed-loop load generator for a running server:
// C connections each send their next request as soon as the previous one is
// answered, for a duration. It creates its own API keys in the server's
// database (--db, the same as the server's).
func benchHTTPCmd(e *env) *cobra.Command {
	var url, dbFlag, scenario string
	var conc, households int
	var dur time.Duration
	cmd := &cobra.Command{
		Use:   "http --url URL --db FILE|URL --scenario writes|plans|plans-cached [--concurrency C] [--duration D]",
		Short: "Load a running server over HTTP (offer writes, uncached or cached plans); prints JSON",
		Long: "Scenarios:\n" +
			"  writes        POST /v1/housing, each with a fresh Idempotency-Key\n" +
			"  plans         POST /v1/households/{id}/plans over distinct generated households (cache misses)\n" +
			"  plans-cached  GET /v1/households/{id}/plan of one household (cache hits after the first)\n" +
			"The keys are created in --db, which must be the server's database.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if conc < 1 || dur <= 0 {
				return usageErr(fmt.Errorf("--concurrency must be ≥ 1 and --duration > 0"))
			}
			db, err := store.Open(ctx, e.dsn(dbFlag))
			if err != nil {
				return err
			}
			_, landlord, err := db.CreateKey(ctx, "bench-landlord", store.RoleLandlord)
			if err != nil {
				db.Close()
				return err
			}
			_, advisor, err := db.CreateKey(ctx, "bench-advisor", store.RoleAdvisor)
			db.Close()
			if err != nil {
				return err
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
			url = strings.TrimRight(url, "/")
			do := func(method, path, key string, body []byte, hdr map[string]string) (int, []byte, error) {
				req, err := http.NewRequestWithContext(ctx, method, url+path, bytes.NewReader(body))
				if err != nil {
					return 0, nil, err
				}
				req.Header.Set("Authorization", "Bearer "+key)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				if err != nil {
					return 0, nil, err
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				return resp.StatusCode, b, err
			}
			var next func(worker, i int) (method, path, key string, body []byte, hdr map[string]string, want int)
			run := fmt.Sprint(time.Now().UnixNano())
			switch scenario {
			case "writes":
				next = func(w, i int) (string, string, string, []byte, map[string]string, int) {
					ref := fmt.Sprintf("B-%s-%d-%d", run, w, i)
					o := matcher.HousingOffer{ExternalRef: ref, LandlordKind: matcher.Social, Commune: "21231", Rooms: 2, SurfaceM2: 45,
						RentMonthly: 400 + float64(i%50), ChargesMonthly: 50, Lease: matcher.DirectLease,
						AvailableFrom: matcher.NewDate(2026, 12, 1), ExpiresOn: matcher.NewDate(2027, 6, 30)}
					b, _ := json.Marshal(o)
					return "POST", "/v1/housing", landlord, b, map[string]string{"Idempotency-Key": ref}, http.StatusCreated
				}
			case "plans", "plans-cached":
				m, err := datasets.Synthetic(marketSeed, datasets.Demo)
				if err != nil {
					return err
				}
				n := households
				if scenario == "plans-cached" {
					n = 1
				}
				hs := datasets.Households(7, n, m)
				ids := make([]string, len(hs))
				for i := range hs {
					hs[i].ID = ""
					hs[i].ExternalRef = fmt.Sprintf("B-%s-%d", run, i)
					b, _ := json.Marshal(hs[i])
					st, body, err := do("POST", "/v1/households", advisor, b, nil)
					if err != nil || st != http.StatusCreated {
						return fmt.Errorf("creating household %d: %d %v %s", i, st, err, body)
					}
					var got struct{ ID string }
					_ = json.Unmarshal(body, &got)
					ids[i] = got.ID
				}
				var seq atomic.Int64
				if scenario == "plans" {
					next = func(w, i int) (string, string, string, []byte, map[string]string, int) {
						k := int(seq.Add(1)-1) % len(ids)
						return "POST", "/v1/households/" + ids[k] + "/plans", advisor, nil, nil, http.StatusCreated
					}
				} else {
					next = func(w, i int) (string, string, string, []byte, map[string]string, int) {
						return "GET", "/v1/households/" + ids[0] + "/plan", advisor, nil, nil, http.StatusOK
					}
				}
			default:
				return usageErr(fmt.Errorf("--scenario must be writes, plans or plans-cached, not %q", scenario))
			}
			lat := make([][]time.Duration, conc)
			var errs, bad atomic.Int64
			var firstErr atomic.Value
			deadline := time.Now().Add(dur)
			var wg sync.WaitGroup
			start := time.Now()
			for w := 0; w < conc; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; time.Now().Before(deadline); i++ {
						method, path, key, body, hdr, want := next(w, i)
						t0 := time.Now()
						st, b, err := do(method, path, key, body, hdr)
						lat[w] = append(lat[w], time.Since(t0))
						if err != nil {
							errs.Add(1)
							firstErr.CompareAndSwap(nil, err.Error())
						} else if st != want {
							bad.Add(1)
							firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", st, b))
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			out := map[string]any{
				"scenario": scenario, "concurrency": conc, "duration_s": elapsed.Seconds(), "requests": len(all),
				"per_second": float64(len(all)) / elapsed.Seconds(), "latency": percentiles(all),
				"transport_errors": errs.Load(), "unexpected_status": bad.Load(),
			}
			if v := firstErr.Load(); v != nil {
				out["first_error"] = v
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	cmd.Flags().StringVar(&dbFlag, "db", "", "the server's database, to create the bench keys in")
	cmd.Flags().StringVar(&scenario, "scenario", "writes", "writes, plans or plans-cached")
	cmd.Flags().IntVar(&conc, "concurrency", 4, "connections, each in a closed loop")
	cmd.Flags().IntVar(&households, "households", 200, "distinct households for the plans scenario")
	cmd.Flags().DurationVar(&dur, "duration", 10*time.Second, "how long to send requests")
	return cmd
}
