package datasets_test

import (
	"testing"

	"github.com/paulmach/orb"

	"passerelle/datasets"
	"passerelle/geo"
)

// TestTownsAgainstOfficial checks the fixed towns of the synthetic market
// (Paris arrondissements, large towns) against the official files.
func TestTownsAgainstOfficial(t *testing.T) {
	comFile := readTable(t, "communes/communes_fr.csv")
	abcFile := readTable(t, "housing/zonage_abc_2024.csv")
	communes := comFile.index(t, "code_insee")
	abc := abcFile.index(t, "code_insee")
	for _, tw := range datasets.Towns() {
		t.Run(tw.Code, func(t *testing.T) {
			c, ok := communes[tw.Code]
			if !ok {
				t.Fatalf("%s (%s) not in communes_fr.csv", tw.Code, tw.Name)
			}
			if got, want := tw.Name, comFile.get(t, c, "nom"); got != want {
				t.Errorf("name: got %q, want %q", got, want)
			}
			real := orb.Point{comFile.float(t, c, "lon"), comFile.float(t, c, "lat")}
			if d := geo.Distance(orb.Point{tw.Lon, tw.Lat}, real); d > 15_000 {
				t.Errorf("point is %.1f km from %v", d/1000, real)
			}
			if p := comFile.float(t, c, "population"); float64(tw.Pop) > 2*p || float64(tw.Pop) < p/2 {
				t.Errorf("population: got %d, official %.0f", tw.Pop, p)
			}
			zoneCode := tw.Code
			if parent := comFile.get(t, c, "commune_parente"); parent != "" {
				zoneCode = parent // arrondissements share their commune's zone
			}
			if z, ok := abc[zoneCode]; !ok {
				t.Errorf("%s not in zonage_abc_2024.csv", zoneCode)
			} else if got, want := tw.Zone, abcFile.get(t, z, "zone_abc"); got != want {
				t.Errorf("ABC zone: got %q, want %q", got, want)
			}
		})
	}
}
