package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"passerelle/matcher"
	"passerelle/store"
	"passerelle/store/storetest"

	"passerelle/internal/testenv"
)

// Tests in this file run the real binary as separate processes: they kill
// it, drain it and run two replicas. Each is bounded in time and uses
// loopback only.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the passerelle command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "passerelle-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "passerelle")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is one `passerelle serve` process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer
}

// startServer starts `passerelle serve` on a free port with env (plus the
// test's own environment) and waits until /readyz answers 200.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", addr, "--rate-limit", "-1"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, addr: addr, logs: logs}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", logs.String())
	return nil
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// dbFor returns a database DSN of its own for the backend: a SQLite file,
// or a fresh PostgreSQL schema (skipped without DATABASE_URL, required in
// CI).
func dbFor(t *testing.T, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return filepath.Join(t.TempDir(), "p.db")
	}
	return storetest.PostgresURL(t, "proc_")
}

// keyIn creates an API key in dsn (migrating it first).
func keyIn(t *testing.T, dsn, org string, role store.Role) string {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, secret, err := db.CreateKey(context.Background(), org, role)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func offerBody(ref string) []byte {
	o := matcher.HousingOffer{ExternalRef: ref, LandlordKind: matcher.Social, Commune: "21231", Rooms: 2, SurfaceM2: 45,
		RentMonthly: 420, ChargesMonthly: 50, Lease: matcher.DirectLease,
		AvailableFrom: matcher.NewDate(2026, 12, 1), ExpiresOn: matcher.NewDate(2027, 6, 30)}
	b, _ := json.Marshal(o)
	return b
}

// post sends an offer with its Idempotency-Key; it returns the status, or
// an error when no answer came.
func post(client *http.Client, url, key, ref string) (int, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(offerBody(ref)))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", ref)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestDurabilityUnderKill posts offers with idempotency keys from several
// clients while the server is killed with SIGKILL five times. Clients retry
// unanswered requests with the same key after each restart. In the end,
// every acknowledged offer is stored exactly once, every retried one too,
// and the database passes its integrity check.
func TestDurabilityUnderKill(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dsn := dbFor(t, backend)
			key := keyIn(t, dsn, "landlord-k", store.RoleLandlord)
			env := []string{"DATABASE_URL=", "REDIS_URL=", "PASSERELLE_DB="}
			args := []string{"--db", dsn, "--migrate"}
			var acked sync.Map // ref → true once a 201 came back
			pending := map[string]bool{}
			var pmu sync.Mutex
			seq := atomic.Int64{}
			for round := 0; round < 5; round++ {
				srv := startServer(t, env, args...)
				client := &http.Client{Timeout: 10 * time.Second}
				// Retry what went unanswered before the last kill, same keys.
				pmu.Lock()
				for ref := range pending {
					st, err := post(client, srv.url("/v1/housing"), key, ref)
					if err != nil || st != http.StatusCreated {
						t.Fatalf("retry of %s after restart: %d %v", ref, st, err)
					}
					acked.Store(ref, true)
					delete(pending, ref)
				}
				pmu.Unlock()
				var wg sync.WaitGroup
				stop := make(chan struct{})
				for w := 0; w < 4; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							select {
							case <-stop:
								return
							default:
							}
							ref := fmt.Sprintf("K-%d", seq.Add(1))
							st, err := post(client, srv.url("/v1/housing"), key, ref)
							if err != nil {
								pmu.Lock()
								pending[ref] = true
								pmu.Unlock()
								return // the server is gone
							}
							if st != http.StatusCreated {
								t.Errorf("POST %s: status %d", ref, st)
								return
							}
							acked.Store(ref, true)
						}
					}()
				}
				time.Sleep(time.Duration(300+100*round) * time.Millisecond)
				_ = srv.cmd.Process.Signal(syscall.SIGKILL)
				_ = srv.cmd.Wait()
				close(stop)
				wg.Wait()
			}
			// A last start to retry what the last kill left unanswered.
			srv := startServer(t, env, args...)
			client := &http.Client{Timeout: 10 * time.Second}
			for ref := range pending {
				if st, err := post(client, srv.url("/v1/housing"), key, ref); err != nil || st != http.StatusCreated {
					t.Fatalf("final retry of %s: %d %v", ref, st, err)
				}
				acked.Store(ref, true)
			}
			_ = srv.cmd.Process.Signal(syscall.SIGTERM)
			_ = srv.cmd.Wait()

			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			counts := map[string]int{}
			rows, err := db.SQL().Query(`SELECT external_ref FROM housing_offers`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var ref string
				if err := rows.Scan(&ref); err != nil {
					t.Fatal(err)
				}
				counts[ref]++
			}
			rows.Close()
			n := 0
			acked.Range(func(k, _ any) bool {
				n++
				if counts[k.(string)] != 1 {
					t.Errorf("acknowledged offer %s stored %d times", k, counts[k.(string)])
				}
				return true
			})
			if n < 20 {
				t.Fatalf("only %d offers acknowledged: the load did not run", n)
			}
			for ref, c := range counts {
				if c != 1 {
					t.Errorf("offer %s stored %d times", ref, c)
				}
			}
			if backend == "sqlite" {
				var res string
				if err := db.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
					t.Fatalf("integrity check: %q %v", res, err)
				}
			} else {
				// Every saved idempotency response has its offer, and the
				// version counter saw every write.
				var orphans int
				if err := db.SQL().QueryRow(`SELECT count(*) FROM idempotency_keys k WHERE NOT EXISTS
					(SELECT 1 FROM housing_offers o WHERE o.external_ref = k.idem_key)`).Scan(&orphans); err != nil || orphans != 0 {
					t.Fatalf("idempotency keys without their offer: %d %v", orphans, err)
				}
			}
			v, err := db.DataVersion(context.Background())
			if err != nil || v < int64(len(counts)) {
				t.Fatalf("data version %d for %d offers (%v)", v, len(counts), err)
			}
			t.Logf("%s: %d offers acknowledged across 5 kills", backend, n)
		})
	}
}

