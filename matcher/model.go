package matcher

import (
	"passerelle/geo"
)

// Point is a place in JSON form: {"lon": 4.85, "lat": 46.78}.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Role of a household member.
type Role string

// Member roles.
const (
	Adult Role = "adult"
	Child Role = "child"
)

// Sex of a member, or the gender a shared flat accepts (with "any").
type Sex string

// Sexes and the "any" gender of shared flats.
const (
	Female    Sex = "F"
	Male      Sex = "M"
	OtherSex  Sex = "X"
	AnyGender Sex = "any"
)

// FrenchLevel is a CEFR level from A0 (none) to C2.
type FrenchLevel string

// French levels, from none to mastery.
const (
	A0 FrenchLevel = "A0"
	A1 FrenchLevel = "A1"
	A2 FrenchLevel = "A2"
	B1 FrenchLevel = "B1"
	B2 FrenchLevel = "B2"
	C1 FrenchLevel = "C1"
	C2 FrenchLevel = "C2"
)

var frenchRank = map[FrenchLevel]int{A0: 0, A1: 1, A2: 2, B1: 3, B2: 4, C1: 5, C2: 6}

// Rank returns 0 for A0 up to 6 for C2, and -1 for an unknown level. The
// empty level ranks as A0 for requirements (no requirement).
func (l FrenchLevel) Rank() int {
	if l == "" {
		return 0
	}
	r, ok := frenchRank[l]
	if !ok {
		return -1
	}
	return r
}

// Licence is the state of a driving licence.
type Licence string

// Driving-licence states: none, a foreign licence (to be exchanged within a
// year of the protection decision), a French (or EU) licence.
const (
	NoLicence      Licence = "none"
	ForeignLicence Licence = "foreign"
	FrenchLicence  Licence = "french"
)

// Occupation is a ROME code a person has worked in, with years of experience.
type Occupation struct {
	ROME  string `json:"rome"`  // ROME 4.0 code, e.g. "G1602"
	Years int    `json:"years"` // years of experience, 0 for none
}

// Member is one person of a household.
type Member struct {
	Role           Role         `json:"role"`
	Age            int          `json:"age"` // years
	Sex            Sex          `json:"sex"`
	FrenchLevel    FrenchLevel  `json:"french_level,omitempty"`
	Occupations    []Occupation `json:"occupations,omitempty"`
	DrivingLicence Licence      `json:"driving_licence,omitempty"`
	SeeksWork      bool         `json:"seeks_work"`
}

// ProtectionKind is the kind of international protection granted.
type ProtectionKind string

// Protection kinds.
const (
	Refugee    ProtectionKind = "refugee"
	Subsidiary ProtectionKind = "subsidiary"
	Stateless  ProtectionKind = "stateless"
)

// Protection is the protection status and the day it was granted.
type Protection struct {
	Kind      ProtectionKind `json:"kind"`
	GrantedOn Date           `json:"granted_on"`
}

// Scope kinds of a relocation.
const (
	ScopeAnywhere    = "anywhere"
	ScopeRegions     = "regions"
	ScopeDepartments = "departments"
	ScopeRadius      = "radius_km"
)

// Relocation is where the household accepts to move.
type Relocation struct {
	Scope       string   `json:"scope"` // anywhere|regions|departments|radius_km
	Regions     []string `json:"regions,omitempty"`
	Departments []string `json:"departments,omitempty"`
	RadiusKM    float64  `json:"radius_km,omitempty"` // kilometres from the current commune
}

// Needs a household may have.
const (
	NeedStepFree     = "step_free"
	NeedNearHospital = "near_hospital"
	NeedSchool       = "school"
)

// Household is a refugee household followed by an advisor.
type Household struct {
	ID                string     `json:"id,omitempty"`
	ExternalRef       string     `json:"external_ref,omitempty"` // the advisor's case number
	Members           []Member   `json:"members"`
	Protection        Protection `json:"protection"`
	CIRSigned         bool       `json:"cir_signed"`
	Commune           string     `json:"commune"`                       // INSEE code where they live now
	IncomeMonthly     float64    `json:"income_monthly"`                // net euros per month before any move
	MaxCommuteMinutes int        `json:"max_commute_minutes,omitempty"` // default 45
	Modes             []geo.Mode `json:"modes,omitempty"`               // default walk, bike, transit
	Relocation        Relocation `json:"relocation"`
	Wishes            []string   `json:"wishes,omitempty"` // up to three commune or department codes
	SharedOK          bool       `json:"shared_ok"`
	Needs             []string   `json:"needs,omitempty"`
	MoveFrom          Date       `json:"move_from"`
	Priority          float64    `json:"priority,omitempty"` // allocation weight, default 1
}

