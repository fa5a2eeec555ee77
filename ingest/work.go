package ingest

import (
	"io"
	"strings"
)

// Occupation is a ROME 4.0 fiche: its code, title, grand domaine (first
// letter) and domaine professionnel (first three characters).
type Occupation struct {
	Code             string // e.g. "H2206"
	Title            string
	GrandDomain      string // e.g. "H"
	GrandDomainTitle string
	Domain           string // e.g. "H22"
	DomainTitle      string
	Parent           string // the fiche this one derives from (itself for the 532 fiches of ROME v3's shape)
	OGR              int    // France Travail OGR code
}

// ReadOccupations reads the ROME 4.0 fiches (rome_fiches_v460.csv:
// code_rome, libelle_rome, code_grand_domaine, libelle_grand_domaine,
// code_domaine_professionnel, libelle_domaine_professionnel, code_ogr,
// code_rome_parent). A code is a letter A–N and 4 digits; the grand
// domaine and domaine must be its prefixes. Errors as for ReadCommunes.
func ReadOccupations(r io.Reader, opts Options) ([]Occupation, *Report, error) {
	t := newTable(opts, "rome_fiches_v460.csv")
	cCode := t.need("code_rome", "rome")
	cTitle := t.need("libelle_rome", "libelle")
	cGD := t.opt("code_grand_domaine")
	cGDT := t.opt("libelle_grand_domaine")
	cDom := t.opt("code_domaine_professionnel")
	cDomT := t.opt("libelle_domaine_professionnel")
	cOGR := t.opt("code_ogr")
	cParent := t.opt("code_rome_parent")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Occupation
	seen := make(map[string]bool)
	for t.next() {
		o := Occupation{Code: t.rome(cCode, true), Title: t.required(cTitle), GrandDomainTitle: t.str(cGDT), DomainTitle: t.str(cDomT)}
		o.Parent = t.rome(cParent, false)
		o.OGR, _ = t.int(cOGR, 0, 1<<31-1)
		if o.Code != "" {
			o.GrandDomain, o.Domain = o.Code[:1], o.Code[:3]
			if g := t.raw(cGD); g != "" && g != o.GrandDomain {
				t.fail(cGD, CodeInconsistent, g, "Le grand domaine n'est pas la première lettre du code ROME.", "The grand domaine is not the first letter of the ROME code.")
			}
			if d := t.raw(cDom); d != "" && d != o.Domain {
				t.fail(cDom, CodeInconsistent, d, "Le domaine professionnel n'est pas le début du code ROME.", "The domaine professionnel is not the start of the ROME code.")
			}
			if seen[o.Code] {
				t.fail(cCode, CodeDuplicate, o.Code, "Ce code ROME figure déjà plus haut.", "This ROME code already appears above.")
			}
			seen[o.Code] = true
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

// JobTitle is a ROME appellation: a job title attached to a fiche.
type JobTitle struct {
	OGR       int
	Title     string // long form
	Short     string
	ROME      string
	Principal bool // PRINCIPALE rather than SYNONYME
}

// ReadJobTitles reads the ROME 4.0 appellations
// (rome_appellations_v460.csv: code_ogr, libelle_appellation_long,
// libelle_appellation_court, code_rome, classification). Errors as for
// ReadCommunes.
func ReadJobTitles(r io.Reader, opts Options) ([]JobTitle, *Report, error) {
	t := newTable(opts, "rome_appellations_v460.csv")
	cOGR := t.need("code_ogr")
	cLong := t.need("libelle_appellation_long", "libelle_appellation")
	cShort := t.opt("libelle_appellation_court")
	cROME := t.need("code_rome")
	cClass := t.opt("classification")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []JobTitle
	for t.next() {
		j := JobTitle{Title: t.required(cLong), Short: t.str(cShort), ROME: t.rome(cROME, true), Principal: strings.EqualFold(t.raw(cClass), "PRINCIPALE")}
		if v, ok := t.int(cOGR, 1, 1<<31-1); ok {
			j.OGR = v
		} else if t.raw(cOGR) == "" {
			t.required(cOGR)
		}
		if t.ok() {
			t.accept()
			out = append(out, j)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// FAPCode is an entry of the FAP 2009 nomenclature.
type FAPCode struct {
	Code  string // "A" (domain), "A0Z" (FAP 87) or "A0Z40" (FAP 225)
	Level string // "domaine", "fap87" or "fap225"
	Title string
}

// ReadFAP2009 reads the FAP 2009 nomenclature (fap2009_nomenclature.csv:
// code_fap, niveau, libelle). The level must agree with the code length
// (1, 3 or 5). Errors as for ReadCommunes.
func ReadFAP2009(r io.Reader, opts Options) ([]FAPCode, *Report, error) {
	t := newTable(opts, "fap2009_nomenclature.csv")
	cCode := t.need("code_fap", "fap")
	cLevel := t.need("niveau")
	cTitle := t.need("libelle")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []FAPCode
	for t.next() {
		f := FAPCode{Code: t.code(cCode, true, validFAP, hintFAPFR, hintFAPEN), Level: t.required(cLevel), Title: t.required(cTitle)}
		want := map[int]string{1: "domaine", 3: "fap87", 5: "fap225"}[len(f.Code)]
		if f.Code != "" && f.Level != "" && f.Level != want {
			t.fail(cLevel, CodeInconsistent, f.Level, "Le niveau ne correspond pas à la longueur du code FAP.", "The level does not match the length of the FAP code.")
		}
		if t.ok() {
			t.accept()
			out = append(out, f)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// validFAP reports whether s is shaped like a FAP code: a letter, then
// optionally a digit or a letter and a letter (FAP 2021 has "QAX01"), then optionally two digits and an
// optional lower-case letter (FAP 2021's 341 level, e.g. "A0X41a").
func validFAP(s string) bool {
	n := len(s)
	if n == 0 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	if n == 1 {
		return true
	}
	if n < 3 || !(isDigits(s[1:2]) || s[1] >= 'A' && s[1] <= 'Z') || s[2] < 'A' || s[2] > 'Z' {
		return false
	}
	if n == 3 {
		return true
	}
	if n < 5 || !isDigits(s[3:5]) {
		return false
	}
	return n == 5 || (n == 6 && s[5] >= 'a' && s[5] <= 'z')
}

const (
	hintFAPFR = "il faut un code FAP, par exemple A0Z40"
	hintFAPEN = "expected a FAP code such as A0Z40"
)

// FAP2021 is one row of the FAP 2021 nomenclature: a 341-level family and
// its 228-, 86- and 22-level parents. BMO 2024 occupation codes are
// 228-level codes.
type FAP2021 struct {
	Code341, Title341 string
	Code228, Title228 string
	Code86, Title86   string
	Code22, Title22   string
}

// ReadFAP2021 reads the FAP 2021 nomenclature (fap2021_nomenclature.csv:
// code_fap_341, intitule_fap_341, code_fap_228, …, code_fap_22,
// intitule_fap_22). Errors as for ReadCommunes.
func ReadFAP2021(r io.Reader, opts Options) ([]FAP2021, *Report, error) {
	t := newTable(opts, "fap2021_nomenclature.csv")
	c341 := t.need("code_fap_341")
	t341 := t.opt("intitule_fap_341")
	c228 := t.need("code_fap_228")
	t228 := t.opt("intitule_fap_228")
	c86 := t.need("code_fap_86")
	t86 := t.opt("intitule_fap_86")
	c22 := t.need("code_fap_22")
	t22 := t.opt("intitule_fap_22")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []FAP2021
	for t.next() {
		f := FAP2021{
			Code341: t.code(c341, true, validFAP, hintFAPFR, hintFAPEN), Title341: t.str(t341),
			Code228: t.code(c228, true, validFAP, hintFAPFR, hintFAPEN), Title228: t.str(t228),
			Code86: t.code(c86, true, validFAP, hintFAPFR, hintFAPEN), Title86: t.str(t86),
			Code22: t.code(c22, true, validFAP, hintFAPFR, hintFAPEN), Title22: t.str(t22),
		}
		if f.Code341 != "" && f.Code228 != "" && !strings.HasPrefix(f.Code341, f.Code228) {
			t.fail(c228, CodeInconsistent, f.Code228, "Le code FAP 228 n'est pas le début du code FAP 341.", "The FAP 228 code is not the start of the FAP 341 code.")
		}
		if t.ok() {
			t.accept()
			out = append(out, f)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// ROMEFAP is one row of the DARES ROME v3 → FAP 2009 table. A ROME code
// may belong to several FAP 225 families (by qualification).
type ROMEFAP struct {
	FAP225        string
	ROMEv3        string
	Qualification string // e.g. "Q_0123456", "" for all
	Title         string // ROME v3 title
}

// ReadROMEFAP reads the ROME v3 → FAP 2009 correspondence
// (fap2009_rome_v3_correspondance.csv: fap225, code_rome_v3,
// qualification, libelle_rome_v3). Errors as for ReadCommunes.
func ReadROMEFAP(r io.Reader, opts Options) ([]ROMEFAP, *Report, error) {
	t := newTable(opts, "fap2009_rome_v3_correspondance.csv")
	cFAP := t.need("fap225", "fap")
	cROME := t.need("code_rome_v3", "code_rome", "rome")
	cQ := t.opt("qualification")
	cT := t.opt("libelle_rome_v3", "libelle_rome")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []ROMEFAP
	for t.next() {
		x := ROMEFAP{FAP225: t.code(cFAP, true, func(s string) bool { return len(s) == 5 && validFAP(s) }, hintFAPFR, hintFAPEN),
			ROMEv3: t.rome(cROME, true), Qualification: t.str(cQ), Title: t.str(cT)}
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

// BMOOccupation is an occupation of the BMO survey (a FAP 2021 228-level
// code) and its family.
type BMOOccupation struct {
	Code        string // e.g. "A0X40"
	Title       string
	Family      string // one letter
	FamilyTitle string
}

// ReadBMOOccupations reads the BMO occupation list (bmo_2024_metiers.csv:
// code_metier_bmo, nom_metier_bmo, famille_met, lbl_fam_met). Errors as
// for ReadCommunes.
func ReadBMOOccupations(r io.Reader, opts Options) ([]BMOOccupation, *Report, error) {
	t := newTable(opts, "bmo_2024_metiers.csv")
	cCode := t.need("code_metier_bmo", "metier")
	cName := t.need("nom_metier_bmo", "nommetier")
	cFam := t.opt("famille_met")
	cFamT := t.opt("lbl_fam_met")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []BMOOccupation
	for t.next() {
		o := BMOOccupation{Code: t.code(cCode, true, func(s string) bool { return len(s) == 5 && validFAP(s) }, hintFAPFR, hintFAPEN),
			Title: t.required(cName), Family: t.str(cFam), FamilyTitle: t.str(cFamT)}
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

// Count is a BMO figure that may be withheld for statistical secrecy
// (written "*" in the file).
type Count struct {
	N      int  // the figure, 0 when Secret
	Secret bool // withheld ("*")
}

// BMOCell is the BMO 2024 result of one occupation in one basin: hiring
// projects, those judged difficult and the seasonal ones.
type BMOCell struct {
	Occupation string // FAP 2021 228-level code, e.g. "A0X40"
	Basin      string // 4-digit basin code
	Department string
	Projects   Count // met: hiring projects
	Difficult  Count // xmet: projects judged difficult
	Seasonal   Count // smet: seasonal projects
}

// DifficultShare returns Difficult/Projects in [0, 1] and true, or false
// when a figure is secret or there is no project.
func (c BMOCell) DifficultShare() (float64, bool) {
	if c.Projects.Secret || c.Difficult.Secret || c.Projects.N <= 0 {
		return 0, false
	}
	return min(float64(c.Difficult.N)/float64(c.Projects.N), 1), true
}

// ReadBMO reads the BMO results per basin and occupation
// (bmo_2024_bassins_metiers.csv: code_metier_bmo, bassin_code, dep_code,
// met, xmet, smet; "*" marks a withheld figure). Rows of overseas
// collectivities are skipped. Errors as for ReadCommunes.
func ReadBMO(r io.Reader, opts Options) ([]BMOCell, *Report, error) {
	t := newTable(opts, "bmo_2024_bassins_metiers.csv")
	cOcc := t.need("code_metier_bmo", "metier")
	cBasin := t.need("bassin_code", "be24", "bassin")
	cDep := t.opt("dep_code", "dept", "dep")
	cMet := t.need("met")
	cX := t.need("xmet")
	cS := t.opt("smet")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []BMOCell
	for t.next() {
		dep, ok := t.department(cDep, false)
		if !ok && dep != "" {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		c := BMOCell{Occupation: t.code(cOcc, true, func(s string) bool { return len(s) == 5 && validFAP(s) }, hintFAPFR, hintFAPEN),
			Basin: t.code(cBasin, true, valid4Digits, hint4FR, hint4EN), Department: dep,
			Projects: t.count(cMet), Difficult: t.count(cX), Seasonal: t.count(cS)}
		if !c.Projects.Secret && !c.Difficult.Secret && c.Difficult.N > c.Projects.N {
			t.fail(cX, CodeInconsistent, t.raw(cX), "Les projets difficiles dépassent les projets de recrutement.", "The difficult projects exceed the hiring projects.")
		}
		if t.ok() {
			t.accept()
			out = append(out, c)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// count reads a BMO figure: "*" is secret, empty is 0.
func (t *table) count(c *column) Count {
	if t.raw(c) == "*" {
		return Count{Secret: true}
	}
	n, _ := t.int(c, 0, 10_000_000)
	return Count{N: n}
}

// Tension is one DARES tension indicator (2019): an occupation family at
// the national, regional or department level.
type Tension struct {
	FAP        string  // FAP 2009 code (225 or 87 level)
	FAPLevel   string  // "fap225" or "fap87"
	Geo        string  // "nat", "reg" or "dep"
	Region     string  // for Geo "reg"
	Department string  // for Geo "dep"
	Employment float64 // average employment
	Index      float64 // synthetic tension indicator (standardised, about −2…+3)
	HasIndex   bool
	Category   int // 1 (low) … 5 (very tight), 0 when not given
	Year       int
}

// ReadTensions reads the DARES tension indicators
// (dares_tensions_2019.csv: fap, emploi_moyen, tension, categorie_tension,
// annee, niveau_geo, niveau_fap, reg, dep). Empty indicator cells are
// allowed (HasIndex false, Category 0). Errors as for ReadCommunes.
func ReadTensions(r io.Reader, opts Options) ([]Tension, *Report, error) {
	t := newTable(opts, "dares_tensions_2019.csv")
	cFAP := t.need("fap")
	cEmp := t.opt("emploi_moyen")
	cIdx := t.need("tension")
	cCat := t.opt("categorie_tension")
	cYear := t.opt("annee")
	cGeo := t.need("niveau_geo")
	cLevel := t.opt("niveau_fap")
	cReg := t.opt("reg")
	cDep := t.opt("dep")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Tension
	for t.next() {
		x := Tension{FAP: t.code(cFAP, true, validFAP, hintFAPFR, hintFAPEN), FAPLevel: t.str(cLevel), Geo: t.str(cGeo)}
		x.Employment, _ = t.rangeFloat(cEmp, 0, 1e8)
		x.Index, x.HasIndex = t.rangeFloat(cIdx, -100, 100)
		x.Category, _ = t.int(cCat, 1, 5)
		x.Year, _ = t.int(cYear, 1900, 2100)
		switch x.Geo {
		case "nat":
		case "reg":
			x.Region = t.region(cReg, true)
		case "dep":
			dep, ok := t.department(cDep, true)
			if !ok && dep != "" {
				// An overseas collectivity (977…): not a department.
				t.skipRow(SkipOverseasCollectivity)
				continue
			}
			x.Department = dep
		case "":
			t.required(cGeo)
		default:
			t.fail(cGeo, CodeUnknownValue, x.Geo, "Le niveau géographique doit valoir nat, reg ou dep.", "The geographic level must be nat, reg or dep.")
		}
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

// ReadTensionHistory reads the national DARES series
// (dares_tensions_evolution_nat_2011_2019.csv: fap, tension, annee) as
// Tension values at Geo "nat". Errors as for ReadCommunes.
func ReadTensionHistory(r io.Reader, opts Options) ([]Tension, *Report, error) {
	t := newTable(opts, "dares_tensions_evolution_nat_2011_2019.csv")
	cFAP := t.need("fap")
	cIdx := t.need("tension")
	cYear := t.need("annee")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Tension
	for t.next() {
		x := Tension{FAP: t.code(cFAP, true, validFAP, hintFAPFR, hintFAPEN), Geo: "nat"}
		x.Index, x.HasIndex = t.rangeFloat(cIdx, -100, 100)
		if y, ok := t.int(cYear, 1900, 2100); ok {
			x.Year = y
		} else if t.raw(cYear) == "" {
			t.required(cYear)
		}
		if len(x.FAP) == 5 {
			x.FAPLevel = "fap225"
		} else if len(x.FAP) == 3 {
			x.FAPLevel = "fap87"
		}
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
