package geo

import (
	"errors"
	"fmt"
	"math"
	"regexp"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// ErrUnknownCommune is returned when an INSEE code is well formed but not in
// an Atlas.
var ErrUnknownCommune = errors.New("geo: unknown commune")

// ErrInvalidCode is returned for a string that is not an INSEE commune or
// department code.
var ErrInvalidCode = errors.New("geo: invalid INSEE code")

// Zone is the ABC housing-market tension zone of a commune: Abis, A, B1, B2
// or C (C is the least tense).
type Zone string

// The ABC zones, from the most to the least tense.
const (
	ZoneAbis Zone = "Abis"
	ZoneA    Zone = "A"
	ZoneB1   Zone = "B1"
	ZoneB2   Zone = "B2"
	ZoneC    Zone = "C"
)

// Valid reports whether z is one of the five ABC zones.
func (z Zone) Valid() bool {
	switch z {
	case ZoneAbis, ZoneA, ZoneB1, ZoneB2, ZoneC:
		return true
	}
	return false
}

// Ease returns how easy the housing market of z is, in [0, 1]: 1 for C,
// 0 for Abis. An unknown zone counts as B1 (0.5).
func (z Zone) Ease() float64 {
	switch z {
	case ZoneC:
		return 1
	case ZoneB2:
		return 0.8
	case ZoneB1:
		return 0.5
	case ZoneA:
		return 0.2
	case ZoneAbis:
		return 0
	}
	return 0.5
}

// APLZone returns the housing-benefit (APL) zone, 1, 2 or 3, that the
// published barème associates with an ABC zone: Abis and A are zone I, B1
// and B2 zone II, C zone III. The mapping is the usual approximation: the
// legal APL zoning is a separate list of communes.
func (z Zone) APLZone() int {
	switch z {
	case ZoneAbis, ZoneA:
		return 1
	case ZoneB1, ZoneB2:
		return 2
	}
	return 3
}

// Commune is an INSEE commune (or a Paris/Lyon/Marseille arrondissement)
// with the indicators the score uses.
type Commune struct {
	Code           string    `json:"code"`                      // INSEE code, e.g. "71076" or "2A004"
	Name           string    `json:"name"`                      // official name
	Department     string    `json:"department"`                // department code, e.g. "71", "2A", "974"
	Region         string    `json:"region"`                    // region code, e.g. "27"
	EmploymentArea string    `json:"employment_area,omitempty"` // INSEE zone d'emploi 2020 code
	Basin          string    `json:"basin,omitempty"`           // BMO bassin d'emploi code
	Point          orb.Point `json:"point"`                     // [lon, lat]
	Population     int       `json:"population"`                // inhabitants
	DensityKm2     float64   `json:"density_km2"`               // inhabitants per km²
	Zone           Zone      `json:"zone"`                      // ABC zone
	RentM2         float64   `json:"rent_m2"`                   // typical private rent, euros per m² per month, charges included
	SocialShare    float64   `json:"social_share"`              // social dwellings per 100 main residences
	SocialHomes    int       `json:"social_homes,omitempty"`    // social dwellings (RPLS), 0 when unknown
	SocialVacancy  float64   `json:"social_vacancy,omitempty"`  // vacancy rate of the social stock, percent, 0 when unknown
	SocialTurnover float64   `json:"social_turnover,omitempty"` // yearly turnover (mobility) rate of the social stock, percent, 0 when unknown
	Unemployment   float64   `json:"unemployment"`              // unemployment rate of the 15–64 labour force, in [0, 1]
	AGIROperator   bool      `json:"agir_operator"`             // an AGIR operator serves the commune
	FrenchCourses  bool      `json:"french_courses"`            // OFII French courses within reach
}

// Department is a French department with its prefecture and the indicators
// of the prefecture's commune.
type Department struct {
	Code           string    `json:"code"`            // "01" … "95", "2A", "2B", "971" … "976"
	Name           string    `json:"name"`            // e.g. "Saône-et-Loire"
	Region         string    `json:"region"`          // INSEE region code, e.g. "27"
	RegionName     string    `json:"region_name"`     // e.g. "Bourgogne-Franche-Comté"
	Prefecture     string    `json:"prefecture"`      // name of the prefecture's commune
	PrefectureCode string    `json:"prefecture_code"` // INSEE code of the prefecture's commune
	Point          orb.Point `json:"point"`           // the prefecture, [lon, lat]
	Zone           Zone      `json:"zone"`            // ABC zone of the prefecture
	Overseas       bool      `json:"overseas"`        // a DROM (971–976)
}

var (
	communeCodeRE = regexp.MustCompile(`^(?:[0-9]{5}|2[AB][0-9]{3})$`)
	depCodeRE     = regexp.MustCompile(`^(?:0[1-9]|1[0-9]|[2-8][0-9]|9[0-5]|2[AB]|97[1-6])$`)
)

// ValidCommuneCode reports whether code is shaped like an INSEE commune code
// of metropolitan France, Corsica or the DROM: five digits, or 2A/2B and
// three digits, with a valid department prefix. It does not say whether the
// commune exists.
func ValidCommuneCode(code string) bool {
	if !communeCodeRE.MatchString(code) {
		return false
	}
	return ValidDepartmentCode(DepartmentOf(code))
}

// ValidDepartmentCode reports whether code is a department code ("01" to
// "95" except "20", "2A", "2B", "971" to "976").
func ValidDepartmentCode(code string) bool { return code != "20" && depCodeRE.MatchString(code) }

// DepartmentOf returns the department code of an INSEE commune code: the
// first three characters for the DROM (97x), else the first two. It returns
// "" for a code shorter than five characters.
func DepartmentOf(code string) string {
	if len(code) != 5 {
		return ""
	}
	if code[:2] == "97" {
		return code[:3]
	}
	return code[:2]
}

// Distance returns the great-circle distance between a and b in meters
// (haversine on a sphere of orb's Earth radius).
func Distance(a, b orb.Point) float64 { return orbgeo.DistanceHaversine(a, b) }

// CosLat returns the cosine of p's latitude as Distance computes it, for
// DistanceCos.
func CosLat(p orb.Point) float64 { return math.Cos(p[1] * math.Pi / 180.0) }

// DistanceCos is Distance(a, b), bit for bit, for points whose CosLat are
// known: a search that measures many pairs from the same points keeps two
// of the haversine's five transcendental calls out of its loop.
func DistanceCos(a, b orb.Point, cosA, cosB float64) float64 {
	// The expression of orb's DistanceHaversine, in the same order, so
	// that every rounding is the same (TestDistanceCos).
	dLat := (a[1] - b[1]) * math.Pi / 180.0
	dLon := (a[0] - b[0]) * math.Pi / 180.0
	sLat := math.Sin(dLat / 2)
	sLon := math.Sin(dLon / 2)
	h := sLat*sLat + cosB*cosA*sLon*sLon
	return 2.0 * orb.EarthRadius * math.Atan2(math.Sqrt(h), math.Sqrt(1-h))
}

// ValidPoint reports whether p is a finite longitude in [-180, 180] and
// latitude in [-90, 90].
func ValidPoint(p orb.Point) bool {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return false
	}
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// Atlas is an immutable set of communes and departments, looked up by code.
// It is safe for concurrent use once built.
type Atlas struct {
	communes    map[string]*Commune
	departments map[string]*Department
	depList     []*Department
	approx      bool // see Approximate
}

// Approximate returns a copy of a whose commune points are marked as
// approximate: a generated atlas (datasets.Synthetic) gives real INSEE
// codes to invented communes, so a real address cannot be checked against
// them (CheckPoint accepts every point).
func (a *Atlas) Approximate() *Atlas {
	b := *a
	b.approx = true
	return &b
}

// NewAtlas builds an Atlas. Communes whose department is missing from deps
// are still accepted. It returns an error naming the first duplicate or
// invalid code.
func NewAtlas(deps []Department, communes []Commune) (*Atlas, error) {
	a := &Atlas{communes: make(map[string]*Commune, len(communes)), departments: make(map[string]*Department, len(deps))}
	for i := range deps {
		d := &deps[i]
		if !ValidDepartmentCode(d.Code) {
			return nil, fmt.Errorf("geo: building atlas: department %q: %w", d.Code, ErrInvalidCode)
		}
		if _, dup := a.departments[d.Code]; dup {
			return nil, fmt.Errorf("geo: building atlas: duplicate department %q", d.Code)
		}
		a.departments[d.Code] = d
		a.depList = append(a.depList, d)
	}
	for i := range communes {
		c := &communes[i]
		if !ValidCommuneCode(c.Code) {
			return nil, fmt.Errorf("geo: building atlas: commune %q: %w", c.Code, ErrInvalidCode)
		}
		if _, dup := a.communes[c.Code]; dup {
			return nil, fmt.Errorf("geo: building atlas: duplicate commune %q", c.Code)
		}
		a.communes[c.Code] = c
	}
	return a, nil
}

// Commune returns the commune with INSEE code code, or nil and false.
func (a *Atlas) Commune(code string) (*Commune, bool) {
	c, ok := a.communes[code]
	return c, ok
}

// Department returns the department with code code, or nil and false.
func (a *Atlas) Department(code string) (*Department, bool) {
	d, ok := a.departments[code]
	return d, ok
}

// Departments returns the departments in the order they were given. The
// slice must not be modified.
func (a *Atlas) Departments() []*Department { return a.depList }

// NumCommunes returns the number of communes in a.
func (a *Atlas) NumCommunes() int { return len(a.communes) }

// Communes calls fn for every commune, in no particular order, until fn
// returns false.
func (a *Atlas) Communes(fn func(*Commune) bool) {
	for _, c := range a.communes {
		if !fn(c) {
			return
		}
	}
}

// An offer's point is checked against its commune's (Atlas.CheckPoint): a
// point further from it than PointLimitKm is taken for a typing error —
// mistyped or swapped coordinates, or the wrong commune code — since the
// point places the offer for commutes and radius scopes while the commune
// gives it its indicators. The limit is a few radii of the disc of the
// commune's area, and never less than minPointLimitKm: a commune's
// reference point is not always in its town (Granville's, in the official
// file, lies at sea towards the Chausey islands, 12.9 km from its town
// hall), and the two sources of the communes' points differ by up to 0.22°
// (about 24 km; ../shared/datasets/SOURCES.md). Measured on the real
// France Travail offers of ../shared/datasets/job_offers: the furthest
// point lay 4.5 km and 1.2 radii from its commune's. Mistyped or swapped
// coordinates and wrong commune codes land much further.
const (
	minPointLimitKm    = 25
	pointLimitRadii    = 3
	unknownAreaLimitKm = 30 // a commune whose population or density is unknown
)

// PointLimitKm returns how far, in kilometres, a point of commune c may lie
// from c's point (see CheckPoint).
func PointLimitKm(c *Commune) float64 {
	if c.Population <= 0 || c.DensityKm2 <= 0 {
		return unknownAreaLimitKm
	}
	r := math.Sqrt(float64(c.Population) / c.DensityKm2 / math.Pi)
	return max(minPointLimitKm, pointLimitRadii*r)
}

// CheckPoint tells whether the point (lon, lat) can be a point of the
// commune with INSEE code code. It returns its distance from the commune's
// point and the limit, in kilometres; ok is false only when the atlas
// knows the commune itself and the point lies beyond PointLimitKm. A
// commune known only by its department (a stand-in at the prefecture, see
// Locate), or not at all, cannot be judged, nor can any commune of an
// Approximate atlas: ok is true and km and limitKm are zero.
func (a *Atlas) CheckPoint(code string, lon, lat float64) (km, limitKm float64, ok bool) {
	c, known := a.communes[code]
	if !known || a.approx {
		return 0, 0, true
	}
	km, limitKm = Distance(orb.Point{lon, lat}, c.Point)/1000, PointLimitKm(c)
	return km, limitKm, km <= limitKm
}

// fallbackDensityKm2 is the density given to a stand-in commune when the
// prefecture itself is unknown: that of a mid-sized French prefecture town.
const fallbackDensityKm2 = 1500

// Locate returns a place for an INSEE commune code: the commune itself when
// the atlas knows it, else a stand-in built from its department's prefecture
// (its commune's indicators when the atlas knows it, else its point and
// zone), with fallback set to true. It returns ErrInvalidCode for a
// malformed code and ErrUnknownCommune when neither the commune nor its
// department is known.
func (a *Atlas) Locate(code string) (c *Commune, fallback bool, err error) {
	if !ValidCommuneCode(code) {
		return nil, false, fmt.Errorf("geo: locating %q: %w", code, ErrInvalidCode)
	}
	if c, ok := a.communes[code]; ok {
		return c, false, nil
	}
	d, ok := a.departments[DepartmentOf(code)]
	if !ok {
		return nil, false, fmt.Errorf("geo: locating %q: %w", code, ErrUnknownCommune)
	}
	// The prefecture's own commune, when known, lends its indicators.
	if p, ok := a.communes[d.PrefectureCode]; ok {
		c := *p
		c.Code = code
		return &c, true, nil
	}
	return &Commune{
		Code: code, Name: d.Prefecture, Department: d.Code, Region: d.Region,
		Point: d.Point, Zone: d.Zone, DensityKm2: fallbackDensityKm2,
	}, true, nil
}
