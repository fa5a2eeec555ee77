package ingest

import (
	"io"
	"strings"

	"passerelle/geo"
)

// Commune is one row of the commune file (INSEE COG communes and the
// Paris, Lyon and Marseille arrondissements, with points and census
// indicators). The embedded geo.Commune carries code, name, department,
// region, employment area (ZE 2020), point, population, density and
// unemployment; ReadReference fills its zone, rent, social share and basin.
type Commune struct {
	geo.Commune
	Kind        string   // "COM" (commune) or "ARM" (municipal arrondissement)
	Parent      string   // for an ARM, its commune (75056, 69123, 13055)
	EPCI        string   // SIREN of the EPCI, "" for the few communes outside any
	Overseas    bool     // a DROM commune
	AreaKm2     float64  // km², 0 when unknown
	Households  int      // households (ménages) at the 2021 census, 0 when unknown
	PostalCodes []string // La Poste codes
}

// ReadCommunes reads the commune file (communes_fr.csv: code_insee, nom,
// type, commune_parente, dep_code, reg_code, zone, epci_siren, ze2020_code,
// population, lat, lon, codes_postaux, superficie_km2, menages_2021,
// actifs_15_64_2021, chomeurs_15_64_2021; only code_insee, nom, dep_code
// and the point are required). Density is population / superficie_km2;
// unemployment is chomeurs / actifs of the 15–64 year-olds. A point must lie
// in France (InFrance). It returns the communes, the report and an error
// wrapping ErrMalformed, ErrMissingColumn or ErrTooManyErrors, in which case
// the slice is nil.
func ReadCommunes(r io.Reader, opts Options) ([]Commune, *Report, error) {
	t := newTable(opts, "communes_fr.csv")
	cCode := t.need("code_insee", "codgeo", "com", "code_commune_insee", "code_commune")
	cName := t.need("nom", "libgeo", "nom_commune", "libelle")
	cKind := t.opt("type", "typecom")
	cParent := t.opt("commune_parente", "comparent")
	cDep := t.need("dep_code", "dep", "code_departement")
	cReg := t.opt("reg_code", "reg", "code_region")
	cZone := t.opt("zone")
	cEPCI := t.opt("epci_siren", "epci", "siren_epci")
	cZE := t.opt("ze2020_code", "ze2020")
	cPop := t.opt("population", "pmun", "population_municipale")
	cLat := t.need("lat", "latitude")
	cLon := t.need("lon", "longitude", "lng")
	cPost := t.opt("codes_postaux", "code_postal")
	cArea := t.opt("superficie_km2", "superficie")
	cMen := t.opt("menages_2021", "menages")
	cAct := t.opt("actifs_15_64_2021", "actifs")
	cCho := t.opt("chomeurs_15_64_2021", "chomeurs")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Commune
	seen := make(map[string]int)
	for t.next() {
		if t.collectivity(cCode) {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		var c Commune
		c.Code = t.commune(cCode, true)
		c.Name = t.required(cName)
		dep, _ := t.department(cDep, true)
		c.Department = dep
		c.Region = t.region(cReg, false)
		c.Kind = t.str(cKind)
		c.Parent = t.commune(cParent, false)
		c.EPCI = t.code(cEPCI, false, func(s string) bool { return len(s) == 9 && isDigits(s) }, "il faut un SIREN de 9 chiffres", "expected a 9-digit SIREN")
		c.EmploymentArea = t.code(cZE, false, func(s string) bool { return len(s) == 4 && isDigits(s) }, "il faut un code de zone d'emploi à 4 chiffres", "expected a 4-digit employment-area code")
		c.Overseas = t.raw(cZone) == "drom" || strings.HasPrefix(c.Department, "97")
		pop, _ := t.int(cPop, 0, 10_000_000)
		c.Population = pop
		if p, ok := t.point(cLon, cLat, true); ok {
			c.Point[0], c.Point[1] = p[0], p[1]
		}
		if v := t.str(cPost); v != "" {
			c.PostalCodes = strings.Split(v, "|")
		}
		c.AreaKm2, _ = t.rangeFloat(cArea, 0, 100_000)
		if c.AreaKm2 > 0 {
			c.DensityKm2 = float64(c.Population) / c.AreaKm2
		}
		c.Households, _ = t.int(cMen, 0, 10_000_000)
		act, _ := t.int(cAct, 0, 10_000_000)
		cho, _ := t.int(cCho, 0, 10_000_000)
		if act > 0 && cho <= act {
			c.Unemployment = float64(cho) / float64(act)
		}
		// The department must be the commune code's, also when it is an
		// overseas collectivity's code (977…) beside a department's
		// commune: the row of a collectivity's own commune was skipped.
		if c.Code != "" && c.Department != "" && geo.DepartmentOf(c.Code) != c.Department {
			t.fail(cDep, CodeInconsistent, c.Department,
				"Le département ne correspond pas au code commune.", "The department does not match the commune code.")
		}
		if c.Code != "" {
			if prev, dup := seen[c.Code]; dup {
				t.fail(cCode, CodeDuplicate, c.Code, "Ce code commune figure déjà ligne "+itoa(prev)+".", "This commune code already appears on line "+itoa(prev)+".")
			} else {
				seen[c.Code] = t.line
			}
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

// Department is one row of the department file: code, name, region, the
// INSEE code of its chef-lieu (prefecture) and, for metropolitan
// departments, the geographic centre (IGN), [lon, lat].
type Department struct {
	Code     string      // "01" … "95", "2A", "2B", "971" … "976"
	Name     string      // e.g. "Saône-et-Loire"
	Region   string      // INSEE region code
	ChefLieu string      // INSEE code of the prefecture's commune
	Overseas bool        // a DROM
	Centre   *[2]float64 // [lon, lat], nil when not given
}

// ReadDepartments reads the department file (departements.csv: dep_code,
// dep_nom, reg_code, chef_lieu, zone, centre_lat, centre_lon). Overseas
// collectivities that are not DROM (975, 977, 978, 98x) are skipped
// (Report.Skipped["overseas_collectivity"]). Errors as for ReadCommunes.
func ReadDepartments(r io.Reader, opts Options) ([]Department, *Report, error) {
	t := newTable(opts, "departements.csv")
	cCode := t.need("dep_code", "dep", "code_departement", "code")
	cName := t.need("dep_nom", "nom", "libelle", "nom_departement")
	cReg := t.need("reg_code", "reg", "code_region")
	cChef := t.opt("chef_lieu", "cheflieu")
	cLat := t.opt("centre_lat")
	cLon := t.opt("centre_lon")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Department
	for t.next() {
		code, ok := t.department(cCode, true)
		if !ok && code != "" {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		d := Department{Code: code, Name: t.required(cName), Region: t.region(cReg, true), Overseas: strings.HasPrefix(code, "97")}
		d.ChefLieu = t.commune(cChef, false)
		if p, ok := t.point(cLon, cLat, false); ok {
			d.Centre = &p
		}
		if t.ok() {
			t.accept()
			out = append(out, d)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// Region is one row of the region file.
type Region struct {
	Code     string // 2-digit INSEE code
	Name     string
	ChefLieu string // INSEE code of the prefecture's commune
	Overseas bool   // a DROM region (01–06)
}

// ReadRegions reads the region file (regions.csv: reg_code, reg_nom,
// chef_lieu, zone). Overseas collectivities (3-digit codes, zone "com")
// are skipped. Errors as for ReadCommunes.
func ReadRegions(r io.Reader, opts Options) ([]Region, *Report, error) {
	t := newTable(opts, "regions.csv")
	cCode := t.need("reg_code", "reg", "code_region", "code")
	cName := t.need("reg_nom", "nom", "libelle", "nom_region")
	cChef := t.opt("chef_lieu", "cheflieu")
	cZone := t.opt("zone")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Region
	for t.next() {
		if raw := t.raw(cCode); isOverseasCollectivity(raw) || t.raw(cZone) == "com" {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		g := Region{Code: t.region(cCode, true), Name: t.required(cName), ChefLieu: t.commune(cChef, false), Overseas: t.raw(cZone) == "drom"}
		if t.ok() {
			t.accept()
			out = append(out, g)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// EPCI is an intercommunal body (établissement public de coopération
// intercommunale).
type EPCI struct {
	SIREN      string // 9 digits
	Name       string
	Kind       string // CC, CA, CU, METRO, MET69
	Population int    // population municipale
	Communes   int    // number of member communes
}

// ReadEPCI reads the EPCI file (epci.csv: epci_siren, epci_nom, epci_type,
// population_municipale, nb_communes). Errors as for ReadCommunes.
func ReadEPCI(r io.Reader, opts Options) ([]EPCI, *Report, error) {
	t := newTable(opts, "epci.csv")
	cCode := t.need("epci_siren", "siren", "epci")
	cName := t.need("epci_nom", "nom", "raison_sociale")
	cKind := t.opt("epci_type", "nature_juridique", "type")
	cPop := t.opt("population_municipale", "pmun")
	cN := t.opt("nb_communes", "nb_membres")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []EPCI
	for t.next() {
		e := EPCI{SIREN: t.code(cCode, true, func(s string) bool { return len(s) == 9 && isDigits(s) }, "il faut un SIREN de 9 chiffres", "expected a 9-digit SIREN"),
			Name: t.required(cName), Kind: t.str(cKind)}
		e.Population, _ = t.int(cPop, 0, 100_000_000)
		e.Communes, _ = t.int(cN, 0, 10_000)
		if t.ok() {
			t.accept()
			out = append(out, e)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// Area is a named group of communes: an INSEE employment area (zone
// d'emploi 2020) or a BMO basin (bassin d'emploi).
type Area struct {
	Code       string // 4 digits
	Name       string
	Department string // BMO basins: the department of this row ("" for employment areas)
	Region     string // BMO basins: the region of this row
	Communes   int    // employment areas: the number of communes, 0 when not given
}

// ReadEmploymentAreas reads the list of employment areas (ze2020_liste.csv:
// ze2020, libze2020, nb_com). Errors as for ReadCommunes.
func ReadEmploymentAreas(r io.Reader, opts Options) ([]Area, *Report, error) {
	t := newTable(opts, "ze2020_liste.csv")
	cCode := t.need("ze2020", "ze2020_code", "code")
	cName := t.need("libze2020", "ze2020_nom", "libelle")
	cN := t.opt("nb_com")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Area
	for t.next() {
		a := Area{Code: t.code(cCode, true, valid4Digits, hint4FR, hint4EN), Name: t.required(cName)}
		a.Communes, _ = t.int(cN, 0, 100_000)
		if t.ok() {
			t.accept()
			out = append(out, a)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// ReadBasins reads the list of BMO basins (bmo_2024_bassins.csv:
// bassin_code, bassin_nom, dep_code, reg_code). A basin that crosses a
// department boundary has one row per department. Basins of overseas
// collectivities are skipped. Errors as for ReadCommunes.
func ReadBasins(r io.Reader, opts Options) ([]Area, *Report, error) {
	t := newTable(opts, "bmo_2024_bassins.csv")
	cCode := t.need("bassin_code", "be24", "bassin")
	cName := t.need("bassin_nom", "nombe24", "libelle")
	cDep := t.need("dep_code", "dep")
	cReg := t.opt("reg_code", "reg")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	var out []Area
	for t.next() {
		dep, ok := t.department(cDep, true)
		if !ok && dep != "" {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		a := Area{Code: t.code(cCode, true, valid4Digits, hint4FR, hint4EN), Name: t.required(cName), Department: dep, Region: t.region(cReg, false)}
		if t.ok() {
			t.accept()
			out = append(out, a)
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// ReadAreaMembers reads a commune → area table: the INSEE composition of
// the employment areas (ze2020_composition_communale.csv: codgeo, ze2020)
// or the BMO basins of the communes (bmo_bassins_composition_communale.csv:
// code_insee, bassin_code). It returns a map from commune code to area
// code; a commune listed twice is a CodeDuplicate error. Old commune codes
// are kept (they are valid codes). Errors as for ReadCommunes.
func ReadAreaMembers(r io.Reader, opts Options) (map[string]string, *Report, error) {
	t := newTable(opts, "composition_communale.csv")
	cCode := t.need("code_insee", "codgeo", "com")
	cArea := t.need("area", "ze2020", "bassin_code", "be24")
	if err := t.start(r); err != nil {
		return nil, t.rep, err
	}
	out := make(map[string]string)
	for t.next() {
		if t.collectivity(cCode) {
			t.skipRow(SkipOverseasCollectivity)
			continue
		}
		c := t.commune(cCode, true)
		a := t.code(cArea, true, valid4Digits, hint4FR, hint4EN)
		if _, dup := out[c]; dup && c != "" {
			t.fail(cCode, CodeDuplicate, c, "Cette commune figure déjà plus haut.", "This commune already appears above.")
		}
		if t.ok() {
			t.accept()
			out[c] = a
		}
	}
	if err := t.end(); err != nil {
		return nil, t.rep, err
	}
	return out, t.rep, nil
}

// valid4Digits reports whether s is 4 digits (employment-area and basin
// codes).
func valid4Digits(s string) bool { return len(s) == 4 && isDigits(s) }

const (
	hint4FR = "il faut un code à 4 chiffres, par exemple 8405"
	hint4EN = "expected a 4-digit code such as 8405"
)
