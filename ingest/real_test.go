package ingest_test

import (
	"context"
	"encoding/json"
	"testing"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
)

// The row counts below were verified by reading each file (csv module of
// Python, wc -l on files without multi-line fields) and agree with
// ../shared/datasets/SOURCES.md.
func TestReferenceRowCounts(t *testing.T) {
	_, rep := mustReference(t)
	want := map[string]struct{ rows, accepted int }{
		ingest.FileCommunes:        {34_920, 34_920},
		ingest.FileDepartments:     {109, 101}, // 8 overseas collectivities skipped
		ingest.FileRegions:         {26, 18},   // idem
		ingest.FileEPCI:            {1_255, 1_255},
		ingest.FileEmploymentAreas: {306, 306},
		ingest.FileAreaMembers:     {34_955, 34_955},
		ingest.FileOccupations:     {1_584, 1_584},
		ingest.FileJobTitles:       {13_120, 13_120},
		ingest.FileBasins:          {433, 432},       // basin 0104 (Saint-Martin, 978) skipped
		ingest.FileBasinMembers:    {37_498, 37_494}, // 4 communes of 975/977/978 skipped
		ingest.FileBMO:             {53_443, 53_375}, // 68 cells of 975/977/978 skipped
		ingest.FileBMOOccupations:  {217, 217},
		ingest.FileTensions:        {31_034, 31_034},
		ingest.FileTensionHistory:  {2_367, 2_367},
		ingest.FileFAP2009:         {334, 334},
		ingest.FileROMEFAP:         {749, 749},
		ingest.FileFAP2021:         {341, 341},
		ingest.FileZones:           {34_935, 34_935},
		ingest.FileSocialHousing:   {16_859, 16_859},
		ingest.FileRents:           {35_441, 35_441},
		ingest.FileRecentRents:     {956, 956},
		ingest.FileDepartmentLines: {96, 96},
		ingest.FileRegionLines:     {13, 13},
	}
	got := make(map[string]*ingest.Report)
	for _, f := range rep.Files {
		got[f.File] = f
	}
	if len(rep.Files) != len(want) {
		t.Errorf("files read: got %d, want %d", len(rep.Files), len(want))
	}
	for name, w := range want {
		f, ok := got[name]
		if !ok {
			t.Errorf("%s: not read", name)
			continue
		}
		if f.Rows != w.rows || f.Accepted != w.accepted {
			t.Errorf("%s: got %d rows, %d accepted, want %d, %d", name, f.Rows, f.Accepted, w.rows, w.accepted)
		}
		if n := f.RejectedRows(); n != 0 {
			t.Errorf("%s: %d rows rejected: %v", name, n, f.Errors)
		}
	}
}