// TestGracefulDrain sends SIGTERM while clients are loading the server: no
// request that reached the server fails; clients only see the listener go
// away.
func TestGracefulDrain(t *testing.T) {
	dsn := dbFor(t, "sqlite")
	key := keyIn(t, dsn, "landlord-d", store.RoleLandlord)
	srv := startServer(t, []string{"DATABASE_URL=", "REDIS_URL="}, "--db", dsn)
	client := &http.Client{Timeout: 30 * time.Second}
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	seq := atomic.Int64{}
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ref := fmt.Sprintf("D-%d", seq.Add(1))
				st, err := post(client, srv.url("/v1/housing"), key, ref)
				if err != nil {
					if errors.Is(err, syscall.ECONNREFUSED) {
						return // the listener is closed: the server stopped taking requests
					}
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
				if st != http.StatusCreated {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprint("status ", st))
					return
				}
				ok.Add(1)
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v:\n%s", err, srv.logs.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("server did not stop")
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed during the drain (first: %v); %d succeeded", failed.Load(), firstErr.Load(), ok.Load())
	}
	if ok.Load() < 10 {
		t.Fatalf("only %d requests: the load did not run", ok.Load())
	}
	if !strings.Contains(srv.logs.String(), "draining") {
		t.Errorf("no drain in the logs:\n%s", srv.logs.String())
	}
}

// TestReplicas runs two servers on one PostgreSQL and one Redis: a vacancy
// posted or withdrawn on A is reflected in B's engine within a second, by
// the Redis notification, and also without Redis, by the poll.
func TestReplicas(t *testing.T) {
	redisURL := os.Getenv("REDIS_URL")
	for _, mode := range []string{"redis", "poll"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "redis" {
				testenv.Require(t, redisURL != "", "REDIS_URL")
			}
			dsn := dbFor(t, "postgres")
			landlord := keyIn(t, dsn, "landlord-r", store.RoleLandlord)
			advisor := keyIn(t, dsn, "advisor-r", store.RoleAdvisor)
			employer := keyIn(t, dsn, "employer-r", store.RoleEmployer)
			example := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join("..", "..", "examples", "api", name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			env := []string{"DATABASE_URL=" + dsn, "PASSERELLE_DB=", "REDIS_URL="}
			if mode == "redis" {
				env[2] = "REDIS_URL=" + redisURL
			}
			a := startServer(t, env, "--migrate")
			b := startServer(t, env)
			client := &http.Client{Timeout: 10 * time.Second}
			call := func(s *server, method, path, key string, body []byte) (int, []byte) {
				req, _ := http.NewRequest(method, s.url(path), bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, out
			}
			version := func(s *server) string {
				_, m := call(s, "GET", "/metrics", "", nil)
				for _, l := range strings.Split(string(m), "\n") {
					if strings.HasPrefix(l, "passerelle_engine_data_version ") {
						return strings.TrimPrefix(l, "passerelle_engine_data_version ")
					}
				}
				return ""
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			committed := func() string {
				v, err := db.DataVersion(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(v)
			}
			waitVersion := func(s *server, want string) time.Duration {
				start := time.Now()
				for time.Since(start) < 5*time.Second {
					if version(s) == want {
						return time.Since(start)
					}
					time.Sleep(20 * time.Millisecond)
				}
				t.Fatalf("B's engine stayed at version %s, want %s", version(s), want)
				return 0
			}
			if st, body := call(a, "POST", "/v1/jobs", employer, example("job.json")); st != http.StatusCreated {
				t.Fatalf("job on A: %d %s", st, body)
			}
			st, body := call(a, "POST", "/v1/housing", landlord, example("flat.json"))
			if st != http.StatusCreated {
				t.Fatalf("post on A: %d %s", st, body)
			}
			var flat struct{ ID string }
			_ = json.Unmarshal(body, &flat)
			if d := waitVersion(b, committed()); d > time.Second {
				t.Errorf("B saw the vacancy after %v, want ≤ 1 s", d)
			}
			st, body = call(b, "POST", "/v1/households", advisor, example("household.json"))
			if st != http.StatusCreated {
				t.Fatalf("household on B: %d %s", st, body)
			}
			var h struct{ ID string }
			_ = json.Unmarshal(body, &h)
			if _, p := call(b, "GET", "/v1/households/"+h.ID+"/plan", advisor, nil); !bytes.Contains(p, []byte(flat.ID)) {
				t.Fatalf("B's plan lacks the vacancy posted on A: %s", p)
			}
			if st, _ := call(a, "DELETE", "/v1/housing/"+flat.ID, landlord, nil); st != http.StatusNoContent {
				t.Fatalf("withdraw on A: %d", st)
			}
			if d := waitVersion(b, committed()); d > time.Second {
				t.Errorf("B saw the withdrawal after %v, want ≤ 1 s", d)
			}
			if _, p := call(b, "GET", "/v1/households/"+h.ID+"/plan", advisor, nil); bytes.Contains(p, []byte(flat.ID)) {
				t.Fatalf("B's plan still has the vacancy withdrawn on A")
			}
		})
	}
}
