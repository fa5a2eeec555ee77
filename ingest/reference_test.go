package ingest_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"passerelle/geo"
	"passerelle/ingest"
)

// miniFolder is a hand-written reference folder: a commune with two
// arrondissements, two communes of one employment area, one commune alone
// in its department, and the tables that cover only some of them.
func miniFolder() fstest.MapFS {
	return fstest.MapFS{
		ingest.FileCommunes: {Data: []byte("code_insee,nom,type,commune_parente,dep_code,reg_code,ze2020_code,population,lat,lon,superficie_km2\n" +
			"69123,Lyon-Test,COM,,69,84,8421,500000,45.76,4.83,48\n" +
			"69381,Lyon 1er-Test,ARM,69123,69,84,8421,30000,45.77,4.83,1.5\n" +
			"69382,Lyon 2e-Test,ARM,69123,69,84,8421,30000,45.75,4.83,3.2\n" +
			"69266,Villeurbanne-Test,COM,,69,84,8421,150000,45.77,4.89,14.5\n" +
			"71076,Chalon-Test,COM,,71,27,2707,45000,46.79,4.85,15\n" +
			"71999,Hameau-Test,COM,,71,27,,100,46.5,4.5,10\n")},
		ingest.FileDepartments: {Data: []byte("dep_code,dep_nom,reg_code,chef_lieu,zone,centre_lat,centre_lon\n" +
			"69,Rhône-Test,84,69123,metro,45.9,4.6\n71,Saône-Test,27,71270,metro,46.6,4.5\n")},
		ingest.FileZones:         {Data: []byte("code_insee,zone_abc\n69123,A\n69266,A\n71076,B2\n")},
		ingest.FileRents:         {Data: []byte("code_insee,typpred,loyer_m2\n69381,commune,15\n69382,commune,13\n69266,commune,12\n71076,commune,9\n")},
		ingest.FileRecentRents:   {Data: []byte("code_insee,type_bien,loyer_m2\n69266,Appartement,13.2\n69266,Maison,11\n")},
		ingest.FileSocialHousing: {Data: []byte("code_insee,nb_ls,densite_ls_pour_100_rp\n69123,50000,20\n71076,7000,30.9\n")},
		ingest.FileBasinMembers:  {Data: []byte("code_insee,bassin_code\n69123,8401\n69266,8441\n71076,2704\n")},
	}
}

func TestReferenceFallbacks(t *testing.T) {
	ref, rep, err := ingest.ReadReference(miniFolder())
	if err != nil {
		t.Fatal(err)
	}
	c := func(code string) *geo.Commune {
		t.Helper()
		x, ok := ref.Atlas.Commune(code)
		if !ok {
			t.Fatalf("commune %s missing", code)
		}
		return x
	}
	// Zones: arrondissements take Lyon's; the lone hamlet (no employment
	// area) gets the national C.
	if c("69381").Zone != geo.ZoneA || c("71999").Zone != geo.ZoneC {
		t.Errorf("zones: %s %s", c("69381").Zone, c("71999").Zone)
	}
	// Rents: Villeurbanne from the recent file; the 2018 values scaled by
	// the median recent/2018 ratio (13.2/12 = 1.1); Lyon (no row) the mean
	// of its arrondissements; the hamlet its department's mean.
	scale := 13.2 / 12
	if !near(c("69266").RentM2, 13.2) || !near(c("69381").RentM2, 15*scale) || !near(c("71076").RentM2, 9*scale) {
		t.Errorf("rents: %v %v %v", c("69266").RentM2, c("69381").RentM2, c("71076").RentM2)
	}
	if !near(c("69123").RentM2, (15+13)*scale/2) || !near(c("71999").RentM2, 9*scale) {
		t.Errorf("rent fallbacks: Lyon %v, hamlet %v", c("69123").RentM2, c("71999").RentM2)
	}
	// Social housing: arrondissements take their commune's; absent is 0.
	if c("69382").SocialShare != 20 || c("71999").SocialShare != 0 {
		t.Errorf("social: %v %v", c("69382").SocialShare, c("71999").SocialShare)
	}
	// Basins: arrondissements from Lyon; the hamlet has none.
	if c("69381").Basin != "8401" || c("71999").Basin != "" {
		t.Errorf("basins: %q %q", c("69381").Basin, c("71999").Basin)
	}
	// Departments: 71's prefecture (71270) is not among the communes, so its
	// point is the IGN centre.
	if d, _ := ref.Atlas.Department("71"); d.Point[1] != 46.6 || d.Prefecture != "" {
		t.Errorf("department 71: %+v", d)
	}
	if d, _ := ref.Atlas.Department("69"); d.Prefecture != "Lyon-Test" || d.Zone != geo.ZoneA {
		t.Errorf("department 69: %+v", d)
	}
	want := map[string]int{
		"zone_from_parent": 2, "zone_national": 1, "rent_2018_scaled": 3, "rent_from_arrondissements": 1,
		"rent_from_department": 1, "social_housing_none": 2, "basin_from_parent": 2, "basin_missing": 1,
		"employment_area_missing": 1, "department_centre": 1,
	}
	for k, v := range want {
		if rep.Fallbacks[k] != v {
			t.Errorf("fallback %s: got %d, want %d (all: %v)", k, rep.Fallbacks[k], v, rep.Fallbacks)
		}
	}
	if len(ref.Missing) != 16 || ref.Shortage == nil {
		t.Errorf("missing files: %d %v", len(ref.Missing), ref.Missing)
	}
}

