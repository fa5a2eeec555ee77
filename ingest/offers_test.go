package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
)

func TestMonthlySalary(t *testing.T) {
	tests := []struct {
		text   string
		hours  float64
		lo, hi float64
		ok     bool
	}{
		{"Mensuel de 1800.00 Euros à 2000.00 Euros", 0, 1800, 2000, true},
		{"Mensuel de 1767,00 Euros sur 12 mois", 35, 1767, 1767, true},
		{"Mensuel de 1820,00 Euros à 1950,00 Euros sur 13 mois", 35, 1971.67, 2112.5, true},
		{"Annuel de 28000 Euros sur 12 mois", 35, 2333.33, 2333.33, true},
		{"Annuel de 25000,00 Euros à 35000,00 Euros sur 13 mois", 35, 2083.33, 2916.67, true},
		{"Horaire de 11,65 Euros", 35, 1766.92, 1766.92, true},
		{"Horaire de 12 Euros à 14 Euros", 20, 1040, 1213.33, true},
		{"Horaire de 11,65 Euros", 0, 1766.92, 1766.92, true},
		{"Journalier de 100 Euros", 35, 2167, 2167, true},
		{"mensuel de 1 800,50 euros", 35, 1800.5, 1800.5, true},
		{"A négocier", 35, 0, 0, false},
		{"Mensuel de Euros", 35, 0, 0, false},
		{"Mensuel de 0 Euros", 35, 0, 0, false},
		{"", 35, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			lo, hi, ok := ingest.MonthlySalary(tc.text, tc.hours)
			if ok != tc.ok || !near(lo, tc.lo) || !near(hi, tc.hi) {
				t.Errorf("got %v %v %v, want %v %v %v", lo, hi, ok, tc.lo, tc.hi, tc.ok)
			}
		})
	}
}

// offerJSON is a hand-written offer in the France Travail v2 format;
// fields are replaced by the tests.
const offerJSON = `{
  "id": "TEST01",
  "intitule": "Commis de cuisine (H/F)",
  "dateCreation": "2026-10-01T08:00:00.000Z",
  "lieuTravail": {"libelle": "71 - CHALON SUR SAONE", "latitude": 46.79, "longitude": 4.85, "codePostal": "71100", "commune": "71076"},
  "romeCode": "G1602",
  "entreprise": {"nom": "Restaurant Test"},
  "typeContrat": "CDD",
  "typeContratLibelle": "Contrat à durée déterminée - 6 Mois",
  "natureContrat": "Contrat travail",
  "experienceExige": "E",
  "permis": [{"libelle": "B - Véhicule léger", "exigence": "E"}],
  "langues": [{"libelle": "Français", "exigence": "E"}],
  "salaire": {"libelle": "Mensuel de 1800.00 Euros à 2000.00 Euros"},
  "dureeTravailLibelle": "39H Travail en journée",
  "nombrePostes": 2
}`

