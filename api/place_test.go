package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/api"
	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/matcher"
	"passerelle/store"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPointFarFromCommune checks that an offer whose point lies too far
// from its commune to be in it (geo.Atlas.CheckPoint) is refused, by
// POST, PATCH and the vacancy import, naming the field or the line, in
// French and English, and that nothing is stored. The engine's atlas is
// built from real points here: the generated one of the other tests is
// approximate and judges no point.
func TestPointFarFromCommune(t *testing.T) {
	dijon := geo.Commune{Code: "21231", Name: "Dijon", Department: "21", Region: "27", Point: orb.Point{5.0415, 47.3220},
		Population: 159_000, DensityKm2: 159_000 / 40.4, Zone: geo.ZoneB1}
	atlas, err := geo.NewAtlas(datasets.Departments(), []geo.Commune{dijon})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *api.Config) {
		eng, err := api.NewEngines(context.Background(), c.DB, &matcher.Market{Atlas: atlas, Shortage: base(t).Shortage}, matcher.EngineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c.Engines = eng
	})
	flat := example(t, "flat.json") // in Dijon, 21231
	paris := map[string]any{"lon": 2.3522, "lat": 48.8566}
	for _, f := range []struct{ key, path string }{{"landlord", "/v1/housing"}, {"employer", "/v1/jobs"}} {
		body := with(flat, "point", paris)
		if f.path == "/v1/jobs" {
			body = with(example(t, "job.json"), "commune", "21231", "point", paris)
		}
		r := e.must(http.StatusUnprocessableEntity, req{method: "POST", path: f.path, key: f.key, body: body})
		fe := r.JSON(t)["errors"].([]any)[0].(map[string]any)
		if str(fe["field"]) != "point" || str(fe["code"]) != matcher.CodeInconsistent ||
			!strings.Contains(str(fe["message"]), "km de la commune 21231") || !strings.Contains(str(fe["message_en"]), "km from commune 21231") {
			t.Errorf("%s: got %s", f.path, r.Body)
		}
	}
	for _, path := range []string{"/v1/housing", "/v1/jobs"} {
		if b := e.must(http.StatusOK, req{method: "GET", path: path, key: "admin"}).JSON(t); len(b["items"].([]any)) != 0 {
			t.Fatalf("%s: a refused offer was stored: %s", path, b)
		}
	}
	// A point in Dijon is accepted; moving it to Paris by PATCH is not.
	r := e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "point", map[string]any{"lon": 5.03, "lat": 47.33})})
	id := str(r.JSON(t)["id"])
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + id, key: "landlord", body: map[string]any{"point": paris}})
	if got := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing/" + id, key: "landlord"}).JSON(t)["point"].(map[string]any); got["lon"] != 5.03 {
		t.Errorf("a refused patch changed the point: %v", got)
	}
	// An offer stored with a far point (before the check, or under an
	// atlas that could not judge it) can still be closed or edited; only
	// a change of its point or commune is checked.
	var old matcher.HousingOffer
	if err := json.Unmarshal(mustJSON(t, with(flat, "external_ref", "STORED-FAR", "point", paris)), &old); err != nil {
		t.Fatal(err)
	}
	old.Owner = "org-l1"
	old.ApplyDefaults()
	admin := store.Actor{KeyID: "test", Org: "admin-org", Role: store.RoleAdmin}
	var stored matcher.HousingOffer
	if err := e.db.Write(context.Background(), admin, func(tx *store.Tx) error {
		var err error
		stored, err = tx.CreateHousing(context.Background(), old)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.must(http.StatusOK, req{method: "PATCH", path: "/v1/housing/" + stored.ID, key: "landlord", body: map[string]any{"rent_monthly": 330}})
	e.must(http.StatusOK, req{method: "PATCH", path: "/v1/housing/" + stored.ID, key: "landlord", body: map[string]any{"status": "let"}})
	e.must(http.StatusUnprocessableEntity, req{method: "PATCH", path: "/v1/housing/" + stored.ID, key: "landlord", body: map[string]any{"point": map[string]any{"lon": 2.35, "lat": 48.85}}})
	e.must(http.StatusOK, req{method: "PATCH", path: "/v1/housing/" + stored.ID, key: "landlord", body: map[string]any{"point": map[string]any{"lon": 5.03, "lat": 47.33}}})
	// A point outside France gets its own error only (on point.lon).
	r = e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "point", map[string]any{"lon": 70, "lat": 47.3})})
	if n := len(r.JSON(t)["errors"].([]any)); n != 1 {
		t.Errorf("an invalid point got %d errors: %s", n, r.Body)
	}

	// The vacancy import names the line.
	csv := "external_ref,landlord_kind,commune,rooms,surface_m2,rent_monthly,charges_monthly,lease,available_from,lat,lon\n" +
		"D1,social,21231,2,45,400,50,direct,2026-12-01,47.33,5.03\n" +
		"D2,social,21231,2,45,400,50,direct,2026-12-01,48.8566,2.3522\n"
	r = e.must(http.StatusUnprocessableEntity, req{method: "POST", path: "/v1/housing/import", key: "landlord", body: csv,
		header: map[string]string{"Content-Type": "text/csv"}})
	if b := string(r.Body); !strings.Contains(b, `"line":3`) || !strings.Contains(b, `"column":"lat"`) || !strings.Contains(b, "inconsistent") {
		t.Errorf("import: %s", b)
	}
	if b := e.must(http.StatusOK, req{method: "GET", path: "/v1/housing?status=open", key: "admin"}).JSON(t); len(b["items"].([]any)) != 1 {
		t.Fatalf("a refused import stored offers: %s", b)
	}
}
