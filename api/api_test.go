package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"passerelle/api"
	"passerelle/store"
)

func TestAuth(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		header map[string]string
	}{
		{"no header", nil},
		{"not bearer", map[string]string{"Authorization": "Basic abc"}},
		{"empty bearer", map[string]string{"Authorization": "Bearer "}},
		{"unknown key", map[string]string{"Authorization": "Bearer psk_nope"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.must(http.StatusUnauthorized, req{method: "GET", path: "/v1/housing", header: c.header})
			if r.Header.Get("WWW-Authenticate") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("headers %v", r.Header)
			}
		})
	}
	t.Run("revoked key", func(t *testing.T) {
		// Verified keys are trusted for KeyTTL: a revocation takes effect
		// once it has passed (the clock is the server's).
		var now atomic.Int64
		now.Store(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).UnixNano())
		e := newEnv(t, func(c *api.Config) {
			c.Now = func() time.Time { return time.Unix(0, now.Load()) }
			c.KeyTTL = 5 * time.Second
		})
		ctx := context.Background()
		id, secret, err := e.db.CreateKey(ctx, "org-x", store.RoleLandlord)
		if err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: secret})
		if err := e.db.RevokeKey(ctx, store.Actor{KeyID: id, Org: "org-x", Role: store.RoleLandlord}, id); err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: secret})
		now.Add(int64(5*time.Second + time.Millisecond))
		e.must(http.StatusUnauthorized, req{method: "GET", path: "/v1/housing", key: secret})
		now.Add(int64(time.Hour))
		e.must(http.StatusUnauthorized, req{method: "GET", path: "/v1/housing", key: secret})
	})
	t.Run("revoked key without cache", func(t *testing.T) {
		e := newEnv(t, func(c *api.Config) { c.KeyTTL = -1 })
		ctx := context.Background()
		id, secret, err := e.db.CreateKey(ctx, "org-x", store.RoleLandlord)
		if err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: secret})
		if err := e.db.RevokeKey(ctx, store.Actor{KeyID: id, Org: "org-x", Role: store.RoleLandlord}, id); err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusUnauthorized, req{method: "GET", path: "/v1/housing", key: secret})
	})
}

