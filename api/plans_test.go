package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPlanWalkthrough is the README's walk-through: a landlord posts a flat,
// an employer posts a job, an advisor creates a household and gets a plan
// that contains them; after the flat is withdrawn, the next plan no longer
// has it.
func TestPlanWalkthrough(t *testing.T) {
	e := newEnv(t)
	flat := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)
	job := e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")}).JSON(t)
	hh := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")})
	hid := str(hh.JSON(t)["id"])
	if hh.Header.Get("Location") != "/v1/households/"+hid {
		t.Fatalf("Location %q", hh.Header.Get("Location"))
	}

	r := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor"})
	plan := r.JSON(t)
	pid := str(plan["id"])
	if r.Header.Get("Location") != "/v1/plans/"+pid || r.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("headers %v", r.Header)
	}
	if plan["household_id"] != hid || plan["status"] != "proposed" || plan["data_version"].(float64) < 2 {
		t.Fatalf("plan %v", plan)
	}
	opts := plan["options"].([]any)
	if len(opts) == 0 {
		t.Fatalf("no option: %s", r.Body)
	}
	first := opts[0].(map[string]any)
	if first["housing"].(map[string]any)["id"] != flat["id"] {
		t.Fatalf("the posted flat is not the first option: %s", r.Body)
	}
	jobs := first["jobs"].([]any)
	if len(jobs) != 1 || jobs[0].(map[string]any)["id"] != job["id"] {
		t.Fatalf("the posted job is not in the first option: %s", r.Body)
	}
	for _, f := range first["factors"].([]any) {
		if str(f.(map[string]any)["reason"]) == "" {
			t.Errorf("factor without reason: %v", f)
		}
	}

	// The same household again: served from the cache.
	r2 := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor", body: map[string]any{"top": 10}})
	if r2.Header.Get("X-Cache") != "HIT" || str(r2.JSON(t)["id"]) == pid {
		t.Fatalf("second plan: X-Cache %q, id %v", r2.Header.Get("X-Cache"), r2.JSON(t)["id"])
	}

	// A preview is computed (here from the cache) and not stored.
	pv := e.must(http.StatusOK, req{method: "GET", path: "/v1/households/" + hid + "/plan?top=10", key: "advisor"})
	if pv.Header.Get("X-Cache") != "HIT" || pv.JSON(t)["household_id"] != hid || pv.JSON(t)["id"] != nil {
		t.Fatalf("preview: X-Cache %q, %s", pv.Header.Get("X-Cache"), pv.Body[:200])
	}
	e.must(http.StatusUnprocessableEntity, req{method: "GET", path: "/v1/households/" + hid + "/plan?top=0", key: "advisor"})
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/households/" + hid + "/plan", key: "advisor2"})
	e.must(http.StatusForbidden, req{method: "GET", path: "/v1/households/" + hid + "/plan", key: "landlord"})

	// The ledger.
	g := e.must(http.StatusOK, req{method: "GET", path: "/v1/plans/" + pid, key: "advisor"}).JSON(t)
	if d := g["decisions"].([]any); len(d) != 1 || d[0].(map[string]any)["decision"] != "proposed" {
		t.Fatalf("decisions at creation: %v", g["decisions"])
	}
	for _, d := range []string{"accepted", "lease_signed", "job_started"} {
		e.must(http.StatusOK, req{method: "PATCH", path: "/v1/plans/" + pid, key: "advisor", body: map[string]any{"decision": d, "reason": "suivi du " + d}})
	}
	g = e.must(http.StatusOK, req{method: "GET", path: "/v1/plans/" + pid, key: "advisor"}).JSON(t)
	if d := g["decisions"].([]any); len(d) != 4 || g["status"] != "job_started" {
		t.Fatalf("ledger %v, status %v", g["decisions"], g["status"])
	}
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/plans/" + pid, key: "advisor", body: map[string]any{"decision": "married", "reason": ""}})
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor", body: map[string]any{"top": 500}})
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/plans/pl_missing", key: "advisor"})

	// Withdraw the flat: the very next plan does not have it.
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + str(flat["id"]), key: "landlord"})
	r3 := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor"})
	if r3.Header.Get("X-Cache") != "MISS" {
		t.Errorf("after a withdrawal: X-Cache %q, want MISS", r3.Header.Get("X-Cache"))
	}
	if strings.Contains(string(r3.Body), str(flat["id"])) {
		t.Fatalf("withdrawn flat in the next plan: %s", r3.Body)
	}

	// Reads of households and plans are audited.
	log, err := e.db.AuditLog(context.Background(), "plan", pid)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, a := range log {
		if a.Action == "read" {
			reads++
		}
	}
	if reads < 2 {
		t.Errorf("plan reads audited %d times, want ≥ 2: %+v", reads, log)
	}
	// Household reads (two plans, one preview) are group-committed.
	if err := e.db.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if log, err = e.db.AuditLog(context.Background(), "household", hid); err != nil {
		t.Fatal(err)
	}
	reads = 0
	for _, a := range log {
		if a.Action == "read" {
			reads++
		}
	}
	if reads < 3 {
		t.Errorf("household reads audited %d times, want ≥ 3: %+v", reads, log)
	}
}

