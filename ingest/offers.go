package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"passerelle/geo"
	"passerelle/matcher"
)

// OffersOptions tune ReadOffers and StreamOffers.
type OffersOptions struct {
	Options
	// Atlas, when set, gives its point to an offer that has a commune but
	// no coordinates (Report.Fallbacks["commune_point"]), and places an
	// offer located only by its department ("73 - Savoie") at the
	// department's prefecture (Fallbacks["department_prefecture"]).
	// Without it such offers keep no point (the matcher then uses the
	// commune's point) or are skipped ("unknown_place").
	Atlas *geo.Atlas
	// ROME, when set, is the set of ROME 4.0 codes. An offer's ROME v3 code
	// is kept as it is (ROME 4.0 kept the codes of the v3 fiches); one that
	// is not in the set is still kept and counted in
	// Fallbacks["rome_not_in_v4"].
	ROME map[string]bool
}

// ftOffer is the part of a France Travail "Offres d'emploi v2" offer that
// is read.
type ftOffer struct {
	ID           string `json:"id"`
	Intitule     string `json:"intitule"`
	DateCreation string `json:"dateCreation"`
	LieuTravail  struct {
		Libelle    string   `json:"libelle"`
		Latitude   *float64 `json:"latitude"`
		Longitude  *float64 `json:"longitude"`
		CodePostal string   `json:"codePostal"`
		Commune    string   `json:"commune"`
	} `json:"lieuTravail"`
	RomeCode   string `json:"romeCode"`
	Entreprise struct {
		Nom string `json:"nom"`
	} `json:"entreprise"`
	TypeContrat         string `json:"typeContrat"`
	TypeContratLibelle  string `json:"typeContratLibelle"`
	NatureContrat       string `json:"natureContrat"`
	ExperienceExige     string `json:"experienceExige"`
	Permis              []ftRequirement
	Langues             []ftRequirement
	Salaire             struct{ Libelle, Commentaire string }
	DureeTravailLibelle string `json:"dureeTravailLibelle"`
	NombrePostes        int    `json:"nombrePostes"`
}

// ftRequirement is a licence or a language with its exigence: "E"
// (required) or "S" (wished).
type ftRequirement struct {
	Libelle  string `json:"libelle"`
	Exigence string `json:"exigence"`
}

// ReadOffers reads France Travail "Offres d'emploi v2" JSON: a search
// response ({"resultats": [...], ...}), an array of offers or a single
// offer object, and maps every offer to a matcher.JobOffer (see
// StreamOffers for the mapping). It returns the offers, the report and an
// error wrapping ErrMalformed or ErrTooManyErrors, in which case the slice
// is nil.
func ReadOffers(r io.Reader, opts OffersOptions) ([]matcher.JobOffer, *Report, error) {
	var out []matcher.JobOffer
	rep, err := StreamOffers(context.Background(), r, opts, func(_ int, j matcher.JobOffer) error {
		out = append(out, j)
		return nil
	})
	if err != nil {
		return nil, rep, err
	}
	return out, rep, nil
}

