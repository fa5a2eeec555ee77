package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
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
	var dur, sample time.Duration
	var acceptGzip bool
	cmd := &cobra.Command{
		Use:   "http --url URL --db FILE|URL --scenario writes|plans|plans-cached|soak|ready [--concurrency C] [--duration D] [--sample S]",
		Short: "Load a running server over HTTP (offer writes, uncached or cached plans); prints JSON",
		Long: "Scenarios:\n" +
			"  writes        POST /v1/housing, each with a fresh Idempotency-Key\n" +
			"  plans         POST /v1/households/{id}/plans over distinct generated households (cache misses)\n" +
			"  plans-cached  GET /v1/households/{id}/plan of one household (cache hits after the first)\n" +
			"  ready         GET /readyz: the smallest answer (a database ping), the floor of this\n" +
			"                machine and generator under which no route's latency can go\n" +
			"  soak          70 % reads (offer lists, households, plan previews), 20 % plans stored,\n" +
			"                10 % writes (a flat posted, then withdrawn: the market keeps its size);\n" +
			"                with --sample, the server's heap and goroutines over time\n" +
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
			// DisableCompression: left to itself, the transport asks for
			// gzip and inflates every answer on the generator's core, which
			// then measures itself; --accept-gzip asks for gzip explicitly
			// and leaves the answers compressed.
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}}
			url = strings.TrimRight(url, "/")
			bufs := make([]bytes.Buffer, conc+1) // one per worker (the last for set-up): answers are read without allocating
			do := func(w int, method, path, key string, body []byte, hdr map[string]string) (int, []byte, error) {
				req, err := http.NewRequestWithContext(ctx, method, url+path, bytes.NewReader(body))
				if err != nil {
					return 0, nil, err
				}
				if key != "" {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				if acceptGzip {
					// Set by hand, the transport leaves the answer compressed:
					// the load generator measures the server, it does not
					// read the plans.
					req.Header.Set("Accept-Encoding", "gzip")
				}
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
				bufs[w].Reset()
				_, err = bufs[w].ReadFrom(resp.Body)
				return resp.StatusCode, bufs[w].Bytes(), err
			}
			var next func(worker, i int) (method, path, key string, body []byte, hdr map[string]string, want int)
			var after func(worker, i int, body []byte) // sees each answer; may be nil
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
			case "ready":
				next = func(w, i int) (string, string, string, []byte, map[string]string, int) {
					return "GET", "/readyz", "", nil, nil, http.StatusOK
				}
			case "plans", "plans-cached", "soak":
				m, err := datasets.Synthetic(marketSeed, datasets.Demo)
				if err != nil {
					return err
				}
				n := households
				if scenario == "plans-cached" {
					n = 1
				}
				if scenario == "soak" {
					n = min(n, 50)
				}
				hs := datasets.Households(7, n, m)
				ids := make([]string, len(hs))
				for i := range hs {
					hs[i].ID = ""
					hs[i].ExternalRef = fmt.Sprintf("B-%s-%d", run, i)
					b, _ := json.Marshal(hs[i])
					st, body, err := do(conc, "POST", "/v1/households", advisor, b, nil)
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
				} else if scenario == "plans-cached" {
					next = func(w, i int) (string, string, string, []byte, map[string]string, int) {
						return "GET", "/v1/households/" + ids[0] + "/plan", advisor, nil, nil, http.StatusOK
					}
				} else {
					next, after = soakMix(run, ids, landlord, advisor, conc)
				}
			default:
				return usageErr(fmt.Errorf("--scenario must be writes, plans, plans-cached, soak or ready, not %q", scenario))
			}
			var samples []serverSample
			stopSampling := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				if sample <= 0 {
					return
				}
				t := time.NewTicker(sample)
				defer t.Stop()
				for {
					if sm, err := sampleServer(client, url); err == nil {
						samples = append(samples, sm)
					}
					select {
					case <-t.C:
					case <-stopSampling:
						if sm, err := sampleServer(client, url); err == nil {
							samples = append(samples, sm)
						}
						return
					}
				}
			}()
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
						st, b, err := do(w, method, path, key, body, hdr)
						lat[w] = append(lat[w], time.Since(t0))
						if after != nil && err == nil {
							after(w, i, b)
						}
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
			close(stopSampling)
			<-sampled
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
			if len(samples) > 0 {
				out["server"] = samples
				out["server_growth"] = growth(samples)
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	cmd.Flags().StringVar(&dbFlag, "db", "", "the server's database, to create the bench keys in")
	cmd.Flags().StringVar(&scenario, "scenario", "writes", "writes, plans, plans-cached, soak or ready")
	cmd.Flags().IntVar(&conc, "concurrency", 4, "connections, each in a closed loop")
	cmd.Flags().IntVar(&households, "households", 200, "distinct households for the plans scenario")
	cmd.Flags().DurationVar(&dur, "duration", 10*time.Second, "how long to send requests")
	cmd.Flags().BoolVar(&acceptGzip, "accept-gzip", false, "send Accept-Encoding: gzip, as browsers do (answers are not decompressed)")
	cmd.Flags().DurationVar(&sample, "sample", 0, "read the server's memory and goroutines from /metrics at this interval (0: never)")
	return cmd
}