func TestHouseholds(t *testing.T) {
	e := newEnv(t)
	hh := example(t, "household.json")
	a := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh}).JSON(t)
	id := str(a["id"])
	if a["max_commute_minutes"].(float64) != 45 {
		t.Fatalf("created %v", a)
	}
	// Every failing field at once.
	bad := with(hh, "commune", "7511", "income_monthly", -1, "cir_signed", "yes")
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/households", key: "advisor", body: bad})
	bad = with(hh, "commune", "7511", "income_monthly", -1)
	r := e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/households", key: "advisor", body: bad})
	if !strings.Contains(string(r.Body), `"commune"`) || !strings.Contains(string(r.Body), `"income_monthly"`) {
		t.Fatalf("not every field named: %s", r.Body)
	}
	// Patch merges; an invalid patch changes nothing.
	p := e.must(http.StatusOK, req{method: "PATCH", path: "/v1/households/" + id, key: "advisor", body: map[string]any{"income_monthly": 700}}).JSON(t)
	if p["income_monthly"].(float64) != 700 || p["commune"] != "75118" {
		t.Fatalf("patched %v", p)
	}
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/households/" + id, key: "advisor", body: map[string]any{"max_commute_minutes": 9999}})
	e.must(http.StatusBadRequest, req{method: "PATCH", path: "/v1/households/" + id, key: "advisor", body: map[string]any{"nationality": "x"}})
	if g := e.must(http.StatusOK, req{method: "GET", path: "/v1/households/" + id, key: "advisor"}).JSON(t); g["income_monthly"].(float64) != 700 {
		t.Fatalf("after rejected patches: %v", g)
	}
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: with(hh, "external_ref", "AGIR-75-0002")})
	e.must(http.StatusConflict, req{method: "POST", path: "/v1/households", key: "advisor", body: hh})
	if l := e.must(http.StatusOK, req{method: "GET", path: "/v1/households?limit=1", key: "advisor"}).JSON(t); len(l["items"].([]any)) != 1 || str(l["next_cursor"]) == "" {
		t.Fatalf("list %v", l)
	}
	if l := e.must(http.StatusOK, req{method: "GET", path: "/v1/households", key: "advisor2"}).JSON(t); len(l["items"].([]any)) != 0 {
		t.Fatalf("another organisation sees households: %v", l)
	}
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/households/" + id, key: "advisor"})
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/households/" + id, key: "advisor"})
	e.must(http.StatusNotFound, req{method: "POST", path: "/v1/households/" + id + "/plans", key: "advisor"})
}

func TestReference(t *testing.T) {
	e := newEnv(t)
	tr := e.must(http.StatusOK, req{method: "GET", path: "/v1/territories/21231", key: "landlord"}).JSON(t)
	if tr["code"] != "21231" || tr["department"] != "21" || tr["fallback"] != false || str(tr["zone"]) == "" || str(tr["department_name"]) != "Côte-d'Or" {
		t.Fatalf("territory %v", tr)
	}
	// A real commune the built-in atlas does not hold: its department stands in.
	fb := e.must(http.StatusOK, req{method: "GET", path: "/v1/territories/75118", key: "advisor"}).JSON(t)
	if fb["code"] != "75118" || fb["department"] != "75" {
		t.Fatalf("Paris 18e %v", fb)
	}
	e.must(http.StatusUnprocessableEntity, req{method: "GET", path: "/v1/territories/7511", key: "advisor"})
	e.must(http.StatusUnprocessableEntity, req{method: "GET", path: "/v1/territories/96001", key: "advisor"}) // no department 96

	for _, c := range []struct {
		q    string
		want string
	}{
		{"cuisine", "G1602"},
		{"CUISINE", "G1602"},
		{"maconnerie", "F1703"},
		{"Maçonnerie", "F1703"},
		{"hygiene patient", "J1501"},
		{"g1602", "G1602"},
	} {
		b := e.must(http.StatusOK, req{method: "GET", path: "/v1/occupations?q=" + strings.ReplaceAll(c.q, " ", "+"), key: "employer"}).JSON(t)
		items := b["items"].([]any)
		if len(items) == 0 || items[0].(map[string]any)["code"] != c.want {
			t.Errorf("q=%q: %v, want %s first", c.q, items, c.want)
		}
	}
	if b := e.must(http.StatusOK, req{method: "GET", path: "/v1/occupations?q=&limit=2", key: "employer"}).JSON(t); len(b["items"].([]any)) != 2 {
		t.Errorf("empty q with limit 2: %v", b)
	}
	e.must(http.StatusUnprocessableEntity, req{method: "GET", path: "/v1/occupations?limit=0", key: "employer"})
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusOK, req{method: "GET", path: "/livez"})
	e.must(http.StatusOK, req{method: "GET", path: "/readyz"})
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor"})
	m := e.must(http.StatusOK, req{method: "GET", path: "/metrics"})
	for _, want := range []string{
		`passerelle_http_requests_total{method="POST",route="/v1/households/:id/plans",status="201"} 1`,
		`passerelle_plan_duration_seconds_count 1`,
		`passerelle_plan_cache_total{result="miss"} 1`,
		`passerelle_engine_build_seconds_count`,
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(string(m.Body), hid) {
		t.Errorf("metrics carry an object id")
	}
	doc := e.must(http.StatusOK, req{method: "GET", path: "/openapi.json"})
	if !strings.Contains(string(doc.Body), `"openapi"`) {
		t.Fatal("no OpenAPI document")
	}
	e.srv.Drain()
	e.must(http.StatusServiceUnavailable, req{method: "GET", path: "/readyz"})
	e.db.Close()
	e.must(http.StatusOK, req{method: "GET", path: "/livez"})
}

