package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"passerelle/api"
)

// BenchmarkPlanPreview measures GET /v1/households/{id}/plan through the
// router, without network: "cached" is a hit of the in-process cache (the
// fast path), "uncached" computes the plan every time (a cache that never
// hits: the baseline the cache saves).
func BenchmarkPlanPreview(b *testing.B) {
	for _, bc := range []struct {
		name string
		opt  option
	}{
		{"cached", func(c *api.Config) {}},
		{"uncached", func(c *api.Config) { c.Cache = api.NewMemoryCache(1); c.PlanTTL = 1 }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, bc.opt)
			e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(b, "flat.json")})
			hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(b, "household.json")}).JSON(b)["id"])
			hr := httptest.NewRequest("GET", "/v1/households/"+hid+"/plan", nil)
			hr.Header.Set("Authorization", "Bearer "+e.keys["advisor"])
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, hr)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