func TestReferenceBadFolder(t *testing.T) {
	t.Run("required file missing", func(t *testing.T) {
		fsys := miniFolder()
		delete(fsys, ingest.FileDepartments)
		ref, _, err := ingest.ReadReference(fsys)
		if !errors.Is(err, ingest.ErrMissingFile) || ref != nil {
			t.Errorf("got %v", err)
		}
	})
	t.Run("bad row in an optional file", func(t *testing.T) {
		fsys := miniFolder()
		fsys[ingest.FileZones] = &fstest.MapFile{Data: []byte("code_insee,zone_abc\n69123,A\n69266,Z\n")}
		ref, rep, err := ingest.ReadReference(fsys)
		if !errors.Is(err, ingest.ErrTooManyErrors) || ref != nil {
			t.Fatalf("got %v", err)
		}
		e := rep.Errors[0]
		if e.File != ingest.FileZones || e.Line != 3 || e.Column != "zone_abc" || !strings.Contains(err.Error(), "zonage_abc_2024.csv") {
			t.Errorf("got %+v, %v", e, err)
		}
	})
	t.Run("tolerated with MaxErrors", func(t *testing.T) {
		fsys := miniFolder()
		fsys[ingest.FileZones] = &fstest.MapFile{Data: []byte("code_insee,zone_abc\n69123,A\n69266,Z\n")}
		ref, rep, err := ingest.ReadReferenceWith(fsys, ingest.Options{MaxErrors: 1})
		if err != nil || ref == nil || rep.RejectedRows() != 1 {
			t.Fatalf("got %v, %+v", err, rep)
		}
		// Villeurbanne lost its row: the most common zone of its employment area.
		if c, _ := ref.Atlas.Commune("69266"); c.Zone != geo.ZoneA {
			t.Errorf("got zone %s", c.Zone)
		}
	})
}

// TestHiring checks the job volumes derived from BMO: every cell names a
// ROME 4.0 code of the reference and a basin of the BMO file, and the
// projects spread over ROME codes add up to at most the BMO total (cells
// of FAP codes bridged to no ROME code are left out).
func TestHiring(t *testing.T) {
	ref, _ := mustReference(t)
	if len(ref.Hiring) == 0 {
		t.Fatal("no hiring cells")
	}
	rome := map[string]bool{}
	for _, o := range ref.Occupations {
		rome[o.Code] = true
	}
	basins := map[string]bool{}
	bmoTotal := 0
	for _, c := range ref.BMO {
		basins[c.Basin] = true
		if !c.Projects.Secret {
			bmoTotal += c.Projects.N
		}
	}
	total := 0.0
	for i, h := range ref.Hiring {
		if !rome[h.ROME] || !basins[h.Basin] || h.Projects <= 0 {
			t.Fatalf("cell %d: %+v", i, h)
		}
		if i > 0 && (ref.Hiring[i-1].Basin > h.Basin || (ref.Hiring[i-1].Basin == h.Basin && ref.Hiring[i-1].ROME >= h.ROME)) {
			t.Fatalf("cells %d and %d out of order", i-1, i)
		}
		total += h.Projects
	}
	if total > float64(bmoTotal)+1 || total < 0.5*float64(bmoTotal) {
		t.Errorf("hiring projects %.0f, BMO total %d", total, bmoTotal)
	}
	t.Logf("%d cells, %.0f of %d projects", len(ref.Hiring), total, bmoTotal)
}

// TestSocialHousingFigures spot-checks the RPLS figures attached to a
// commune, as read in the file: Dijon, 15,627 social homes, 17.77 per 100
// main residences, vacancy 2.6068 %, turnover 9.7069 %.
func TestSocialHousingFigures(t *testing.T) {
	ref, _ := mustReference(t)
	c, ok := ref.Atlas.Commune("21231")
	if !ok {
		t.Fatal("Dijon missing")
	}
	if c.SocialHomes != 15627 || c.SocialShare != 17.77 || c.SocialVacancy != 2.6068 || c.SocialTurnover != 9.7069 {
		t.Errorf("Dijon: homes %d, share %v, vacancy %v, turnover %v", c.SocialHomes, c.SocialShare, c.SocialVacancy, c.SocialTurnover)
	}
}
