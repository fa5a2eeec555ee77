package matcher

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"passerelle/geo"
)

// Option flags (stable codes; the texts are in Steps and Why).
const (
	FlagCommuneFallback  = "commune_fallback"
	FlagLicenceExchange  = "licence_exchange"
	FlagLicenceExpired   = "licence_expired"
	FlagTemporary        = "temporary_housing"
	FlagShared           = "shared_flat"
	FlagSublease         = "sublease"
	FlagNoJob            = "no_job_within_reach"
	FlagFrenchCourse     = "french_course_needed"
	FlagAGIRExit         = "meets_agir_exit"
	FlagWish             = "wish"
	FlagHighEffort       = "effort_rate_above_33"
	FlagMoveDepartment   = "moves_department"
	FlagNotAGIREligible  = "not_agir_eligible"
	FlagAPLEstimate      = "apl_estimate"
	FlagSeveralJobs      = "several_jobs"
	FlagUnder25NoRSA     = "under25_no_rsa"
	FlagShortageOccupied = "shortage_occupation"
)

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// modeFR names a mode in French.
var modeFR = map[geo.Mode]string{geo.Walk: "à pied", geo.Bike: "à vélo", geo.Transit: "en transports en commun", geo.Car: "en voiture"}
var modeEN = map[geo.Mode]string{geo.Walk: "on foot", geo.Bike: "by bike", geo.Transit: "by public transport", geo.Car: "by car"}

var contractFR = map[Contract]string{CDI: "CDI", CDD: "CDD", Interim: "intérim", Apprenticeship: "contrat d'apprentissage",
	Professionalisation: "contrat de professionnalisation", Training: "formation qualifiante", Insertion: "contrat d'insertion", Seasonal: "emploi saisonnier"}
var contractEN = map[Contract]string{CDI: "permanent contract (CDI)", CDD: "fixed-term contract (CDD)", Interim: "temporary agency work",
	Apprenticeship: "apprenticeship", Professionalisation: "professionalisation contract", Training: "qualifying training", Insertion: "integration contract", Seasonal: "seasonal job"}

var leaseFR = map[Lease]string{DirectLease: "bail direct", SlidingLease: "bail glissant", SubLease: "sous-location", ResidenceLease: "contrat de résidence"}
var leaseEN = map[Lease]string{DirectLease: "direct lease", SlidingLease: "sliding lease", SubLease: "sub-lease", ResidenceLease: "residence contract"}

var kindFR = map[LandlordKind]string{Private: "bailleur privé", Social: "bailleur social", Relay: "logement-relais", IML: "colocation IML",
	ResidenceSociale: "résidence sociale", PensionDeFamille: "pension de famille"}
var kindEN = map[LandlordKind]string{Private: "private landlord", Social: "social landlord", Relay: "relay housing", IML: "IML shared flat",
	ResidenceSociale: "résidence sociale", PensionDeFamille: "pension de famille"}

var tierFR = map[int]string{TierExact: "dans son métier, avec expérience", TierExactNew: "dans son métier", TierDomain: "dans un métier proche",
	TierGrandDomain: "dans le même grand domaine", TierBeginners: "débutants acceptés"}
var tierEN = map[int]string{TierExact: "in their occupation, with experience", TierExactNew: "in their occupation", TierDomain: "in a related occupation",
	TierGrandDomain: "in the same broad field", TierBeginners: "beginners accepted"}