func TestOfferMapping(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(string) string
		check func(t *testing.T, j matcher.JobOffer)
		skip  string
	}{
		{"as written", func(s string) string { return s }, func(t *testing.T, j matcher.JobOffer) {
			want := matcher.JobOffer{ExternalRef: "TEST01", Title: "Commis de cuisine (H/F)", Employer: "Restaurant Test", ROME: "G1602",
				Commune: "71076", Point: j.Point, Contract: matcher.CDD, Months: 6, HoursWeekly: 39,
				SalaryMonthlyGross: matcher.Salary{Min: 1800, Max: 2000}, FrenchLevel: matcher.B1, DrivingLicence: true,
				Positions: 2, StartOn: matcher.NewDate(2026, 10, 1), Status: matcher.StatusOpen}
			if j != want || j.Point == nil || j.Point.Lon != 4.85 {
				t.Errorf("got %+v", j)
			}
		}, ""},
		{"CDI", repl(`"typeContrat": "CDD"`, `"typeContrat": "CDI"`), func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.CDI || j.Months != 0 {
				t.Errorf("got %s %d", j.Contract, j.Months)
			}
		}, ""},
		{"CDI intérimaire", repl(`"typeContrat": "CDD"`, `"typeContrat": "DIN"`), func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.CDI {
				t.Errorf("got %s", j.Contract)
			}
		}, ""},
		{"interim in days", func(s string) string {
			return strings.NewReplacer(`"typeContrat": "CDD"`, `"typeContrat": "MIS"`, "- 6 Mois", "- 20 Jour(s)").Replace(s)
		}, func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.Interim || j.Months != 1 {
				t.Errorf("got %s %d", j.Contract, j.Months)
			}
		}, ""},
		{"seasonal", repl(`"typeContrat": "CDD"`, `"typeContrat": "SAI"`), func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.Seasonal || j.Months != 6 {
				t.Errorf("got %s %d", j.Contract, j.Months)
			}
		}, ""},
		{"apprenticeship", repl(`"Contrat travail"`, `"Contrat apprentissage"`), func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.Apprenticeship {
				t.Errorf("got %s", j.Contract)
			}
		}, ""},
		{"professionalisation", repl(`"Contrat travail"`, `"Cont. professionnalisation"`), func(t *testing.T, j matcher.JobOffer) {
			if j.Contract != matcher.Professionalisation {
				t.Errorf("got %s", j.Contract)
			}
		}, ""},
		{"beginners, licence wished, hours with minutes", func(s string) string {
			return strings.NewReplacer(`"experienceExige": "E"`, `"experienceExige": "D"`, `"exigence": "E"}],
  "langues"`, `"exigence": "S"}],
  "langues"`, "39H", "17H30").Replace(s)
		}, func(t *testing.T, j matcher.JobOffer) {
			if !j.BeginnersOK || j.DrivingLicence || j.HoursWeekly != 17.5 {
				t.Errorf("got beginners %v licence %v hours %v", j.BeginnersOK, j.DrivingLicence, j.HoursWeekly)
			}
		}, ""},
		{"hourly salary", repl("Mensuel de 1800.00 Euros à 2000.00 Euros", "Horaire de 12,00 Euros"), func(t *testing.T, j matcher.JobOffer) {
			if !near(j.SalaryMonthlyGross.Min, 2028) { // 12 × 39 × 52/12
				t.Errorf("got %v", j.SalaryMonthlyGross)
			}
		}, ""},
		{"salary only as a comment", repl(`"libelle": "Mensuel de 1800.00 Euros à 2000.00 Euros"`, `"commentaire": "selon profil"`), func(t *testing.T, j matcher.JobOffer) {
			if j.SalaryMonthlyGross != (matcher.Salary{}) {
				t.Errorf("got %v", j.SalaryMonthlyGross)
			}
		}, ""},
		{"no coordinates", repl(`"latitude": 46.79, "longitude": 4.85, `, ""), func(t *testing.T, j matcher.JobOffer) {
			if j.Point != nil || j.Commune != "71076" {
				t.Errorf("got %v %s", j.Point, j.Commune)
			}
		}, ""},
		{"franchise", repl(`"typeContrat": "CDD"`, `"typeContrat": "FRA"`), nil, ingest.SkipNonSalaried},
		{"non salaried", repl(`"Contrat travail"`, `"Emploi non salarié"`), nil, ingest.SkipNonSalaried},
		{"abroad", repl(`"libelle": "71 - CHALON SUR SAONE", "latitude": 46.79, "longitude": 4.85, "codePostal": "71100", "commune": "71076"`, `"libelle": "Suisse"`), nil, ingest.SkipAbroad},
		{"abroad with coordinates", repl(`"libelle": "71 - CHALON SUR SAONE", "latitude": 46.79, "longitude": 4.85, "codePostal": "71100", "commune": "71076"`, `"libelle": "Suisse", "latitude": 46.2, "longitude": 6.1`), nil, ingest.SkipAbroad},
		{"overseas collectivity", repl(`"commune": "71076"`, `"commune": "97701"`), nil, ingest.SkipOverseasCollectivity},
		{"department only, no atlas", repl(`"libelle": "71 - CHALON SUR SAONE", "latitude": 46.79, "longitude": 4.85, "codePostal": "71100", "commune": "71076"`, `"libelle": "71 - Saône-et-Loire"`), nil, ingest.SkipUnknownPlace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offers, rep, err := ingest.ReadOffers(strings.NewReader(tc.edit(offerJSON)), ingest.OffersOptions{})
			if err != nil {
				t.Fatalf("got %v", err)
			}
			if tc.skip != "" {
				if len(offers) != 0 || rep.Skipped[tc.skip] != 1 {
					t.Errorf("got %d offers, skipped %v, want skipped %s", len(offers), rep.Skipped, tc.skip)
				}
				return
			}
			if len(offers) != 1 {
				t.Fatalf("got %d offers, report %+v", len(offers), rep)
			}
			tc.check(t, offers[0])
		})
	}
}

