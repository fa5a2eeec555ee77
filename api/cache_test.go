package api_test

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"passerelle/api"
	"passerelle/api/rediscache"

	"passerelle/internal/testenv"
)

// withRedis configures the server with the Redis cache at url.
func withRedis(t *testing.T, url string) option {
	rc, err := rediscache.New(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	// As serve wires it: an in-process tier in front of Redis.
	return func(c *api.Config) {
		c.Cache, c.Notifier = api.TieredCache{Local: api.NewMemoryCache(64), Shared: rc}, rc
	}
}

func sharedRedis(t *testing.T) string {
	t.Helper()
	return testenv.Env(t, "REDIS_URL")
}

// metric returns the value of one sample line of /metrics.
func (e *env) metric(name string) string {
	body := string(e.must(http.StatusOK, req{method: "GET", path: "/metrics"}).Body)
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimPrefix(l, name+" ")
		}
	}
	return ""
}

// TestCacheWithRedis: a hit on the second identical request; a withdrawn
// offer is absent from the very next plan; 200 concurrent identical misses
// run one computation.
func TestCacheWithRedis(t *testing.T) {
	e := newEnv(t, withRedis(t, sharedRedis(t)))
	flat := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")})
	// A unique household content, so that no earlier run's plan is in Redis.
	hh := with(example(t, "household.json"), "income_monthly", 500+float64(time.Now().UnixNano()%100000)/100)
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh}).JSON(t)["id"])
	path := "/v1/households/" + hid + "/plan"
	if r := e.must(http.StatusOK, req{method: "GET", path: path, key: "advisor"}); r.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("first: X-Cache %q", r.Header.Get("X-Cache"))
	}
	r := e.must(http.StatusOK, req{method: "GET", path: path, key: "advisor"})
	if r.Header.Get("X-Cache") != "HIT" || !strings.Contains(string(r.Body), str(flat["id"])) {
		t.Fatalf("second: X-Cache %q", r.Header.Get("X-Cache"))
	}
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + str(flat["id"]), key: "landlord"})
	r = e.must(http.StatusOK, req{method: "GET", path: path, key: "advisor"})
	if r.Header.Get("X-Cache") != "MISS" || strings.Contains(string(r.Body), str(flat["id"])) {
		t.Fatalf("after withdrawal: X-Cache %q, flat present %v", r.Header.Get("X-Cache"), strings.Contains(string(r.Body), str(flat["id"])))
	}

	// 200 concurrent identical misses: one computation.
	hh2 := with(hh, "income_monthly", 400+float64(time.Now().UnixNano()%100000)/100, "external_ref", "C2")
	hid2 := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh2}).JSON(t)["id"])
	before := e.metric("passerelle_plan_duration_seconds_count")
	var wg sync.WaitGroup
	statuses := make([]int, 200)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do(req{method: "GET", path: "/v1/households/" + hid2 + "/plan", key: "advisor"}).Status
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("request %d: status %d", i, s)
		}
	}
	after := e.metric("passerelle_plan_duration_seconds_count")
	var b, a int
	fmt.Sscan(before, &b)
	fmt.Sscan(after, &a)
	if a-b != 1 {
		t.Fatalf("200 identical requests ran %d computations, want 1", a-b)
	}
}