// StreamOffers reads France Travail offers JSON like ReadOffers, handing
// each valid offer to fn with the line where it starts, without holding the
// whole file in memory. Offers are handed as they are read: a caller that
// must store nothing of a bad file keeps them in a transaction and rolls
// back when StreamOffers returns an error. fn's error stops the read and
// is returned wrapped. ctx is checked every 1024 offers.
//
// The mapping:
//   - external_ref = id; title = intitule and employer = entreprise.nom,
//     cut to 200 characters; rome = romeCode.
//   - contract from typeContrat: CDI and DIN (CDI intérimaire) → cdi,
//     CDD → cdd, MIS → interim, SAI → seasonal, DDI and TTI → insertion;
//     natureContrat "Contrat apprentissage" → apprenticeship,
//     professionnalisation → professionalisation, CUI and insertion par
//     l'activité économique → insertion. FRA, LIB, CCE, REP and "Emploi
//     non salarié" are not jobs: skipped ("non_salaried"). months from the
//     typeContratLibelle duration ("- 12 Mois", "- 20 Jour(s)": days are
//     rounded up to whole months of 30 days).
//   - hours_weekly from dureeTravailLibelle ("35H…", "17H30…" = 17.5).
//   - salary_monthly_gross from salaire.libelle (see MonthlySalary); a
//     salary given only as a comment is left at 0 (Fallbacks
//     "salary_not_given").
//   - driving_licence when a permis is required (exigence "E");
//     french_level B1 when "Français" is a required language (France Travail
//     gives no level: an approximation); beginners_ok unless experienceExige
//     is "E" (required).
//   - positions = nombrePostes; start_on = the day of dateCreation (France
//     Travail gives no start date); status open.
//   - commune = lieuTravail.commune; point = its latitude/longitude, which
//     must lie in France (else an "outside_france" error), else the
//     fallbacks of OffersOptions.Atlas. A point further from a commune the
//     atlas knows than geo.Atlas.CheckPoint accepts is replaced by the
//     commune's (Fallbacks "point_far_from_commune"): the offer is kept.
//     An offer abroad ("Allemagne (Frontalier)": no commune and no "NN - "
//     department prefix) is skipped ("abroad"), as is one in an overseas
//     collectivity that is not a DROM ("overseas_collectivity").
//
// Every offer is then checked with (*matcher.JobOffer).Validate; failures
// are rejected with the France Travail field they come from.
func StreamOffers(ctx context.Context, r io.Reader, opts OffersOptions, fn func(line int, j matcher.JobOffer) error) (*Report, error) {
	file := opts.name("offres.json")
	rep := &Report{File: file}
	var fnErr error
	n := 0
	handle := func(o *ftOffer, line int, typeErr *RowError) error {
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rep.Rows++
		var j matcher.JobOffer
		var errs []RowError
		var skip string
		if typeErr != nil {
			errs = []RowError{*typeErr}
		} else {
			j, errs, skip = mapOffer(o, line, file, &opts, rep)
		}
		if skip != "" {
			rep.skip(skip)
			return nil
		}
		if len(errs) > 0 {
			for _, e := range errs {
				rep.addError(e)
			}
			count(&rep.Rejected, errs[0].Code, 1)
			if opts.MaxErrors >= 0 && rep.RejectedRows() > opts.MaxErrors {
				return tooMany(file, opts.MaxErrors, &errs[len(errs)-1])
			}
			return nil
		}
		rep.Accepted++
		if err := fn(line, j); err != nil {
			fnErr = err
			return err
		}
		return nil
	}
	rest, found, err := walkJSON(r, file, "resultats", handle)
	if err == nil && !found {
		// A single offer: the top-level object itself.
		if _, ok := rest["id"]; !ok {
			err = &RowError{File: file, Line: 1, Column: "resultats", Code: CodeMissingColumn,
				MessageFR: "Le document n'est ni une réponse de recherche («\u00a0resultats\u00a0») ni une offre («\u00a0id\u00a0»).",
				MessageEN: `The document is neither a search response ("resultats") nor an offer ("id").`, err: ErrMissingColumn}
		} else {
			raw, _ := json.Marshal(rest)
			var o ftOffer
			var typeErr *RowError
			if uerr := json.Unmarshal(raw, &o); uerr != nil {
				typeErr = &RowError{File: file, Line: 1, Code: CodeMalformed, err: ErrInvalidRow,
					MessageFR: "Un champ n'a pas le type attendu\u00a0: " + uerr.Error() + ".", MessageEN: "A field does not have the expected type: " + uerr.Error() + "."}
				var te *json.UnmarshalTypeError
				if errors.As(uerr, &te) {
					typeErr.Column = te.Field
				}
			}
			err = handle(&o, 1, typeErr)
		}
	}
	if err != nil {
		switch {
		case fnErr != nil:
			return rep, fmt.Errorf("ingest: handing on an offer of %s: %w", file, fnErr)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return rep, fmt.Errorf("ingest: reading %s: %w", file, err)
		}
		var re *RowError
		if errors.As(err, &re) {
			rep.addError(*re)
			count(&rep.Rejected, re.Code, 1)
		}
		return rep, err
	}
	return rep, nil
}

// Patterns of the France Travail texts.
var (
	salaryRE   = regexp.MustCompile(`(?i)^\s*(mensuel|horaire|annuel|journalier)\s+de\s+([\d\s.,]+?)\s*euros?(?:\s+à\s+([\d\s.,]+?)\s*euros?)?(?:\s+sur\s+([\d.,]+)\s*mois)?\s*$`)
	depPlaceRE = regexp.MustCompile(`^\s*(\d{2,3}|2[AB])\s+-\s+`)
)