// option turns a candidate into the Option a plan shows.
func (r *request) option(rank int, c *candidate) Option {
	s := r.s
	h := &s.housing[c.h]
	o := h.o
	opt := Option{Rank: rank, Score: round4(c.score), Wish: c.wish,
		MoveKM: math.Round(geo.Distance(r.home.Point, h.end.Point)/100) / 10}
	opt.Housing = HousingBrief{ID: o.ID, ExternalRef: o.ExternalRef, Commune: h.c.Code, CommuneName: h.c.Name,
		Department: h.c.Department, LandlordKind: o.LandlordKind, Rooms: o.Rooms, SurfaceM2: o.SurfaceM2,
		MaxOccupants: int(h.maxOcc), Shared: o.Shared, Gender: o.Gender, StepFree: o.StepFree, Lease: o.Lease,
		RentMonthly: round2(o.RentMonthly), Zone: h.c.Zone}
	if opt.Housing.Gender == "" {
		opt.Housing.Gender = AnyGender
	}
	opt.Jobs = make([]JobBrief, 0, len(c.jobs))
	for _, ch := range c.jobs {
		j := &s.jobs[ch.job]
		opt.Jobs = append(opt.Jobs, JobBrief{ID: j.o.ID, ExternalRef: j.o.ExternalRef, Member: r.seekers[ch.seeker].member,
			ROME: j.o.ROME, Title: j.o.Title, Employer: j.o.Employer, Commune: j.c.Code, Contract: j.o.Contract, Months: j.o.Months,
			CommuteMinutes: int(math.Ceil(ch.minutes)), Mode: geo.Modes[ch.mode], NetMonthly: round2(j.net), Match: tierName[ch.tier]})
	}
	left := c.income - (o.RentMonthly + o.ChargesMonthly - c.apl)
	opt.Budget = Budget{RentMonthly: round2(o.RentMonthly), ChargesMonthly: round2(o.ChargesMonthly), APLEstimate: round2(c.apl),
		IncomeMonthly: round2(c.income), EffortRate: round4(c.effort), LeftToLive: round2(left), APLYear: s.apl.Year, Estimate: true}
	opt.Factors = r.factors(c, h)
	opt.Flags, opt.Steps, opt.StepsEN = r.flagsAndSteps(c, h)
	opt.Why, opt.WhyEN = why(rank, opt.Score, opt.Factors)
	return opt
}

// factors explains every component of a candidate.
func (r *request) factors(c *candidate, h *hItem) []Factor {
	out := make([]Factor, 0, nComps)
	jobs := c.jobs
	for k := range nComps {
		if c.weight[k] == 0 && k <= cCommute {
			continue // no job side for this household
		}
		f := Factor{Name: compNames[k], Value: round4(c.comps[k]), Weight: round4(c.weight[k]), Contribution: round4(c.comps[k] * c.weight[k])}
		f.Reason, f.ReasonEN = r.reason(k, c, h, jobs)
		out = append(out, f)
	}
	return out
}