// TestRedisStoppedMidway runs a private redis-server, stops it in the middle
// of a series of plans (every request still 200, X-Cache BYPASS, counted)
// and restarts it (caching resumes).
func TestRedisStoppedMidway(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	testenv.Require(t, err == nil, "redis-server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				return cmd
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("redis-server did not start")
		return nil
	}
	srv := start()
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	e := newEnv(t, withRedis(t, "redis://127.0.0.1:"+port+"/0"))
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")})
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
	path := "/v1/households/" + hid + "/plan"
	cache := func(top int) string {
		return e.must(http.StatusOK, req{method: "GET", path: fmt.Sprintf("%s?top=%d", path, top), key: "advisor"}).Header.Get("X-Cache")
	}
	if c := cache(1); c != "MISS" {
		t.Fatalf("first: %s", c)
	}
	if c := cache(1); c != "HIT" {
		t.Fatalf("second: %s", c)
	}
	_ = srv.Process.Kill()
	_ = srv.Wait()
	// Redis down: a plan already held in process is still a hit; a new
	// one is computed (BYPASS, the error counted) and then held in process.
	for i := 0; i < 3; i++ {
		if c := cache(1); c != "HIT" {
			t.Fatalf("Redis down, known plan, request %d: X-Cache %s", i, c)
		}
	}
	if c := cache(2); c != "BYPASS" {
		t.Fatalf("Redis down, new plan: X-Cache %s", c)
	}
	if c := cache(2); c != "HIT" {
		t.Fatalf("Redis down, new plan again: X-Cache %s", c)
	}
	if e.metric(`passerelle_plan_cache_total{result="error"}`) == "0" {
		t.Error("Redis errors not counted")
	}
	srv = start()
	// The first request after the restart may still find a broken pooled
	// connection; caching in Redis resumes within a few requests: a new
	// plan is then a MISS (Redis answered), not a BYPASS, and lands there.
	resumed := false
	for top := 3; top < 23 && !resumed; top++ {
		resumed = cache(top) == "MISS"
		time.Sleep(20 * time.Millisecond)
	}
	if !resumed {
		t.Fatal("caching did not resume after Redis restarted")
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer rdb.Close()
	keys, err := rdb.Keys(t.Context(), "passerelle:plan:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("plans in Redis after the restart: %v, %v", keys, err)
	}
}

// TestMemoryCache checks the LRU bounds: by count, by bytes (a large
// value evicts the least recently used ones), and expiry.
func TestMemoryCache(t *testing.T) {
	ctx := t.Context()
	m := api.NewMemoryCache(3)
	for _, k := range []string{"a", "b", "c"} {
		_ = m.Set(ctx, k, []byte(k), time.Hour)
	}
	_, _, _ = m.Get(ctx, "a") // a is now the most recent
	_ = m.Set(ctx, "d", []byte("d"), time.Hour)
	if _, ok, _ := m.Get(ctx, "b"); ok || m.Len() != 3 {
		t.Fatalf("count bound: b still there or %d entries", m.Len())
	}
	if _, ok, _ := m.Get(ctx, "a"); !ok {
		t.Fatal("a evicted although recently used")
	}
	half := make([]byte, api.MemoryCacheBytes/2)
	big := api.NewMemoryCache(100)
	_ = big.Set(ctx, "x", half, time.Hour)
	_ = big.Set(ctx, "y", half, time.Hour)
	_ = big.Set(ctx, "z", []byte("1"), time.Hour)
	if _, ok, _ := big.Get(ctx, "x"); ok {
		t.Error("byte bound: x kept beyond MemoryCacheBytes")
	}
	for _, k := range []string{"y", "z"} {
		if _, ok, _ := big.Get(ctx, k); !ok {
			t.Errorf("byte bound: %s evicted", k)
		}
	}
	// Replacing a value accounts for the difference; a value larger than
	// the bound stays alone.
	_ = big.Set(ctx, "y", []byte("small"), time.Hour)
	_ = big.Set(ctx, "w", half, time.Hour)
	_ = big.Set(ctx, "v", make([]byte, api.MemoryCacheBytes/3), time.Hour)
	if big.Len() != 4 {
		t.Errorf("after replacing y: %d entries, want 4", big.Len())
	}
	_ = big.Set(ctx, "huge", make([]byte, api.MemoryCacheBytes+1), time.Hour)
	if _, ok, _ := big.Get(ctx, "huge"); !ok || big.Len() != 1 {
		t.Errorf("huge value: kept %v, %d entries", ok, big.Len())
	}
	_ = m.Set(ctx, "e", []byte("e"), -time.Second)
	if _, ok, _ := m.Get(ctx, "e"); ok {
		t.Error("expired entry returned")
	}
}