// Constants of the salary conversion.
const (
	weeksPerMonth = 52.0 / 12 // 4.33 weeks in a month
	daysPerMonth  = 21.67     // working days in a month
	defaultHours  = 35.0      // hours per week when the offer gives none
	maxTitleRunes = 200
)

// MonthlySalary converts a France Travail salary text to a gross monthly
// range in euros: "Mensuel de 1800.00 Euros à 2000.00 Euros" gives 1800 and
// 2000; "sur 13 mois" spreads the 13th month over the year (×13/12);
// "Annuel de 28000 Euros" gives 28000/12; "Horaire de 11,65 Euros" gives
// 11.65 × hoursWeekly × 52/12 (hoursWeekly 0 means 35); "Journalier"
// counts 21.67 days a month. A single figure gives min = max. ok is false
// when the text is not one of these forms or gives a figure below a cent
// a month once rounded (fuzzing found "Mensuel de ,001Euro").
func MonthlySalary(text string, hoursWeekly float64) (lo, hi float64, ok bool) {
	m := salaryRE.FindStringSubmatch(text)
	if m == nil {
		return 0, 0, false
	}
	lo, err := parseNumber(strings.TrimSpace(m[2]))
	if err != nil || lo <= 0 {
		return 0, 0, false
	}
	hi = lo
	if m[3] != "" {
		if hi, err = parseNumber(strings.TrimSpace(m[3])); err != nil || hi <= 0 {
			return 0, 0, false
		}
	}
	if hoursWeekly <= 0 {
		hoursWeekly = defaultHours
	}
	f := 1.0
	switch strings.ToLower(m[1]) {
	case "mensuel":
		if m[4] != "" {
			if months, err := parseNumber(m[4]); err == nil && months > 12 && months <= 16 {
				f = months / 12
			}
		}
	case "annuel":
		f = 1.0 / 12
	case "horaire":
		f = hoursWeekly * weeksPerMonth
	case "journalier":
		f = daysPerMonth
	}
	lo, hi = math.Round(lo*f*100)/100, math.Round(hi*f*100)/100
	if lo <= 0 || hi <= 0 {
		return 0, 0, false // less than a cent a month: not a salary
	}
	return lo, hi, true
}

// monthsOf returns the length in months of a contract label such as
// "Contrat à durée déterminée - 12 Mois" or "… - 20 Jour(s)", 0 if none:
// the first number followed by Mois, Jour, Semaine or An.
func monthsOf(label string) int {
	for i := 0; i < len(label); i++ {
		if label[i] < '0' || label[i] > '9' {
			continue
		}
		j := i
		for j < len(label) && label[j] >= '0' && label[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(label[i:j])
		unit := strings.ToLower(strings.TrimLeft(label[j:], " "))
		i = j
		if err != nil || n <= 0 || n > 10_000 {
			continue
		}
		switch {
		case strings.HasPrefix(unit, "mois"):
			return n
		case strings.HasPrefix(unit, "jour"):
			return (n + 29) / 30
		case strings.HasPrefix(unit, "semaine"):
			return (n*7 + 29) / 30
		case strings.HasPrefix(unit, "an"):
			return n * 12
		}
	}
	return 0
}

// hoursOf returns the weekly hours of "35H Travail en journée" (35) or
// "17H30 …" (17.5), 0 if none.
func hoursOf(label string) float64 {
	s := strings.TrimLeft(label, " ")
	i := 0
	for i < len(s) && i < 3 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0
	}
	h, _ := strconv.Atoi(s[:i])
	rest := strings.TrimLeft(s[i:], " ")
	if rest == "" || (rest[0] != 'H' && rest[0] != 'h') {
		return 0
	}
	v := float64(h)
	rest = strings.TrimLeft(rest[1:], " ")
	if len(rest) >= 2 && isDigits(rest[:2]) && (len(rest) == 2 || rest[2] < '0' || rest[2] > '9') {
		mins, _ := strconv.Atoi(rest[:2])
		v += float64(mins) / 60
	}
	return v
}

// cut returns s cut to n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ftField names, for each JobOffer validation field, the France Travail
// field it comes from.
var ftField = map[string]string{
	"rome": "romeCode", "commune": "lieuTravail.commune", "contract": "typeContrat", "months": "typeContratLibelle",
	"hours_weekly": "dureeTravailLibelle", "salary_monthly_gross.min": "salaire.libelle", "salary_monthly_gross.max": "salaire.libelle",
	"positions": "nombrePostes", "start_on": "dateCreation", "title": "intitule", "employer": "entreprise.nom",
	"point": "lieuTravail", "point.lon": "lieuTravail.longitude", "point.lat": "lieuTravail.latitude", "french_level": "langues",
}

