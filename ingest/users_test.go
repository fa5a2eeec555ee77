package ingest_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
)

// TestExamples reads the example files of examples/ strictly: every row
// is accepted, and every commune exists in the shared reference.
func TestExamples(t *testing.T) {
	fv, err := os.Open("../examples/vacancies.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fv.Close()
	offers, rep, err := ingest.ReadVacancies(fv, ingest.Options{})
	if err != nil || len(offers) != 6 || rep.Accepted != 6 {
		t.Fatalf("vacancies: %d offers, %v, %+v", len(offers), err, rep)
	}
	o := offers[2] // LOG-2026-003: an IML shared flat, 2 places for women
	if o.ExternalRef != "LOG-2026-003" || o.LandlordKind != matcher.IML || !o.Shared || o.Places != 2 || o.Gender != matcher.Female ||
		o.Lease != matcher.SubLease || o.MaxMonths != 6 || o.AvailableFrom != matcher.NewDate(2027, 1, 1) || o.SurfaceM2 != 68 {
		t.Errorf("LOG-2026-003: got %+v", o)
	}
	if p := offers[1].Point; p == nil || p.Lon != 4.8306 {
		t.Errorf("LOG-2026-002 point: got %v", p)
	}

	fc, err := os.Open("../examples/caseload.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	hs, rep, err := ingest.ReadCaseload(fc, ingest.Options{})
	if err != nil || len(hs) != 4 || rep.Rows != 8 || rep.Accepted != 8 {
		t.Fatalf("caseload: %d households, %v, %+v", len(hs), err, rep)
	}
	h := hs[1] // AGIR-93-0077: a couple and three children
	if h.ExternalRef != "AGIR-93-0077" || len(h.Members) != 5 || h.Commune != "93066" || h.Relocation.Scope != matcher.ScopeRegions ||
		len(h.Relocation.Regions) != 2 || h.Members[0].Occupations[0] != (matcher.Occupation{ROME: "F1703", Years: 10}) ||
		h.Members[0].DrivingLicence != matcher.ForeignLicence || h.Members[3].Role != matcher.Child || h.Priority != 1.5 ||
		len(h.Modes) != 2 || h.Modes[1] != geo.Car || h.Needs[0] != matcher.NeedSchool {
		t.Errorf("AGIR-93-0077: got %+v", h)
	}

	if _, err := os.Stat(sharedDir); err != nil && os.Getenv("CI") == "" {
		return
	}
	ref, _ := mustReference(t)
	for _, o := range offers {
		if _, ok := ref.Atlas.Commune(o.Commune); !ok {
			t.Errorf("vacancy %s: commune %s unknown", o.ExternalRef, o.Commune)
		}
	}
	for _, h := range hs {
		if _, ok := ref.Atlas.Commune(h.Commune); !ok {
			t.Errorf("case %s: commune %s unknown", h.ExternalRef, h.Commune)
		}
	}
}

const vacancyHeader = "external_ref,landlord_kind,commune,rooms,surface_m2,rent_monthly,charges_monthly,lease,available_from,shared,places,gender,max_months,lat,lon\n"

func TestBadVacancies(t *testing.T) {
	good := "V1,social,71076,3,64,520,60,direct,2026-12-01,non,,,,,\n"
	tests := []struct {
		name   string
		row    string
		column string
		code   string
	}{
		{"unknown landlord kind", "V2,hlm,71076,3,64,520,60,direct,2026-12-01,non,,,,,\n", "landlord_kind", matcher.CodeUnknownValue},
		{"too small for its occupants", "V2,social,71076,3,5,520,60,direct,2026-12-01,non,,,,,\n", "surface_m2", matcher.CodeOutOfRange},
		{"no rent", "V2,social,71076,3,64,,60,direct,2026-12-01,non,,,,,\n", "rent_monthly", matcher.CodeRequired},
		{"bad date", "V2,social,71076,3,64,520,60,direct,01-12-2026,non,,,,,\n", "available_from", ingest.CodeInvalid},
		{"bad yes/no", "V2,social,71076,3,64,520,60,direct,2026-12-01,peut-être,,,,,\n", "shared", ingest.CodeInvalid},
		{"shared flat without places", "V2,iml,71076,3,64,520,60,sublease,2026-12-01,oui,,F,6,,\n", "places", matcher.CodeRequired},
		{"invalid commune", "V2,social,7107X,3,64,520,60,direct,2026-12-01,non,,,,,\n", "commune", matcher.CodeInvalid},
		{"coordinates outside France", "V2,social,71076,3,64,520,60,direct,2026-12-01,non,,,,51.5,-0.12\n", "lat", ingest.CodeOutsideFrance},
		{"duplicate reference", good, "external_ref", ingest.CodeDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offers, rep, err := ingest.ReadVacancies(strings.NewReader(vacancyHeader+good+tc.row), ingest.Options{})
			if !errors.Is(err, ingest.ErrTooManyErrors) || offers != nil {
				t.Fatalf("got %d offers, %v", len(offers), err)
			}
			e := rep.Errors[0]
			if e.Line != 3 || e.Column != tc.column || e.Code != tc.code || e.MessageFR == "" || e.MessageEN == "" {
				t.Errorf("got %+v, want line 3 column %s code %s", e, tc.column, tc.code)
			}
			// Tolerating the row keeps the good one.
			offers, rep, err = ingest.ReadVacancies(strings.NewReader(vacancyHeader+good+tc.row), ingest.Options{MaxErrors: 1})
			if err != nil || len(offers) != 1 || rep.RejectedRows() != 1 {
				t.Errorf("lenient: got %d offers, %v", len(offers), err)
			}
		})
	}
}

// TestVacancyUnknownCommune checks Options.KnownCommune: a well-formed
// commune the caller cannot place is rejected on its line.
func TestVacancyUnknownCommune(t *testing.T) {
	body := vacancyHeader + "V1,social,71076,3,64,520,60,direct,2026-12-01,non,,,,,\n" + "V2,social,71999,3,64,520,60,direct,2026-12-01,non,,,,,\n"
	known := func(code string) bool { return code == "71076" }
	offers, rep, err := ingest.ReadVacancies(strings.NewReader(body), ingest.Options{KnownCommune: known})
	if !errors.Is(err, ingest.ErrTooManyErrors) || offers != nil {
		t.Fatalf("got %d offers, %v", len(offers), err)
	}
	if e := rep.Errors[0]; e.Line != 3 || e.Column != "commune" || e.Code != ingest.CodeUnknownValue || e.Value != "71999" {
		t.Errorf("got %+v", e)
	}
	offers, _, err = ingest.ReadVacancies(strings.NewReader(body), ingest.Options{KnownCommune: known, MaxErrors: 1})
	if err != nil || len(offers) != 1 || offers[0].ExternalRef != "V1" {
		t.Errorf("lenient: %d offers, %v", len(offers), err)
	}
}

// TestVacancyPointFarFromCommune checks Options.CheckPoint: a row whose
// point lies too far from its commune (here Lyon's point given for
// Chalon-sur-Saône, 115 km away) is rejected on its line, in the lat
// column, with the distance in both languages.
func TestVacancyPointFarFromCommune(t *testing.T) {
	atlas, err := geo.NewAtlas(nil, []geo.Commune{{Code: "71076", Name: "Chalon-sur-Saône", Department: "71",
		Point: orb.Point{4.85085, 46.78964}, Population: 45102, DensityKm2: 45102 / 15.22}})
	if err != nil {
		t.Fatal(err)
	}
	body := vacancyHeader + "V1,social,71076,3,64,520,60,direct,2026-12-01,non,,,,46.79,4.86\n" +
		"V2,social,71076,3,64,520,60,direct,2026-12-01,non,,,,45.76,4.83\n"
	opts := ingest.Options{CheckPoint: atlas.CheckPoint}
	offers, rep, err := ingest.ReadVacancies(strings.NewReader(body), opts)
	if !errors.Is(err, ingest.ErrTooManyErrors) || offers != nil {
		t.Fatalf("got %d offers, %v", len(offers), err)
	}
	e := rep.Errors[0]
	if e.Line != 3 || e.Column != "lat" || e.Code != ingest.CodeInconsistent || e.Value != "45.76 4.83" ||
		!strings.Contains(e.MessageFR, "115 km de la commune 71076") || !strings.Contains(e.MessageEN, "115 km from commune 71076") {
		t.Errorf("got %+v", e)
	}
	opts.MaxErrors = 1
	offers, _, err = ingest.ReadVacancies(strings.NewReader(body), opts)
	if err != nil || len(offers) != 1 || offers[0].ExternalRef != "V1" {
		t.Errorf("lenient: %d offers, %v", len(offers), err)
	}
}

const caseHeader = "case_ref,commune,protection_kind,protection_granted_on,cir_signed,income_monthly,role,age,sex,occupations,seeks_work\n"

func TestBadCaseload(t *testing.T) {
	tests := []struct {
		name     string
		rows     string
		line     int
		column   string
		code     string
		rejected int
	}{
		{"child declared adult, on the member's line",
			"C1,71076,refugee,2026-01-01,oui,0,adult,30,F,,oui\nC1,,,,,,adult,12,M,,non\n", 4, "role", matcher.CodeInconsistent, 2},
		{"bad occupation, on the member's line",
			"C1,71076,refugee,2026-01-01,oui,0,adult,30,F,G1602:2,oui\nC1,,,,,,adult,32,M,XX:3,oui\n", 4, "occupations", matcher.CodeInvalid, 2},
		{"missing protection date, on the first line",
			"C1,71076,refugee,,oui,0,adult,30,F,,oui\nC1,,,,,,child,2,M,,non\n", 3, "protection_granted_on", matcher.CodeRequired, 2},
		{"household value differs on a later line",
			"C1,71076,refugee,2026-01-01,oui,0,adult,30,F,,oui\nC1,69123,,,,,child,2,M,,non\n", 4, "commune", ingest.CodeInconsistent, 2},
		{"age not a number",
			"C1,71076,refugee,2026-01-01,oui,0,adult,trente,F,,oui\n", 3, "age", ingest.CodeInvalid, 1},
		{"no adult",
			"C1,71076,refugee,2026-01-01,oui,0,child,10,F,,non\n", 3, "role", matcher.CodeRequired, 1},
	}
	good := "C0,13055,refugee,2026-01-01,oui,0,adult,40,M,K2204:1,oui\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs, rep, err := ingest.ReadCaseload(strings.NewReader(caseHeader+good+tc.rows), ingest.Options{})
			if !errors.Is(err, ingest.ErrTooManyErrors) || hs != nil {
				t.Fatalf("got %d households, %v", len(hs), err)
			}
			e := rep.Errors[0]
			if e.Line != tc.line || e.Column != tc.column || e.Code != tc.code || e.Value != "" {
				t.Errorf("got %+v, want line %d column %s code %s and no value", e, tc.line, tc.column, tc.code)
			}
			hs, rep, err = ingest.ReadCaseload(strings.NewReader(caseHeader+good+tc.rows), ingest.Options{MaxErrors: 10})
			if err != nil || len(hs) != 1 || hs[0].ExternalRef != "C0" || rep.RejectedRows() != tc.rejected || rep.Accepted != 1 {
				t.Errorf("lenient: got %d households, %v, rejected %d accepted %d", len(hs), err, rep.RejectedRows(), rep.Accepted)
			}
		})
	}
	t.Run("missing household column", func(t *testing.T) {
		in := "case_ref,commune,role,age,sex\nC1,71076,adult,30,F\n"
		if _, _, err := ingest.ReadCaseload(strings.NewReader(in), ingest.Options{}); !errors.Is(err, ingest.ErrMissingColumn) {
			t.Errorf("got %v", err)
		}
	})
}
