package matcher

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	t := &text{b: make([]byte, 0, 3072)}
	opt.Factors = r.factors(t, c, h)
	opt.Flags, opt.Steps, opt.StepsEN = r.flagsAndSteps(t, c, h)
	opt.Why, opt.WhyEN = why(t, rank, opt.Score, opt.Factors)
	return opt
}

// text builds an option's texts in one growing buffer, without fmt (the
// texts were a seventh of a median plan): each text is a string over the
// bytes it was written in, which are never written again. The buffer only
// grows; when append moves it, the strings keep the old array.
type text struct {
	b     []byte
	start int
	last  string // what done returned last
}

func (t *text) s(x string) *text { t.b = append(t.b, x...); return t }

func (t *text) i(v int) *text { t.b = strconv.AppendInt(t.b, int64(v), 10); return t }

// f writes v with prec decimals, as fmt's %.*f does.
func (t *text) f(v float64, prec int) *text {
	t.b = strconv.AppendFloat(t.b, v, 'f', prec, 64)
	return t
}

// fComma writes v with one decimal and a decimal comma.
func (t *text) fComma(v float64) *text {
	n := len(t.b)
	t.f(v, 1)
	if k := bytes.IndexByte(t.b[n:], '.'); k >= 0 {
		t.b[n+k] = ','
	}
	return t
}

// capital writes x with its first letter in upper case.
func (t *text) capital(x string) *text {
	r, n := utf8.DecodeRuneInString(x)
	if n == 0 {
		return t
	}
	t.b = utf8.AppendRune(t.b, unicode.ToUpper(r))
	return t.s(x[n:])
}

// done returns the text written since the last call.
func (t *text) done() string {
	n := len(t.b) - t.start
	if n == 0 {
		t.last = ""
		return ""
	}
	x := unsafe.String(&t.b[t.start], n)
	t.start = len(t.b)
	t.last = x
	return x
}

// two ends the text being written and returns it after the one before:
// a French text and its English twin.
func (t *text) two() (string, string) {
	fr := t.last
	return fr, t.done()
}

// factors explains every component of a candidate.
func (r *request) factors(t *text, c *candidate, h *hItem) []Factor {
	out := make([]Factor, 0, nComps)
	jobs := c.jobs
	for k := range nComps {
		if c.weight[k] == 0 && k <= cCommute {
			continue // no job side for this household
		}
		f := Factor{Name: compNames[k], Value: round4(c.comps[k]), Weight: round4(c.weight[k]), Contribution: round4(c.comps[k] * c.weight[k])}
		f.Reason, f.ReasonEN = r.reason(t, k, c, h, jobs)
		out = append(out, f)
	}
	return out
}

