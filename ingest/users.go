package ingest

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"passerelle/geo"
	"passerelle/matcher"
)

// parseBool reads oui/non, yes/no, true/false, vrai/faux, o/n, y/n, 1/0
// (case-insensitive). ok is false for anything else.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "oui", "o", "yes", "y", "true", "vrai", "1", "x":
		return true, true
	case "non", "n", "no", "false", "faux", "0":
		return false, true
	}
	return false, false
}

// boolean reads the cell of c as a yes/no value; empty is false.
func (t *table) boolean(c *column) bool {
	s := t.raw(c)
	if s == "" {
		return false
	}
	v, ok := parseBool(s)
	if !ok {
		t.fail(c, CodeInvalid, s, "La valeur de la colonne "+c.name+" doit valoir oui ou non.", "The value of column "+c.name+" must be yes or no (oui/non).")
	}
	return v
}

// date reads the cell of c as a date: YYYY-MM-DD or DD/MM/YYYY. Empty is
// the zero Date.
func (t *table) date(c *column) matcher.Date {
	s := t.raw(c)
	if s == "" {
		return matcher.Date{}
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return matcher.Date{Time: d}
		}
	}
	t.fail(c, CodeInvalid, s, "La date de la colonne "+c.name+" doit s'écrire AAAA-MM-JJ ou JJ/MM/AAAA.", "The date in column "+c.name+" must be written YYYY-MM-DD or DD/MM/YYYY.")
	return matcher.Date{}
}