// TestLogsCarryNoPersonalData seeds canary names, nationalities and free
// text through every place a request can carry them and checks the log
// output never holds them, while it does log every request.
func TestLogsCarryNoPersonalData(t *testing.T) {
	e := newEnv(t)
	canaries := []string{"Zorglub Amira", "zorglubienne", "Kanarienvogel", "raison-canari-42"}
	hh := example(t, "household.json")
	e.must(http.StatusBadRequest, req{method: "POST", path: "/v1/households", key: "advisor", body: with(hh, "name", canaries[0], "nationality", canaries[1])})
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/households", key: "advisor", body: with(hh, "commune", canaries[2])})
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh}).JSON(t)["id"])
	pid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor"}).JSON(t)["id"])
	e.must(http.StatusOK, req{method: "PATCH", path: "/v1/plans/" + pid, key: "advisor", body: map[string]any{"decision": "declined_household", "reason": canaries[3] + " " + canaries[0]}})
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: with(example(t, "job.json"), "title", canaries[0], "employer", canaries[2])})
	e.must(http.StatusOK, req{method: "GET", path: "/v1/occupations?q=" + canaries[2], key: "advisor"})
	e.do(req{method: "GET", path: "/v1/housing", header: map[string]string{"Authorization": "Bearer " + canaries[2], "X-Request-ID": canaries[0]}})
	out := e.logBuf.String()
	for _, c := range canaries {
		if strings.Contains(strings.ToLower(out), strings.ToLower(c)) {
			t.Errorf("log output holds %q:\n%s", c, out)
		}
	}
	for _, want := range []string{`"route":"/v1/households/:id/plans"`, `"status":201`, `"request_id":`, `"latency_ms":`, `"key_id":"k_`} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %s:\n%s", want, out)
		}
	}
}

// TestPlanPreviewGzip checks the compressed preview: the same plan as the
// plain answer once decompressed, its household's id inside, a hit the
// second time, and q=0 honoured.
func TestPlanPreviewGzip(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")})
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
	path := "/v1/households/" + hid + "/plan"
	plain := e.must(http.StatusOK, req{method: "GET", path: path, key: "advisor"})
	get := func(enc string) *httptest.ResponseRecorder {
		hr := httptest.NewRequest("GET", path, nil)
		hr.Header.Set("Authorization", "Bearer "+e.keys["advisor"])
		hr.Header.Set("Accept-Encoding", enc)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, hr)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		return w
	}
	for i, want := range []string{"HIT", "HIT"} { // the JSON is cached already; then the compressed plan too
		w := get("br, gzip;q=0.8")
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") != "Accept-Encoding" || w.Header().Get("X-Cache") != want {
			t.Fatalf("request %d: headers %v", i, w.Header())
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, plain.Body) {
			t.Fatalf("request %d: decompressed plan differs from the plain one", i)
		}
		if w.Body.Len() >= len(plain.Body)/3 {
			t.Errorf("compressed %d bytes, plain %d", w.Body.Len(), len(plain.Body))
		}
	}
	if w := get("gzip;q=0, identity"); w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), plain.Body) {
		t.Errorf("q=0: Content-Encoding %q", w.Header().Get("Content-Encoding"))
	}
}
