package ingest_test

import (
	"errors"
	"strings"
	"testing"

	"passerelle/ingest"
)

// communesHeader is the header of communes_fr.csv, and communeLine a
// hand-written row in its format (not copied from the file).
const (
	communesHeader = "code_insee,nom,type,commune_parente,dep_code,dep_nom,reg_code,reg_nom,zone,epci_siren,epci_nom,epci_type,ze2020_code,ze2020_nom,ze2020_source,population,lat,lon,coord_source,codes_postaux,superficie_km2,menages_2021,pop_15_64_2021,actifs_15_64_2021,chomeurs_15_64_2021\n"
	communeLine    = "71999,Villeneuve-Test,COM,,71,Saône-et-Loire,27,BFC,metro,200000001,CC Test,CC,2707,Chalon,insee_2022,1000,46.5,4.5,test,71000|71001,10,400,600,500,50\n"
)

func TestCSVFormats(t *testing.T) {
	semicolon := "code_insee;nom;dep_code;population;lat;lon;superficie_km2\n71999;Villeneuve-Test;71;1000;46,5;4,5;12,5\n"
	tests := []struct {
		name  string
		in    string
		pop   int
		name0 string
		lat   float64
		area  float64
	}{
		{"comma, UTF-8", communesHeader + communeLine, 1000, "Villeneuve-Test", 46.5, 10},
		{"UTF-8 BOM", "\ufeff" + communesHeader + communeLine, 1000, "Villeneuve-Test", 46.5, 10},
		{"semicolon, decimal comma", semicolon, 1000, "Villeneuve-Test", 46.5, 12.5},
		{"CRLF line endings", strings.ReplaceAll(communesHeader+communeLine, "\n", "\r\n"), 1000, "Villeneuve-Test", 46.5, 10},
		{"headers in another case, with accents and spaces", "Code INSEE;Nom;Dép code;Population;Latitude;Longitude\n71999;Crèches;71;7;46,5;4,5\n", 7, "Crèches", 46.5, 0},
		{"Windows-1252", "code_insee;nom;dep_code;population;lat;lon\n71999;Cr\xe8ches-sur-Sa\xf4ne \x80;71;7;46,5;4,5\n", 7, "Crèches-sur-Saône €", 46.5, 0},
		{"quoted field with separator", "code_insee,nom,dep_code,population,lat,lon\n71999,\"Saint-Test, le Bourg\",71,\"1 234\",46.5,4.5\n", 1234, "Saint-Test, le Bourg", 46.5, 0},
		{"blank line at the end", communesHeader + communeLine + "\n\n", 1000, "Villeneuve-Test", 46.5, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, rep, err := ingest.ReadCommunes(strings.NewReader(tc.in), ingest.Options{})
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if len(cs) != 1 || rep.Rows != 1 || rep.Accepted != 1 {
				t.Fatalf("got %d communes, report %+v", len(cs), rep)
			}
			c := cs[0]
			if c.Code != "71999" || c.Name != tc.name0 || c.Population != tc.pop || !near(c.Point[1], tc.lat) || !near(c.AreaKm2, tc.area) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

// TestBadFiles checks that a bad file gives a clear error naming its line
// and column, and no values at all.
func TestBadFiles(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		sentinel error
		line     int
		column   string
		code     string
	}{
		{"empty file", "", ingest.ErrMalformed, 1, "", ingest.CodeMalformed},
		{"UTF-16", "\xff\xfec\x00o\x00d\x00e\x00", ingest.ErrMalformed, 1, "", ingest.CodeMalformed},
		{"wrong delimiter (tab)", strings.ReplaceAll(communesHeader+communeLine, ",", "\t"), ingest.ErrMissingColumn, 1, "code_insee", ingest.CodeMissingColumn},
		{"missing column", strings.Replace(communesHeader, ",lat,", ",latitude_x,", 1) + communeLine, ingest.ErrMissingColumn, 1, "lat", ingest.CodeMissingColumn},
		{"truncated line", communesHeader + communeLine + "71998,Tronquée,COM,,71,Saône", ingest.ErrTooManyErrors, 3, "", ingest.CodeFieldCount},
		{"truncated inside quotes", communesHeader + communeLine + "71998,\"Tronq", ingest.ErrMalformed, 3, "", ingest.CodeMalformed},
		{"invalid commune code", communesHeader + strings.Replace(communeLine, "71999", "7199X", 1), ingest.ErrTooManyErrors, 2, "code_insee", ingest.CodeInvalid},
		{"invalid department", communesHeader + strings.Replace(communeLine, ",71,", ",20,", 1), ingest.ErrTooManyErrors, 2, "dep_code", ingest.CodeInvalid},
		{"coordinates outside France", communesHeader + strings.Replace(communeLine, "46.5,4.5", "40.4,-3.7", 1), ingest.ErrTooManyErrors, 2, "lat", ingest.CodeOutsideFrance},
		{"swapped coordinates", communesHeader + strings.Replace(communeLine, "46.5,4.5", "4.5,46.5", 1), ingest.ErrTooManyErrors, 2, "lat", ingest.CodeOutsideFrance},
		{"not a number", communesHeader + strings.Replace(communeLine, ",1000,", ",mille,", 1), ingest.ErrTooManyErrors, 2, "population", ingest.CodeInvalid},
		{"duplicate commune", communesHeader + communeLine + communeLine, ingest.ErrTooManyErrors, 3, "code_insee", ingest.CodeDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, rep, err := ingest.ReadCommunes(strings.NewReader(tc.in), ingest.Options{Name: "c.csv"})
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("got error %v, want %v", err, tc.sentinel)
			}
			if cs != nil {
				t.Errorf("got %d communes, want none", len(cs))
			}
			if len(rep.Errors) == 0 {
				t.Fatal("no error in the report")
			}
			e := rep.Errors[0]
			if e.File != "c.csv" || e.Line != tc.line || e.Column != tc.column || e.Code != tc.code || e.MessageFR == "" || e.MessageEN == "" {
				t.Errorf("got %+v, want line %d column %q code %s", e, tc.line, tc.column, tc.code)
			}
			if !strings.Contains(err.Error(), "line") {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

func TestMaxErrors(t *testing.T) {
	bad := strings.Replace(communeLine, "71999", "7199X", 1)
	var b strings.Builder
	b.WriteString(communesHeader)
	b.WriteString(communeLine)
	for i := 0; i < 30; i++ {
		b.WriteString(bad)
	}
	in := b.String()
	t.Run("tolerated", func(t *testing.T) {
		cs, rep, err := ingest.ReadCommunes(strings.NewReader(in), ingest.Options{MaxErrors: 30})
		if err != nil {
			t.Fatalf("got %v", err)
		}
		if len(cs) != 1 || rep.Rows != 31 || rep.Accepted != 1 || rep.Rejected[ingest.CodeInvalid] != 30 || len(rep.Errors) != 20 {
			t.Errorf("got %d communes, report rows %d accepted %d rejected %v errors %d", len(cs), rep.Rows, rep.Accepted, rep.Rejected, len(rep.Errors))
		}
		if rep.Errors[0].Line != 3 || rep.Errors[19].Line != 22 {
			t.Errorf("lines of the errors: %d … %d", rep.Errors[0].Line, rep.Errors[19].Line)
		}
	})
	t.Run("unlimited", func(t *testing.T) {
		if _, _, err := ingest.ReadCommunes(strings.NewReader(in), ingest.Options{MaxErrors: -1}); err != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("stops after the limit", func(t *testing.T) {
		cs, rep, err := ingest.ReadCommunes(strings.NewReader(in), ingest.Options{MaxErrors: 5})
		if !errors.Is(err, ingest.ErrTooManyErrors) || cs != nil {
			t.Fatalf("got %d communes, %v", len(cs), err)
		}
		if rep.Rows != 7 || rep.RejectedRows() != 6 {
			t.Errorf("read %d rows, rejected %d: the read should stop at the 6th error", rep.Rows, rep.RejectedRows())
		}
	})
}

func TestInFrance(t *testing.T) {
	tests := []struct {
		name     string
		lon, lat float64
		want     bool
	}{
		{"Paris", 2.35, 48.85, true},
		{"Ajaccio", 8.70583, 41.92274, true},
		{"Brest", -4.49, 48.39, true},
		{"Saint-Denis de La Réunion", 55.4444, -20.94342, true},
		{"Cayenne", -52.33, 4.93, true},
		{"Fort-de-France", -61.07, 14.6, true},
		{"Pointe-à-Pitre", -61.53, 16.24, true},
		{"Mamoudzou", 45.23, -12.78, true},
		{"(0, 0)", 0, 0, false},
		{"Madrid", -3.7, 40.4, false},
		{"swapped Paris", 48.85, 2.35, false},
		{"Nouméa", 166.45, -22.27, false},
		{"Saint-Pierre", -56.17, 46.78, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ingest.InFrance(tc.lon, tc.lat); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReaders(t *testing.T) {
	t.Run("BMO secret cells", func(t *testing.T) {
		in := "code_metier_bmo,bassin_code,dep_code,met,xmet,smet\nA0X40,7101,71,120,60,*\nA0X40,7102,71,*,*,*\nB1X40,9801,978,5,5,0\n"
		cells, rep, err := ingest.ReadBMO(strings.NewReader(in), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) != 2 || rep.Skipped[ingest.SkipOverseasCollectivity] != 1 {
			t.Fatalf("got %+v, %+v", cells, rep)
		}
		if s, ok := cells[0].DifficultShare(); !ok || s != 0.5 || !cells[0].Seasonal.Secret {
			t.Errorf("got %+v", cells[0])
		}
		if _, ok := cells[1].DifficultShare(); ok || !cells[1].Projects.Secret {
			t.Errorf("got %+v", cells[1])
		}
	})
	t.Run("BMO difficult above projects", func(t *testing.T) {
		in := "code_metier_bmo,bassin_code,dep_code,met,xmet,smet\nA0X40,7101,71,10,60,0\n"
		if _, rep, err := ingest.ReadBMO(strings.NewReader(in), ingest.Options{}); err == nil || rep.Errors[0].Column != "xmet" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("zones", func(t *testing.T) {
		in := "CODGEO;LIBGEO;Zonage ABC\n75056;Paris;A bis\n1001;L'Abergement;c\n"
		zs, _, err := ingest.ReadZones(strings.NewReader(in), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(zs) != 2 || zs[0].Zone != "Abis" || zs[1].Zone != "C" || zs[1].Commune != "01001" {
			t.Errorf("got %+v", zs)
		}
		if _, _, err := ingest.ReadZones(strings.NewReader("code_insee,zone_abc\n71076,D\n"), ingest.Options{}); err == nil {
			t.Error("zone D accepted")
		}
	})
	t.Run("rents", func(t *testing.T) {
		in := "code_insee,nom,type_bien,loyer_m2,loyer_m2_ip_bas,loyer_m2_ip_haut,niveau_prediction,nb_obs_commune,r2_adj\n71999,Test,Maison,9.5,8,11,commune,40,0.8\n71998,Test2,Appartement,11,9,13,commune,100,0.7\n"
		rs, _, err := ingest.ReadRents(strings.NewReader(in), ingest.Options{})
		if err != nil || len(rs) != 2 || rs[0].Kind != "house" || rs[1].Kind != "apartment" || rs[1].RentM2 != 11 {
			t.Errorf("got %+v, %v", rs, err)
		}
		if _, _, err := ingest.ReadRents(strings.NewReader("code_insee,loyer_m2\n71999,250\n"), ingest.Options{}); err == nil {
			t.Error("a rent of 250 €/m² accepted")
		}
	})
	t.Run("DARES tensions", func(t *testing.T) {
		in := "fap,emploi_moyen,tension,categorie_tension,annee,niveau_geo,niveau_fap,reg,dep\nA0Z40,500,0.2,4,2019,dep,fap225,,71\nA0Z41,100,,,2019,reg,fap225,27,\nA0Z42,100,0.1,9,2019,nat,fap225,,\n"
		_, rep, err := ingest.ReadTensions(strings.NewReader(in), ingest.Options{MaxErrors: 1})
		if err != nil || rep.Accepted != 2 || rep.Errors[0].Line != 4 || rep.Errors[0].Column != "categorie_tension" {
			t.Errorf("got %+v, %v", rep, err)
		}
	})
	t.Run("DARES tensions of an overseas collectivity", func(t *testing.T) {
		in := "fap,emploi_moyen,tension,categorie_tension,annee,niveau_geo,niveau_fap,reg,dep\nA0Z40,500,0.2,4,2019,dep,fap225,,977\nA0Z40,500,0.2,4,2019,dep,fap225,,974\n"
		xs, rep, err := ingest.ReadTensions(strings.NewReader(in), ingest.Options{})
		if err != nil || len(xs) != 1 || xs[0].Department != "974" || rep.Skipped[ingest.SkipOverseasCollectivity] != 1 {
			t.Errorf("got %+v, %+v, %v", xs, rep, err)
		}
	})
	t.Run("commune of a department, collectivity's department code", func(t *testing.T) {
		// Found by FuzzReadCommunes: 977 is Saint-Barthélemy's code, not
		// the department of commune 97400.
		in := "code_insee;nom;dep;lat;lon\n97400;Saint-Denis-Test;977;-20,8;55,2\n97411;Saint-Denis-Test;974;-20,9;55,4\n"
		cs, rep, err := ingest.ReadCommunes(strings.NewReader(in), ingest.Options{MaxErrors: 5})
		if err != nil || len(cs) != 1 || cs[0].Code != "97411" || rep.Rejected[ingest.CodeInconsistent] != 1 {
			t.Errorf("got %+v, %+v, %v", cs, rep, err)
		}
	})
	t.Run("ROME codes", func(t *testing.T) {
		in := "code_rome,libelle_rome,code_grand_domaine,code_domaine_professionnel,code_rome_parent\nG1602,Commis de cuisine,G,G16,G1602\nZ1602,Inconnu,Z,Z16,\nG1603,Polyvalent,G,H16,\n"
		_, rep, err := ingest.ReadOccupations(strings.NewReader(in), ingest.Options{MaxErrors: 5})
		if err != nil || rep.Accepted != 1 || rep.Rejected[ingest.CodeInvalid] != 1 || rep.Rejected[ingest.CodeInconsistent] != 1 {
			t.Errorf("got %+v, %v", rep, err)
		}
	})
}