// Spot checks: every value below was read in the file itself.
func TestReferenceSpotChecks(t *testing.T) {
	ref, rep := mustReference(t)
	if len(ref.Missing) != 0 {
		t.Errorf("missing files: %v", ref.Missing)
	}
	c, ok := ref.Atlas.Commune("71076")
	if !ok {
		t.Fatal("Chalon-sur-Saône (71076) missing")
	}
	// communes_fr.csv: 71076,Chalon-sur-Saône,…,2707,…,45102,46.78964,4.85085,…,15.22,24551,27142,20135,3342
	if c.Name != "Chalon-sur-Saône" || c.Department != "71" || c.Region != "27" || c.EmploymentArea != "2707" || c.Population != 45102 {
		t.Errorf("71076: got %+v", c)
	}
	if !near(c.Point[0], 4.85085) || !near(c.Point[1], 46.78964) {
		t.Errorf("71076 point: got %v, want [4.85085 46.78964]", c.Point)
	}
	if !near(c.DensityKm2, 45102/15.22) || !near(c.Unemployment, 3342.0/20135) {
		t.Errorf("71076 density %v, unemployment %v", c.DensityKm2, c.Unemployment)
	}
	// zonage: B2; RPLS: 30.91 per 100; recent rents: apartment 11.54; BMO basin 2704.
	if c.Zone != geo.ZoneB2 || !near(c.SocialShare, 30.91) || !near(c.RentM2, 11.54) || c.Basin != "2704" {
		t.Errorf("71076 indicators: zone %s, social %v, rent %v, basin %s", c.Zone, c.SocialShare, c.RentM2, c.Basin)
	}
	// Ajaccio 2A004: zone A, 76,320 inhabitants, point 8.70583 41.92274.
	if a, ok := ref.Atlas.Commune("2A004"); !ok || a.Zone != geo.ZoneA || a.Population != 76320 || !near(a.Point[0], 8.70583) {
		t.Errorf("2A004: got %+v", a)
	}
	// Granville's point (50218) lies at sea towards the Chausey islands,
	// 12.9 km from its town hall: a real address there must pass
	// geo.Atlas.CheckPoint, and Chalon's point given to Granville must not.
	if km, limit, ok := ref.Atlas.CheckPoint("50218", -1.5970, 48.8380); !ok {
		t.Errorf("Granville's town hall refused: %.1f km, limit %.1f km", km, limit)
	}
	if _, _, ok := ref.Atlas.CheckPoint("50218", 4.85085, 46.78964); ok {
		t.Error("Chalon-sur-Saône's point accepted for Granville")
	}
	// Paris 1er (75101) is an arrondissement: the ABC file only has 75056 (Abis).
	if p, ok := ref.Atlas.Commune("75101"); !ok || p.Zone != geo.ZoneAbis {
		t.Errorf("75101: got %+v", p)
	}
	if rep.Fallbacks["zone_from_parent"] != 45 {
		t.Errorf("zone_from_parent: got %d, want 45 (the arrondissements)", rep.Fallbacks["zone_from_parent"])
	}
	// departements.csv: 71,Saône-et-Loire,27,71270 (Mâcon).
	d, ok := ref.Atlas.Department("71")
	if !ok || d.Name != "Saône-et-Loire" || d.PrefectureCode != "71270" || d.Prefecture != "Mâcon" || d.RegionName != "Bourgogne-Franche-Comté" {
		t.Errorf("department 71: got %+v", d)
	}
	// rome_fiches_v460.csv: H2206 Menuisier / Menuisière, domain H22 Bois; A1102's parent is A1101.
	occ := map[string]ingest.Occupation{}
	for _, o := range ref.Occupations {
		occ[o.Code] = o
	}
	if o := occ["H2206"]; o.Title != "Menuisier / Menuisière" || o.Domain != "H22" || o.DomainTitle != "Bois" || o.GrandDomainTitle != "Industrie" {
		t.Errorf("H2206: got %+v", o)
	}
	if occ["A1102"].Parent != "A1101" {
		t.Errorf("A1102 parent: got %q", occ["A1102"].Parent)
	}
	// BMO: A0X40,0101,971,95,31,44 and A0X40,0103,971,17,*,*.
	var first, secret *ingest.BMOCell
	secrets := 0
	for i := range ref.BMO {
		b := &ref.BMO[i]
		if b.Occupation == "A0X40" && b.Basin == "0101" {
			first = b
		}
		if b.Occupation == "A0X40" && b.Basin == "0103" {
			secret = b
		}
		if b.Difficult.Secret {
			secrets++
		}
	}
	if first == nil || first.Projects.N != 95 || first.Difficult.N != 31 || first.Seasonal.N != 44 {
		t.Errorf("BMO A0X40 0101: got %+v", first)
	}
	if secret == nil || secret.Projects.N != 17 || !secret.Difficult.Secret || !secret.Seasonal.Secret {
		t.Errorf("BMO A0X40 0103: got %+v", secret)
	}
	if _, ok := secret.DifficultShare(); ok {
		t.Error("a secret cell gave a difficult share")
	}
	// DARES: A0Z40 in department 71: tension 0.2257, category 4.
	if x, ok := ref.DepartmentTension("71", "A0Z40"); !ok || !near(x.Index, 0.2257) || x.Category != 4 || x.Employment != 500 {
		t.Errorf("DARES 71 A0Z40: got %+v, %v", x, ok)
	}
	// The zoning counts of SOURCES.md: C 28,623; B2 3,156; B1 2,216; A 816; Abis 124.
	zones := map[geo.Zone]int{}
	for _, z := range ref.Zones {
		zones[z.Zone]++
	}
	if zones[geo.ZoneC] != 28623 || zones[geo.ZoneB2] != 3156 || zones[geo.ZoneB1] != 2216 || zones[geo.ZoneA] != 816 || zones[geo.ZoneAbis] != 124 {
		t.Errorf("zones: got %v", zones)
	}
	// The shortage index answers per basin for a ROME code with a FAP bridge
	// (G1602 → FAP 2009 S1Z40 → FAP 2021 S1X40).
	if v, level := ref.Shortage.Lookup(c, "G1602"); level != "basin" || v <= 0 || v > 1 {
		t.Errorf("shortage G1602 at Chalon: %v at %s", v, level)
	}
	// Every commune has a point in France and a zone.
	for i := range ref.Communes {
		c := &ref.Communes[i]
		if !ingest.InFrance(c.Point[0], c.Point[1]) || !c.Zone.Valid() || c.RentM2 <= 0 {
			t.Fatalf("commune %s: point %v zone %q rent %v", c.Code, c.Point, c.Zone, c.RentM2)
		}
	}
	// Outlines: Saône-et-Loire contains Chalon-sur-Saône, not Ajaccio.
	for _, o := range ref.DepartmentLines {
		if o.Code == "71" {
			if !o.Contains(4.85085, 46.78964) || o.Contains(8.70583, 41.92274) {
				t.Error("outline of 71: containment is wrong")
			}
		}
	}
}

