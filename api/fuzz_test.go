package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// fuzzWrite fuzzes the JSON body of one write route through the real
// router: whatever the body, the answer is a 2xx or a 4xx problem (never a
// 5xx), and a rejected body changes nothing.
func fuzzWrite(f *testing.F, method string, path func(e *env) string, key string, seeds ...string) {
	e := newEnv(f)
	e.noSpec = true
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{`))
	f.Add([]byte(`{"a":1} x`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		ctx := context.Background()
		v0, err := e.db.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := e.do(req{method: method, path: path(e), key: key, body: body})
		switch {
		case r.Status >= 500:
			t.Fatalf("status %d for %q: %s", r.Status, body, r.Body)
		case r.Status >= 400:
			var p map[string]any
			if err := json.Unmarshal(r.Body, &p); err != nil || p["detail"] == nil || p["detail_en"] == nil {
				t.Fatalf("status %d without a problem document: %s", r.Status, r.Body)
			}
			if v, _ := e.db.DataVersion(ctx); v != v0 {
				t.Fatalf("rejected body (%d) changed the data version", r.Status)
			}
		}
	})
}

func seed(t testing.TB, name string) string {
	b, err := json.Marshal(example(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzPostHousing(f *testing.F) {
	fuzzWrite(f, "POST", func(*env) string { return "/v1/housing" }, "landlord", seed(f, "flat.json"),
		`{"landlord_kind":"iml","commune":"2A004","shared":true,"places":2,"gender":"F","rooms":3,"surface_m2":60,"rent_monthly":300,"lease":"sublease","max_months":6}`)
}

func FuzzPostJob(f *testing.F) {
	fuzzWrite(f, "POST", func(*env) string { return "/v1/jobs" }, "employer", seed(f, "job.json"),
		`{"rome":"J1501","commune":"97411","contract":"cdd","months":3,"salary_monthly_gross":{"min":1800,"max":1700}}`)
}

func FuzzPostHousehold(f *testing.F) {
	fuzzWrite(f, "POST", func(*env) string { return "/v1/households" }, "advisor", seed(f, "household.json"),
		`{"members":[{"role":"child","age":3}],"commune":"75118","protection":{"kind":"refugee","granted_on":"2026-02-30"}}`)
}

// FuzzPatchOffer fuzzes the merge patch of a stored offer.
func FuzzPatchOffer(f *testing.F) {
	var id string
	fuzzWrite(f, "PATCH", func(e *env) string {
		if id == "" {
			id = str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(e.t, "flat.json")}).JSON(e.t.(*testing.T))["id"])
		}
		return "/v1/housing/" + id
	}, "landlord", `{"rent_monthly":400}`, `{"status":"let"}`, `{"point":{"lon":5.04,"lat":47.32}}`)
}

// FuzzPatchPlan fuzzes decisions on a stored plan.
func FuzzPatchPlan(f *testing.F) {
	var id string
	fuzzWrite(f, "PATCH", func(e *env) string {
		if id == "" {
			t := e.t.(*testing.T)
			hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
			id = str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + hid + "/plans", key: "advisor"}).JSON(t)["id"])
		}
		return "/v1/plans/" + id
	}, "advisor", `{"decision":"accepted","reason":"ok"}`, `{"decision":"job_started","reason":"`+"\u00e9t\u00e9"+`"}`)
}
