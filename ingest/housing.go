package ingest

import (
	"io"
	"strings"

	"passerelle/geo"
)

// zoneCleaner drops the spaces and underscores of "A bis" and "A_bis".
var zoneCleaner = strings.NewReplacer(" ", "", "_", "")

// ZoneRow is the ABC zone of one commune.
type ZoneRow struct {
	Commune      string
	Zone         geo.Zone
	Reclassified bool // reclassified by the July 2024 order
}

// ReadZones reads the ABC zoning (zonage_abc_2024.csv: code_insee,
// zone_abc, reclasse_juillet_2024; the official ';' file with CODGEO and
// "Zonage ABC" headers reads too). Zones are written Abis, A, B1, B2 or C
// (case-insensitive; "A bis" and "A_bis" are read as Abis). Errors as for
// ReadCommunes.
func ReadZones(r io.Reader, opts Options) ([]ZoneRow, *Report, error) {
	t := newTable(opts, "zonage_abc_2024.csv")
	cCode := t.need("code_insee", "codgeo", "code_commune", "insee_com")
	cZone := t.need("zone_abc", "zonage_abc", "zone", "zonage")
	cRe := t.opt("reclasse_juillet_2024", "reclasse")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []ZoneRow
	for t.next() {
		if t.collectivity(cCode) {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		z := ZoneRow{Commune: t.commune(cCode, true)}
		raw := t.raw(cZone)
		switch norm := strings.ToUpper(zoneCleaner.Replace(raw)); norm {
		case "ABIS":
			z.Zone = geo.ZoneAbis
		case "A", "B1", "B2", "C":
			z.Zone = geo.Zone(norm)
		case "":
			t.required(cZone)
		default:
			t.fail(cZone, CodeUnknownValue, raw, "La zone doit valoir Abis, A, B1, B2 ou C.", "The zone must be one of Abis, A, B1, B2, C.")
		}
		z.Reclassified = strings.EqualFold(t.raw(cRe), "oui")
		if t.ok() {
			t.accept()
			out = append(out, z)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// SocialHousing is the RPLS social-housing stock of one commune.
type SocialHousing struct {
	Commune      string
	Dwellings    int     // social dwellings
	PerHundredRP float64 // social dwellings per 100 main residences
	VacancyPct   float64 // vacancy rate, percent
	TurnoverPct  float64 // turnover (mobility) rate, percent
}

// ReadSocialHousing reads the RPLS table per commune
// (rpls_logements_sociaux_2024_communes.csv: code_insee, nb_ls,
// densite_ls_pour_100_rp, tx_vac, tx_mob). Rates are percents in 0–100.
// Errors as for ReadCommunes.
func ReadSocialHousing(r io.Reader, opts Options) ([]SocialHousing, *Report, error) {
	t := newTable(opts, "rpls_logements_sociaux_2024_communes.csv")
	cCode := t.need("code_insee", "codgeo", "depcom")
	cN := t.need("nb_ls", "nb_logements_sociaux")
	cDens := t.opt("densite_ls_pour_100_rp", "densite")
	cVac := t.opt("tx_vac", "taux_vacance")
	cMob := t.opt("tx_mob", "taux_mobilite")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []SocialHousing
	for t.next() {
		if t.collectivity(cCode) {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		s := SocialHousing{Commune: t.commune(cCode, true)}
		s.Dwellings, _ = t.int(cN, 0, 10_000_000)
		s.PerHundredRP, _ = t.rangeFloat(cDens, 0, 1000)
		s.VacancyPct, _ = t.rangeFloat(cVac, 0, 100)
		s.TurnoverPct, _ = t.rangeFloat(cMob, 0, 100)
		if t.ok() {
			t.accept()
			out = append(out, s)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// Rent is a predicted asking rent per m² for one commune (Carte des
// loyers), charges included, in euros per m² per month.
type Rent struct {
	Commune      string
	Kind         string  // "apartment" or "house"
	RentM2       float64 // euros per m² per month
	LowM2        float64 // lower bound of the prediction interval, 0 when not given
	HighM2       float64 // upper bound of the prediction interval, 0 when not given
	Level        string  // where the prediction was made: commune, epci or maille
	R2           float64 // adjusted R² of the model
	Observations int     // listings observed in the commune
}

// ReadRents reads a rent map file: the 2018 apartment map
// (loyers_appartements_carte_2018.csv: code_insee, typpred, loyer_m2,
// loyer_m2_ip_bas, loyer_m2_ip_haut, r2_adj, nb_obs_commune; the official
// ';' file with INSEE_C, loypredm2 and decimal commas reads too) or the
// recent large-commune file (loyers_grandes_communes_recent.csv, with
// type_bien Appartement or Maison and niveau_prediction). Without a kind
// column the rows are apartments. Rents must lie within 1–100 euros per m².
// Errors as for ReadCommunes.
func ReadRents(r io.Reader, opts Options) ([]Rent, *Report, error) {
	t := newTable(opts, "loyers.csv")
	cCode := t.need("code_insee", "insee_c", "insee", "codgeo")
	cKind := t.opt("type_bien")
	cRent := t.need("loyer_m2", "loypredm2")
	cLow := t.opt("loyer_m2_ip_bas", "lwr_ipm2")
	cHigh := t.opt("loyer_m2_ip_haut", "upr_ipm2")
	cLevel := t.opt("typpred", "niveau_prediction")
	cR2 := t.opt("r2_adj")
	cObs := t.opt("nb_obs_commune")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Rent
	for t.next() {
		if t.collectivity(cCode) {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		x := Rent{Commune: t.commune(cCode, true), Kind: "apartment", Level: t.str(cLevel)}
		switch k := strings.ToLower(t.raw(cKind)); k {
		case "", "appartement", "apartment":
		case "maison", "house":
			x.Kind = "house"
		default:
			t.fail(cKind, CodeUnknownValue, k, "Le type de bien doit valoir Appartement ou Maison.", "The kind of dwelling must be Appartement or Maison.")
		}
		if v, ok := t.rangeFloat(cRent, 1, 100); ok {
			x.RentM2 = v
		} else if t.raw(cRent) == "" {
			t.required(cRent)
		}
		x.LowM2, _ = t.rangeFloat(cLow, 0, 100)
		x.HighM2, _ = t.rangeFloat(cHigh, 0, 200)
		x.R2, _ = t.rangeFloat(cR2, -1, 1)
		x.Observations, _ = t.int(cObs, 0, 10_000_000)
		if t.ok() {
			t.accept()
			out = append(out, x)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}
