package matcher

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"passerelle/geo"
)

// Codes of FieldError.Code. They are stable: clients may switch on them.
const (
	// CodeRequired means a required field is missing: an empty string, a
	// zero number, an unset date or an empty list.
	CodeRequired = "required"
	// CodeInvalid means a value is malformed (a commune code that is not an
	// INSEE code, a ROME code of the wrong shape) or repeated in a list.
	CodeInvalid = "invalid"
	// CodeOutOfRange means a number, a date or a text length lies outside
	// its bounds.
	CodeOutOfRange = "out_of_range"
	// CodeTooMany means a list is longer than allowed.
	CodeTooMany = "too_many"
	// CodeInconsistent means a value contradicts another field.
	CodeInconsistent = "inconsistent"
	// CodeUnknownValue means a value is not one of those of an enumeration.
	CodeUnknownValue = "unknown_value"
)

// Bounds of the validation rules. Units are in the names or comments.
const (
	maxMembers          = 15
	maxAge              = 120 // years
	adultAge            = 18  // years
	maxOccupations      = 10
	maxYearsExperience  = 60
	minGrantedYear      = 1950
	maxIncomeMonthly    = 20_000 // euros
	minCommuteMinutes   = 5
	maxCommuteMinutes   = 180
	maxRadiusKM         = 1_000
	maxWishes           = 3
	maxPriority         = 10
	maxRooms            = 10
	minSurfaceM2        = decencyOneM2 // the decency minimum for one person
	maxSurfaceM2        = 500
	maxPlaces           = 10
	maxOccupants        = 20
	maxRentMonthly      = 10_000 // euros
	maxChargesMonthly   = 2_000  // euros
	maxStayMonths       = 60
	maxFixedTermMonths  = 36     // cdd, seasonal
	maxOtherTermMonths  = 60     // interim, apprenticeship, professionalisation, training, insertion
	maxHoursWeekly      = 48     // the legal weekly maximum
	maxSalaryMonthly    = 20_000 // euros, gross
	maxPositions        = 500
	maxTextRunes        = 200 // title, employer
	minLon, maxLon      = -62.0, 56.0
	minLat, maxLat      = -22.0, 52.0
	defaultCommute      = 45 // minutes
	defaultHoursWeekly  = 35
	defaultPriority     = 1.0
	decencyOneM2        = 9.0
	decencyTwoM2        = 16.0
	decencyPerExtraM2   = 9.0
	decencySurfaceLimit = 1e9 // m², to keep MaxOccupantsForSurface within int
)

var (
	romeRE   = regexp.MustCompile(`^[A-N][0-9]{4}$`)
	regionRE = regexp.MustCompile(`^[0-9]{2}$`)
)

// regionCodes are the INSEE codes of the 18 regions (since 2016).
var regionCodes = []string{
	"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94",
}

// Allowed values of the enumerations, in the order messages list them.
var (
	roleValues          = enumValues(Adult, Child)
	sexValues           = enumValues(Female, Male, OtherSex)
	genderValues        = enumValues(Female, Male, AnyGender)
	frenchLevelValues   = enumValues(A0, A1, A2, B1, B2, C1, C2)
	licenceValues       = enumValues(NoLicence, ForeignLicence, FrenchLicence)
	protectionValues    = enumValues(Refugee, Subsidiary, Stateless)
	modeValues          = enumValues(geo.Modes...)
	scopeValues         = []string{ScopeAnywhere, ScopeRegions, ScopeDepartments, ScopeRadius}
	needValues          = []string{NeedStepFree, NeedNearHospital, NeedSchool}
	landlordKindValues  = enumValues(LandlordKinds...)
	leaseValues         = enumValues(DirectLease, SubLease, SlidingLease, ResidenceLease)
	housingStatusValues = []string{StatusOpen, StatusReserved, StatusLet, StatusWithdrawn}
	contractValues      = enumValues(Contracts...)
	jobStatusValues     = []string{StatusOpen, StatusFilled, StatusWithdrawn}
)