// TestRoles walks every route with every role: the right role passes, a
// wrong role gets 403, another organisation's object 404.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	flat := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)
	job := e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")}).JSON(t)
	hh := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)
	plan := e.must(http.StatusCreated, req{method: "POST", path: "/v1/households/" + str(hh["id"]) + "/plans", key: "advisor"}).JSON(t)
	fid, jid, hid, pid := str(flat["id"]), str(job["id"]), str(hh["id"]), str(plan["id"])
	caseload := map[string]any{"household_ids": []string{hid}}
	aid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/allocations", key: "advisor", body: caseload}).JSON(t)["id"])
	decision := map[string]any{"decision": "accepted", "reason": "ok"}
	type call struct {
		method, path string
		body         any
		want         map[string]int // role → status; missing roles → 403
	}
	calls := []call{
		{"GET", "/v1/housing/" + fid, nil, map[string]int{"landlord": 200, "landlord2": 404, "advisor": 200, "advisor2": 200, "admin": 200}},
		{"GET", "/v1/housing", nil, map[string]int{"landlord": 200, "landlord2": 200, "advisor": 200, "advisor2": 200, "admin": 200}},
		{"PATCH", "/v1/housing/" + fid, map[string]any{"rent_monthly": 345}, map[string]int{"landlord": 200, "landlord2": 404, "admin": 200}},
		{"POST", "/v1/housing", with(example(t, "flat.json"), "external_ref", ""), map[string]int{"landlord": 201, "landlord2": 201, "admin": 201}},
		{"GET", "/v1/jobs/" + jid, nil, map[string]int{"employer": 200, "employer2": 404, "advisor": 200, "advisor2": 200, "admin": 200}},
		{"GET", "/v1/jobs", nil, map[string]int{"employer": 200, "employer2": 200, "advisor": 200, "advisor2": 200, "admin": 200}},
		{"PATCH", "/v1/jobs/" + jid, map[string]any{"positions": 3}, map[string]int{"employer": 200, "employer2": 404, "admin": 200}},
		{"POST", "/v1/jobs", with(example(t, "job.json"), "external_ref", ""), map[string]int{"employer": 201, "employer2": 201, "admin": 201}},
		{"POST", "/v1/jobs/import", ftSearch, map[string]int{"employer": 200, "employer2": 200, "admin": 200}},
		{"GET", "/v1/households/" + hid, nil, map[string]int{"advisor": 200, "advisor2": 404}},
		{"GET", "/v1/households", nil, map[string]int{"advisor": 200, "advisor2": 200}},
		{"PATCH", "/v1/households/" + hid, map[string]any{"income_monthly": 600}, map[string]int{"advisor": 200, "advisor2": 404}},
		{"POST", "/v1/households/" + hid + "/plans", nil, map[string]int{"advisor": 201, "advisor2": 404}},
		{"GET", "/v1/plans/" + pid, nil, map[string]int{"advisor": 200, "advisor2": 404}},
		{"PATCH", "/v1/plans/" + pid, decision, map[string]int{"advisor": 200, "advisor2": 404}},
		// Another organisation's household is an invalid caseload (422, as
		// an unknown id), its allocation 404.
		{"POST", "/v1/allocations", caseload, map[string]int{"advisor": 201, "advisor2": 422}},
		{"GET", "/v1/allocations/" + aid, nil, map[string]int{"advisor": 200, "advisor2": 404}},
		{"GET", "/v1/territories/21231", nil, map[string]int{"landlord": 200, "landlord2": 200, "employer": 200, "employer2": 200, "advisor": 200, "advisor2": 200, "admin": 200}},
		{"GET", "/v1/occupations?q=cuisine", nil, map[string]int{"landlord": 200, "landlord2": 200, "employer": 200, "employer2": 200, "advisor": 200, "advisor2": 200, "admin": 200}},
	}
	roles := []string{"landlord", "landlord2", "employer", "employer2", "advisor", "advisor2", "admin"}
	for _, c := range calls {
		for _, role := range roles {
			want, ok := c.want[role]
			if !ok {
				want = http.StatusForbidden
			}
			t.Run(fmt.Sprintf("%s %s as %s", c.method, c.path, role), func(t *testing.T) {
				r := e.do(req{method: c.method, path: c.path, key: role, body: c.body})
				if r.Status != want {
					t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
				}
			})
		}
	}
	// DELETE last: it withdraws and removes.
	for _, c := range []call{
		{"DELETE", "/v1/housing/" + fid, nil, map[string]int{"landlord2": 404, "landlord": 204}},
		{"DELETE", "/v1/jobs/" + jid, nil, map[string]int{"employer2": 404, "employer": 204}},
		{"DELETE", "/v1/households/" + hid, nil, map[string]int{"advisor2": 404, "advisor": 204}},
	} {
		for _, role := range []string{"advisor", "landlord2", "employer2", "advisor2", "landlord", "employer"} {
			want, ok := c.want[role]
			if !ok {
				if (role == "advisor" || role == "advisor2") && strings.Contains(c.path, "households") {
					continue
				}
				want = http.StatusForbidden
			}
			if r := e.do(req{method: c.method, path: c.path, key: role}); r.Status != want {
				t.Errorf("%s %s as %s: status %d, want %d: %s", c.method, c.path, role, r.Status, want, r.Body)
			}
		}
	}
}

func TestHousingLifecycle(t *testing.T) {
	e := newEnv(t)
	flat := example(t, "flat.json")
	r := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: flat})
	got := r.JSON(t)
	id := str(got["id"])
	if !strings.HasPrefix(id, "ho_") || r.Header.Get("Location") != "/v1/housing/"+id || got["status"] != "open" || got["owner"] != "org-l1" {
		t.Fatalf("created: %v, Location %q", got, r.Header.Get("Location"))
	}
	if got["max_occupants"] == nil {
		t.Errorf("defaults not applied: %v", got)
	}
	// Merge patch.
	p := e.must(http.StatusOK, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"rent_monthly": 355, "status": "reserved"}}).JSON(t)
	if p["rent_monthly"].(float64) != 355 || p["status"] != "reserved" || p["commune"] != "21231" {
		t.Fatalf("patched: %v", p)
	}
	// An invalid patch changes nothing.
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"rent_monthly": -3, "rooms": 0}})
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"status": "withdrawn"}})
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"owner": "org-l2"}})
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"id": "ho_other"}})
	if g := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing/" + id, key: "landlord"}).JSON(t); g["rent_monthly"].(float64) != 355 {
		t.Fatalf("after rejected patches: %v", g)
	}
	// Withdraw: kept as withdrawn, no longer patchable.
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + id, key: "landlord"})
	if g := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing/" + id, key: "landlord"}).JSON(t); g["status"] != "withdrawn" {
		t.Fatalf("after delete: %v", g)
	}
	e.must(http.StatusConflict, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"rent_monthly": 300}})
	e.must(http.StatusNotFound, req{method: "GET", path: "/v1/housing/ho_missing", key: "landlord"})
	// Duplicate external_ref for one owner: 409.
	e.must(http.StatusConflict, req{method: "POST", path: "/v1/housing", key: "landlord", body: flat})
}

