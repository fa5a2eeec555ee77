package matcher

import (
	"time"

	"passerelle/geo"
)

// Plan is a ranked, explained mobility plan for one household. Its JSON
// shape is the contract of DESIGN §4: fields may be added, never renamed.
type Plan struct {
	HouseholdID string         `json:"household_id"`
	GeneratedAt time.Time      `json:"generated_at"`
	DataVersion int64          `json:"data_version"`
	Options     []Option       `json:"options"`
	Rejected    map[string]int `json:"rejected"`
	WhatIf      []WhatIf       `json:"what_if"`
	Flags       []string       `json:"flags,omitempty"` // plan-level notes, e.g. "commune_fallback"
	Eligibility Eligibility    `json:"eligibility"`
	Examined    int            `json:"examined"` // housing offers scored
}

// Eligibility says whether the household is in the AGIR window.
type Eligibility struct {
	AGIR     bool   `json:"agir"`
	Reason   string `json:"reason"`    // French
	ReasonEN string `json:"reason_en"` // English
}

// Option is one housing offer with zero or more jobs (one per adult seeking
// work) and everything an advisor needs to judge it.
type Option struct {
	Rank    int          `json:"rank"`
	Score   float64      `json:"score"`
	Housing HousingBrief `json:"housing"`
	Jobs    []JobBrief   `json:"jobs"`
	Budget  Budget       `json:"budget"`
	Factors []Factor     `json:"factors"`
	Flags   []string     `json:"flags"`
	Steps   []string     `json:"steps"`
	StepsEN []string     `json:"steps_en"`
	Why     string       `json:"why"`     // French: why it ranks here
	WhyEN   string       `json:"why_en"`  // English
	MoveKM  float64      `json:"move_km"` // distance of the move, shown not penalised
	Wish    bool         `json:"wish"`    // in one of the household's wishes
}

// HousingBrief is the housing offer as a plan shows it.
type HousingBrief struct {
	ID           string       `json:"id"`
	ExternalRef  string       `json:"external_ref"`
	Commune      string       `json:"commune"`
	CommuneName  string       `json:"commune_name,omitempty"`
	Department   string       `json:"department"`
	LandlordKind LandlordKind `json:"landlord_kind"`
	Rooms        int          `json:"rooms"`
	SurfaceM2    float64      `json:"surface_m2"`
	MaxOccupants int          `json:"max_occupants"`
	Shared       bool         `json:"shared"`
	Gender       Sex          `json:"gender"`
	StepFree     bool         `json:"step_free"`
	Lease        Lease        `json:"lease"`
	RentMonthly  float64      `json:"rent_monthly"`
	Zone         geo.Zone     `json:"zone"`
}

// JobBrief is a job of an option, for one member.
type JobBrief struct {
	ID             string   `json:"id"`
	ExternalRef    string   `json:"external_ref"`
	Member         int      `json:"member"` // index into the household's members
	ROME           string   `json:"rome"`
	Title          string   `json:"title,omitempty"`
	Employer       string   `json:"employer,omitempty"`
	Commune        string   `json:"commune"`
	Contract       Contract `json:"contract"`
	Months         int      `json:"months,omitempty"`
	CommuteMinutes int      `json:"commute_minutes"`
	Mode           geo.Mode `json:"mode"`
	NetMonthly     float64  `json:"net_monthly"`
	Match          string   `json:"match"` // exact|domain|grand_domain|beginners
}

// Budget is the monthly budget of an option, in euros.
type Budget struct {
	RentMonthly    float64 `json:"rent_monthly"`
	ChargesMonthly float64 `json:"charges_monthly"`
	APLEstimate    float64 `json:"apl_estimate"`
	IncomeMonthly  float64 `json:"income_monthly"` // current income + net wages of the option's jobs
	EffortRate     float64 `json:"effort_rate"`    // (rent + charges − APL) / income
	LeftToLive     float64 `json:"left_to_live"`   // income − (rent + charges − APL)
	APLYear        int     `json:"apl_year"`       // year of the barème used
	Estimate       bool    `json:"estimate"`       // always true: APL is an estimate
}

// Factor is one score component of an option.
type Factor struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"` // in [0, 1]
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"` // value × weight
	Reason       string  `json:"reason"`       // French, one line
	ReasonEN     string  `json:"reason_en"`    // English
}

// WhatIf says how many more (better) options a change would bring.
type WhatIf struct {
	Change      string  `json:"change"` // driving_licence|commute_plus_15|shared_ok|relocation_anywhere
	MoreOptions int     `json:"more_options"`
	BestScore   float64 `json:"best_score,omitempty"`
	Label       string  `json:"label"`    // French
	LabelEN     string  `json:"label_en"` // English
}