// TestOfferPointFarFromCommune checks that an offer whose coordinates lie
// too far from its commune (Lyon's point for Chalon-sur-Saône) keeps its
// commune and takes the commune's point, the fallback counted; one whose
// coordinates fit keeps them, and so does one placed by its department
// only (the prefecture stands in for its commune, so it cannot be judged).
func TestOfferPointFarFromCommune(t *testing.T) {
	chalon := orb.Point{4.85085, 46.78964}
	atlas, err := geo.NewAtlas([]geo.Department{{Code: "71", Name: "Saône-et-Loire", Region: "27", Prefecture: "Mâcon",
		PrefectureCode: "71270", Point: orb.Point{4.83, 46.31}, Zone: geo.ZoneC}},
		[]geo.Commune{{Code: "71076", Name: "Chalon-sur-Saône", Department: "71", Point: chalon, Population: 45102, DensityKm2: 45102 / 15.22},
			{Code: "71270", Name: "Mâcon", Department: "71", Point: orb.Point{4.83, 46.31}, Population: 34000, DensityKm2: 34000 / 27}})
	if err != nil {
		t.Fatal(err)
	}
	lyon := repl(`"latitude": 46.79, "longitude": 4.85`, `"latitude": 45.76, "longitude": 4.83`)
	tests := []struct {
		name     string
		in       string
		lon, lat float64
		far      int
	}{
		{"near", offerJSON, 4.85, 46.79, 0},
		{"far", lyon(offerJSON), chalon[0], chalon[1], 1},
		{"department only", strings.Replace(lyon(offerJSON), `"libelle": "71 - CHALON SUR SAONE", "latitude": 45.76, "longitude": 4.83, "codePostal": "71100", "commune": "71076"`,
			`"libelle": "71 - Saône-et-Loire", "latitude": 45.76, "longitude": 4.83`, 1), 4.83, 45.76, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offers, rep, err := ingest.ReadOffers(strings.NewReader(tc.in), ingest.OffersOptions{Atlas: atlas})
			if err != nil || len(offers) != 1 {
				t.Fatalf("got %d offers, %v", len(offers), err)
			}
			j := offers[0]
			if j.Point == nil || j.Point.Lon != tc.lon || j.Point.Lat != tc.lat || rep.Fallbacks["point_far_from_commune"] != tc.far {
				t.Errorf("got point %+v, commune %s, fallbacks %v", j.Point, j.Commune, rep.Fallbacks)
			}
		})
	}
}

// repl returns an edit replacing old by new once.
func repl(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("repl: " + old + " not in the sample")
		}
		return strings.Replace(s, old, new, 1)
	}
}

func TestOfferDocuments(t *testing.T) {
	search := `{"resultats": [` + offerJSON + `,` + strings.Replace(offerJSON, "TEST01", "TEST02", 1) + `], "filtresPossibles": []}`
	tests := []struct {
		name  string
		in    string
		n     int
		lines []int
	}{
		{"search response", search, 2, []int{1, 17}},
		{"filters first", `{"filtresPossibles": [{"filtre": "typeContrat"}],` + "\n" + `"resultats": [` + offerJSON + `]}`, 1, []int{2}},
		{"array", "[\n" + offerJSON + "\n]", 1, []int{2}},
		{"single offer", offerJSON, 1, []int{1}},
		{"empty search", `{"resultats": []}`, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var lines []int
			rep, err := ingest.StreamOffers(context.Background(), strings.NewReader(tc.in), ingest.OffersOptions{}, func(line int, _ matcher.JobOffer) error {
				lines = append(lines, line)
				return nil
			})
			if err != nil || rep.Accepted != tc.n || len(lines) != tc.n {
				t.Fatalf("got %d offers, %v", len(lines), err)
			}
			for i := range lines {
				if lines[i] != tc.lines[i] {
					t.Errorf("offer %d at line %d, want %d", i, lines[i], tc.lines[i])
				}
			}
		})
	}
}