func TestRealOffers(t *testing.T) {
	ref, _ := mustReference(t)
	f := openShared(t, ingest.FileOffers)
	offers, rep, err := ingest.ReadOffers(f, ref.OffersOptions(ingest.Options{}))
	if err != nil {
		t.Fatalf("ReadOffers: %v", err)
	}
	// 150 offers: 27 not salaried (25 FRA + 2 CCE, natureContrat "Emploi non
	// salarié"), 2 abroad (Germany, Canada); 4 are located only by their
	// department (73 three times, 08 once) and go to its prefecture.
	if rep.Rows != 150 || rep.Accepted != 121 || rep.Skipped[ingest.SkipNonSalaried] != 27 || rep.Skipped[ingest.SkipAbroad] != 2 || rep.RejectedRows() != 0 {
		t.Errorf("report: %+v", rep)
	}
	// No real point lies too far from its commune (geo.Atlas.CheckPoint):
	// the furthest is 4.5 km from Colmar's.
	if rep.Fallbacks["department_prefecture"] != 4 || rep.Fallbacks["rome_not_in_v4"] != 0 || rep.Fallbacks["point_far_from_commune"] != 0 {
		t.Errorf("fallbacks: %v", rep.Fallbacks)
	}
	withPoint := 0
	byRef := map[string]matcher.JobOffer{}
	for _, j := range offers {
		if j.Point != nil {
			withPoint++
		}
		byRef[j.ExternalRef] = j
		if err := j.Validate(); err != nil {
			t.Errorf("%s: %v", j.ExternalRef, err)
		}
	}
	if withPoint != len(offers) {
		t.Errorf("offers with a point: got %d of %d", withPoint, len(offers))
	}
	// 162MNDF: CDD 12 Mois, Villeurbanne 69266 (45.768975, 4.890035), H2206,
	// "Mensuel de 1767,00 Euros sur 12 mois", 35H, permis B souhaité, débutant accepté.
	j := byRef["162MNDF"]
	if j.Contract != matcher.CDD || j.Months != 12 || j.Commune != "69266" || j.ROME != "H2206" || j.HoursWeekly != 35 ||
		j.SalaryMonthlyGross != (matcher.Salary{Min: 1767, Max: 1767}) || j.DrivingLicence || !j.BeginnersOK ||
		!near(j.Point.Lat, 45.768975) || j.StartOn.String() != "2023-09-29" || j.Employer != "IMPACT CREATION 26" {
		t.Errorf("162MNDF: got %+v", j)
	}
	// 162MCBY: "Annuel de 28000 Euros sur 12 mois" → 2333.33 a month.
	if s := byRef["162MCBY"].SalaryMonthlyGross; !near(s.Min, 2333.33) {
		t.Errorf("162MCBY salary: got %+v", s)
	}
	// 162KJSC: CUI - CAE → insertion, 10 months; 162JTTN: apprenticeship, 24 months.
	if k := byRef["162KJSC"]; k.Contract != matcher.Insertion || k.Months != 10 {
		t.Errorf("162KJSC: got %s %d", k.Contract, k.Months)
	}
	if k := byRef["162JTTN"]; k.Contract != matcher.Apprenticeship || k.Months != 24 {
		t.Errorf("162JTTN: got %s %d", k.Contract, k.Months)
	}
	// 162CVMG: "73 - Savoie", no coordinates → Chambéry (73065).
	if k := byRef["162CVMG"]; k.Commune != "73065" || k.Point == nil {
		t.Errorf("162CVMG: got commune %s point %v", k.Commune, k.Point)
	}

	// Without the reference, the file still reads; the department-only
	// offers cannot be placed.
	f2 := openShared(t, ingest.FileOffers)
	n := 0
	rep2, err := ingest.StreamOffers(context.Background(), f2, ingest.OffersOptions{}, func(line int, j matcher.JobOffer) error {
		n++
		if j.ExternalRef == "162MNDF" && line != 3 {
			t.Errorf("162MNDF line: got %d, want 3", line)
		}
		return nil
	})
	if err != nil || n != 117 || rep2.Skipped[ingest.SkipUnknownPlace] != 4 {
		t.Errorf("without atlas: %d offers, %v, %+v", n, err, rep2)
	}
}

