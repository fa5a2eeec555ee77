package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeDemo runs `serve --demo` on a free port, follows the README's
// walk-through over real HTTP, then stops it as SIGTERM would: the server
// drains and run returns nil.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errb lockedBuffer
	db := filepath.Join(t.TempDir(), "demo.db")
	done := make(chan error, 1)
	go func() {
		// A small market keeps the load short under the race detector;
		// the README runs the full demo market. No rate limit: the load
		// generator runs against it at the end, as docs/BENCHMARKS.md does.
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo", "--market", "1k", "--rate-limit", "-1"},
			func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	}()
	urlRe := regexp.MustCompile(`serving on (http://\S+)`)
	keyRe := regexp.MustCompile(`export (\w+_KEY)=(psk_\S+)`)
	var base string
	keys := map[string]string{}
	deadline := time.Now().Add(60 * time.Second)
	for len(keys) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s\n%s", out.String(), errb.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		s := out.String()
		if m := urlRe.FindStringSubmatch(s); m != nil {
			base = m[1]
		}
		for _, m := range keyRe.FindAllStringSubmatch(s, -1) {
			keys[m[1]] = m[2]
		}
	}
	if !strings.Contains(out.String(), "open homes") {
		t.Fatalf("no market summary: %s", out.String())
	}
	call := func(method, path, key, file string, want int) map[string]any {
		t.Helper()
		var body io.Reader
		if file != "" {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "api", file))
			if err != nil {
				t.Fatal(err)
			}
			body = bytes.NewReader(b)
		}
		r, _ := http.NewRequest(method, base+path, body)
		r.Header.Set("Authorization", "Bearer "+key)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	flat := call("POST", "/v1/housing", keys["LANDLORD_KEY"], "flat.json", 201)
	job := call("POST", "/v1/jobs", keys["EMPLOYER_KEY"], "job.json", 201)
	hh := call("POST", "/v1/households", keys["ADVISOR_KEY"], "household.json", 201)
	plan := call("POST", "/v1/households/"+hh["id"].(string)+"/plans", keys["ADVISOR_KEY"], "", 201)
	b, _ := json.Marshal(plan["options"])
	if !strings.Contains(string(b), flat["id"].(string)) || !strings.Contains(string(b), job["id"].(string)) {
		t.Fatalf("the plan over the demo market lacks the posted flat or job: %s", b)
	}
	if opts := plan["options"].([]any); len(opts) < 3 {
		t.Fatalf("only %d options over the demo market", len(opts))
	}
	call("GET", "/v1/housing?limit=3", keys["ADVISOR_KEY"], "", 200)
	// The load generator against the running server: its floor and the
	// cached plan, plain and gzip (docs/BENCHMARKS.md).
	for _, args := range [][]string{{"--scenario", "ready"}, {"--scenario", "plans-cached"}, {"--scenario", "plans-cached", "--accept-gzip"}} {
		var bout, berr lockedBuffer
		full := append([]string{"bench", "http", "--url", base, "--db", db, "--concurrency", "2", "--duration", "300ms"}, args...)
		if err := run(ctx, full, func(string) string { return "" }, strings.NewReader(""), &bout, &berr); err != nil {
			t.Fatalf("%v: %v\n%s", full, err, berr.String())
		}
		var res struct {
			Requests         int `json:"requests"`
			TransportErrors  int `json:"transport_errors"`
			UnexpectedStatus int `json:"unexpected_status"`
		}
		if err := json.Unmarshal([]byte(bout.String()), &res); err != nil {
			t.Fatalf("%v: %v\n%s", full, err, bout.String())
		}
		if res.Requests == 0 || res.TransportErrors != 0 || res.UnexpectedStatus != 0 {
			t.Fatalf("%v: %s", full, bout.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errb.String(), `"route":"/v1/households/:id/plans"`) {
		t.Errorf("no request log on stderr:\n%s", errb.String())
	}
}
