package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/matcher"
)

// caseloadFile writes the example households, with ids, as one JSON array.
func caseloadFile(t *testing.T, mutate func([]map[string]any)) string {
	t.Helper()
	var hs []map[string]any
	for _, name := range []string{"isolated-cook", "family-mason", "couple-nurse", "woman-care-assistant", "young-no-income"} {
		data, err := os.ReadFile(filepath.Join("../../examples", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var h map[string]any
		if err := json.Unmarshal(data, &h); err != nil {
			t.Fatal(err)
		}
		h["id"] = name
		hs = append(hs, h)
	}
	if mutate != nil {
		mutate(hs)
	}
	data, err := json.Marshal(hs)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "caseload.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAllocateCLIText(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	out, errOut, code := runCLI(t, "", "allocate", "--demo", "30", "--top", "5", "--cpuprofile", prof)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("--cpuprofile: %v", err)
	}
	for _, want := range []string{"RÉPARTITION DE LA FILE ACTIVE — 30 foyer(s)", "Placés :", "Comparaison", "glouton",
		"premier arrivé, premier servi", "Qui va où", "Score", "Pourquoi", "Sans place"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestAllocateCLIJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "", "allocate", "--households", caseloadFile(t, nil), "--format", "json", "--top", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var a matcher.Allocation
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Households != 5 || len(a.Assignments) != 5 || len(a.Baselines) != 2 {
		t.Fatalf("got %d households, %d assignments, %d baselines; want 5, 5, 2", a.Households, len(a.Assignments), len(a.Baselines))
	}
	if a.UpperBound < a.Objective || a.Assignments[0].HouseholdID != "isolated-cook" {
		t.Errorf("incoherent allocation: %+v", a)
	}
	for _, as := range a.Assignments {
		if as.Placed && (as.Placement == nil || as.Option == nil || as.Placement.HousingID == "") {
			t.Errorf("%s placed without its option", as.HouseholdID)
		}
		if !as.Placed && as.ReasonLabel == "" {
			t.Errorf("%s unplaced without a reason", as.HouseholdID)
		}
	}
}

func TestAllocateCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"id": "a", "members": []}, {"id": "b", "members": [{"role": "adult", "age": 300}]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	syntax := filepath.Join(dir, "syntax.json")
	if err := os.WriteFile(syntax, []byte("[{\"id\": \"a\",\n  oops}]"), 0o600); err != nil {
		t.Fatal(err)
	}
	dup := caseloadFile(t, func(hs []map[string]any) { hs[1]["id"] = hs[0]["id"] })
	tests := []struct {
		name  string
		args  []string
		wants []string // on stderr
	}{
		{"every invalid field", []string{"allocate", "--households", bad}, []string{"[0].members", "[1].members[0].age", "[1].commune", "invalide"}},
		{"duplicate ids", []string{"allocate", "--households", dup}, []string{"households[1].id", "isolated-cook"}},
		{"syntax", []string{"allocate", "--households", syntax}, []string{"line 2"}},
		{"missing file", []string{"allocate", "--households", filepath.Join(dir, "nope.json")}, []string{"reading the households"}},
		{"no source", []string{"allocate"}, []string{"--households FILE or --demo N"}},
		{"both sources", []string{"allocate", "--demo", "3", "--households", bad}, []string{"--households FILE or --demo N"}},
		{"top", []string{"allocate", "--demo", "3", "--top", "0"}, []string{"--top"}},
		{"format", []string{"allocate", "--demo", "3", "--format", "xml"}, []string{"--format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, out, errOut)
			}
			for _, w := range tc.wants {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
		})
	}
}

func TestAllocateCLIEvaluate(t *testing.T) {
	out, errOut, code := runCLI(t, "", "allocate", "--evaluate", "--demo", "40", "--market", "demo", "--top", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"ÉVALUATION", "| répartition optimale |", "| glouton", "| rester dans son département (optimal) |", "sortie AGIR"} {
		if !strings.Contains(out, want) {
			t.Errorf("evaluation lacks %q:\n%s", want, out)
		}
	}
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	out, errOut, code = runCLI(t, "", "allocate", "--evaluate", "--demo", "20", "--market", "demo", "--top", "5", "--format", "json", "--cpuprofile", prof)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("--evaluate --cpuprofile: %v", err)
	}
	var ev evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Rows) != 4 || ev.Households != 20 || ev.Rows[0].Method != "optimal" {
		t.Fatalf("got %+v", ev)
	}
	if ev.Rows[0].HousedPct < ev.Rows[1].HousedPct {
		t.Errorf("optimal houses %v %%, greedy %v %%", ev.Rows[0].HousedPct, ev.Rows[1].HousedPct)
	}
}