// TestRealOffersCoordinates checks the counts of SOURCES.md by reading the
// file with encoding/json (an oracle independent of the reader): 150
// offers, 144 with coordinates, all in France; the reader keeps the
// coordinates of every offer it accepts.
func TestRealOffersCoordinates(t *testing.T) {
	var doc struct {
		Resultats []struct {
			ID          string `json:"id"`
			LieuTravail struct {
				Latitude  *float64 `json:"latitude"`
				Longitude *float64 `json:"longitude"`
			} `json:"lieuTravail"`
		} `json:"resultats"`
	}
	if err := json.NewDecoder(openShared(t, ingest.FileOffers)).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	coords := map[string][2]float64{}
	for _, o := range doc.Resultats {
		if o.LieuTravail.Latitude != nil && o.LieuTravail.Longitude != nil {
			coords[o.ID] = [2]float64{*o.LieuTravail.Longitude, *o.LieuTravail.Latitude}
			if !ingest.InFrance(*o.LieuTravail.Longitude, *o.LieuTravail.Latitude) {
				t.Errorf("%s: outside France", o.ID)
			}
		}
	}
	if len(doc.Resultats) != 150 || len(coords) != 144 {
		t.Fatalf("got %d offers, %d with coordinates, want 150 and 144", len(doc.Resultats), len(coords))
	}
	offers, _, err := ingest.ReadOffers(openShared(t, ingest.FileOffers), ingest.OffersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range offers {
		p, ok := coords[j.ExternalRef]
		if !ok || j.Point == nil || !near(j.Point.Lon, p[0]) || !near(j.Point.Lat, p[1]) {
			t.Errorf("%s: point %v, want %v", j.ExternalRef, j.Point, p)
		}
	}
}
