package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/matcher"
)

func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestPlanText(t *testing.T) {
	out, errOut, code := runCLI(t, "", "plan", "--household", "../../examples/isolated-cook.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PLAN DE MOBILITÉ", "1. ", "Emploi (adulte 1)", "Budget", "taux d'effort", "Pourquoi", "Étapes", "Ce qui changerait ce plan"} {
		if !strings.Contains(out, want) {
			t.Errorf("text plan lacks %q", want)
		}
	}
}

func TestPlanJSONShape(t *testing.T) {
	out, errOut, code := runCLI(t, "", "plan", "--household", "../../examples/family-mason.json", "--format", "json", "--top", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"household_id", "generated_at", "data_version", "options", "rejected", "what_if"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("plan JSON lacks %q", k)
		}
	}
	var p matcher.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Options) != 3 {
		t.Fatalf("got %d options, want 3", len(p.Options))
	}
	o := p.Options[0]
	if o.Housing.ID == "" || o.Budget.RentMonthly <= 0 || len(o.Factors) != 9 || o.Rank != 1 {
		t.Errorf("first option incomplete: %+v", o)
	}
}

func TestPlanBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid, err := os.ReadFile("../../examples/isolated-cook.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		wants []string // on stderr
	}{
		{"missing file", []string{"plan", "--household", filepath.Join(dir, "nope.json")}, []string{"reading the household"}},
		{"invalid JSON", []string{"plan", "--household", write("bad.json", "{\n  \"members\": [\n}")}, []string{"line 3", "invalid JSON"}},
		{"unknown field", []string{"plan", "--household", write("unknown.json", strings.Replace(string(valid), "\"cir_signed\"", "\"nationality\": \"X\", \"cir_signed\"", 1))}, []string{"unknown field"}},
		{"trailing data", []string{"plan", "--household", write("trail.json", string(valid)+"{}")}, []string{"trailing data"}},
		{"invalid fields", []string{"plan", "--household", write("fields.json", strings.NewReplacer(`"age": 28`, `"age": 250`, `"commune": "75118"`, `"commune": "7511"`).Replace(string(valid)))},
			[]string{"members[0].age", "commune", "2 champ(s)"}},
		{"bad format", []string{"plan", "--household", "../../examples/isolated-cook.json", "--format", "xml"}, []string{"--format"}},
		{"bad market", []string{"plan", "--household", "../../examples/isolated-cook.json", "--market", "moon"}, []string{"--market"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			for _, w := range tc.wants {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestPlanStdin(t *testing.T) {
	data, err := os.ReadFile("../../examples/young-no-income.json")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, string(data), "plan", "--household", "-", "--format", "json", "--top", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !json.Valid([]byte(out)) {
		t.Fatal("not JSON")
	}
}

func TestBenchPlan(t *testing.T) {
	dir := t.TempDir()
	detail, prof := filepath.Join(dir, "plans.tsv"), filepath.Join(dir, "cpu.pprof")
	out, errOut, code := runCLI(t, "", "bench", "plan", "--market", "demo", "--households", "5",
		"--detail", detail, "--cpuprofile", prof)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// --detail: a header and one line per household; --cpuprofile: a
	// profile was written.
	b, err := os.ReadFile(detail)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "household\tfast_ms") {
		t.Errorf("--detail file:\n%s", b)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("--cpuprofile: %v", err)
	}
	var res struct {
		Households int `json:"households"`
		Fast       struct {
			P50 float64 `json:"p50_ms"`
			P99 float64 `json:"p99_ms"`
		} `json:"fast"`
		Naive *struct {
			P99 float64 `json:"p99_ms"`
		} `json:"naive"`
		Mismatches int `json:"mismatches"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Households != 5 || res.Naive == nil || res.Fast.P50 <= 0 || res.Mismatches != 0 {
		t.Errorf("unexpected result %+v", res)
	}
}

func TestExitCode(t *testing.T) {
	var b bytes.Buffer
	if c := exitCode(nil, &b); c != 0 {
		t.Errorf("nil: %d", c)
	}
	if c := exitCode(errors.New("boom"), &b); c != 1 || !strings.Contains(b.String(), "boom") {
		t.Errorf("plain error: %d %q", c, b.String())
	}
}

func TestLogLevel(t *testing.T) {
	_, errOut, code := runCLI(t, "", "plan", "--household", "../../examples/isolated-cook.json", "--top", "1", "--log-level", "info")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "plan computed") || !strings.Contains(errOut, "household_ref=AGIR-75-0001") {
		t.Errorf("no plan log line in %q", errOut)
	}
	if _, _, code := runCLI(t, "", "plan", "--household", "../../examples/isolated-cook.json", "--log-level", "loud"); code != 2 {
		t.Errorf("unknown level: exit %d, want 2", code)
	}
}