func TestBadOffers(t *testing.T) {
	search := "{\n\"resultats\": [\n" + offerJSON + ",\n" + strings.Replace(offerJSON, "TEST01", "TEST02", 1) + "\n]}"
	second := 20 // the line where the second offer starts (the first spans lines 3–19)
	tests := []struct {
		name     string
		in       string
		sentinel error
		line     int
		column   string
		code     string
	}{
		{"empty", "", ingest.ErrMalformed, 1, "", ingest.CodeMalformed},
		{"truncated", search[:len(search)-200], ingest.ErrMalformed, 0, "", ingest.CodeMalformed},
		{"not JSON", "id;intitule\n1;Commis\n", ingest.ErrMalformed, 1, "", ingest.CodeMalformed},
		{"neither search nor offer", `{"foo": 1}`, ingest.ErrMissingColumn, 1, "resultats", ingest.CodeMissingColumn},
		{"outside France", strings.Replace(search, `"latitude": 46.79, "longitude": 4.85`, `"latitude": 40.4, "longitude": -3.7`, 2), ingest.ErrTooManyErrors, 3, "lieuTravail.latitude", ingest.CodeOutsideFrance},
		{"invalid commune", strings.Replace(search, `"commune": "71076"`, `"commune": "7107"`, 1), ingest.ErrTooManyErrors, 3, "lieuTravail.commune", ingest.CodeInvalid},
		{"unknown contract, second offer", "{\n\"resultats\": [\n" + offerJSON + ",\n" +
			strings.Replace(strings.Replace(offerJSON, "TEST01", "TEST02", 1), `"typeContrat": "CDD"`, `"typeContrat": "XYZ"`, 1) + "\n]}",
			ingest.ErrTooManyErrors, second, "typeContrat", ingest.CodeUnknownValue},
		{"wrong type", strings.Replace(search, `"nombrePostes": 2`, `"nombrePostes": "deux"`, 1), ingest.ErrTooManyErrors, 18, "nombrePostes", ingest.CodeMalformed},
		{"too many hours", strings.Replace(search, "39H", "60H", 1), ingest.ErrTooManyErrors, 3, "dureeTravailLibelle", matcher.CodeOutOfRange},
		{"CDD without length", strings.Replace(search, " - 6 Mois", "", 1), ingest.ErrTooManyErrors, 3, "typeContratLibelle", matcher.CodeRequired},
		{"bad ROME", strings.Replace(search, `"romeCode": "G1602"`, `"romeCode": "G16"`, 1), ingest.ErrTooManyErrors, 3, "romeCode", matcher.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offers, rep, err := ingest.ReadOffers(strings.NewReader(tc.in), ingest.OffersOptions{Options: ingest.Options{Name: "o.json"}})
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("got error %v, want %v", err, tc.sentinel)
			}
			if offers != nil {
				t.Errorf("got %d offers, want none", len(offers))
			}
			e := rep.Errors[0]
			if e.File != "o.json" || (tc.line != 0 && e.Line != tc.line) || e.Column != tc.column || e.Code != tc.code || e.MessageFR == "" {
				t.Errorf("got %+v, want line %d column %q code %s", e, tc.line, tc.column, tc.code)
			}
		})
	}
}

func TestStreamOffersStops(t *testing.T) {
	search := `{"resultats": [` + offerJSON + `,` + offerJSON + `]}`
	stop := errors.New("stop")
	_, err := ingest.StreamOffers(context.Background(), strings.NewReader(search), ingest.OffersOptions{}, func(int, matcher.JobOffer) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("got %v, want the callback's error", err)
	}
}

func TestStreamOffersCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	n := 0
	_, err := ingest.StreamOffers(ctx, newOfferStream(5000), ingest.OffersOptions{}, func(int, matcher.JobOffer) error {
		n++
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 5000 {
		t.Errorf("got %v after %d offers, want context.Canceled before the end", err, n)
	}
}