// enumValues returns vs as strings.
func enumValues[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// fieldTerm names a field in messages.
type fieldTerm struct {
	fr  string // French, capitalised, with its article: "L'âge"
	en  string // English, capitalised: "The age"
	fem bool   // the French noun is feminine ("comprise", not "compris")
}

// agree returns the French word w, feminine when t is.
func (t fieldTerm) agree(w string) string {
	if t.fem {
		return w + "e"
	}
	return w
}

// unitName is the unit printed after a bound, with its leading space.
type unitName struct{ fr, en string }

// Units of the bounds in messages.
var (
	noUnit    = unitName{}
	yearsUnit = unitName{"\u00a0ans", " years"}
	euroUnit  = unitName{"\u00a0€", " euros"}
	minUnit   = unitName{"\u00a0minutes", " minutes"}
	kmUnit    = unitName{"\u00a0km", " km"}
	m2Unit    = unitName{"\u00a0m²", " m²"}
	monthUnit = unitName{"\u00a0mois", " months"}
	hourUnit  = unitName{"\u00a0heures", " hours"}
	charUnit  = unitName{"\u00a0caractères", " characters"}
	degUnit   = unitName{"°", "°"}
)

// Terms of the fields, shared by the three Validate methods.
var (
	tRole           = fieldTerm{"Le rôle", "The role", false}
	tAge            = fieldTerm{"L'âge", "The age", false}
	tSex            = fieldTerm{"Le sexe", "The sex", false}
	tFrenchLevel    = fieldTerm{"Le niveau de français", "The French level", false}
	tROME           = fieldTerm{"Le code ROME", "The ROME code", false}
	tYears          = fieldTerm{"Le nombre d'années d'expérience", "The years of experience", false}
	tLicence        = fieldTerm{"Le permis de conduire", "The driving licence", false}
	tProtectionKind = fieldTerm{"Le type de protection", "The protection kind", false}
	tGrantedOn      = fieldTerm{"La date d'obtention de la protection", "The date protection was granted", true}
	tCommune        = fieldTerm{"Le code commune", "The commune code", false}
	tIncome         = fieldTerm{"Le revenu mensuel", "The monthly income", false}
	tCommute        = fieldTerm{"La durée maximale de trajet", "The maximum commute time", true}
	tMode           = fieldTerm{"Le mode de déplacement", "The commute mode", false}
	tScope          = fieldTerm{"Le périmètre de mobilité", "The relocation scope", false}
	tRegions        = fieldTerm{"La liste des régions", "The list of regions", true}
	tRegion         = fieldTerm{"Le code région", "The region code", false}
	tDepartments    = fieldTerm{"La liste des départements", "The list of departments", true}
	tDepartment     = fieldTerm{"Le code département", "The department code", false}
	tRadius         = fieldTerm{"Le rayon de mobilité", "The relocation radius", false}
	tWish           = fieldTerm{"Le vœu", "The wish", false}
	tNeed           = fieldTerm{"Le besoin", "The need", false}
	tPriority       = fieldTerm{"La priorité", "The priority", true}
	tLandlordKind   = fieldTerm{"Le type de bailleur", "The landlord kind", false}
	tLon            = fieldTerm{"La longitude", "The longitude", true}
	tLat            = fieldTerm{"La latitude", "The latitude", true}
	tRooms          = fieldTerm{"Le nombre de pièces", "The number of rooms", false}
	tSurface        = fieldTerm{"La surface", "The floor area", true}
	tPlaces         = fieldTerm{"Le nombre de places", "The number of places", false}
	tGender         = fieldTerm{"Le public accepté dans la colocation", "The gender the shared flat accepts", false}
	tMaxOccupants   = fieldTerm{"Le nombre maximal d'occupants", "The maximum number of occupants", false}
	tRent           = fieldTerm{"Le loyer", "The rent", false}
	tCharges        = fieldTerm{"Le montant des charges", "The charges", false}
	tLease          = fieldTerm{"Le type de bail", "The lease", false}
	tMaxMonths      = fieldTerm{"La durée maximale de séjour", "The maximum stay", true}
	tAvailableFrom  = fieldTerm{"La date de disponibilité", "The availability date", true}
	tStatus         = fieldTerm{"Le statut", "The status", false}
	tContract       = fieldTerm{"Le type de contrat", "The contract", false}
	tMonths         = fieldTerm{"La durée du contrat", "The contract length", true}
	tHours          = fieldTerm{"La durée hebdomadaire de travail", "The weekly hours", true}
	tSalaryMin      = fieldTerm{"Le salaire minimum", "The minimum salary", false}
	tSalaryMax      = fieldTerm{"Le salaire maximum", "The maximum salary", false}
	tPositions      = fieldTerm{"Le nombre de postes", "The number of positions", false}
	tStartOn        = fieldTerm{"La date de début", "The start date", true}
	tTitle          = fieldTerm{"L'intitulé", "The title", false}
	tEmployer       = fieldTerm{"Le nom de l'employeur", "The employer's name", false}
)

// Format hints of the code-shaped fields, after "is not valid: ".
const (
	hintCommuneFR    = "il faut un code INSEE de 5 caractères, par exemple 71076 ou 2A004"
	hintCommuneEN    = "expected a 5-character INSEE code such as 71076 or 2A004"
	hintDepartmentFR = "il faut un code de département, par exemple 71, 2A ou 974"
	hintDepartmentEN = "expected a department code such as 71, 2A or 974"
	hintRegionFR     = "il faut un code de région INSEE à 2 chiffres, par exemple 27"
	hintRegionEN     = "expected a 2-digit INSEE region code such as 27"
	hintROMEFR       = "il faut une lettre de A à N suivie de 4 chiffres, par exemple G1602"
	hintROMEEN       = "expected a letter from A to N followed by 4 digits, such as G1602"
	hintWishFR       = "il faut un code commune INSEE (5 caractères) ou un code de département"
	hintWishEN       = "expected an INSEE commune code (5 characters) or a department code"
)

// fieldChecker collects the failing fields of one input. Its methods hold
// the message templates, one per code, so that messages are written once.
type fieldChecker struct{ ve ValidationError }

// add records a field error with a message written for it.
func (c *fieldChecker) add(path, code, fr, en string) { c.ve.add(path, code, fr, en) }

// required records that the field t at path is missing.
func (c *fieldChecker) required(path string, t fieldTerm) {
	c.add(path, CodeRequired, t.fr+" est obligatoire.", t.en+" is required.")
}

// invalid records that the field t at path is malformed; the hints say what
// is expected.
func (c *fieldChecker) invalid(path string, t fieldTerm, hintFR, hintEN string) {
	c.add(path, CodeInvalid, t.fr+" n'est pas valide\u00a0: "+hintFR+".", t.en+" is not valid: "+hintEN+".")
}

// duplicate records that the list item t at path repeats an earlier one.
func (c *fieldChecker) duplicate(path string, t fieldTerm) {
	c.add(path, CodeInvalid, t.fr+" figure déjà plus haut dans la liste.", t.en+" already appears earlier in the list.")
}

// unknown records that the field t at path is none of allowed.
func (c *fieldChecker) unknown(path string, t fieldTerm, allowed []string) {
	list := strings.Join(allowed, ", ")
	c.add(path, CodeUnknownValue,
		t.fr+" doit valoir l'une des valeurs suivantes\u00a0: "+list+".",
		t.en+" must be one of: "+list+".")
}

// tooMany records that the list at path has more than limit items, named
// by the plural nouns.
func (c *fieldChecker) tooMany(path string, limit int, nounFR, nounEN string) {
	n := strconv.Itoa(limit)
	c.add(path, CodeTooMany, "Il ne peut y avoir plus de "+n+" "+nounFR+".", "There can be at most "+n+" "+nounEN+".")
}

// inconsistent records that the field at path contradicts another.
func (c *fieldChecker) inconsistent(path, fr, en string) { c.add(path, CodeInconsistent, fr, en) }

// enum checks that v is one of allowed, or empty when the field is
// optional. It reports whether v is set and allowed.
func (c *fieldChecker) enum(path string, t fieldTerm, v string, required bool, allowed []string) bool {
	if v == "" {
		if required {
			c.required(path, t)
		}
		return false
	}
	if !slices.Contains(allowed, v) {
		c.unknown(path, t, allowed)
		return false
	}
	return true
}

// between checks lo ≤ v ≤ hi (false for NaN) and reports whether it holds.
func (c *fieldChecker) between(path string, t fieldTerm, v, lo, hi float64, u unitName) bool {
	if v >= lo && v <= hi {
		return true
	}
	c.add(path, CodeOutOfRange,
		t.fr+" doit être "+t.agree("compris")+" entre "+numFR(lo)+" et "+numFR(hi)+u.fr+".",
		t.en+" must be between "+numEN(lo)+" and "+numEN(hi)+u.en+".")
	return false
}

// zeroOrBetween checks v = 0 (not set) or lo ≤ v ≤ hi, and reports whether
// v is set and in range.
func (c *fieldChecker) zeroOrBetween(path string, t fieldTerm, v, lo, hi float64, u unitName) bool {
	if v == 0 {
		return false
	}
	if v >= lo && v <= hi {
		return true
	}
	c.add(path, CodeOutOfRange,
		t.fr+" doit valoir 0 (non "+t.agree("renseigné")+") ou être "+t.agree("compris")+" entre "+numFR(lo)+" et "+numFR(hi)+u.fr+".",
		t.en+" must be 0 (not set) or between "+numEN(lo)+" and "+numEN(hi)+u.en+".")
	return false
}

// requiredBetween checks that v is set (non-zero) and lo ≤ v ≤ hi, and
// reports whether it holds.
func (c *fieldChecker) requiredBetween(path string, t fieldTerm, v, lo, hi float64, u unitName) bool {
	if v == 0 {
		c.required(path, t)
		return false
	}
	return c.between(path, t, v, lo, hi, u)
}

// positiveUpTo checks 0 < v ≤ hi, reporting 0 as missing, and reports
// whether it holds.
func (c *fieldChecker) positiveUpTo(path string, t fieldTerm, v, hi float64, u unitName) bool {
	if v == 0 {
		c.required(path, t)
		return false
	}
	if v > 0 && v <= hi {
		return true
	}
	c.add(path, CodeOutOfRange,
		t.fr+" doit être "+t.agree("supérieur")+" à 0 et "+t.agree("inférieur")+" ou "+t.agree("égal")+" à "+numFR(hi)+u.fr+".",
		t.en+" must be greater than 0 and at most "+numEN(hi)+u.en+".")
	return false
}

// maxLength checks that s has at most limit characters.
func (c *fieldChecker) maxLength(path string, t fieldTerm, s string, limit int) {
	if utf8.RuneCountInString(s) <= limit {
		return
	}
	c.add(path, CodeOutOfRange,
		t.fr+" ne doit pas dépasser "+numFR(float64(limit))+charUnit.fr+".",
		t.en+" must not exceed "+numEN(float64(limit))+charUnit.en+".")
}

// commune checks a required INSEE commune code.
func (c *fieldChecker) commune(path, code string) {
	switch {
	case code == "":
		c.required(path, tCommune)
	case !geo.ValidCommuneCode(code):
		c.invalid(path, tCommune, hintCommuneFR, hintCommuneEN)
	}
}

// rome checks a required ROME code.
func (c *fieldChecker) rome(path, code string) {
	switch {
	case code == "":
		c.required(path, tROME)
	case !romeRE.MatchString(code):
		c.invalid(path, tROME, hintROMEFR, hintROMEEN)
	}
}

// PointFarError is the error of a point (field path) that lies km
// kilometres from the point of its commune, further than the limitKm the
// commune allows (geo.Atlas.CheckPoint): coordinates mistyped or swapped,
// or the wrong commune code. Validate cannot tell, since it knows no atlas;
// the API and the imports check it.
func PointFarError(path, commune string, km, limitKm float64) FieldError {
	return FieldError{Field: path, Code: CodeInconsistent,
		MessageFR: fmt.Sprintf("Le point est à %.0f km de la commune %s, qui n'en admet que %.0f\u00a0: vérifiez la latitude, la longitude et le code commune.", km, commune, limitKm),
		MessageEN: fmt.Sprintf("The point lies %.0f km from commune %s, which allows %.0f: check the latitude, the longitude and the commune code.", km, commune, limitKm)}
}

// point checks an optional point: valid coordinates, not (0, 0), and inside
// the box of metropolitan France and the DROM.
func (c *fieldChecker) point(path string, p *Point) {
	if p == nil {
		return
	}
	if !geo.ValidPoint(orb.Point{p.Lon, p.Lat}) {
		c.add(path, CodeInvalid,
			"Les coordonnées ne sont pas valides\u00a0: la longitude doit être comprise entre −180 et 180 et la latitude entre −90 et 90.",
			"The coordinates are not valid: the longitude must be between -180 and 180 and the latitude between -90 and 90.")
		return
	}
	if p.Lon == 0 && p.Lat == 0 {
		c.add(path, CodeInvalid,
			"Les coordonnées (0, 0) ne sont pas en France\u00a0: elles sont sans doute manquantes.",
			"The coordinates (0, 0) are not in France: they are probably missing.")
		return
	}
	c.between(path+".lon", tLon, p.Lon, minLon, maxLon, degUnit)
	c.between(path+".lat", tLat, p.Lat, minLat, maxLat, degUnit)
}

// codeList checks a list of codes: each must satisfy valid (else invalid,
// with the hints) and appear once.
func (c *fieldChecker) codeList(path string, t fieldTerm, codes []string, valid func(string) bool, hintFR, hintEN string) {
	for i, code := range codes {
		p := itemPath(path, i)
		switch {
		case !valid(code):
			c.invalid(p, t, hintFR, hintEN)
		case slices.Contains(codes[:i], code):
			c.duplicate(p, t)
		}
	}
}

// itemPath returns the JSON path of item i of the list at path: "members[1]".
func itemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// numFR formats v the French way: "20 000", "−62", "1,5".
func numFR(v float64) string { return formatBound(v, "\u202f", ",", "−") }

// numEN formats v the English way: "20,000", "-62", "1.5".
func numEN(v float64) string { return formatBound(v, ",", ".", "-") }

// formatBound formats v with the shortest exact decimals, grouping thousands.
func formatBound(v float64, thousands, decimal, minus string) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 {
		b.WriteString(minus)
	}
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// Validate checks h without changing it and returns nil or a
// *ValidationError (which wraps ErrInvalid) listing every failing field,
// with JSON paths such as "members[1].age". It does not apply defaults:
// call ApplyDefaults after a successful Validate. It panics if h is nil.
//
// The rules:
//   - members: 1 to 15; at least one adult. For each member: role adult or
//     child; age 0–120 years, and an adult is 18 or over, a child under 18
//     (else role is inconsistent); sex F, M or X; french_level A0–C2 if set;
//     at most 10 occupations, each with a ROME code shaped like G1602 and
//     0–60 years of experience, no more than the member's age;
//     driving_licence none, foreign or french if set; only adults may seek
//     work.
//   - protection: kind refugee, subsidiary or stateless; granted_on set,
//     not before 1950.
//   - commune: a well-formed INSEE code. A well-formed code unknown to the
//     atlas is valid (plans fall back to its department).
//   - income_monthly: 0–20,000 euros.
//   - max_commute_minutes: 0 (the default, 45) or 5–180.
//   - modes: each walk, bike, transit or car, listed once; car only when an
//     adult holds a French or foreign licence (not judged while a member's
//     role is missing or unknown).
//   - relocation: scope anywhere, regions, departments or radius_km (empty
//     means anywhere); regions, departments and radius_km are required by
//     their scope and must be empty (0) under any other scope; regions are
//     existing INSEE region codes, departments valid department codes,
//     radius_km in (0, 1000] km.
//   - wishes: at most 3, each a commune or department code, listed once.
//   - needs: each step_free, near_hospital or school, listed once.
//   - priority: 0 (the default, 1) to 10.
//
// move_from, cir_signed and shared_ok are not checked.
func (h *Household) Validate() error {
	var c fieldChecker
	switch {
	case len(h.Members) == 0:
		c.add("members", CodeRequired,
			"Le ménage doit compter au moins un membre.", "The household must have at least one member.")
	case len(h.Members) > maxMembers:
		c.tooMany("members", maxMembers, "membres", "members")
	}
	// rolesKnown: whether the car rule can be judged without echoing a
	// member's bad role.
	adults, licensed, rolesKnown := 0, false, len(h.Members) > 0
	for i := range h.Members {
		m := &h.Members[i]
		c.member(itemPath("members", i), m)
		rolesKnown = rolesKnown && slices.Contains(roleValues, string(m.Role))
		if m.Role == Adult {
			adults++
			licensed = licensed || m.DrivingLicence == ForeignLicence || m.DrivingLicence == FrenchLicence
		}
	}
	if len(h.Members) > 0 && adults == 0 {
		c.add("members", CodeRequired,
			"Le ménage doit compter au moins un adulte.", "The household must have at least one adult.")
	}

	c.enum("protection.kind", tProtectionKind, string(h.Protection.Kind), true, protectionValues)
	switch g := h.Protection.GrantedOn; {
	case g.IsZero():
		c.required("protection.granted_on", tGrantedOn)
	case g.Year() < minGrantedYear:
		c.add("protection.granted_on", CodeOutOfRange,
			"La date d'obtention de la protection ne peut pas être antérieure à 1950.",
			"The date protection was granted cannot be before 1950.")
	}

	c.commune("commune", h.Commune)
	c.between("income_monthly", tIncome, h.IncomeMonthly, 0, maxIncomeMonthly, euroUnit)
	c.zeroOrBetween("max_commute_minutes", tCommute, float64(h.MaxCommuteMinutes), minCommuteMinutes, maxCommuteMinutes, minUnit)

	for i, m := range h.Modes {
		p := itemPath("modes", i)
		switch {
		case !m.Valid():
			c.unknown(p, tMode, modeValues)
		case slices.Contains(h.Modes[:i], m):
			c.duplicate(p, tMode)
		case m == geo.Car && rolesKnown && !licensed:
			c.inconsistent(p,
				"Le mode «\u00a0car\u00a0» suppose qu'un adulte du ménage ait un permis de conduire (français ou étranger).",
				"The car mode requires an adult of the household with a driving licence (French or foreign).")
		}
	}

	c.relocation(&h.Relocation)

	if len(h.Wishes) > maxWishes {
		c.tooMany("wishes", maxWishes, "vœux", "wishes")
	}
	c.codeList("wishes", tWish, h.Wishes, func(s string) bool {
		return geo.ValidCommuneCode(s) || geo.ValidDepartmentCode(s)
	}, hintWishFR, hintWishEN)

	for i, n := range h.Needs {
		p := itemPath("needs", i)
		if c.enum(p, tNeed, n, true, needValues) && slices.Contains(h.Needs[:i], n) {
			c.duplicate(p, tNeed)
		}
	}

	c.between("priority", tPriority, h.Priority, 0, maxPriority, noUnit)
	return c.ve.err()
}

// member checks one member of a household at path.
func (c *fieldChecker) member(path string, m *Member) {
	roleOK := c.enum(path+".role", tRole, string(m.Role), true, roleValues)
	ageOK := c.between(path+".age", tAge, float64(m.Age), 0, maxAge, yearsUnit)
	if roleOK && ageOK {
		switch {
		case m.Role == Adult && m.Age < adultAge:
			c.inconsistent(path+".role",
				"Un membre de moins de 18\u00a0ans ne peut pas être déclaré adulte.",
				"A member under 18 cannot be declared an adult.")
		case m.Role == Child && m.Age >= adultAge:
			c.inconsistent(path+".role",
				"Un membre de 18\u00a0ans ou plus doit être déclaré adulte.",
				"A member aged 18 or over must be declared an adult.")
		}
	}
	c.enum(path+".sex", tSex, string(m.Sex), true, sexValues)
	c.enum(path+".french_level", tFrenchLevel, string(m.FrenchLevel), false, frenchLevelValues)

	if len(m.Occupations) > maxOccupations {
		c.tooMany(path+".occupations", maxOccupations, "métiers", "occupations")
	}
	for i, o := range m.Occupations {
		p := itemPath(path+".occupations", i)
		c.rome(p+".rome", o.ROME)
		if c.between(p+".years", tYears, float64(o.Years), 0, maxYearsExperience, yearsUnit) && ageOK && o.Years > m.Age {
			c.inconsistent(p+".years",
				"Le nombre d'années d'expérience ne peut pas dépasser l'âge du membre.",
				"The years of experience cannot exceed the member's age.")
		}
	}

	c.enum(path+".driving_licence", tLicence, string(m.DrivingLicence), false, licenceValues)
	if m.SeeksWork && m.Role == Child {
		c.inconsistent(path+".seeks_work",
			"Seuls les adultes peuvent être en recherche d'emploi.",
			"Only adults can seek work.")
	}
}

// relocation checks the relocation scope of a household.
func (c *fieldChecker) relocation(r *Relocation) {
	scope := r.Scope
	if scope == "" {
		scope = ScopeAnywhere
	} else if !c.enum("relocation.scope", tScope, scope, false, scopeValues) {
		return // the lists cannot be checked against an unknown scope
	}

	if scope == ScopeRegions {
		if len(r.Regions) == 0 {
			c.required("relocation.regions", tRegions)
		}
		for i, code := range r.Regions {
			p := itemPath("relocation.regions", i)
			switch {
			case !regionRE.MatchString(code):
				c.invalid(p, tRegion, hintRegionFR, hintRegionEN)
			case !slices.Contains(regionCodes, code):
				c.unknown(p, tRegion, regionCodes)
			case slices.Contains(r.Regions[:i], code):
				c.duplicate(p, tRegion)
			}
		}
	} else if len(r.Regions) > 0 {
		c.inconsistent("relocation.regions",
			"La liste des régions ne s'utilise qu'avec le périmètre «\u00a0regions\u00a0».",
			`The list of regions is only used with the "regions" scope.`)
	}

	if scope == ScopeDepartments {
		if len(r.Departments) == 0 {
			c.required("relocation.departments", tDepartments)
		}
		c.codeList("relocation.departments", tDepartment, r.Departments, geo.ValidDepartmentCode,
			hintDepartmentFR, hintDepartmentEN)
	} else if len(r.Departments) > 0 {
		c.inconsistent("relocation.departments",
			"La liste des départements ne s'utilise qu'avec le périmètre «\u00a0departments\u00a0».",
			`The list of departments is only used with the "departments" scope.`)
	}

	if scope == ScopeRadius {
		c.positiveUpTo("relocation.radius_km", tRadius, r.RadiusKM, maxRadiusKM, kmUnit)
	} else if r.RadiusKM != 0 {
		c.inconsistent("relocation.radius_km",
			"Le rayon ne s'utilise qu'avec le périmètre «\u00a0radius_km\u00a0».",
			`The radius is only used with the "radius_km" scope.`)
	}
}

// ApplyDefaults fills the unset fields of h that have a default:
// max_commute_minutes 45, modes walk, bike and transit (never car, which
// must be asked for), relocation scope anywhere, priority 1. It does not
// validate: call it after a successful Validate, which it keeps valid.
func (h *Household) ApplyDefaults() {
	if h.MaxCommuteMinutes == 0 {
		h.MaxCommuteMinutes = defaultCommute
	}
	if len(h.Modes) == 0 {
		h.Modes = []geo.Mode{geo.Walk, geo.Bike, geo.Transit}
	}
	if h.Relocation.Scope == "" {
		h.Relocation.Scope = ScopeAnywhere
	}
	if h.Priority == 0 {
		h.Priority = defaultPriority
	}
}

// Validate checks o without changing it and returns nil or a
// *ValidationError (which wraps ErrInvalid) listing every failing field.
// It does not apply defaults: call ApplyDefaults after a successful
// Validate. It panics if o is nil.
//
// The rules:
//   - landlord_kind, lease: required, one of their values.
//   - commune: a well-formed INSEE code (required).
//   - point, if set: valid coordinates, not (0, 0), longitude −62…56° and
//     latitude −22…52° (metropolitan France and the DROM).
//   - rooms 1–10; surface_m2 9–500 m² (9 m² is the decency minimum).
//   - shared flats: places 1–10 and at most rooms; gender F, M or any
//     (required); max_occupants 0 or equal to places. Other dwellings:
//     places 0, gender empty or any, max_occupants 0 or 1–20 and no more
//     than MaxOccupantsForSurface(surface_m2).
//   - rent_monthly in (0, 10,000] euros; charges_monthly 0–2,000 euros.
//   - max_months 0 (no limit) or 1–60, required for iml and relay housing.
//   - lease consistency: residence_sociale and pension_de_famille use the
//     residence lease; the residence lease is only for them and relay
//     housing; iml (intermédiation locative in location/sous-location) uses
//     sublease or sliding. An IML mandat de gestion is posted as private
//     with a direct lease.
//   - available_from required; expires_on, if set, not before it.
//   - status empty (open) or open, reserved, let, withdrawn.
func (o *HousingOffer) Validate() error {
	var c fieldChecker
	kindOK := c.enum("landlord_kind", tLandlordKind, string(o.LandlordKind), true, landlordKindValues)
	c.commune("commune", o.Commune)
	c.point("point", o.Point)
	roomsOK := c.requiredBetween("rooms", tRooms, float64(o.Rooms), 1, maxRooms, noUnit)
	surfaceOK := c.requiredBetween("surface_m2", tSurface, o.SurfaceM2, minSurfaceM2, maxSurfaceM2, m2Unit)

	if o.Shared {
		if c.requiredBetween("places", tPlaces, float64(o.Places), 1, maxPlaces, noUnit) && roomsOK && o.Places > o.Rooms {
			c.inconsistent("places",
				"Une colocation ne peut pas offrir plus de places que de pièces.",
				"A shared flat cannot offer more places than rooms.")
		}
		c.enum("gender", tGender, string(o.Gender), true, genderValues)
		if o.MaxOccupants != 0 && o.MaxOccupants != o.Places {
			c.inconsistent("max_occupants",
				"Dans une colocation, le nombre maximal d'occupants est le nombre de places (une personne par place).",
				"In a shared flat, the maximum number of occupants is the number of places (one person per place).")
		}
	} else {
		if o.Places != 0 {
			c.inconsistent("places",
				"Le nombre de places ne s'utilise que pour une colocation.",
				"The number of places is only used for shared flats.")
		}
		if o.Gender != "" && o.Gender != AnyGender {
			c.inconsistent("gender",
				"Le public accepté ne peut être restreint que dans une colocation.",
				"Only a shared flat can restrict the gender it accepts.")
		}
		if c.zeroOrBetween("max_occupants", tMaxOccupants, float64(o.MaxOccupants), 1, maxOccupants, noUnit) &&
			surfaceOK && o.MaxOccupants > MaxOccupantsForSurface(o.SurfaceM2) {
			n := MaxOccupantsForSurface(o.SurfaceM2)
			c.inconsistent("max_occupants",
				"La surface ne permet pas d'accueillir autant de personnes selon la norme de décence (au plus "+strconv.Itoa(n)+").",
				"The surface cannot house that many people under the decency norm (at most "+strconv.Itoa(n)+").")
		}
	}

	c.positiveUpTo("rent_monthly", tRent, o.RentMonthly, maxRentMonthly, euroUnit)
	c.between("charges_monthly", tCharges, o.ChargesMonthly, 0, maxChargesMonthly, euroUnit)
	leaseOK := c.enum("lease", tLease, string(o.Lease), true, leaseValues)

	if o.MaxMonths == 0 && (o.LandlordKind == IML || o.LandlordKind == Relay) {
		c.add("max_months", CodeRequired,
			"La durée maximale de séjour est obligatoire pour un logement temporaire (IML, logement-relais).",
			"The maximum stay is required for temporary housing (IML, relay housing).")
	} else {
		c.zeroOrBetween("max_months", tMaxMonths, float64(o.MaxMonths), 1, maxStayMonths, monthUnit)
	}

	if kindOK && leaseOK {
		switch {
		case (o.LandlordKind == ResidenceSociale || o.LandlordKind == PensionDeFamille) && o.Lease != ResidenceLease:
			c.inconsistent("lease",
				"Une résidence sociale ou une pension de famille loge avec un contrat de résidence («\u00a0residence\u00a0»).",
				`A résidence sociale or a pension de famille houses people under a residence contract ("residence").`)
		case o.Lease == ResidenceLease && (o.LandlordKind == Private || o.LandlordKind == Social || o.LandlordKind == IML):
			c.inconsistent("lease",
				"Le contrat de résidence est réservé aux résidences sociales, pensions de famille et logements-relais.",
				"The residence contract is only for résidences sociales, pensions de famille and relay housing.")
		case o.LandlordKind == IML && o.Lease != SubLease && o.Lease != SlidingLease:
			c.inconsistent("lease",
				"Un logement en intermédiation locative est sous-loué («\u00a0sublease\u00a0» ou «\u00a0sliding\u00a0»).",
				`An IML dwelling is sublet ("sublease" or "sliding").`)
		}
	}

	if o.AvailableFrom.IsZero() {
		c.required("available_from", tAvailableFrom)
	} else if !o.ExpiresOn.IsZero() && o.ExpiresOn.Before(o.AvailableFrom.Time) {
		c.inconsistent("expires_on",
			"L'offre ne peut pas expirer avant la date de disponibilité.",
			"The offer cannot expire before the availability date.")
	}
	c.enum("status", tStatus, o.Status, false, housingStatusValues)
	return c.ve.err()
}

// ApplyDefaults fills the unset fields of o that have a default: status
// open; gender any for a shared flat; max_occupants the number of places
// for a shared flat, else MaxOccupantsForSurface(surface_m2), kept within
// 1–20. It does not validate: call it after a successful Validate, which it
// keeps valid.
func (o *HousingOffer) ApplyDefaults() {
	if o.Status == "" {
		o.Status = StatusOpen
	}
	if o.Shared && o.Gender == "" {
		o.Gender = AnyGender
	}
	if o.MaxOccupants == 0 {
		n := MaxOccupantsForSurface(o.SurfaceM2)
		if o.Shared {
			n = o.Places
		}
		o.MaxOccupants = min(max(n, 1), maxOccupants)
	}
}

// MaxOccupantsForSurface returns how many people a dwelling of m2 square
// metres may house under the decency norm (the surface norm the CAF applies
// for housing benefit): 9 m² for one person, 16 m² for two, and 9 m² more
// for each further person. So 9 m² gives 1, 16 m² 2, 25 m² 3, 34 m² 4. It
// returns 0 below 9 m² and for NaN. Unlike the CAF, which deems 70 m²
// decent for 8 people or more, it has no cap: 500 m² gives 55. Surfaces
// above 10⁹ m² count as 10⁹ m².
func MaxOccupantsForSurface(m2 float64) int {
	switch {
	case !(m2 >= decencyOneM2): // also NaN
		return 0
	case m2 < decencyTwoM2:
		return 1
	}
	m2 = min(m2, decencySurfaceLimit)
	return 2 + int(math.Floor((m2-decencyTwoM2)/decencyPerExtraM2))
}

// Validate checks j without changing it and returns nil or a
// *ValidationError (which wraps ErrInvalid) listing every failing field,
// such as "salary_monthly_gross.min". It does not apply defaults: call
// ApplyDefaults after a successful Validate. It panics if j is nil.
//
// The rules:
//   - rome: a ROME code shaped like G1602 (required).
//   - commune: a well-formed INSEE code (required); point as for housing.
//   - contract: required, one of its values. months: 0 for cdi; 1–36,
//     required, for cdd and seasonal; 0 (not set) or 1–60 for the others.
//   - hours_weekly: 0 (the default, 35) or 1–48.
//   - salary_monthly_gross: 0 ≤ min ≤ max ≤ 20,000 euros (both 0 when not
//     given; a single figure is min = max).
//   - french_level: A0–C2 if set (empty means no requirement).
//   - positions: 0 (the default, 1) or 1–500.
//   - start_on required; expires_on (when the posting closes) is free.
//   - status empty (open) or open, filled, withdrawn.
//   - title and employer: at most 200 characters.
func (j *JobOffer) Validate() error {
	var c fieldChecker
	c.maxLength("employer", tEmployer, j.Employer, maxTextRunes)
	c.rome("rome", j.ROME)
	c.maxLength("title", tTitle, j.Title, maxTextRunes)
	c.commune("commune", j.Commune)
	c.point("point", j.Point)

	if c.enum("contract", tContract, string(j.Contract), true, contractValues) {
		switch j.Contract {
		case CDI:
			if j.Months != 0 {
				c.inconsistent("months",
					"Un CDI n'a pas de durée\u00a0: la durée du contrat doit valoir 0.",
					"A CDI has no fixed length: the contract length must be 0.")
			}
		case CDD, Seasonal:
			c.requiredBetween("months", tMonths, float64(j.Months), 1, maxFixedTermMonths, monthUnit)
		default:
			c.zeroOrBetween("months", tMonths, float64(j.Months), 1, maxOtherTermMonths, monthUnit)
		}
	}

	c.zeroOrBetween("hours_weekly", tHours, j.HoursWeekly, 1, maxHoursWeekly, hourUnit)

	s := j.SalaryMonthlyGross
	minOK := c.between("salary_monthly_gross.min", tSalaryMin, s.Min, 0, maxSalaryMonthly, euroUnit)
	maxOK := c.between("salary_monthly_gross.max", tSalaryMax, s.Max, 0, maxSalaryMonthly, euroUnit)
	if minOK && maxOK && s.Max < s.Min {
		c.inconsistent("salary_monthly_gross.max",
			"Le salaire maximum doit être supérieur ou égal au salaire minimum.",
			"The maximum salary must be at least the minimum salary.")
	}

	c.enum("french_level", tFrenchLevel, string(j.FrenchLevel), false, frenchLevelValues)
	c.zeroOrBetween("positions", tPositions, float64(j.Positions), 1, maxPositions, noUnit)

	// expires_on is when the posting closes; it may come before the
	// job starts, so it is not compared with start_on.
	if j.StartOn.IsZero() {
		c.required("start_on", tStartOn)
	}
	c.enum("status", tStatus, j.Status, false, jobStatusValues)
	return c.ve.err()
}

// ApplyDefaults fills the unset fields of j that have a default: status
// open, hours_weekly 35, positions 1. It does not validate: call it after a
// successful Validate, which it keeps valid.
func (j *JobOffer) ApplyDefaults() {
	if j.Status == "" {
		j.Status = StatusOpen
	}
	if j.HoursWeekly == 0 {
		j.HoursWeekly = defaultHoursWeekly
	}
	if j.Positions == 0 {
		j.Positions = 1
	}
}