func (r *request) reason(k int, c *candidate, h *hItem, jobs []choice) (string, string) {
	s := r.s
	if k <= cCommute && len(jobs) == 0 {
		return "Aucun emploi compatible à portée de ce logement.", "No suitable job within reach of this home."
	}
	first := func() (*jItem, *choice) { return &s.jobs[jobs[0].job], &jobs[0] }
	switch k {
	case cJobFit:
		var fr, en []string
		for _, ch := range jobs {
			j := &s.jobs[ch.job]
			gap := int(j.frReq) - r.seekers[ch.seeker].fr
			f := fmt.Sprintf("%s %s (%s)", r.who(ch.seeker, true), tierFR[ch.tier], j.o.ROME)
			e := fmt.Sprintf("%s %s (%s)", r.who(ch.seeker, false), tierEN[ch.tier], j.o.ROME)
			if gap > 0 {
				f += fmt.Sprintf(", français %d niveau(x) sous l'exigence", gap)
				e += fmt.Sprintf(", French %d level(s) below the requirement", gap)
			}
			fr, en = append(fr, f), append(en, e)
		}
		if len(jobs) > 1 {
			return strings.Join(fr, " ; ") + " (au moins un adulte en emploi).", strings.Join(en, "; ") + " (at least one adult employed)."
		}
		return strings.Join(fr, " ; ") + ".", strings.Join(en, "; ") + "."
	case cContract:
		j, _ := first()
		fr := "Contrat : " + contractFR[j.o.Contract]
		en := "Contract: " + contractEN[j.o.Contract]
		if j.o.Months > 0 {
			fr += fmt.Sprintf(" de %d mois", j.o.Months)
			en += fmt.Sprintf(" of %d months", j.o.Months)
		}
		if MeetsAGIRExit(j.o.Contract, j.o.Months) {
			return fr + ", conforme au critère de sortie AGIR.", en + ", meets AGIR's exit criterion."
		}
		return fr + ", ne remplit pas le critère de sortie AGIR.", en + ", does not meet AGIR's exit criterion."
	case cShortage:
		j, _ := first()
		p := math.Round(j.sh * 100)
		return fmt.Sprintf("Métier en tension dans ce territoire : %.0f %% des recrutements jugés difficiles.", p),
			fmt.Sprintf("Shortage occupation here: %.0f %% of hiring projects judged difficult.", p)
	case cCommute:
		var fr, en []string
		for _, ch := range jobs {
			fr = append(fr, fmt.Sprintf("%d min %s", int(math.Ceil(ch.minutes)), modeFR[geo.Modes[ch.mode]]))
			en = append(en, fmt.Sprintf("%d min %s", int(math.Ceil(ch.minutes)), modeEN[geo.Modes[ch.mode]]))
		}
		return "Trajet domicile-travail : " + strings.Join(fr, ", ") + fmt.Sprintf(" (maximum souhaité %d min).", int(r.maxMin)),
			"Commute: " + strings.Join(en, ", ") + fmt.Sprintf(" (maximum wished %d min).", int(r.maxMin))
	case cAfford:
		fr := fmt.Sprintf("Taux d'effort %.0f %% après APL estimée de %.0f € (loyer %.0f € + charges %.0f €, revenus %.0f €).",
			c.effort*100, c.apl, h.o.RentMonthly, h.o.ChargesMonthly, c.income)
		en := fmt.Sprintf("Effort rate %.0f %% after an estimated APL of %.0f € (rent %.0f € + charges %.0f €, income %.0f €).",
			c.effort*100, c.apl, h.o.RentMonthly, h.o.ChargesMonthly, c.income)
		// The commune's market rent, when known, says whether the rent is
		// a fair one.
		if h.c.RentM2 > 0 && h.o.SurfaceM2 > 0 && !h.o.Shared {
			comma := func(v float64) string { return strings.Replace(fmt.Sprintf("%.1f", v), ".", ",", 1) }
			fr += fmt.Sprintf(" Soit %s € le m², loyer de marché à %s : %s € le m².", comma((h.o.RentMonthly+h.o.ChargesMonthly)/h.o.SurfaceM2), h.c.Name, comma(h.c.RentM2))
			en += fmt.Sprintf(" That is %.1f € per m²; market rent in %s: %.1f € per m².", (h.o.RentMonthly+h.o.ChargesMonthly)/h.o.SurfaceM2, h.c.Name, h.c.RentM2)
		}
		return fr, en
	case cStability:
		fr := fmt.Sprintf("%s, %s", capitalize(kindFR[h.o.LandlordKind]), leaseFR[h.o.Lease])
		en := fmt.Sprintf("%s, %s", capitalize(kindEN[h.o.LandlordKind]), leaseEN[h.o.Lease])
		if h.o.MaxMonths > 0 {
			fr += fmt.Sprintf(", %d mois au plus", h.o.MaxMonths)
			en += fmt.Sprintf(", %d months at most", h.o.MaxMonths)
		}
		if c.comps[cStability] >= 1 {
			return fr + " : logement pérenne.", en + ": permanent housing."
		}
		return fr + " : logement temporaire ou de transition.", en + ": temporary or transitional housing."
	case cSize:
		if h.o.Shared {
			return "Une place en colocation pour une personne seule.", "One place in a shared flat for a person alone."
		}
		return fmt.Sprintf("T%d de %.0f m² pour %d personne(s) ; taille idéale T%d.", h.o.Rooms, h.o.SurfaceM2, r.persons, r.ideal),
			fmt.Sprintf("T%d of %.0f m² for %d person(s); ideal size T%d.", h.o.Rooms, h.o.SurfaceM2, r.persons, r.ideal)
	case cTerritory:
		fr := fmt.Sprintf("%s : zone %s, chômage %.0f %%", h.c.Name, h.c.Zone, h.c.Unemployment*100)
		en := fmt.Sprintf("%s: zone %s, unemployment %.0f %%", h.c.Name, h.c.Zone, h.c.Unemployment*100)
		if h.c.AGIROperator {
			fr += ", opérateur AGIR"
			en += ", AGIR operator"
		}
		if h.c.FrenchCourses {
			fr += ", cours de français"
			en += ", French courses"
		}
		// For a social home, the RPLS figures say how often such homes
		// free up here.
		if h.o.LandlordKind == Social && h.c.SocialShare > 0 && h.c.SocialTurnover > 0 {
			fr += fmt.Sprintf(", %.0f logements sociaux pour 100 résidences principales, rotation %.0f %% par an", h.c.SocialShare, h.c.SocialTurnover)
			en += fmt.Sprintf(", %.0f social homes per 100 main residences, turnover %.0f %% a year", h.c.SocialShare, h.c.SocialTurnover)
		}
		return fr + ".", en + "."
	case cTiming:
		if len(jobs) == 0 {
			return fmt.Sprintf("Logement disponible à partir du %s.", dateOrNow(h.o.AvailableFrom)),
				fmt.Sprintf("Home available from %s.", dateOrNow(h.o.AvailableFrom))
		}
		j, _ := first()
		return fmt.Sprintf("Logement disponible le %s, emploi à partir du %s.", dateOrNow(h.o.AvailableFrom), dateOrNow(j.o.StartOn)),
			fmt.Sprintf("Home available on %s, job starting on %s.", dateOrNow(h.o.AvailableFrom), dateOrNow(j.o.StartOn))
	}
	return "", ""
}

