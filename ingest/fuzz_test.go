package ingest_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"testing/fstest"

	"passerelle/geo"
	"passerelle/ingest"
	"passerelle/matcher"
)

// Fuzz targets: one per reader, seeded with tiny hand-written samples in
// the format of each file (never copies of the shared files). Each checks
// that a reader never panics, returns nothing with an error, and that
// what it accepts is consistent with its report and well formed.

// checkReport checks the counts of a report after a successful read that
// returned n values.
func checkReport(t *testing.T, rep *ingest.Report, n int) {
	t.Helper()
	if rep == nil {
		t.Fatal("nil report")
	}
	skipped := 0
	for _, v := range rep.Skipped {
		skipped += v
	}
	if rep.Accepted != n || rep.Rows != rep.Accepted+rep.RejectedRows()+skipped {
		t.Fatalf("report %+v does not add up with %d values", rep, n)
	}
	if len(rep.Errors) > 20 {
		t.Fatalf("%d errors shown, want at most 20", len(rep.Errors))
	}
	for _, e := range rep.Errors {
		if e.Line < 1 || e.Code == "" || e.MessageFR == "" || e.MessageEN == "" {
			t.Fatalf("incomplete error %+v", e)
		}
	}
}

// fuzzTable runs a CSV reader on the fuzzed bytes, strict and lenient.
func fuzzTable[T any](f *testing.F, seeds []string, read func(io.Reader, ingest.Options) ([]T, *ingest.Report, error), check func(t *testing.T, v *T)) {
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, lenient bool) {
		opts := ingest.Options{}
		if lenient {
			opts.MaxErrors = -1
		}
		vs, rep, err := read(bytes.NewReader(data), opts)
		if err != nil {
			if vs != nil {
				t.Fatalf("values returned with error %v", err)
			}
			return
		}
		checkReport(t, rep, len(vs))
		for i := range vs {
			check(t, &vs[i])
		}
	})
}

// mustCommune fails unless code is a well-formed INSEE commune code.
func mustCommune(t *testing.T, code string) {
	t.Helper()
	if !geo.ValidCommuneCode(code) {
		t.Fatalf("accepted commune code %q", code)
	}
}

func FuzzReadCommunes(f *testing.F) {
	fuzzTable(f, []string{
		communesHeader + communeLine,
		"code_insee;nom;dep_code;lat;lon\n2A004;Ajaccio-Test;2A;41,9;8,7\n97411;Saint-Denis-Test;974;-20,9;55,4\n",
		"code_insee,nom,dep_code,lat,lon\n1001,\"A, B\",01,46.1,4.9\n",
	}, ingest.ReadCommunes, func(t *testing.T, c *ingest.Commune) {
		mustCommune(t, c.Code)
		if !ingest.InFrance(c.Point[0], c.Point[1]) || c.Name == "" || geo.DepartmentOf(c.Code) != c.Department {
			t.Fatalf("accepted %+v", c)
		}
	})
}

func FuzzReadDepartments(f *testing.F) {
	fuzzTable(f, []string{
		"dep_code,dep_nom,reg_code,chef_lieu,zone,centre_lat,centre_lon\n71,Saône-et-Loire,27,71270,metro,46.6,4.5\n976,Mayotte,06,97611,drom,,\n988,Nouvelle-Calédonie,988,98818,com,,\n",
	}, ingest.ReadDepartments, func(t *testing.T, d *ingest.Department) {
		if !geo.ValidDepartmentCode(d.Code) || len(d.Region) != 2 {
			t.Fatalf("accepted %+v", d)
		}
	})
}

func FuzzReadRegions(f *testing.F) {
	fuzzTable(f, []string{"reg_code,reg_nom,chef_lieu,zone\n27,Bourgogne-Franche-Comté,21231,metro\n975,Saint-Pierre,97502,com\n"},
		ingest.ReadRegions, func(t *testing.T, r *ingest.Region) {
			if len(r.Code) != 2 {
				t.Fatalf("accepted %+v", r)
			}
		})
}

func FuzzReadEPCI(f *testing.F) {
	fuzzTable(f, []string{"epci_siren,epci_nom,epci_type,mode_financement,population_totale,population_municipale,nb_communes\n200000001,CC Test,CC,FPU,1200,1100,7\n"},
		ingest.ReadEPCI, func(t *testing.T, e *ingest.EPCI) {
			if len(e.SIREN) != 9 || e.Name == "" {
				t.Fatalf("accepted %+v", e)
			}
		})
}