// reason explains component k of a candidate, in French and English.
func (r *request) reason(t *text, k int, c *candidate, h *hItem, jobs []choice) (string, string) {
	s := r.s
	if k <= cCommute && len(jobs) == 0 {
		return "Aucun emploi compatible à portée de ce logement.", "No suitable job within reach of this home."
	}
	first := func() *jItem { return &s.jobs[jobs[0].job] }
	switch k {
	case cJobFit:
		for _, fr := range []bool{true, false} {
			for n, ch := range jobs {
				j := &s.jobs[ch.job]
				if n > 0 {
					t.s(pick(fr, " ; ", "; "))
				}
				r.who(t, ch.seeker, fr)
				t.s(" ").s(pick(fr, tierFR[ch.tier], tierEN[ch.tier])).s(" (").s(j.o.ROME).s(")")
				if gap := int(j.frReq) - r.seekers[ch.seeker].fr; gap > 0 {
					if fr {
						t.s(", français ").i(gap).s(" niveau(x) sous l'exigence")
					} else {
						t.s(", French ").i(gap).s(" level(s) below the requirement")
					}
				}
			}
			if len(jobs) > 1 {
				t.s(pick(fr, " (au moins un adulte en emploi).", " (at least one adult employed)."))
			} else {
				t.s(".")
			}
			if fr {
				t.done()
			}
		}
		return t.two()
	case cContract:
		j := first()
		t.s("Contrat : ").s(contractFR[j.o.Contract])
		if j.o.Months > 0 {
			t.s(" de ").i(j.o.Months).s(" mois")
		}
		agir := MeetsAGIRExit(j.o.Contract, j.o.Months)
		t.s(pick(agir, ", conforme au critère de sortie AGIR.", ", ne remplit pas le critère de sortie AGIR.")).done()
		t.s("Contract: ").s(contractEN[j.o.Contract])
		if j.o.Months > 0 {
			t.s(" of ").i(j.o.Months).s(" months")
		}
		t.s(pick(agir, ", meets AGIR's exit criterion.", ", does not meet AGIR's exit criterion."))
		return t.two()
	case cShortage:
		p := math.Round(first().sh * 100)
		t.s("Métier en tension dans ce territoire : ").f(p, 0).s(" % des recrutements jugés difficiles.").done()
		t.s("Shortage occupation here: ").f(p, 0).s(" % of hiring projects judged difficult.")
		return t.two()
	case cCommute:
		for _, fr := range []bool{true, false} {
			t.s(pick(fr, "Trajet domicile-travail : ", "Commute: "))
			for n, ch := range jobs {
				if n > 0 {
					t.s(", ")
				}
				t.i(int(math.Ceil(ch.minutes))).s(" min ").s(pick(fr, modeFR[geo.Modes[ch.mode]], modeEN[geo.Modes[ch.mode]]))
			}
			t.s(pick(fr, " (maximum souhaité ", " (maximum wished ")).i(int(r.maxMin)).s(" min).")
			if fr {
				t.done()
			}
		}
		return t.two()
	case cAfford:
		o := h.o
		t.s("Taux d'effort ").f(c.effort*100, 0).s(" % après APL estimée de ").f(c.apl, 0).s(" € (loyer ").f(o.RentMonthly, 0).
			s(" € + charges ").f(o.ChargesMonthly, 0).s(" €, revenus ").f(c.income, 0).s(" €).")
		// The commune's market rent, when known, says whether the rent is
		// a fair one.
		market := h.c.RentM2 > 0 && o.SurfaceM2 > 0 && !o.Shared
		m2 := (o.RentMonthly + o.ChargesMonthly) / o.SurfaceM2
		if market {
			t.s(" Soit ").fComma(m2).s(" € le m², loyer de marché à ").s(h.c.Name).s(" : ").fComma(h.c.RentM2).s(" € le m².")
		}
		t.done()
		t.s("Effort rate ").f(c.effort*100, 0).s(" % after an estimated APL of ").f(c.apl, 0).s(" € (rent ").f(o.RentMonthly, 0).
			s(" € + charges ").f(o.ChargesMonthly, 0).s(" €, income ").f(c.income, 0).s(" €).")
		if market {
			t.s(" That is ").f(m2, 1).s(" € per m²; market rent in ").s(h.c.Name).s(": ").f(h.c.RentM2, 1).s(" € per m².")
		}
		return t.two()
	case cStability:
		perm := c.comps[cStability] >= 1
		t.capital(kindFR[h.o.LandlordKind]).s(", ").s(leaseFR[h.o.Lease])
		if h.o.MaxMonths > 0 {
			t.s(", ").i(h.o.MaxMonths).s(" mois au plus")
		}
		t.s(pick(perm, " : logement pérenne.", " : logement temporaire ou de transition.")).done()
		t.capital(kindEN[h.o.LandlordKind]).s(", ").s(leaseEN[h.o.Lease])
		if h.o.MaxMonths > 0 {
			t.s(", ").i(h.o.MaxMonths).s(" months at most")
		}
		t.s(pick(perm, ": permanent housing.", ": temporary or transitional housing."))
		return t.two()
	case cSize:
		if h.o.Shared {
			return "Une place en colocation pour une personne seule.", "One place in a shared flat for a person alone."
		}
		t.s("T").i(h.o.Rooms).s(" de ").f(h.o.SurfaceM2, 0).s(" m² pour ").i(r.persons).s(" personne(s) ; taille idéale T").i(r.ideal).s(".").done()
		t.s("T").i(h.o.Rooms).s(" of ").f(h.o.SurfaceM2, 0).s(" m² for ").i(r.persons).s(" person(s); ideal size T").i(r.ideal).s(".")
		return t.two()
	case cTerritory:
		cm := h.c
		// For a social home, the RPLS figures say how often such homes
		// free up here.
		rpls := h.o.LandlordKind == Social && cm.SocialShare > 0 && cm.SocialTurnover > 0
		t.s(cm.Name).s(" : zone ").s(string(cm.Zone)).s(", chômage ").f(cm.Unemployment*100, 0).s(" %")
		if cm.AGIROperator {
			t.s(", opérateur AGIR")
		}
		if cm.FrenchCourses {
			t.s(", cours de français")
		}
		if rpls {
			t.s(", ").f(cm.SocialShare, 0).s(" logements sociaux pour 100 résidences principales, rotation ").f(cm.SocialTurnover, 0).s(" % par an")
		}
		t.s(".").done()
		t.s(cm.Name).s(": zone ").s(string(cm.Zone)).s(", unemployment ").f(cm.Unemployment*100, 0).s(" %")
		if cm.AGIROperator {
			t.s(", AGIR operator")
		}
		if cm.FrenchCourses {
			t.s(", French courses")
		}
		if rpls {
			t.s(", ").f(cm.SocialShare, 0).s(" social homes per 100 main residences, turnover ").f(cm.SocialTurnover, 0).s(" % a year")
		}
		t.s(".")
		return t.two()
	case cTiming:
		if len(jobs) == 0 {
			t.s("Logement disponible à partir du ").s(dateOrNow(h.o.AvailableFrom)).s(".").done()
			t.s("Home available from ").s(dateOrNow(h.o.AvailableFrom)).s(".")
			return t.two()
		}
		j := first()
		t.s("Logement disponible le ").s(dateOrNow(h.o.AvailableFrom)).s(", emploi à partir du ").s(dateOrNow(j.o.StartOn)).s(".").done()
		t.s("Home available on ").s(dateOrNow(h.o.AvailableFrom)).s(", job starting on ").s(dateOrNow(j.o.StartOn)).s(".")
		return t.two()
	}
	return "", ""
}

