package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"passerelle/api"
)

// assignments returns the assignments of an allocation answer by household
// id.
func assignments(t *testing.T, a map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, x := range a["assignments"].([]any) {
		as := x.(map[string]any)
		out[str(as["household_id"])] = as
	}
	return out
}

// housingOf is the housing id an assignment placed its household in, ""
// when unplaced.
func housingOf(as map[string]any) string {
	p, ok := as["placement"].(map[string]any)
	if !ok {
		return ""
	}
	return str(p["housing_id"])
}

func countAllocations(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM allocations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAllocations allocates two households against the flats and jobs
// posted in the test: one whole flat goes to one household; locks and
// forbidden pairs are honoured; the allocation is stored and read back;
// an Idempotency-Key replays without solving again.
func TestAllocations(t *testing.T) {
	e := newEnv(t)
	flatA := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)["id"])
	job := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")}).JSON(t)["id"])
	hh := example(t, "household.json")
	h1 := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh}).JSON(t)["id"])
	h2 := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: with(hh, "external_ref", "AGIR-75-0002")}).JSON(t)["id"])
	ids := []string{h1, h2}

	// One whole flat, two households: one gets it (with the job), the
	// other is left out and told why.
	r := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: map[string]any{"household_ids": ids}})
	a := r.JSON(t)
	aid := str(a["id"])
	if !strings.HasPrefix(aid, "al_") || r.Header.Get("Location") != "/v1/allocations/"+aid || str(a["created_at"]) == "" {
		t.Fatalf("id %q, Location %q, created_at %v", aid, r.Header.Get("Location"), a["created_at"])
	}
	if a["households"].(float64) != 2 || a["placed"].(float64) != 1 || a["optimal"] != true ||
		a["upper_bound"].(float64) < a["objective"].(float64) || a["objective"].(float64) <= 0 {
		t.Fatalf("allocation figures: %s", r.Body)
	}
	if req := a["request"].(map[string]any); req["top"].(float64) != 20 || req["placement_bonus"].(float64) != 1 {
		t.Fatalf("request with defaults: %v", req)
	}
	as := assignments(t, a)
	if len(as) != 2 || as[h1] == nil || as[h2] == nil {
		t.Fatalf("assignments: %s", r.Body)
	}
	var winner, loser string
	for _, id := range ids {
		switch {
		case housingOf(as[id]) == flatA:
			winner = id
		case as[id]["placed"] == false:
			loser = id
		}
	}
	if winner == "" || loser == "" {
		t.Fatalf("want one household in the flat, one unplaced: %s", r.Body)
	}
	w, l := as[winner], as[loser]
	if jobs := w["placement"].(map[string]any)["jobs"].([]any); len(jobs) != 1 || str(jobs[0].(map[string]any)["id"]) != job {
		t.Errorf("the winner's placement lacks the job: %v", w["placement"])
	}
	if w["option"] == nil {
		t.Errorf("the placed household has no explained option: %v", w)
	}
	if l["reason"] != "outbid" || str(l["reason_label"]) == "" || str(l["reason_label_en"]) == "" ||
		!strings.Contains(str(l["detail_en"]), winner) || !strings.Contains(str(l["detail"]), flatA) {
		t.Errorf("the unplaced household's reason: %v", l)
	}
	if bl := a["baselines"].([]any); len(bl) != 2 || bl[0].(map[string]any)["placed"].(float64) != 1 {
		t.Errorf("baselines: %v", a["baselines"])
	}

	// Read back: the same document.
	g := e.must(http.StatusOK, req{method: "GET", path: "/v1/allocations/" + aid, key: "advisor"})
	if string(g.Body) != string(r.Body) {
		t.Fatalf("GET differs from the POST answer:\n%s\n%s", g.Body, r.Body)
	}
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/allocations/" + aid, key: "advisor2"})
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/allocations/al_missing", key: "advisor"})
	for _, k := range []string{"landlord", "employer", "admin"} {
		e.must(http.StatusForbidden, req{method: "GET", path: "/v1/allocations/" + aid, key: k})
	}

	// A lock gives the flat to the other household; forbidding the pair
	// does too.
	lk := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: map[string]any{
		"household_ids": ids, "locks": []map[string]any{{"household_id": loser, "housing_id": flatA, "job_id": job}}}}).JSON(t)
	if as := assignments(t, lk); housingOf(as[loser]) != flatA || as[loser]["locked"] != true || as[winner]["placed"] != false {
		t.Fatalf("lock not honoured: %v", lk["assignments"])
	}
	fb := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: map[string]any{
		"household_ids": ids, "forbidden": []map[string]any{{"household_id": winner, "housing_id": flatA}}}}).JSON(t)
	if as := assignments(t, fb); housingOf(as[loser]) != flatA || as[winner]["placed"] != false {
		t.Fatalf("forbidden pair not honoured: %v", fb["assignments"])
	}
	if f := fb["request"].(map[string]any)["forbidden"].([]any); len(f) != 1 {
		t.Fatalf("forbidden pairs not kept with the allocation: %v", fb["request"])
	}
	// A lock breaking a rule is reported, not dropped.
	big := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(example(t, "flat.json"),
		"external_ref", "TOO-DEAR", "rent_monthly", 3000)}).JSON(t)
	bad := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: map[string]any{
		"household_ids": ids, "locks": []map[string]any{{"household_id": h1, "housing_id": str(big["id"])}}}}).JSON(t)
	if as := assignments(t, bad); as[h1]["placed"] != false || as[h1]["reason"] != "lock_infeasible" || housingOf(as[h2]) != flatA {
		t.Fatalf("infeasible lock: %v", bad["assignments"])
	}

	// A second flat: both households are placed, in different flats (the
	// engine sees the new offer at once).
	flatB := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(example(t, "flat.json"), "external_ref", "BAILLEUR-DIJON-0043")}).JSON(t)["id"])
	both := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: map[string]any{"household_ids": ids, "top": 5}}).JSON(t)
	got := []string{housingOf(assignments(t, both)[h1]), housingOf(assignments(t, both)[h2])}
	slices.Sort(got)
	want := []string{flatA, flatB}
	slices.Sort(want)
	if !slices.Equal(got, want) || both["placed"].(float64) != 2 {
		t.Fatalf("two flats: placements %v, want %v", got, want)
	}

	// Idempotency: a replay answers the first response without solving
	// again (the flat withdrawn meanwhile is still in it); another body
	// with the same key is refused.
	hdr := map[string]string{"Idempotency-Key": "alloc-1"}
	body := map[string]any{"household_ids": ids, "top": 10}
	first := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: body, header: hdr})
	n := countAllocations(t, e)
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + flatB, key: "landlord"})
	again := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: body, header: hdr})
	if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Location") != first.Header.Get("Location") || !strings.Contains(string(again.Body), flatB) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	if countAllocations(t, e) != n {
		t.Fatalf("a replay stored another allocation")
	}
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/allocations", key: "advisor", body: with(body, "top", 11), header: hdr})
	after := e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: body}).JSON(t)
	if strings.Contains(fmt.Sprint(after["assignments"]), flatB) || after["placed"].(float64) != 1 {
		t.Fatalf("a new allocation uses the withdrawn flat: %v", after["assignments"])
	}

	// Audit: the allocation's creation and reads, and the household reads.
	log, err := e.db.AuditLog(context.Background(), "allocation", aid)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, x := range log {
		actions = append(actions, x.Action)
	}
	if !slices.Equal(actions, []string{"create", "read"}) {
		t.Errorf("allocation audit %v, want create, read", actions)
	}
	if err := e.db.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	hlog, err := e.db.AuditLog(context.Background(), "household", h2)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, x := range hlog {
		if x.Action == "read" {
			reads++
		}
	}
	if reads < 6 { // one per allocation computed
		t.Errorf("household reads audited %d times, want ≥ 6", reads)
	}
}