// Landlord kinds.
type LandlordKind string

// Landlord kinds: private, social (HLM), relay housing (logement-relais),
// IML shared flats, résidence sociale, pension de famille / maison relais.
const (
	Private          LandlordKind = "private"
	Social           LandlordKind = "social"
	Relay            LandlordKind = "relay"
	IML              LandlordKind = "iml"
	ResidenceSociale LandlordKind = "residence_sociale"
	PensionDeFamille LandlordKind = "pension_de_famille"
)

// LandlordKinds lists every LandlordKind.
var LandlordKinds = []LandlordKind{Private, Social, Relay, IML, ResidenceSociale, PensionDeFamille}

// Lease kinds.
type Lease string

// Leases: direct lease, sub-lease, bail glissant (sliding), residence contract.
const (
	DirectLease    Lease = "direct"
	SubLease       Lease = "sublease"
	SlidingLease   Lease = "sliding"
	ResidenceLease Lease = "residence"
)

// Offer statuses.
const (
	StatusOpen      = "open"
	StatusReserved  = "reserved"
	StatusLet       = "let"
	StatusFilled    = "filled"
	StatusWithdrawn = "withdrawn"
)

// HousingOffer is a dwelling (or places in a shared flat) offered by a
// landlord.
type HousingOffer struct {
	ID             string       `json:"id,omitempty"`
	ExternalRef    string       `json:"external_ref,omitempty"`
	Owner          string       `json:"owner,omitempty"` // landlord account
	LandlordKind   LandlordKind `json:"landlord_kind"`
	Commune        string       `json:"commune"`
	Point          *Point       `json:"point,omitempty"` // defaults to the commune's point
	Rooms          int          `json:"rooms"`           // T-number
	SurfaceM2      float64      `json:"surface_m2"`
	Shared         bool         `json:"shared"`
	Places         int          `json:"places,omitempty"` // shared flats: free places, one person each
	Gender         Sex          `json:"gender,omitempty"` // shared flats: F, M or any
	MaxOccupants   int          `json:"max_occupants,omitempty"`
	RentMonthly    float64      `json:"rent_monthly"`
	ChargesMonthly float64      `json:"charges_monthly"`
	Furnished      bool         `json:"furnished"`
	Lease          Lease        `json:"lease"`
	MaxMonths      int          `json:"max_months,omitempty"` // temporary housing: longest stay
	AvailableFrom  Date         `json:"available_from"`
	ExpiresOn      Date         `json:"expires_on"`
	StepFree       bool         `json:"step_free"`
	Status         string       `json:"status,omitempty"` // open|reserved|let|withdrawn
}

// Contract kinds.
type Contract string

// Contracts.
const (
	CDI                 Contract = "cdi"
	CDD                 Contract = "cdd"
	Interim             Contract = "interim"
	Apprenticeship      Contract = "apprenticeship"
	Professionalisation Contract = "professionalisation"
	Training            Contract = "training"
	Insertion           Contract = "insertion"
	Seasonal            Contract = "seasonal"
)

// Contracts lists every Contract.
var Contracts = []Contract{CDI, CDD, Interim, Apprenticeship, Professionalisation, Training, Insertion, Seasonal}

// Salary is a gross monthly salary range in euros.
type Salary struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// JobOffer is a job opening posted by an employer (or imported from France
// Travail).
type JobOffer struct {
	ID                 string      `json:"id,omitempty"`
	ExternalRef        string      `json:"external_ref,omitempty"`
	Owner              string      `json:"owner,omitempty"` // employer account
	Employer           string      `json:"employer,omitempty"`
	ROME               string      `json:"rome"`
	Title              string      `json:"title,omitempty"`
	Commune            string      `json:"commune"`
	Point              *Point      `json:"point,omitempty"`
	Contract           Contract    `json:"contract"`
	Months             int         `json:"months,omitempty"`       // fixed-term length
	HoursWeekly        float64     `json:"hours_weekly,omitempty"` // default 35
	SalaryMonthlyGross Salary      `json:"salary_monthly_gross"`
	FrenchLevel        FrenchLevel `json:"french_level,omitempty"`    // required
	DrivingLicence     bool        `json:"driving_licence,omitempty"` // a licence is required
	BeginnersOK        bool        `json:"beginners_ok"`
	Positions          int         `json:"positions,omitempty"` // default 1
	StartOn            Date        `json:"start_on"`
	ExpiresOn          Date        `json:"expires_on"`
	Status             string      `json:"status,omitempty"` // open|filled|withdrawn
}