func dateOrNow(d Date) string {
	if d.IsZero() {
		return "dès maintenant"
	}
	return d.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// who names a member of the household.
func (r *request) who(si int, fr bool) string {
	m := r.seekers[si].member
	if len(r.seekers) == 1 {
		if fr {
			return "Emploi"
		}
		return "Job"
	}
	if fr {
		return fmt.Sprintf("Adulte %d :", m+1)
	}
	return fmt.Sprintf("Adult %d:", m+1)
}

// flagsAndSteps lists an option's flags and the steps to take, in French
// and English.
func (r *request) flagsAndSteps(c *candidate, h *hItem) (flags, fr, en []string) {
	s := r.s
	add := func(f, e string) { fr, en = append(fr, f), append(en, e) }
	flags = []string{FlagAPLEstimate}
	if r.homeFallback {
		flags = append(flags, FlagCommuneFallback)
	}
	moves := h.c.Department != r.home.Department
	if moves {
		flags = append(flags, FlagMoveDepartment)
	}
	if c.wish {
		flags = append(flags, FlagWish)
	}
	if h.o.Shared {
		flags = append(flags, FlagShared)
	}
	if h.o.Lease == SubLease {
		flags = append(flags, FlagSublease)
	}
	if h.o.MaxMonths > 0 || c.comps[cStability] < 1 {
		flags = append(flags, FlagTemporary)
	}
	if c.effort > 0.33 {
		flags = append(flags, FlagHighEffort)
	}
	if len(r.seekers) > 0 && len(c.jobs) == 0 {
		flags = append(flags, FlagNoJob)
	}
	if len(c.jobs) > 1 {
		flags = append(flags, FlagSeveralJobs)
	}
	agirJob := false
	frenchGap := 0
	for _, ch := range c.jobs {
		j := &s.jobs[ch.job]
		agirJob = agirJob || MeetsAGIRExit(j.o.Contract, j.o.Months)
		frenchGap = max(frenchGap, int(j.frReq)-r.seekers[ch.seeker].fr)
		if j.sh >= 0.6 && !slices.Contains(flags, FlagShortageOccupied) {
			flags = append(flags, FlagShortageOccupied)
		}
	}
	if agirJob && c.comps[cStability] >= 1 {
		flags = append(flags, FlagAGIRExit)
	}
	if r.licenceFlag != "" {
		flags = append(flags, r.licenceFlag)
	}
	if frenchGap > 0 {
		flags = append(flags, FlagFrenchCourse)
	}
	if r.minAdultAge < 25 && r.incomeMin == 0 {
		flags = append(flags, FlagUnder25NoRSA)
	}

	switch h.o.LandlordKind {
	case Social:
		add("Constituer le dossier de demande de logement social (numéro unique) et le transmettre au bailleur.",
			"Prepare the social-housing application (numéro unique) and send it to the landlord.")
	case IML, Relay:
		add("Prendre contact avec l'opérateur d'intermédiation locative et le SIAO pour l'orientation.",
			"Contact the rental intermediation operator and the SIAO for the referral.")
	case ResidenceSociale, PensionDeFamille:
		add("Déposer la demande auprès du SIAO du département.", "File the application with the department's SIAO.")
	default:
		add("Préparer le dossier de location (pièces d'identité, titre de séjour, justificatifs de ressources, garantie Visale).",
			"Prepare the rental file (identity papers, residence permit, proof of income, Visale guarantee).")
	}
	add(fmt.Sprintf("Demander l'APL à la CAF dès l'entrée dans le logement (estimation : %.0f € par mois).", c.apl),
		fmt.Sprintf("Apply to the CAF for housing benefit (APL) on moving in (estimate: %.0f € a month).", c.apl))
	if len(c.jobs) > 0 || len(r.seekers) > 0 {
		add("Mettre à jour l'inscription à France Travail avec la nouvelle adresse.",
			"Update the France Travail registration with the new address.")
	}
	for _, ch := range c.jobs {
		j := &s.jobs[ch.job]
		add(fmt.Sprintf("Postuler à l'offre %s (%s, %s) et préparer l'entretien.", j.o.ExternalRef, j.o.Title, j.c.Name),
			fmt.Sprintf("Apply to offer %s (%s, %s) and prepare the interview.", j.o.ExternalRef, j.o.Title, j.c.Name))
	}
	if frenchGap > 0 {
		add("S'inscrire à un cours de français (OFII ou organisme local) pour atteindre le niveau demandé par l'employeur.",
			"Enrol in a French course (OFII or a local provider) to reach the level the employer asks for.")
	}
	if r.licenceFlag == FlagLicenceExchange {
		add("Demander l'échange du permis de conduire étranger sur le site de l'ANTS avant la fin du délai d'un an.",
			"Apply to exchange the foreign driving licence on the ANTS website before the one-year limit.")
	}
	if moves {
		add("Signaler le changement d'adresse à l'Assurance maladie (CPAM) et à la banque ; demander une aide à la mobilité (France Travail, Action Logement).",
			"Report the change of address to the health insurance (CPAM) and the bank; apply for moving aid (France Travail, Action Logement).")
		if h.c.AGIROperator {
			add(fmt.Sprintf("Prendre contact avec l'opérateur AGIR du département %s pour le relais de l'accompagnement.", h.c.Department),
				fmt.Sprintf("Contact the AGIR operator of department %s to hand over the support.", h.c.Department))
		}
	}
	if r.children > 0 {
		add(fmt.Sprintf("Inscrire les enfants à l'école auprès de la mairie de %s.", h.c.Name),
			fmt.Sprintf("Enrol the children at school with the town hall of %s.", h.c.Name))
	}
	return flags, fr, en
}

// why says in one line why an option ranks where it does: its strongest
// and weakest components.
func why(rank int, score float64, fs []Factor) (string, string) {
	if len(fs) == 0 {
		return "", ""
	}
	type lost struct {
		name string
		gap  float64
	}
	var strong, weak []lost
	for _, f := range fs {
		if f.Weight == 0 {
			continue
		}
		if f.Value >= 0.85 {
			strong = append(strong, lost{f.Name, f.Weight})
		}
		if g := f.Weight * (1 - f.Value); g > 0.01 {
			weak = append(weak, lost{f.Name, g})
		}
	}
	slices.SortStableFunc(strong, func(a, b lost) int { return compareDesc(a.gap, b.gap) })
	slices.SortStableFunc(weak, func(a, b lost) int { return compareDesc(a.gap, b.gap) })
	fr := fmt.Sprintf("Rang %d, score %.2f.", rank, score)
	en := fmt.Sprintf("Rank %d, score %.2f.", rank, score)
	if len(strong) > 0 {
		var a, b []string
		for _, s := range strong[:min(3, len(strong))] {
			a, b = append(a, factorFR[s.name]), append(b, factorEN[s.name])
		}
		fr += " Points forts : " + strings.Join(a, ", ") + "."
		en += " Strengths: " + strings.Join(b, ", ") + "."
	}
	if len(weak) > 0 {
		var a, b []string
		for _, s := range weak[:min(2, len(weak))] {
			a, b = append(a, factorFR[s.name]), append(b, factorEN[s.name])
		}
		fr += " Ce qui le fait reculer : " + strings.Join(a, ", ") + "."
		en += " Held back by: " + strings.Join(b, ", ") + "."
	}
	return fr, en
}

func compareDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

var factorFR = map[string]string{FactorJobFit: "adéquation au métier", FactorContract: "type de contrat", FactorShortage: "métier en tension",
	FactorCommute: "temps de trajet", FactorAffordability: "coût du logement", FactorHousingStability: "stabilité du logement",
	FactorSizeFit: "taille du logement", FactorTerritory: "territoire", FactorTiming: "calendrier"}
var factorEN = map[string]string{FactorJobFit: "job fit", FactorContract: "contract", FactorShortage: "labour shortage",
	FactorCommute: "commute", FactorAffordability: "affordability", FactorHousingStability: "housing stability",
	FactorSizeFit: "size", FactorTerritory: "territory", FactorTiming: "timing"}
