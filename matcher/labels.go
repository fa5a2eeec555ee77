package matcher

import "passerelle/geo"

// flagFR are the French labels of option and plan flags.
var flagFR = map[string]string{
	FlagCommuneFallback:  "commune actuelle inconnue du marché : point de la préfecture du département utilisé",
	FlagLicenceExchange:  "permis étranger à échanger dans l'année",
	FlagLicenceExpired:   "permis étranger plus utilisable (délai d'un an dépassé)",
	FlagTemporary:        "logement temporaire",
	FlagShared:           "colocation",
	FlagSublease:         "sous-location",
	FlagNoJob:            "aucun emploi compatible à portée",
	FlagFrenchCourse:     "cours de français à prévoir",
	FlagAGIRExit:         "remplit les critères de sortie AGIR (logement pérenne et emploi durable)",
	FlagWish:             "dans les souhaits du foyer",
	FlagHighEffort:       "taux d'effort supérieur à 33 %",
	FlagMoveDepartment:   "changement de département",
	FlagNotAGIREligible:  "hors critères d'entrée AGIR",
	FlagAPLEstimate:      "APL estimée",
	FlagSeveralJobs:      "plusieurs adultes en emploi",
	FlagUnder25NoRSA:     "moins de 25 ans sans revenu : pas de RSA, un emploi est nécessaire",
	FlagShortageOccupied: "métier en tension",
}

var reasonFR = map[string]string{
	RejectNotAvailable:    "logement non disponible à temps",
	RejectOutOfScope:      "hors de la zone de mobilité",
	RejectTooSmall:        "logement trop petit",
	RejectSharedNotSuited: "colocation non adaptée",
	RejectGender:          "colocation d'un autre genre",
	RejectKind:            "type de logement non accessible au foyer",
	RejectStepFree:        "logement non accessible (plain-pied)",
	RejectEffortRate:      "taux d'effort supérieur à 40 %",
	RejectUnder25NoIncome: "moins de 25 ans sans revenu",
	RejectCommute:         "trajet trop long",
	RejectLicence:         "permis de conduire exigé",
	RejectFrench:          "niveau de français insuffisant",
	RejectJobNotAvailable: "offre d'emploi expirée",
	RejectResidenceIncome: "revenus au-dessus du plafond de la résidence sociale",
}

var flagEN = map[string]string{
	FlagCommuneFallback:  "current commune unknown to the market: the department's prefecture point is used",
	FlagLicenceExchange:  "foreign licence to exchange within the year",
	FlagLicenceExpired:   "foreign licence no longer valid (one-year limit passed)",
	FlagTemporary:        "temporary housing",
	FlagShared:           "shared flat",
	FlagSublease:         "sub-lease",
	FlagNoJob:            "no suitable job within reach",
	FlagFrenchCourse:     "French course needed",
	FlagAGIRExit:         "meets AGIR's exit criteria (permanent housing and lasting job)",
	FlagWish:             "in the household's wishes",
	FlagHighEffort:       "effort rate above 33 %",
	FlagMoveDepartment:   "moves to another department",
	FlagNotAGIREligible:  "outside AGIR's entry criteria",
	FlagAPLEstimate:      "APL is an estimate",
	FlagSeveralJobs:      "several adults employed",
	FlagUnder25NoRSA:     "under 25 with no income: no RSA, a job is needed",
	FlagShortageOccupied: "shortage occupation",
}

var reasonEN = map[string]string{
	RejectNotAvailable:    "home not available in time",
	RejectOutOfScope:      "outside the relocation scope",
	RejectTooSmall:        "home too small",
	RejectSharedNotSuited: "shared flat not suitable",
	RejectGender:          "shared flat for another gender",
	RejectKind:            "kind of housing not open to the household",
	RejectStepFree:        "home not step-free",
	RejectEffortRate:      "effort rate above 40 %",
	RejectUnder25NoIncome: "under 25 with no income",
	RejectCommute:         "commute too long",
	RejectLicence:         "driving licence required",
	RejectFrench:          "French level too low",
	RejectJobNotAvailable: "job offer expired",
	RejectResidenceIncome: "income above the résidence sociale ceiling",
}

func label(fr, en map[string]string, code string, inFrench bool) string {
	m := en
	if inFrench {
		m = fr
	}
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

// FlagLabel returns the label of an option or plan flag, in French when fr
// is set, else in English; an unknown code is returned as is.
func FlagLabel(code string, fr bool) string { return label(flagFR, flagEN, code, fr) }

// RejectLabel returns the label of a rejection reason code, in French when
// fr is set, else in English; an unknown code is returned as is.
func RejectLabel(code string, fr bool) string { return label(reasonFR, reasonEN, code, fr) }

// LabelFR returns the French name of a landlord kind.
func (k LandlordKind) LabelFR() string { return kindFR[k] }

// LabelFR returns the French name of a lease.
func (l Lease) LabelFR() string { return leaseFR[l] }

// ModeLabelFR returns how a commute mode reads in French ("en voiture").
func ModeLabelFR(m geo.Mode) string { return modeFR[m] }
