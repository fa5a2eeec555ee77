package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// TestCheckPoint checks the limit of a point's distance from its commune:
// three radii of the commune's area, at least 25 km, 30 km when the area
// is unknown; communes the atlas knows only by their department, and the
// communes of an approximate atlas, are not judged.
func TestCheckPoint(t *testing.T) {
	deps := []geo.Department{{Code: "21", Name: "Côte-d'Or", Region: "27", Prefecture: "Dijon", PrefectureCode: "21231",
		Point: orb.Point{5.04, 47.32}, Zone: geo.ZoneB1}, {Code: "13", Name: "Bouches-du-Rhône", Region: "93",
		Prefecture: "Marseille", PrefectureCode: "13055", Point: orb.Point{5.37, 43.30}, Zone: geo.ZoneA}}
	communes := []geo.Commune{
		// Dijon: 159,000 inhabitants on 40.4 km², a radius of 3.6 km: the
		// limit is the 25 km floor.
		{Code: "21231", Name: "Dijon", Department: "21", Point: orb.Point{5.0415, 47.3220}, Population: 159_000, DensityKm2: 159_000 / 40.4},
		// Arles: 51,000 inhabitants on 758.9 km², a radius of 15.5 km.
		{Code: "13004", Name: "Arles", Department: "13", Point: orb.Point{4.6278, 43.6766}, Population: 51_000, DensityKm2: 51_000 / 758.9},
		// A commune whose population is unknown.
		{Code: "21001", Name: "Agencourt", Department: "21", Point: orb.Point{5.0, 47.13}},
	}
	a, err := geo.NewAtlas(deps, communes)
	if err != nil {
		t.Fatal(err)
	}
	// east moves p by km kilometres east.
	east := func(p orb.Point, km float64) (lon, lat float64) {
		return p[0] + km/(111.32*math.Cos(p[1]*math.Pi/180)), p[1]
	}
	cases := []struct {
		name    string
		code    string
		lon     float64
		lat     float64
		ok      bool
		limitKm float64
	}{
		{"Dijon, its own point", "21231", 5.0415, 47.3220, true, 25},
		{"Dijon, 24 km east", "21231", 0, 0, true, 25},
		{"Dijon, 26 km east", "21231", 0, 0, false, 25},
		{"Dijon, latitude and longitude swapped", "21231", 47.3220, 5.0415, false, 25},
		{"Arles, 40 km east", "13004", 0, 0, true, 3 * math.Sqrt(758.9/math.Pi)},
		{"Arles, 50 km east", "13004", 0, 0, false, 3 * math.Sqrt(758.9/math.Pi)},
		{"unknown area, 25 km east", "21001", 0, 0, true, 30},
		{"unknown area, 35 km east", "21001", 0, 0, false, 30},
		{"commune known by its department only", "21999", 2.35, 48.85, true, 0},
		{"unknown department", "96001", 2.35, 48.85, true, 0},
	}
	kms := map[string]float64{"Dijon, 24 km east": 24, "Dijon, 26 km east": 26, "Arles, 40 km east": 40, "Arles, 50 km east": 50,
		"unknown area, 25 km east": 25, "unknown area, 35 km east": 35}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lon, lat := c.lon, c.lat
			if d, ok := kms[c.name]; ok {
				cm, _ := a.Commune(c.code)
				lon, lat = east(cm.Point, d)
			}
			km, limit, ok := a.CheckPoint(c.code, lon, lat)
			if ok != c.ok || math.Abs(limit-c.limitKm) > 1e-9 {
				t.Errorf("got ok %v, %.2f km, limit %.2f km; want ok %v, limit %.2f km", ok, km, limit, c.ok, c.limitKm)
			}
			if d, ok := kms[c.name]; ok && math.Abs(km-d) > 0.05 {
				t.Errorf("distance %.3f km, want %v", km, d)
			}
			// An approximate atlas judges nothing.
			if km, limit, ok := a.Approximate().CheckPoint(c.code, lon, lat); !ok || km != 0 || limit != 0 {
				t.Errorf("approximate atlas: got ok %v, %v km, limit %v", ok, km, limit)
			}
		})
	}
	// Approximate leaves the atlas it copies as it was.
	if _, _, ok := a.CheckPoint("21231", 47.3220, 5.0415); ok {
		t.Error("Approximate changed its receiver")
	}
}