func FuzzReadEmploymentAreas(f *testing.F) {
	fuzzTable(f, []string{"ze2020,libze2020,nb_com\n2707,Chalon-sur-Saône,120\n"},
		ingest.ReadEmploymentAreas, func(t *testing.T, a *ingest.Area) {
			if len(a.Code) != 4 {
				t.Fatalf("accepted %+v", a)
			}
		})
}

func FuzzReadBasins(f *testing.F) {
	fuzzTable(f, []string{"bassin_code,bassin_nom,dep_code,dep_nom,reg_code,reg_nom\n2704,CHALON,71,Saône-et-Loire,27,BFC\n0104,ST MARTIN,978,Saint-Martin,01,x\n"},
		ingest.ReadBasins, func(t *testing.T, a *ingest.Area) {
			if len(a.Code) != 4 || !geo.ValidDepartmentCode(a.Department) {
				t.Fatalf("accepted %+v", a)
			}
		})
}

func FuzzReadAreaMembers(f *testing.F) {
	seeds := []string{
		"code_insee,bassin_code,bassin_nom,dep_code,reg_code\n71076,2704,CHALON,71,27\n97701,0104,X,97,01\n",
		"codgeo,libgeo,ze2020,libze2020\n71076,Chalon,2707,Chalon\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, rep, err := ingest.ReadAreaMembers(bytes.NewReader(data), ingest.Options{MaxErrors: -1})
		if err != nil {
			if m != nil {
				t.Fatal("values with an error")
			}
			return
		}
		checkReport(t, rep, len(m))
		for c, a := range m {
			mustCommune(t, c)
			if len(a) != 4 {
				t.Fatalf("accepted area %q", a)
			}
		}
	})
}

func FuzzReadZones(f *testing.F) {
	fuzzTable(f, []string{"code_insee,reg_code,dep_code,nom,zone_abc,reclasse_juillet_2024\n71076,27,71,Chalon,B2,Non\n", "CODGEO;Zonage ABC\n75056;A bis\n"},
		ingest.ReadZones, func(t *testing.T, z *ingest.ZoneRow) {
			mustCommune(t, z.Commune)
			if !z.Zone.Valid() {
				t.Fatalf("accepted %+v", z)
			}
		})
}

func FuzzReadSocialHousing(f *testing.F) {
	fuzzTable(f, []string{"code_insee,nom,dep_code,reg_code,densite_ls_pour_100_rp,nb_ls,tx_vac,tx_mob\n71076,Chalon,71,27,30.5,7000,3.2,10.1\n"},
		ingest.ReadSocialHousing, func(t *testing.T, s *ingest.SocialHousing) {
			mustCommune(t, s.Commune)
			if s.Dwellings < 0 || s.VacancyPct < 0 || s.VacancyPct > 100 {
				t.Fatalf("accepted %+v", s)
			}
		})
}