// mapOffer maps one decoded offer. It returns the offer, its errors, or
// the reason it is skipped.
func mapOffer(o *ftOffer, line int, file string, opts *OffersOptions, rep *Report) (matcher.JobOffer, []RowError, string) {
	var errs []RowError
	fail := func(col, code, value, fr, en string) {
		errs = append(errs, RowError{File: file, Line: line, Column: col, Code: code, Value: cut(value, 40), MessageFR: fr, MessageEN: en, err: ErrInvalidRow})
	}
	j := matcher.JobOffer{
		ExternalRef: o.ID, Title: cut(strings.TrimSpace(o.Intitule), maxTitleRunes),
		Employer: cut(strings.TrimSpace(o.Entreprise.Nom), maxTitleRunes), ROME: o.RomeCode,
		Positions: o.NombrePostes, Status: matcher.StatusOpen,
	}
	if o.ID == "" {
		fail("id", CodeRequired, "", "L'identifiant de l'offre est obligatoire.", "The offer's id is required.")
	}

	// Contract.
	nature := strings.ToLower(o.NatureContrat)
	switch {
	case strings.Contains(nature, "non salari"):
		return j, nil, SkipNonSalaried
	case strings.Contains(nature, "apprentissage"):
		j.Contract = matcher.Apprenticeship
	case strings.Contains(nature, "professionnalisation"):
		j.Contract = matcher.Professionalisation
	case strings.Contains(nature, "cui"), strings.Contains(nature, "insertion"):
		j.Contract = matcher.Insertion
	}
	if j.Contract == "" {
		switch strings.ToUpper(o.TypeContrat) {
		case "CDI", "DIN":
			j.Contract = matcher.CDI
		case "CDD":
			j.Contract = matcher.CDD
		case "MIS":
			j.Contract = matcher.Interim
		case "SAI":
			j.Contract = matcher.Seasonal
		case "DDI", "TTI":
			j.Contract = matcher.Insertion
		case "FRA", "LIB", "CCE", "REP":
			return j, nil, SkipNonSalaried
		case "":
			fail("typeContrat", CodeRequired, "", "Le type de contrat est obligatoire.", "The contract type is required.")
		default:
			fail("typeContrat", CodeUnknownValue, o.TypeContrat, "Type de contrat France Travail inconnu (attendu\u00a0: CDI, CDD, MIS, SAI, DIN, DDI, TTI, FRA, LIB, CCE, REP).",
				"Unknown France Travail contract type (expected CDI, CDD, MIS, SAI, DIN, DDI, TTI, FRA, LIB, CCE, REP).")
		}
	}
	if j.Contract != matcher.CDI {
		j.Months = monthsOf(o.TypeContratLibelle)
	}

	// Place.
	lt := &o.LieuTravail
	switch {
	case len(lt.Commune) == 5 && isOverseasCollectivity(lt.Commune[:3]):
		return j, nil, SkipOverseasCollectivity
	case lt.Commune == "" && strings.TrimSpace(lt.Libelle) != "" && !depPlaceRE.MatchString(lt.Libelle):
		return j, nil, SkipAbroad
	}
	if lt.Commune != "" {
		j.Commune = lt.Commune
		if !geo.ValidCommuneCode(lt.Commune) {
			fail("lieuTravail.commune", CodeInvalid, lt.Commune, "Le code commune du lieu de travail n'est pas un code INSEE valide.", "The work place's commune is not a valid INSEE code.")
		}
	}
	switch {
	case lt.Latitude != nil && lt.Longitude != nil:
		if !InFrance(*lt.Longitude, *lt.Latitude) {
			v := strconv.FormatFloat(*lt.Latitude, 'f', -1, 64) + " " + strconv.FormatFloat(*lt.Longitude, 'f', -1, 64)
			fail("lieuTravail.latitude", CodeOutsideFrance, v, "Les coordonnées du lieu de travail sont hors de France (métropole et DROM).",
				"The work place's coordinates are outside France (metropolitan France and the DROM).")
		} else {
			j.Point = &matcher.Point{Lon: *lt.Longitude, Lat: *lt.Latitude}
		}
	case lt.Latitude != nil || lt.Longitude != nil:
		fail("lieuTravail.latitude", CodeRequired, "", "La latitude et la longitude vont ensemble\u00a0: il en manque une.", "Latitude and longitude go together: one is missing.")
	}
	if j.Commune == "" && len(errs) == 0 {
		m := depPlaceRE.FindStringSubmatch(lt.Libelle)
		if m == nil {
			if strings.TrimSpace(lt.Libelle) == "" && j.Point == nil {
				return j, nil, SkipUnknownPlace
			}
			return j, nil, SkipAbroad
		}
		dep := m[1]
		if len(dep) == 1 {
			dep = "0" + dep
		}
		if !geo.ValidDepartmentCode(dep) {
			return j, nil, SkipAbroad
		}
		d, ok := (*geo.Department)(nil), false
		if opts.Atlas != nil {
			d, ok = opts.Atlas.Department(dep)
		}
		if !ok || d.PrefectureCode == "" {
			return j, nil, SkipUnknownPlace
		}
		j.Commune = d.PrefectureCode
		rep.fallback("department_prefecture")
		if j.Point == nil {
			if c, ok := opts.Atlas.Commune(d.PrefectureCode); ok {
				j.Point = &matcher.Point{Lon: c.Point[0], Lat: c.Point[1]}
			} else {
				j.Point = &matcher.Point{Lon: d.Point[0], Lat: d.Point[1]}
			}
		}
	}
	if j.Point == nil && j.Commune != "" && opts.Atlas != nil && len(errs) == 0 {
		if c, ok := opts.Atlas.Commune(j.Commune); ok {
			j.Point = &matcher.Point{Lon: c.Point[0], Lat: c.Point[1]}
			rep.fallback("commune_point")
		}
	}
	// A point too far from the offer's own commune to lie in it (see
	// geo.Atlas.CheckPoint): the commune, which France Travail codes,
	// wins. Not for a commune standing in for a department.
	if lt.Commune != "" && j.Point != nil && opts.Atlas != nil && len(errs) == 0 {
		if _, _, ok := opts.Atlas.CheckPoint(j.Commune, j.Point.Lon, j.Point.Lat); !ok {
			c, _ := opts.Atlas.Commune(j.Commune)
			j.Point = &matcher.Point{Lon: c.Point[0], Lat: c.Point[1]}
			rep.fallback("point_far_from_commune")
		}
	}

	// Work.
	j.HoursWeekly = hoursOf(o.DureeTravailLibelle)
	if o.Salaire.Libelle != "" {
		lo, hi, ok := MonthlySalary(o.Salaire.Libelle, j.HoursWeekly)
		if !ok {
			fail("salaire.libelle", CodeInvalid, o.Salaire.Libelle, "Le libellé du salaire n'est pas lisible (attendu\u00a0: «\u00a0Mensuel de 1800,00 Euros à 2000,00 Euros\u00a0»).",
				`The salary text cannot be read (expected "Mensuel de 1800,00 Euros à 2000,00 Euros").`)
		}
		j.SalaryMonthlyGross = matcher.Salary{Min: lo, Max: hi}
	} else {
		rep.fallback("salary_not_given")
	}
	for _, p := range o.Permis {
		if p.Exigence == "E" {
			j.DrivingLicence = true
		}
	}
	for _, l := range o.Langues {
		if l.Exigence == "E" && strings.EqualFold(strings.TrimSpace(l.Libelle), "français") {
			j.FrenchLevel = matcher.B1
		}
	}
	j.BeginnersOK = o.ExperienceExige != "E"
	if o.DateCreation == "" {
		fail("dateCreation", CodeRequired, "", "La date de création de l'offre est obligatoire.", "The offer's creation date is required.")
	} else if d, err := matcher.ParseDate(cut(o.DateCreation, 10)); err != nil {
		fail("dateCreation", CodeInvalid, o.DateCreation, "La date de création n'est pas une date ISO 8601.", "The creation date is not an ISO 8601 date.")
	} else {
		j.StartOn = d
	}
	if opts.ROME != nil && validROME(j.ROME) && !opts.ROME[j.ROME] {
		rep.fallback("rome_not_in_v4")
	}
	if len(errs) > 0 {
		return j, errs, ""
	}
	if err := j.Validate(); err != nil {
		var ve *matcher.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				col := ftField[f.Field]
				if col == "" {
					col = f.Field
				}
				fail(col, f.Code, "", f.MessageFR, f.MessageEN)
			}
		}
		return j, errs, ""
	}
	return j, nil, ""
}
