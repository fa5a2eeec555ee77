package datasets_test

import (
	"testing"

	"github.com/paulmach/orb"

	"passerelle/datasets"
	"passerelle/geo"
)

func TestDepartmentsShape(t *testing.T) {
	deps := datasets.DepartmentInfos()
	if got, want := len(deps), 101; got != want {
		t.Fatalf("got %d departments, want %d", got, want)
	}
	seen := map[string]bool{}
	overseas := 0
	for _, d := range deps {
		if !geo.ValidDepartmentCode(d.Code) || seen[d.Code] {
			t.Errorf("department %q: invalid or duplicate code", d.Code)
		}
		seen[d.Code] = true
		if !geo.ValidCommuneCode(d.PrefectureCode) || geo.DepartmentOf(d.PrefectureCode) != d.Code {
			t.Errorf("department %s: prefecture code %q not in the department", d.Code, d.PrefectureCode)
		}
		if d.RegionName == "" || datasets.RegionName(d.Region) != d.RegionName {
			t.Errorf("department %s: region %q has no name", d.Code, d.Region)
		}
		if !d.Zone.Valid() || !geo.ValidPoint(d.Point) {
			t.Errorf("department %s: zone %q point %v", d.Code, d.Zone, d.Point)
		}
		if d.Population < 50_000 || d.PrefecturePopulation > d.Population || d.Unemployment <= 0 || d.Unemployment > 0.5 || !d.AGIROperator {
			t.Errorf("department %s: implausible figures %+v", d.Code, d)
		}
		if d.Overseas {
			overseas++
		}
	}
	if overseas != 5 {
		t.Errorf("got %d overseas departments, want 5", overseas)
	}
	if _, err := geo.NewAtlas(datasets.Departments(), nil); err != nil {
		t.Fatalf("NewAtlas: %v", err)
	}
	// Departments returns a copy.
	a := datasets.Departments()
	a[0].Name = "changed"
	if datasets.Departments()[0].Name == "changed" {
		t.Error("Departments does not return a copy")
	}
}

// TestDepartmentsAgainstOfficial checks the hand-written table against the
// official files: department names and regions, the prefecture's INSEE code
// (chef-lieu), its point (within 15 km), its population (within a factor 2)
// and its ABC zone.
func TestDepartmentsAgainstOfficial(t *testing.T) {
	depFile := readTable(t, "communes/departements.csv")
	comFile := readTable(t, "communes/communes_fr.csv")
	abcFile := readTable(t, "housing/zonage_abc_2024.csv")
	officialDeps := depFile.index(t, "dep_code")
	communes := comFile.index(t, "code_insee")
	abc := abcFile.index(t, "code_insee")

	ours := map[string]bool{}
	for _, d := range datasets.DepartmentInfos() {
		ours[d.Code] = true
		t.Run(d.Code, func(t *testing.T) {
			od, ok := officialDeps[d.Code]
			if !ok {
				t.Fatalf("department %s not in departements.csv", d.Code)
			}
			if got, want := d.Name, depFile.get(t, od, "dep_nom"); got != want {
				t.Errorf("name: got %q, want %q", got, want)
			}
			if got, want := d.Region, depFile.get(t, od, "reg_code"); got != want {
				t.Errorf("region: got %q, want %q", got, want)
			}
			if got, want := d.PrefectureCode, depFile.get(t, od, "chef_lieu"); got != want {
				t.Fatalf("prefecture code: got %q, want %q", got, want)
			}
			c, ok := communes[d.PrefectureCode]
			if !ok {
				t.Fatalf("prefecture %s not in communes_fr.csv", d.PrefectureCode)
			}
			if got, want := d.Prefecture, comFile.get(t, c, "nom"); got != want {
				t.Errorf("prefecture name: got %q, want %q", got, want)
			}
			real := orb.Point{comFile.float(t, c, "lon"), comFile.float(t, c, "lat")}
			if dist := geo.Distance(d.Point, real); dist > 15_000 {
				t.Errorf("prefecture point %v is %.1f km from %v", d.Point, dist/1000, real)
			}
			if p := comFile.float(t, c, "population"); float64(d.PrefecturePopulation) > 2*p || float64(d.PrefecturePopulation) < p/2 {
				t.Errorf("prefecture population: got %d, official %.0f", d.PrefecturePopulation, p)
			}
			z, ok := abc[d.PrefectureCode]
			if !ok {
				t.Fatalf("prefecture %s not in zonage_abc_2024.csv", d.PrefectureCode)
			}
			if got, want := string(d.Zone), abcFile.get(t, z, "zone_abc"); got != want {
				t.Errorf("ABC zone: got %q, want %q", got, want)
			}
		})
	}
	for _, r := range depFile.rows {
		if z := depFile.get(t, r, "zone"); (z == "metro" || z == "drom") && !ours[depFile.get(t, r, "dep_code")] {
			t.Errorf("official department %s missing from the table", depFile.get(t, r, "dep_code"))
		}
	}
}