// soakMix returns the request sequence of the soak scenario and the hook
// that reads the answers. Each worker cycles through 20 requests: 14 reads,
// 4 stored plans and 2 writes (a flat posted, then withdrawn), so the open
// market keeps its size.
func soakMix(run string, ids []string, landlord, advisor string, conc int) (
	func(w, i int) (string, string, string, []byte, map[string]string, int), func(w, i int, body []byte)) {
	posted := make([]string, conc) // each worker's flat awaiting withdrawal; only worker w touches posted[w]
	next := func(w, i int) (string, string, string, []byte, map[string]string, int) {
		hid := ids[(w*7+i)%len(ids)]
		switch i % 20 {
		case 0, 1, 2, 3, 4:
			return "GET", "/v1/households/" + hid + "/plan", advisor, nil, nil, http.StatusOK
		case 5, 6, 7:
			return "GET", "/v1/housing?department=21&limit=20", advisor, nil, nil, http.StatusOK
		case 8, 9, 10:
			return "GET", "/v1/jobs?department=21&limit=20", advisor, nil, nil, http.StatusOK
		case 11, 12, 13:
			return "GET", "/v1/households/" + hid, advisor, nil, nil, http.StatusOK
		case 14, 15, 16, 17:
			return "POST", "/v1/households/" + hid + "/plans", advisor, nil, nil, http.StatusCreated
		case 18:
			ref := fmt.Sprintf("S-%s-%d-%d", run, w, i)
			o := matcher.HousingOffer{ExternalRef: ref, LandlordKind: matcher.Social, Commune: "21231", Rooms: 2, SurfaceM2: 45,
				RentMonthly: 400 + float64(i%50), ChargesMonthly: 50, Lease: matcher.DirectLease,
				AvailableFrom: matcher.NewDate(2026, 12, 1), ExpiresOn: matcher.NewDate(2027, 6, 30)}
			b, _ := json.Marshal(o)
			return "POST", "/v1/housing", landlord, b, map[string]string{"Idempotency-Key": ref}, http.StatusCreated
		default:
			if posted[w] == "" { // the post failed: read instead
				return "GET", "/v1/households/" + hid, advisor, nil, nil, http.StatusOK
			}
			id := posted[w]
			posted[w] = ""
			return "DELETE", "/v1/housing/" + id, landlord, nil, nil, http.StatusNoContent
		}
	}
	after := func(w, i int, body []byte) {
		if i%20 == 18 {
			var got struct{ ID string }
			if json.Unmarshal(body, &got) == nil {
				posted[w] = got.ID
			}
		}
	}
	return next, after
}

// serverSample is one reading of the server's /metrics.
type serverSample struct {
	At         float64 `json:"at_s"`
	HeapInuse  float64 `json:"heap_inuse_bytes"`
	RSS        float64 `json:"rss_bytes"`
	Goroutines float64 `json:"goroutines"`
}

var sampleStart = time.Now()

// sampleServer reads the Go runtime gauges of the server's /metrics.
func sampleServer(client *http.Client, url string) (serverSample, error) {
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		return serverSample{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return serverSample{}, err
	}
	sm := serverSample{At: time.Since(sampleStart).Seconds()}
	for _, l := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(val, &v); err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			sm.HeapInuse = v
		case "process_resident_memory_bytes":
			sm.RSS = v
		case "go_goroutines":
			sm.Goroutines = v
		}
	}
	return sm, nil
}

// growth compares the last sample with the one taken after a fifth of the
// run (the warm-up: the plan cache, up to its 64 MiB, and pools fill first).
func growth(s []serverSample) map[string]float64 {
	base := s[len(s)/5]
	last := s[len(s)-1]
	rel := func(a, b float64) float64 {
		if a == 0 {
			return 0
		}
		return math.Round((b-a)/a*1000) / 10
	}
	return map[string]float64{"heap_inuse_pct": rel(base.HeapInuse, last.HeapInuse), "rss_pct": rel(base.RSS, last.RSS),
		"goroutines_before": base.Goroutines, "goroutines_after": last.Goroutines}
}
