package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/api"
	"passerelle/store"

	"passerelle/internal/testenv"
)

// runCLIEnv is runCLI with environment variables.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(t.Context(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// sharedDatasets returns ../shared/datasets: skipped when missing on a
// developer machine, required when CI is set.
func sharedDatasets(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "datasets"))
	_, err := os.Stat(filepath.Join(dir, "communes"))
	testenv.Require(t, err == nil, dir)
	return dir
}

// TestImportReferenceThenPlanReal is the end to end: import the
// official files, then plan on the real market; the reasons cite real BMO
// shortage figures and the commune's real rent.
func TestImportReferenceThenPlanReal(t *testing.T) {
	dir := sharedDatasets(t)
	db := filepath.Join(t.TempDir(), "real.db")
	vars := map[string]string{"PASSERELLE_DB": db}
	// Before the import, --market real says what to do.
	_, errOut, code := runCLIEnv(t, vars, "plan", "--market", "real", "--household", "../../examples/isolated-cook.json")
	if code != 2 || !strings.Contains(errOut, "import reference") {
		t.Fatalf("plan before import: exit %d, %s", code, errOut)
	}
	out, errOut, code := runCLIEnv(t, vars, "import", "reference", dir)
	if code != 0 {
		t.Fatalf("import reference: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "34920 communes") || !strings.Contains(out, "1584 métiers ROME") {
		t.Errorf("import summary:\n%s", out)
	}
	out, errOut, code = runCLIEnv(t, vars, "plan", "--market", "real", "--household", "../../examples/isolated-cook.json", "--format", "json", "--top", "5")
	if code != 0 {
		t.Fatalf("plan --market real: exit %d: %s", code, errOut)
	}
	var plan struct {
		Options []struct {
			Housing struct{ Commune string }
			Factors []struct {
				Name   string
				Reason string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Options) == 0 {
		t.Fatalf("plan: %v, %d options", err, len(plan.Options))
	}
	var shortage, rent bool
	for _, f := range plan.Options[0].Factors {
		shortage = shortage || (f.Name == "shortage" && strings.Contains(f.Reason, "des recrutements jugés difficiles"))
		rent = rent || (f.Name == "affordability" && strings.Contains(f.Reason, "loyer de marché à"))
	}
	if !shortage || !rent {
		t.Errorf("first option's reasons cite no BMO figure (%v) or no market rent (%v): %+v", shortage, rent, plan.Options[0].Factors)
	}
	// Real France Travail offers are in the market: jobs of the imported
	// reference's offers are placed on real communes of the atlas.
	s, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap, err := loadSnapshot(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Jobs) < 100 {
		t.Errorf("real offers kept: %d", len(snap.Jobs))
	}
	m, err := snap.market()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Housing) != realHousing || len(m.Jobs) != realJobs+len(snap.Jobs) {
		t.Errorf("real market: %d homes, %d jobs", len(m.Housing), len(m.Jobs))
	}
	for _, h := range m.Housing[:1000] {
		c, ok := m.Atlas.Commune(h.Commune)
		if !ok || c.RentM2 <= 0 {
			t.Fatalf("home %s in %s: commune unknown or without rent", h.ID, h.Commune)
		}
	}
}

// TestImportHousing imports the example vacancy file twice (created, then
// unchanged), then files that are refused as a whole and change nothing.
func TestImportHousing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	out, errOut, code := runCLI(t, "", "import", "housing", "../../examples/vacancies.csv", "--org", "bailleur-71", "--db", db)
	if code != 0 || !strings.Contains(out, "créées") {
		t.Fatalf("first import: exit %d\n%s\n%s", code, out, errOut)
	}
	count := func() int {
		s, err := store.Open(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var n int
		if err := s.SQL().QueryRow("SELECT COUNT(*) FROM housing_offers").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := count()
	if n == 0 {
		t.Fatal("no offer stored")
	}
	out, _, code = runCLI(t, "", "import", "housing", "../../examples/vacancies.csv", "--org", "bailleur-71", "--db", db, "--format", "json")
	var rep api.ImportReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Stored == nil || rep.Stored.Unchanged != n || rep.Stored.Created != 0 {
		t.Fatalf("second import: exit %d, %s", code, out)
	}
	good, err := os.ReadFile("../../examples/vacancies.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(good), "\n"), "\n")
	bad := map[string]string{
		"wrong delimiter": strings.ReplaceAll(string(good), ",", "\t"),
		"missing column":  strings.Replace(string(good), "rent_monthly", "loyer_inconnu", 1),
		"truncated":       string(good[:len(good)-len(lines[len(lines)-1])/2]),
		"invalid commune": lines[0] + "\n" + strings.Replace(lines[1], ",71076,", ",7A076,", 1) + "\n",
		"unknown commune": lines[0] + "\n" + strings.Replace(strings.Replace(lines[1], ",71076,", ",99998,", 1), "LOG-2026-001", "LOG-NEW", 1) + "\n",
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "bad.csv")
			if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCLI(t, "", "import", "housing", f, "--org", "bailleur-71", "--db", db)
			if code == 0 || !strings.Contains(errOut, "nothing was imported") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if !strings.Contains(out, "ligne") && !strings.Contains(errOut, "column") && !strings.Contains(errOut, "line") {
				t.Errorf("the error names no line or column:\n%s\n%s", out, errOut)
			}
			if got := count(); got != n {
				t.Errorf("offers: %d, want %d (nothing imported)", got, n)
			}
		})
	}
	_, errOut, code = runCLI(t, "", "import", "housing", "../../examples/vacancies.csv", "--db", db)
	if code != 2 || !strings.Contains(errOut, "--org") {
		t.Errorf("no --org: exit %d, %s", code, errOut)
	}
}

// TestImportJobs imports the real France Travail response against the
// imported reference, twice (the second time nothing changes).
func TestImportJobs(t *testing.T) {
	dir := sharedDatasets(t)
	db := filepath.Join(t.TempDir(), "j.db")
	if _, errOut, code := runCLI(t, "", "import", "reference", dir, "--db", db); code != 0 {
		t.Fatalf("import reference: %s", errOut)
	}
	file := filepath.Join(dir, "job_offers", "francetravail_offres_v2_search_sample.json")
	out, errOut, code := runCLI(t, "", "import", "jobs", file, "--org", "france-travail", "--db", db, "--format", "json")
	var rep api.ImportReport
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Stored == nil {
		t.Fatalf("import jobs: exit %d\n%s\n%s", code, out, errOut)
	}
	if rep.Rows != 150 || rep.Stored.Created != rep.Accepted || rep.Accepted < 100 {
		t.Errorf("report: rows %d, accepted %d, stored %+v", rep.Rows, rep.Accepted, rep.Stored)
	}
	out, _, code = runCLI(t, "", "import", "jobs", file, "--org", "france-travail", "--db", db, "--format", "json")
	rep = api.ImportReport{}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Stored == nil || rep.Stored.Unchanged != rep.Accepted || rep.Stored.Created != 0 {
		t.Errorf("second import: %s", out)
	}
}