func TestListFiltersAndPagination(t *testing.T) {
	e := newEnv(t)
	flat := example(t, "flat.json")
	communes := []string{"21231", "21231", "69123", "69123", "69123"}
	for i, c := range communes {
		kind := "social"
		if i%2 == 1 {
			kind = "private"
		}
		e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord",
			body: with(flat, "external_ref", fmt.Sprintf("R%d", i), "commune", c, "landlord_kind", kind)})
	}
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord2", body: flat})
	count := func(key, query string) int {
		n, cursor := 0, ""
		for pages := 0; ; pages++ {
			q := query + "&limit=2"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			b := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing?" + q, key: key}).JSON(t)
			items := b["items"].([]any)
			if len(items) > 2 {
				t.Fatalf("page of %d items with limit 2", len(items))
			}
			n += len(items)
			cursor = str(b["next_cursor"])
			if cursor == "" {
				return n
			}
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
		}
	}
	for _, c := range []struct {
		key, query string
		want       int
	}{
		{"landlord", "", 5},
		{"landlord2", "", 1},
		{"advisor", "", 6},
		{"landlord", "commune=69123", 3},
		{"landlord", "department=21", 2},
		{"landlord", "kind=private", 2},
		{"landlord", "status=open", 5},
		{"landlord", "status=let", 0},
		{"admin", "commune=21231", 3},
	} {
		if got := count(c.key, c.query); got != c.want {
			t.Errorf("%s ?%s: %d offers, want %d", c.key, c.query, got, c.want)
		}
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "status=nope", "kind=castle", "commune=123", "cursor=!!!"} {
		r := e.must(http.StatusUnprocessableEntity, req{method: "GET", path: "/v1/housing?" + q, key: "landlord"})
		if errs, _ := r.JSON(t)["errors"].([]any); len(errs) == 0 && !strings.Contains(q, "cursor") {
			t.Errorf("?%s: no field error: %s", q, r.Body)
		}
	}
	e.must(http.StatusOK, req{method: "GET", path: "/v1/jobs?rome=G1602&kind=cdi", key: "advisor"})
}