// list splits the cell of c on '|' (or ';' when the separator is ',').
func (t *table) list(c *column) []string {
	s := t.raw(c)
	if s == "" {
		return nil
	}
	sep := "|"
	if !strings.Contains(s, "|") && t.rd.Comma == ',' && strings.Contains(s, ";") {
		sep = ";"
	}
	var out []string
	for _, v := range strings.Split(s, sep) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// report records the validation errors of ve at line, each field mapped
// to its column by colOf.
func (t *table) report(ve *matcher.ValidationError, colOf func(field string) *column) {
	for _, f := range ve.Fields {
		c := colOf(f.Field)
		t.fail(c, f.Code, "", f.MessageFR, f.MessageEN)
	}
}

// ReadVacancies reads a landlords' vacancy CSV (the template of
// docs/formats.md: one row per dwelling or shared flat, columns
// external_ref, landlord_kind, commune, rooms, surface_m2, rent_monthly,
// lease, available_from and the optional ones) into housing offers. Each
// row is checked with (*matcher.HousingOffer).Validate and its failures are
// reported per line and column; the defaults of ApplyDefaults are not
// applied. Coordinates, when given, must lie in France. It returns the
// offers, the report and an error wrapping ErrMalformed, ErrMissingColumn
// or ErrTooManyErrors, in which case the slice is nil.
func ReadVacancies(r io.Reader, opts Options) ([]matcher.HousingOffer, *Report, error) {
	t := newTable(opts, "vacancies.csv")
	cRef := t.need("external_ref", "reference", "ref")
	cKind := t.need("landlord_kind", "type_bailleur")
	cCommune := t.need("commune", "code_commune", "code_insee")
	cLon := t.opt("lon", "longitude")
	cLat := t.opt("lat", "latitude")
	cRooms := t.need("rooms", "pieces", "nb_pieces")
	cSurface := t.need("surface_m2", "surface")
	cShared := t.opt("shared", "colocation")
	cPlaces := t.opt("places")
	cGender := t.opt("gender", "public")
	cMaxOcc := t.opt("max_occupants", "occupants_max")
	cRent := t.need("rent_monthly", "loyer", "loyer_mensuel")
	cCharges := t.opt("charges_monthly", "charges")
	cFurnished := t.opt("furnished", "meuble")
	cLease := t.need("lease", "bail")
	cMaxMonths := t.opt("max_months", "duree_max_mois")
	cFrom := t.need("available_from", "disponible_le")
	cUntil := t.opt("expires_on", "expire_le")
	cStep := t.opt("step_free", "plain_pied")
	cStatus := t.opt("status", "statut")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	cols := map[string]*column{
		"landlord_kind": cKind, "commune": cCommune, "point": cLat, "point.lon": cLon, "point.lat": cLat,
		"rooms": cRooms, "surface_m2": cSurface, "shared": cShared, "places": cPlaces, "gender": cGender,
		"max_occupants": cMaxOcc, "rent_monthly": cRent, "charges_monthly": cCharges, "furnished": cFurnished,
		"lease": cLease, "max_months": cMaxMonths, "available_from": cFrom, "expires_on": cUntil,
		"step_free": cStep, "status": cStatus,
	}
	colOf := func(f string) *column { return cols[f] }
	var out []matcher.HousingOffer
	seen := make(map[string]int)
	for t.next() {
		o := matcher.HousingOffer{
			ExternalRef: t.required(cRef), LandlordKind: matcher.LandlordKind(strings.ToLower(t.str(cKind))),
			Commune: t.str(cCommune), Shared: t.boolean(cShared), Gender: matcher.Sex(t.str(cGender)),
			Furnished: t.boolean(cFurnished), Lease: matcher.Lease(strings.ToLower(t.str(cLease))),
			AvailableFrom: t.date(cFrom), ExpiresOn: t.date(cUntil), StepFree: t.boolean(cStep),
			Status: strings.ToLower(t.str(cStatus)),
		}
		if len(o.Commune) == 4 && isDigits(o.Commune) {
			o.Commune = "0" + o.Commune
		}
		switch strings.ToLower(string(o.Gender)) {
		case "f", "femme", "femmes":
			o.Gender = matcher.Female
		case "m", "h", "homme", "hommes":
			o.Gender = matcher.Male
		case "any", "tous", "toutes", "mixte":
			o.Gender = matcher.AnyGender
		}
		if p, ok := t.point(cLon, cLat, false); ok {
			o.Point = &matcher.Point{Lon: p[0], Lat: p[1]}
		}
		o.Rooms, _ = t.int(cRooms, -1_000_000, 1_000_000)
		o.SurfaceM2, _ = t.float(cSurface)
		o.Places, _ = t.int(cPlaces, -1_000_000, 1_000_000)
		o.MaxOccupants, _ = t.int(cMaxOcc, -1_000_000, 1_000_000)
		o.RentMonthly, _ = t.float(cRent)
		o.ChargesMonthly, _ = t.float(cCharges)
		o.MaxMonths, _ = t.int(cMaxMonths, -1_000_000, 1_000_000)
		if o.ExternalRef != "" {
			if prev, dup := seen[o.ExternalRef]; dup {
				t.fail(cRef, CodeDuplicate, "", "Cette référence figure déjà ligne "+itoa(prev)+".", "This reference already appears on line "+itoa(prev)+".")
			} else {
				seen[o.ExternalRef] = t.line
			}
		}
		if t.ok() {
			var ve *matcher.ValidationError
			if err := o.Validate(); errors.As(err, &ve) {
				t.report(ve, colOf)
			}
		}
		if t.ok() && opts.KnownCommune != nil && !opts.KnownCommune(o.Commune) {
			t.fail(cCommune, CodeUnknownValue, o.Commune, "Commune inconnue du référentiel : importez le référentiel qui la contient.",
				"Commune unknown to the reference data: import reference data that holds it.")
		}
		if t.ok() && opts.CheckPoint != nil && o.Point != nil {
			if km, limit, ok := opts.CheckPoint(o.Commune, o.Point.Lon, o.Point.Lat); !ok {
				e := matcher.PointFarError("point", o.Commune, km, limit)
				v := strconv.FormatFloat(o.Point.Lat, 'f', -1, 64) + " " + strconv.FormatFloat(o.Point.Lon, 'f', -1, 64)
				t.fail(cLat, e.Code, v, e.MessageFR, e.MessageEN)
			}
		}
		if t.ok() {
			t.accept()
			out = append(out, o)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// ReadCaseload reads an advisors' caseload CSV (docs/formats.md): one row
// per person, the rows of a household sharing its case_ref, the household
// columns filled on its first row (later rows may repeat them or leave
// them empty; a different value is an "inconsistent" error). Households
// come out in the order of their first row. Each household is checked with
// (*matcher.Household).Validate; a failing member field is reported on
// that member's line, a household field on the first line. All the rows of
// a rejected household are rejected. Cell values never appear in errors
// (the file holds personal data). Errors as for ReadVacancies.
func ReadCaseload(r io.Reader, opts Options) ([]matcher.Household, *Report, error) {
	t := newTable(opts, "caseload.csv")
	t.private = true
	cRef := t.need("case_ref", "dossier", "external_ref")
	hCols := []*column{
		t.opt("commune", "commune_actuelle", "code_commune"),
		t.opt("protection_kind", "protection"),
		t.opt("protection_granted_on", "date_protection"),
		t.opt("cir_signed", "cir_signe"),
		t.opt("income_monthly", "revenu_mensuel"),
		t.opt("max_commute_minutes", "trajet_max_minutes"),
		t.opt("modes", "modes_transport"),
		t.opt("relocation_scope", "mobilite"),
		t.opt("relocation_regions", "regions"),
		t.opt("relocation_departments", "departements"),
		t.opt("relocation_radius_km", "rayon_km"),
		t.opt("wishes", "voeux"),
		t.opt("shared_ok", "colocation_ok"),
		t.opt("needs", "besoins"),
		t.opt("move_from", "demenagement_des"),
		t.opt("priority", "priorite"),
	}
	cCommune, cKind, cGranted, cCIR, cIncome, cCommute, cModes, cScope, cRegions, cDeps, cRadius, cWishes, cShared, cNeeds, cMove, cPrio :=
		hCols[0], hCols[1], hCols[2], hCols[3], hCols[4], hCols[5], hCols[6], hCols[7], hCols[8], hCols[9], hCols[10], hCols[11], hCols[12], hCols[13], hCols[14], hCols[15]
	cRole := t.need("role")
	cAge := t.need("age")
	cSex := t.need("sex", "sexe")
	cFrench := t.opt("french_level", "niveau_francais")
	cOcc := t.opt("occupations", "metiers")
	cLic := t.opt("driving_licence", "permis")
	cSeeks := t.opt("seeks_work", "cherche_emploi")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	for _, c := range []*column{cCommune, cKind, cGranted} {
		if c.idx < 0 {
			return nil, t.rep, t.fileError(1, c.name, CodeMissingColumn, ErrMissingColumn,
				"Colonne obligatoire absente de l'en-tête\u00a0: "+c.name+".", "Required column missing from the header: "+c.name+".")
		}
	}

	type group struct {
		h     matcher.Household
		lines []int              // line of each member row
		first map[*column]string // household cells of the first row
		bad   int                // rows that failed to parse (already counted as rejected)
		code  string             // the code of the first parse error
	}
	var order []*group
	byRef := make(map[string]*group)
	for t.next() {
		ref := t.required(cRef)
		if ref == "" {
			continue
		}
		g := byRef[ref]
		if g == nil {
			g = &group{h: matcher.Household{ExternalRef: ref}, first: make(map[*column]string)}
			byRef[ref] = g
			order = append(order, g)
			h := &g.h
			h.Commune = t.str(cCommune)
			if len(h.Commune) == 4 && isDigits(h.Commune) {
				h.Commune = "0" + h.Commune
			}
			h.Protection.Kind = matcher.ProtectionKind(strings.ToLower(t.str(cKind)))
			h.Protection.GrantedOn = t.date(cGranted)
			h.CIRSigned = t.boolean(cCIR)
			h.IncomeMonthly, _ = t.float(cIncome)
			h.MaxCommuteMinutes, _ = t.int(cCommute, -1_000_000, 1_000_000)
			for _, m := range t.list(cModes) {
				h.Modes = append(h.Modes, geo.Mode(strings.ToLower(m)))
			}
			h.Relocation.Scope = strings.ToLower(t.str(cScope))
			h.Relocation.Regions = t.list(cRegions)
			h.Relocation.Departments = t.list(cDeps)
			h.Relocation.RadiusKM, _ = t.float(cRadius)
			h.Wishes = t.list(cWishes)
			h.SharedOK = t.boolean(cShared)
			h.Needs = t.list(cNeeds)
			h.MoveFrom = t.date(cMove)
			h.Priority, _ = t.float(cPrio)
			for _, c := range hCols {
				g.first[c] = t.raw(c)
			}
		} else {
			for _, c := range hCols {
				if v := t.raw(c); v != "" && v != g.first[c] {
					t.fail(c, CodeInconsistent, "", "Cette valeur diffère de celle de la première ligne du dossier.", "This value differs from the one on the case's first line.")
				}
			}
		}
		m := matcher.Member{Role: matcher.Role(strings.ToLower(t.str(cRole))), Sex: matcher.Sex(strings.ToUpper(t.str(cSex))),
			FrenchLevel: matcher.FrenchLevel(strings.ToUpper(t.str(cFrench))), DrivingLicence: matcher.Licence(strings.ToLower(t.str(cLic))),
			SeeksWork: t.boolean(cSeeks)}
		if age, ok := t.int(cAge, -1_000_000, 1_000_000); ok {
			m.Age = age
		} else if t.raw(cAge) == "" {
			t.required(cAge)
		}
		for _, item := range t.list(cOcc) {
			code, years, _ := strings.Cut(item, ":")
			o := matcher.Occupation{ROME: strings.ToUpper(strings.TrimSpace(code))}
			if years = strings.TrimSpace(years); years != "" {
				v, err := parseNumber(years)
				if err != nil || v != float64(int(v)) {
					t.fail(cOcc, CodeInvalid, "", "Les métiers s'écrivent CODE_ROME:années, séparés par |, par exemple G1602:5|K2204:0.",
						"Occupations are written ROME_CODE:years, separated by |, such as G1602:5|K2204:0.")
				}
				o.Years = int(v)
			}
			m.Occupations = append(m.Occupations, o)
		}
		g.h.Members = append(g.h.Members, m)
		g.lines = append(g.lines, t.line)
		if !t.ok() {
			if g.bad == 0 {
				g.code = t.first.Code
			}
			g.bad++
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	// Validate every household; report member fields on their own line.
	memberCols := map[string]*column{"role": cRole, "age": cAge, "sex": cSex, "french_level": cFrench, "occupations": cOcc,
		"driving_licence": cLic, "seeks_work": cSeeks}
	householdCols := map[string]*column{"commune": cCommune, "protection.kind": cKind, "protection.granted_on": cGranted,
		"income_monthly": cIncome, "max_commute_minutes": cCommute, "modes": cModes, "relocation.scope": cScope,
		"relocation.regions": cRegions, "relocation.departments": cDeps, "relocation.radius_km": cRadius, "wishes": cWishes,
		"needs": cNeeds, "priority": cPrio, "members": cRole}
	var out []matcher.Household
	for _, g := range order {
		if g.bad > 0 {
			// The household cannot be judged: its other rows go with it.
			count(&t.rep.Rejected, g.code, len(g.lines)-g.bad)
			if t.opts.MaxErrors >= 0 && t.rep.RejectedRows() > t.opts.MaxErrors {
				return nil, t.rep, tooMany(t.file, t.opts.MaxErrors, t.lastErr)
			}
			continue
		}
		var ve *matcher.ValidationError
		err := g.h.Validate()
		if err == nil {
			t.rep.Accepted += len(g.lines)
			out = append(out, g.h)
			continue
		}
		firstCode := ""
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				line, col := g.lines[0], (*column)(nil)
				if rest, ok := strings.CutPrefix(f.Field, "members["); ok {
					idx, after, _ := strings.Cut(rest, "]")
					if i := atoiSafe(idx); i >= 0 && i < len(g.lines) {
						line = g.lines[i]
					}
					name := strings.TrimPrefix(after, ".")
					if k := strings.IndexAny(name, ".["); k >= 0 {
						name = name[:k]
					}
					col = memberCols[name]
				} else {
					name := f.Field
					if k := strings.IndexByte(name, '['); k >= 0 {
						name = name[:k]
					}
					col = householdCols[name]
				}
				colName := ""
				if col != nil {
					colName = col.name
				}
				e := RowError{File: t.file, Line: line, Column: colName, Code: f.Code, MessageFR: f.MessageFR, MessageEN: f.MessageEN, err: ErrInvalidRow}
				t.rep.addError(e)
				t.lastErr = &e
				if firstCode == "" {
					firstCode = f.Code
				}
			}
		}
		if firstCode == "" {
			firstCode = CodeInvalid
		}
		count(&t.rep.Rejected, firstCode, len(g.lines))
		if t.opts.MaxErrors >= 0 && t.rep.RejectedRows() > t.opts.MaxErrors {
			last := t.lastErr
			if last == nil {
				last = &RowError{Line: g.lines[0]}
			}
			return nil, t.rep, tooMany(t.file, t.opts.MaxErrors, last)
		}
	}
	return out, t.rep, nil
}

// atoiSafe parses a small non-negative integer, -1 on failure.
func atoiSafe(s string) int {
	if !isDigits(s) || len(s) > 6 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