// TestAllocationBadInput: every rejected request answers a problem naming
// the field, stores nothing, and never tells another organisation's
// household from one that does not exist.
func TestAllocationBadInput(t *testing.T) {
	e := newEnv(t)
	flat := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)["id"])
	hh := example(t, "household.json")
	mine := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: hh}).JSON(t)["id"])
	theirs := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor2", body: hh}).JSON(t)["id"])
	gone := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: with(hh, "external_ref", "GONE")}).JSON(t)["id"])
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/households/" + gone, key: "advisor"})
	tooMany := make([]string, api.MaxAllocationHouseholds+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("hh_%d", i)
	}
	ids := func(v ...string) map[string]any { return map[string]any{"household_ids": v} }
	cases := []struct {
		name   string
		body   any
		status int
		fields []string // named in errors, in order
		code   string
	}{
		{"no body", nil, 400, nil, "body_missing"},
		{"malformed", `{"household_ids": [`, 400, nil, "malformed_json"},
		{"unknown field", with(ids(mine), "households", []string{mine}), 400, []string{"households"}, "unknown_field"},
		{"unknown field in a lock", with(ids(mine), "locks", []map[string]any{{"household_id": mine, "housing_id": flat, "until": "x"}}), 400, []string{"until"}, "unknown_field"},
		{"wrong type", map[string]any{"household_ids": mine}, 422, []string{"household_ids"}, "type"},
		{"no list", map[string]any{}, 422, []string{"household_ids"}, "invalid"},
		{"empty list", ids(), 422, []string{"household_ids"}, "invalid"},
		{"too many", ids(tooMany...), 422, []string{"household_ids"}, "invalid"},
		{"duplicate and empty", ids(mine, "", mine), 422, []string{"household_ids[1]", "household_ids[2]"}, "invalid"},
		{"another organisation's, unknown, deleted", ids(mine, theirs, "hh_nope", gone), 422,
			[]string{"household_ids[1]", "household_ids[2]", "household_ids[3]"}, "invalid"},
		{"top and bonus out of range", with(ids(mine), "top", 101, "placement_bonus", -1), 422, []string{"top", "placement_bonus"}, "invalid"},
		{"lock on an unknown flat and a household not in the list", with(ids(mine), "locks", []map[string]any{
			{"household_id": mine, "housing_id": "ho_nope"}, {"household_id": theirs, "housing_id": flat}}), 422,
			[]string{"locks[0].housing_id", "locks[1].household_id"}, "invalid"},
		{"forbidden pair naming nothing", with(ids(mine), "forbidden", []map[string]any{{"household_id": mine}}), 422, []string{"forbidden[0]"}, "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.must(c.status, req{method: "POST", path: "/v1/allocations", key: "advisor", body: c.body})
			p := r.JSON(t)
			if str(p["code"]) != c.code || str(p["detail"]) == "" || str(p["detail_en"]) == "" {
				t.Fatalf("problem %s", r.Body)
			}
			var fields []string
			errs, _ := p["errors"].([]any)
			for _, x := range errs {
				fe := x.(map[string]any)
				fields = append(fields, str(fe["field"]))
				if str(fe["message"]) == "" || str(fe["message_en"]) == "" || fe["message"] == fe["message_en"] {
					t.Errorf("field error without French and English messages: %v", fe)
				}
			}
			if c.fields != nil && !slices.Equal(fields, c.fields) {
				t.Fatalf("fields %v, want %v: %s", fields, c.fields, r.Body)
			}
		})
	}
	// Another organisation's household reads exactly like an unknown one.
	a := e.must(422, req{method: "POST", path: "/v1/allocations", key: "advisor", body: ids(theirs)}).JSON(t)
	b := e.must(422, req{method: "POST", path: "/v1/allocations", key: "advisor", body: ids("hh_nope")}).JSON(t)
	ea, eb := a["errors"].([]any)[0].(map[string]any), b["errors"].([]any)[0].(map[string]any)
	if ea["code"] != eb["code"] || strings.ReplaceAll(str(ea["message_en"]), theirs, "X") != strings.ReplaceAll(str(eb["message_en"]), "hh_nope", "X") {
		t.Fatalf("another organisation's household is told apart:\n%v\n%v", ea, eb)
	}
	if n := countAllocations(t, e); n != 0 {
		t.Fatalf("rejected requests stored %d allocations", n)
	}
	// The other organisation allocates its own household.
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor2", body: ids(theirs)})
}