// TestBadInput checks every kind of bad request gets its status, names the
// problem, and changes nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	flat := example(t, "flat.json")
	version := func() int64 {
		v, err := e.db.DataVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	big := `{"external_ref": "` + strings.Repeat("x", api.MaxBodyBytes) + `"}`
	cases := []struct {
		name   string
		r      req
		status int
		want   string // in the body
	}{
		{"malformed", req{method: "POST", path: "/v1/housing", body: "{\n  \"rooms\": 2,\n  oops\n}"}, 400, "line 3"},
		{"truncated", req{method: "POST", path: "/v1/housing", body: `{"rooms": 2`}, 400, "malformed_json"},
		{"trailing data", req{method: "POST", path: "/v1/housing", body: `{"rooms": 2} {"rooms": 3}`}, 400, "trailing_data"},
		{"unknown field", req{method: "POST", path: "/v1/housing", body: with(flat, "swimming_pool", true)}, 400, "swimming_pool"},
		{"empty body", req{method: "POST", path: "/v1/housing"}, 400, "body_missing"},
		{"wrong type", req{method: "POST", path: "/v1/housing", body: with(flat, "rooms", "three")}, 422, "rooms"},
		{"too large", req{method: "POST", path: "/v1/housing", body: big}, 413, "body_too_large"},
		{"wrong content type", req{method: "POST", path: "/v1/housing", body: `{}`, header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type"},
		{"form content type", req{method: "POST", path: "/v1/households", body: `a=b`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type"},
		{"invalid values", req{method: "POST", path: "/v1/housing", body: with(flat, "rooms", -1, "rent_monthly", -5, "commune", "99999", "lease", "forever")}, 422, "rent_monthly"},
		{"no such department", req{method: "POST", path: "/v1/housing", body: with(flat, "commune", "96001")}, 422, "commune"},
		{"server-owned id", req{method: "POST", path: "/v1/housing", body: with(flat, "id", "ho_mine")}, 422, "read_only"},
		{"withdrawn at creation", req{method: "POST", path: "/v1/housing", body: with(flat, "status", "withdrawn")}, 422, "status"},
		{"wrong method", req{method: "PUT", path: "/v1/housing"}, 405, "method_not_allowed"},
		{"no route", req{method: "GET", path: "/v1/castles"}, 404, "no_route"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.r.key = "landlord"
			if strings.Contains(c.r.path, "households") {
				c.r.key = "advisor"
			}
			r := e.must(c.status, c.r)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
			}
			if !strings.Contains(string(r.Body), c.want) {
				t.Errorf("body does not name %q: %s", c.want, r.Body)
			}
			p := r.JSON(t)
			if p["detail"] == "" || p["detail_en"] == "" || int(p["status"].(float64)) != c.status {
				t.Errorf("problem without French and English detail: %s", r.Body)
			}
		})
	}
	// Every failing field at once, in French and English.
	r := e.must(422, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "rooms", -1, "rent_monthly", -5, "lease", "forever")})
	fields := map[string]bool{}
	for _, f := range r.JSON(t)["errors"].([]any) {
		fe := f.(map[string]any)
		fields[str(fe["field"])] = true
		if str(fe["message"]) == "" || str(fe["message_en"]) == "" || str(fe["message"]) == str(fe["message_en"]) {
			t.Errorf("field error without distinct French and English messages: %v", fe)
		}
	}
	for _, f := range []string{"rooms", "rent_monthly", "lease"} {
		if !fields[f] {
			t.Errorf("field %s not reported: %s", f, r.Body)
		}
	}
	if v := version(); v != v0 {
		t.Fatalf("rejected requests changed the data version: %d → %d", v0, v)
	}
	if b := e.must(200, req{method: "GET", path: "/v1/housing", key: "admin"}).JSON(t); len(b["items"].([]any)) != 0 {
		t.Fatalf("rejected requests stored offers: %s", b)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *api.Config) { c.RateLimit, c.RateBurst = 0.5, 3 })
	for i := 0; i < 3; i++ {
		e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: "landlord"})
	}
	r := e.must(http.StatusTooManyRequests, req{method: "GET", path: "/v1/housing", key: "landlord"})
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	// A refused request changes nothing and another key is not limited.
	e.must(http.StatusTooManyRequests, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")})
	e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: "landlord2"})
	if b := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: "admin"}).JSON(t); len(b["items"].([]any)) != 0 {
		t.Fatalf("a refused POST stored an offer")
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	flat := example(t, "flat.json")
	hdr := map[string]string{"Idempotency-Key": "retry-1"}
	a := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: flat, header: hdr})
	b := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: flat, header: hdr})
	if string(a.Body) != string(b.Body) || a.Header.Get("Location") != b.Header.Get("Location") || b.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", a.Body, b.Body)
	}
	// Same key, another body: 422, nothing stored.
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "rent_monthly", 999), header: hdr})
	// Keys are per API key: another landlord may use the same string.
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord2", body: flat, header: hdr})
	// A rejected request saves nothing: after fixing it, the key works.
	bad := map[string]string{"Idempotency-Key": "retry-2"}
	e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "rooms", -1, "external_ref", "R2"), header: bad})
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "external_ref", "R2"), header: bad})
	// Concurrent duplicates: one offer, every answer identical.
	var wg sync.WaitGroup
	bodies := make([]string, 12)
	hdr3 := map[string]string{"Idempotency-Key": "burst"}
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do(req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "external_ref", "R3"), header: hdr3})
			bodies[i] = fmt.Sprint(r.Status, string(r.Body))
		}()
	}
	wg.Wait()
	for _, b := range bodies {
		if b != bodies[0] || !strings.HasPrefix(b, "201") {
			t.Fatalf("concurrent replays differ:\n%s\n%s", bodies[0], b)
		}
	}
	list := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing", key: "landlord"}).JSON(t)
	if n := len(list["items"].([]any)); n != 3 {
		t.Fatalf("%d offers stored, want 3", n)
	}
	e.must(http.StatusBadRequest, req{method: "POST", path: "/v1/housing", key: "landlord", body: flat,
		header: map[string]string{"Idempotency-Key": strings.Repeat("k", 300)}})
}

// TestPostgres runs the API's write paths against the real PostgreSQL
// (DATABASE_URL; required in CI).
func TestPostgres(t *testing.T) {
	openPostgres(t) // skip or fail early
	onPostgres = true
	defer func() { onPostgres = false }()
	for name, fn := range map[string]func(*testing.T){
		"walkthrough": TestPlanWalkthrough, "idempotency": TestIdempotency, "housing": TestHousingLifecycle,
		"bad input": TestBadInput, "households": TestHouseholds, "lists": TestListFiltersAndPagination,
		"allocations": TestAllocations, "allocation bad input": TestAllocationBadInput, "imports": TestImportRoutes,
	} {
		t.Run(name, fn)
	}
}

// TestOpenAPICoversEveryRoute checks every route of the router is in the
// OpenAPI document, with its method.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	e := newEnv(t)
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	routes := e.h.(*gin.Engine).Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, r := range routes {
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		path := strings.Join(parts, "/")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s %s is not in openapi.json", r.Method, path)
		}
	}
}