func FuzzReadRents(f *testing.F) {
	fuzzTable(f, []string{
		"code_insee,nom,dep_code,reg_code,epci_siren,id_zone,typpred,loyer_m2,loyer_m2_ip_bas,loyer_m2_ip_haut,r2_adj,nb_obs_maille,nb_obs_commune\n71076,Chalon,71,27,200000001,604,commune,9.4,7.4,12.1,0.79,100,100\n",
		"code_insee,nom,type_bien,loyer_m2,loyer_m2_ip_bas,loyer_m2_ip_haut,niveau_prediction,nb_obs_commune,r2_adj\n71076,Chalon,Maison,9.5,7.8,11.5,commune,400,0.8\n",
		"INSEE_C;loypredm2\n1001;9,37\n",
	}, ingest.ReadRents, func(t *testing.T, r *ingest.Rent) {
		mustCommune(t, r.Commune)
		if r.RentM2 < 1 || r.RentM2 > 100 {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzReadOccupations(f *testing.F) {
	fuzzTable(f, []string{"code_rome,libelle_rome,code_grand_domaine,libelle_grand_domaine,code_domaine_professionnel,libelle_domaine_professionnel,code_ogr,code_fiche_metier,code_rome_parent\nG1602,Commis de cuisine,G,Hôtellerie,G16,Production culinaire,199,205,G1602\n"},
		ingest.ReadOccupations, func(t *testing.T, o *ingest.Occupation) {
			if len(o.Code) != 5 || o.Domain != o.Code[:3] {
				t.Fatalf("accepted %+v", o)
			}
		})
}

func FuzzReadJobTitles(f *testing.F) {
	fuzzTable(f, []string{"code_ogr,libelle_appellation_long,libelle_appellation_court,code_rome,classification\n10200,Commis de cuisine,Commis,G1602,PRINCIPALE\n"},
		ingest.ReadJobTitles, func(t *testing.T, j *ingest.JobTitle) {
			if j.OGR <= 0 || len(j.ROME) != 5 {
				t.Fatalf("accepted %+v", j)
			}
		})
}

func FuzzReadFAP2009(f *testing.F) {
	fuzzTable(f, []string{"code_fap,niveau,libelle\nA,domaine,Agriculture\nA0Z,fap87,Agriculteurs\nA0Z40,fap225,Exploitants\n"},
		ingest.ReadFAP2009, func(t *testing.T, c *ingest.FAPCode) {
			if c.Code == "" || c.Level == "" {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadFAP2021(f *testing.F) {
	fuzzTable(f, []string{"code_fap_341,intitule_fap_341,code_fap_228,intitule_fap_228,code_fap_86,intitule_fap_86,code_fap_22,intitule_fap_22\nA0X41a,Eleveurs,A0X41,Eleveurs,A0X,Agriculteurs,A,Agriculture\n"},
		ingest.ReadFAP2021, func(t *testing.T, c *ingest.FAP2021) {
			if c.Code228 == "" || c.Code341[:len(c.Code228)] != c.Code228 {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadROMEFAP(f *testing.F) {
	fuzzTable(f, []string{"fap225,code_rome_v3,qualification,libelle_rome_v3\nS1Z40,G1602,,Personnel de cuisine\n"},
		ingest.ReadROMEFAP, func(t *testing.T, x *ingest.ROMEFAP) {
			if len(x.FAP225) != 5 || len(x.ROMEv3) != 5 {
				t.Fatalf("accepted %+v", x)
			}
		})
}

func FuzzReadBMOOccupations(f *testing.F) {
	fuzzTable(f, []string{"code_metier_bmo,nom_metier_bmo,famille_met,lbl_fam_met\nA0X40,Agriculteurs,Z,Autres\n"},
		ingest.ReadBMOOccupations, func(t *testing.T, o *ingest.BMOOccupation) {
			if len(o.Code) != 5 {
				t.Fatalf("accepted %+v", o)
			}
		})
}

func FuzzReadBMO(f *testing.F) {
	fuzzTable(f, []string{"code_metier_bmo,bassin_code,dep_code,met,xmet,smet\nA0X40,2704,71,120,60,*\nA0X40,2705,71,*,*,*\n"},
		ingest.ReadBMO, func(t *testing.T, c *ingest.BMOCell) {
			if s, ok := c.DifficultShare(); ok && (s < 0 || s > 1) {
				t.Fatalf("accepted %+v", c)
			}
		})
}

func FuzzReadTensions(f *testing.F) {
	fuzzTable(f, []string{"fap,emploi_moyen,tension,categorie_tension,annee,niveau_geo,niveau_fap,reg,dep\nA0Z40,500,0.2,4,2019,dep,fap225,,71\nA0Z41,100,,,2019,reg,fap225,27,\n"},
		ingest.ReadTensions, func(t *testing.T, x *ingest.Tension) {
			if x.Category < 0 || x.Category > 5 || (x.Geo == "dep" && !geo.ValidDepartmentCode(x.Department)) {
				t.Fatalf("accepted %+v", x)
			}
		})
}

func FuzzReadTensionHistory(f *testing.F) {
	fuzzTable(f, []string{"fap,tension,annee\nA0Z40,-0.4791,2011\n"},
		ingest.ReadTensionHistory, func(t *testing.T, x *ingest.Tension) {
			if x.Year < 1900 || x.FAP == "" {
				t.Fatalf("accepted %+v", x)
			}
		})
}

func FuzzReadOutlines(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[4.5,46.5],[4.9,46.5],[4.9,46.9],[4.5,46.5]]]},"properties":{"code":"71","nom":"Test"}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[8.5,41.8],[8.9,41.8],[8.9,42.1],[8.5,41.8]]]]},"properties":{"code":"2A","nom":"Test"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, rep, err := ingest.ReadOutlines(bytes.NewReader(data), ingest.Options{MaxErrors: -1})
		if err != nil {
			if out != nil {
				t.Fatal("values with an error")
			}
			return
		}
		checkReport(t, rep, len(out))
		for _, o := range out {
			for _, p := range o.Polygons {
				for _, r := range p {
					for _, pt := range r {
						if !ingest.InFrance(pt[0], pt[1]) {
							t.Fatalf("accepted a point outside France: %v", pt)
						}
					}
				}
			}
		}
	})
}

func FuzzReadOffers(f *testing.F) {
	f.Add([]byte(`{"resultats": [` + offerJSON + `]}`))
	f.Add([]byte(offerJSON))
	f.Add([]byte(`[{"id":"X","romeCode":"G1602","typeContrat":"CDI","dateCreation":"2026-01-01","lieuTravail":{"commune":"2A004"},"salaire":{"libelle":"Horaire de 12 Euros"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []matcher.JobOffer
		rep, err := ingest.StreamOffers(context.Background(), bytes.NewReader(data), ingest.OffersOptions{Options: ingest.Options{MaxErrors: -1}},
			func(_ int, j matcher.JobOffer) error {
				got = append(got, j)
				return nil
			})
		if err != nil {
			return
		}
		checkReport(t, rep, len(got))
		for _, j := range got {
			if err := j.Validate(); err != nil {
				t.Fatalf("accepted invalid offer %+v: %v", j, err)
			}
			if j.Point != nil && !ingest.InFrance(j.Point.Lon, j.Point.Lat) {
				t.Fatalf("accepted a point outside France: %+v", j.Point)
			}
		}
	})
}

func FuzzMonthlySalary(f *testing.F) {
	f.Add("Mensuel de 1800.00 Euros à 2000.00 Euros", 35.0)
	f.Add("Horaire de 11,65 Euros sur 12 mois", 0.0)
	f.Fuzz(func(t *testing.T, s string, hours float64) {
		if hours < 0 || hours > 48 || hours != hours {
			return
		}
		lo, hi, ok := ingest.MonthlySalary(s, hours)
		if ok && (lo <= 0 || hi <= 0 || lo != lo || hi != hi) {
			t.Fatalf("%q: got %v %v", s, lo, hi)
		}
	})
}

func FuzzReadVacancies(f *testing.F) {
	fuzzTable(f, []string{
		vacancyHeader + "V1,social,71076,3,64,520,60,direct,2026-12-01,non,,,,,\n",
		"reference;type_bailleur;commune;pieces;surface;loyer;bail;disponible_le;colocation;places;public;duree_max_mois\nV2;iml;71076;3;64,5;340;sublease;01/01/2027;oui;2;F;6\n",
	}, ingest.ReadVacancies, func(t *testing.T, o *matcher.HousingOffer) {
		if err := o.Validate(); err != nil {
			t.Fatalf("accepted invalid offer %+v: %v", o, err)
		}
	})
}

func FuzzReadCaseload(f *testing.F) {
	for _, s := range []string{
		caseHeader + "C1,71076,refugee,2026-01-01,oui,0,adult,30,F,G1602:2,oui\nC1,,,,,,child,3,M,,non\n",
		"dossier;commune;protection;date_protection;role;age;sexe;metiers\nC2;2A004;subsidiary;01/02/2026;adult;44;M;F1703:10|K2204:0\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, rep, err := ingest.ReadCaseload(bytes.NewReader(data), ingest.Options{MaxErrors: -1})
		if err != nil {
			if hs != nil {
				t.Fatal("values with an error")
			}
			return
		}
		rows := 0 // the report counts rows, one per member
		for i := range hs {
			rows += len(hs[i].Members)
			if err := hs[i].Validate(); err != nil {
				t.Fatalf("accepted invalid household %+v: %v", hs[i], err)
			}
		}
		checkReport(t, rep, rows)
	})
}

// FuzzReadReference fuzzes the commune file of a minimal reference folder.
func FuzzReadReference(f *testing.F) {
	f.Add([]byte(communesHeader + communeLine))
	f.Add([]byte("code_insee;nom;dep_code;lat;lon\n71076;Chalon;71;46,8;4,85\n75101;Paris 1er;75;48,86;2,34\n"))
	deps := []byte("dep_code,dep_nom,reg_code,chef_lieu,zone,centre_lat,centre_lon\n71,Saône-et-Loire,27,71076,metro,46.6,4.5\n")
	zones := []byte("code_insee,zone_abc\n71076,B2\n")
	f.Fuzz(func(t *testing.T, communes []byte) {
		fsys := fstest.MapFS{
			ingest.FileCommunes:    {Data: communes},
			ingest.FileDepartments: {Data: deps},
			ingest.FileZones:       {Data: zones},
		}
		ref, rep, err := ingest.ReadReference(fsys)
		if err != nil {
			if ref != nil {
				t.Fatal("reference with an error")
			}
			return
		}
		if rep == nil || ref.Atlas == nil || ref.Atlas.NumCommunes() != len(ref.Communes) {
			t.Fatalf("inconsistent reference: %+v", rep)
		}
		for i := range ref.Communes {
			if !ref.Communes[i].Zone.Valid() {
				t.Fatalf("commune without a zone: %+v", ref.Communes[i])
			}
		}
	})
}