// FuzzPostAllocation fuzzes the body of POST /v1/allocations over a real
// household and flat ("$H" and "$F" in the body stand for their ids):
// whatever the body, the answer is a 201 or a 4xx problem, never a 5xx,
// and a rejected body stores nothing.
func FuzzPostAllocation(f *testing.F) {
	e := newEnv(f)
	e.noSpec = true
	flat := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(f, "flat.json")}).JSON(f)["id"])
	hh := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(f, "household.json")}).JSON(f)["id"])
	for _, s := range []string{
		`{"household_ids":["$H"]}`,
		`{"household_ids":["$H"],"top":3,"placement_bonus":0}`,
		`{"household_ids":["$H"],"locks":[{"household_id":"$H","housing_id":"$F"}]}`,
		`{"household_ids":["$H"],"forbidden":[{"household_id":"$H","housing_id":"$F","job_id":"jo_x"}]}`,
		`{"household_ids":["$H","$H"]}`,
		`{"household_ids":[]}`,
		`{"household_ids":null,"locks":null}`,
		`[]`, `null`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		b := strings.ReplaceAll(strings.ReplaceAll(string(body), "$H", hh), "$F", flat)
		n := countAllocations(t, e)
		r := e.do(req{method: "POST", path: "/v1/allocations", key: "advisor", body: b})
		switch {
		case r.Status >= 500:
			t.Fatalf("status %d for %q: %s", r.Status, b, r.Body)
		case r.Status >= 400:
			p := r.JSON(t)
			if p["detail"] == nil || p["detail_en"] == nil {
				t.Fatalf("status %d without a problem document: %s", r.Status, r.Body)
			}
			if countAllocations(t, e) != n {
				t.Fatalf("rejected body (%d) stored an allocation", r.Status)
			}
		case r.Status != http.StatusCreated:
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	})
}