func pick(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

func dateOrNow(d Date) string {
	if d.IsZero() {
		return "dès maintenant"
	}
	return d.String()
}

// who names a member of the household.
func (r *request) who(t *text, si int, fr bool) {
	m := r.seekers[si].member
	if len(r.seekers) == 1 {
		t.s(pick(fr, "Emploi", "Job"))
		return
	}
	t.s(pick(fr, "Adulte ", "Adult ")).i(m + 1).s(pick(fr, " :", ":"))
}

// flagsAndSteps lists an option's flags and the steps to take, in French
// and English.
func (r *request) flagsAndSteps(t *text, c *candidate, h *hItem) (flags, fr, en []string) {
	s := r.s
	add := func(f, e string) { fr, en = append(fr, f), append(en, e) }
	flags = make([]string, 1, 8)
	flags[0] = FlagAPLEstimate
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

	n := 3 + len(c.jobs) + 4
	fr, en = make([]string, 0, n), make([]string, 0, n)
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
	t.s("Demander l'APL à la CAF dès l'entrée dans le logement (estimation : ").f(c.apl, 0).s(" € par mois).").done()
	t.s("Apply to the CAF for housing benefit (APL) on moving in (estimate: ").f(c.apl, 0).s(" € a month).")
	add(t.two())
	if len(c.jobs) > 0 || len(r.seekers) > 0 {
		add("Mettre à jour l'inscription à France Travail avec la nouvelle adresse.",
			"Update the France Travail registration with the new address.")
	}
	for _, ch := range c.jobs {
		j := &s.jobs[ch.job]
		t.s("Postuler à l'offre ").s(j.o.ExternalRef).s(" (").s(j.o.Title).s(", ").s(j.c.Name).s(") et préparer l'entretien.").done()
		t.s("Apply to offer ").s(j.o.ExternalRef).s(" (").s(j.o.Title).s(", ").s(j.c.Name).s(") and prepare the interview.")
		add(t.two())
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
			t.s("Prendre contact avec l'opérateur AGIR du département ").s(h.c.Department).s(" pour le relais de l'accompagnement.").done()
			t.s("Contact the AGIR operator of department ").s(h.c.Department).s(" to hand over the support.")
			add(t.two())
		}
	}
	if r.children > 0 {
		t.s("Inscrire les enfants à l'école auprès de la mairie de ").s(h.c.Name).s(".").done()
		t.s("Enrol the children at school with the town hall of ").s(h.c.Name).s(".")
		add(t.two())
	}
	return flags, fr, en
}

// why says in one line why an option ranks where it does: its strongest
// and weakest components.
func why(t *text, rank int, score float64, fs []Factor) (string, string) {
	if len(fs) == 0 {
		return "", ""
	}
	type lost struct {
		name string
		gap  float64
	}
	var strongA, weakA [nComps]lost
	strong, weak := strongA[:0], weakA[:0]
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
	strong, weak = strong[:min(3, len(strong))], weak[:min(2, len(weak))]
	for _, fr := range []bool{true, false} {
		names := factorEN
		if fr {
			names = factorFR
		}
		t.s(pick(fr, "Rang ", "Rank ")).i(rank).s(", score ").f(score, 2).s(".")
		if len(strong) > 0 {
			t.s(pick(fr, " Points forts : ", " Strengths: "))
			for n, x := range strong {
				if n > 0 {
					t.s(", ")
				}
				t.s(names[x.name])
			}
			t.s(".")
		}
		if len(weak) > 0 {
			t.s(pick(fr, " Ce qui le fait reculer : ", " Held back by: "))
			for n, x := range weak {
				if n > 0 {
					t.s(", ")
				}
				t.s(names[x.name])
			}
			t.s(".")
		}
		if fr {
			t.done()
		}
	}
	return t.two()
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
