package matcher

import (
	"math"
	"slices"
	"time"

	"passerelle/geo"
)

// PlanOptions tune one plan. The zero value gives the defaults.
type PlanOptions struct {
	// Top is the number of options (default 10, at most 100).
	Top int
	// Today is the reference day for eligibility and dates (default: the
	// household's move_from, else the current UTC day).
	Today Date
	// NoWhatIf skips the "what would change this" variants (each costs
	// about one more plan).
	NoWhatIf bool
	// MaxPerCommune and MaxPerDepartment are the diversity limits
	// (default 2 and 4).
	MaxPerCommune, MaxPerDepartment int
}

func (o *PlanOptions) defaults(h *Household) {
	if o.Top <= 0 {
		o.Top = 10
	}
	o.Top = min(o.Top, 100)
	if o.MaxPerCommune <= 0 {
		o.MaxPerCommune = 2
	}
	if o.MaxPerDepartment <= 0 {
		o.MaxPerDepartment = 4
	}
	if o.Today.IsZero() {
		if !h.MoveFrom.IsZero() {
			o.Today = h.MoveFrom
		} else {
			now := time.Now().UTC()
			o.Today = NewDate(now.Year(), now.Month(), now.Day())
		}
	}
}

// Windows: a home must be available within HousingWindowDays of the move
// day; a job must not expire before the move day.
const HousingWindowDays = 90

// seeker is an adult seeking work.
type seeker struct {
	member  int
	m       *Member
	occKeys []uint64 // romeKey of each of m.Occupations
	fr      int      // French rank
	licence bool     // holds a usable driving licence
	kind    int      // seekerKind(licence, fr)
	groups  []seekerGroup
	maxWage float64
	vMax    float64 // bound of fit + contract + shortage over the groups
}

type seekerGroup struct {
	g    *jobGroup
	tier int
}

// request is everything one plan computes once per household.
type request struct {
	s    *snapshot
	w    Weights
	h    Household
	opts PlanOptions

	home         *geo.Commune
	homeFallback bool
	modes        []geo.Mode
	modeIdx      []int8     // modes as indexes in geo.Modes
	model        *geo.Model // the router, when it is the distance model
	maxMin       float64
	reachM       float64
	cmUB         []float64 // cmUB[k]: upper bound of the commute value at distance ≥ k×reachStep
	moveDay      day

	adults, children int
	persons          int
	isolated         bool
	minAdultAge      int
	sex              Sex
	seekers          []seeker
	ideal            int
	licenceFlag      string // "licence_exchange" or "licence_expired" or ""
	incomeMin        float64
	incomeMax        float64
	aplCouple        bool
	wishes           []string // at most 3 commune or department codes
	jobSide          bool     // the score has job components
	stepFree         bool     // the household needs step-free access

	// aplCap[shared][zone-1] is the household's rent ceiling in the APL
	// zone and the APL bound of rents at or above it, computed once: see
	// runUB.
	aplCap [2][3]struct{ ceiling, apl float64 }

	rejected map[string]int
	// seeds are options already known to be in the search's scope, with
	// their exact score and jobs (an allocation's department list starts
	// from the options of the national one): searchFast keeps them from
	// the start and does not evaluate their homes again.
	seeds    []candidate
	lists    map[[2]int32]*listSet // job lists by (housing tile, seeker)
	tileHb   map[int32]float64     // housing bound of each opened tile's homes
	theta    float64               // the search's θ when it evaluates a home
	warm     map[[2]int32]int32    // last job taken by (housing tile, seeker)
	arena    block[listEntry]      // where tileLists builds its heaps
	refs     block[listRef]        // where they hand out their lists
	filt     map[[2]int32]*flist   // jobs a seeker may take, by (seeker, list start)
	seekUB   map[int32][]compUB    // per housing tile, what each seeker can bring
	tilePair map[int32]*tilePair   // per opened tile of a two-seeker household, the seekers' job lists
	pairBuf  []pairList            // pairBound's buffer
	// each seeker's job lists per tile, for pairBound (see searchFast)
	pairArena [2][]pairList
	pairSpan  [2][][2]int32
	heapStack []int32 // homePairCut's walk of a list heap
	pairs     block[tilePair]
	pairLists block[pairList]
	// tileJB and tileComp are, during a search, its job bounds per seeker
	// and tile (see searchFast's fill): tileJB is NaN where not yet
	// computed (tileComp is then zero).
	tileJB   [][]float64
	tileComp [][]compUB
	chosen   []choice // evaluateAt's buffer
	pending  string   // the reason the last score call failed
}

const reachStep = 250.0 // meters

func (e *Engine) newRequest(s *snapshot, h *Household, opts PlanOptions) (*request, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	hh := *h
	hh.Members = slices.Clone(h.Members)
	hh.ApplyDefaults()
	opts.defaults(&hh)
	r := &request{s: s, w: s.w, h: hh, opts: opts, rejected: make(map[string]int)}
	home, fb, err := s.atlas.Locate(hh.Commune)
	if err != nil {
		var ve ValidationError
		ve.add("commune", "unknown_value",
			"La commune est inconnue, ainsi que son département.",
			"The commune is unknown, and so is its department.")
		return nil, &ve
	}
	r.home, r.homeFallback = home, fb
	r.moveDay = toDay(hh.MoveFrom)
	if r.moveDay == noDay {
		r.moveDay = toDay(opts.Today)
	}
	r.minAdultAge = math.MaxInt
	for i := range hh.Members {
		m := &hh.Members[i]
		if m.Role == Child {
			r.children++
			continue
		}
		r.adults++
		r.minAdultAge = min(r.minAdultAge, m.Age)
		r.sex = m.Sex
	}
	r.persons = r.adults + r.children
	r.isolated = r.adults == 1 && r.children == 0
	r.aplCouple = r.adults >= 2
	r.ideal = idealRooms(r.adults, r.children)
	r.incomeMin = hh.IncomeMonthly

	// A foreign licence can be used for one year after the protection was
	// granted; then it must have been exchanged.
	licenceOK := func(l Licence) bool {
		switch l {
		case FrenchLicence:
			return true
		case ForeignLicence:
			if !hh.Protection.GrantedOn.IsZero() && r.moveDay-toDay(hh.Protection.GrantedOn) > 365 {
				r.licenceFlag = "licence_expired"
				return false
			}
			r.licenceFlag = "licence_exchange"
			return true
		}
		return false
	}
	anyLicence := false
	for i := range hh.Members {
		m := &hh.Members[i]
		ok := m.Role == Adult && licenceOK(m.DrivingLicence)
		anyLicence = anyLicence || ok
		if m.Role != Adult || !m.SeeksWork {
			continue
		}
		sk := seeker{member: i, m: m, fr: max(0, m.FrenchLevel.Rank()), licence: ok}
		sk.kind = seekerKind(sk.licence, sk.fr)
		sk.groups = r.seekerGroups(m)
		for _, o := range m.Occupations {
			sk.occKeys = append(sk.occKeys, romeKey(o.ROME))
		}
		for _, g := range sk.groups {
			sk.maxWage = max(sk.maxWage, g.g.maxWage)
			sk.vMax = max(sk.vMax, r.w.JobFit*tierFit[g.tier]+g.g.maxStatic)
		}
		r.seekers = append(r.seekers, sk)
		r.incomeMax += sk.maxWage
	}
	r.incomeMax += r.incomeMin
	r.jobSide = len(r.seekers) > 0
	for _, m := range hh.Modes {
		if m == geo.Car && !anyLicence {
			continue
		}
		r.modes = append(r.modes, m)
		r.modeIdx = append(r.modeIdx, modeIndex(m))
	}
	r.model, _ = s.router.(*geo.Model)
	r.maxMin = float64(hh.MaxCommuteMinutes)
	r.reachM = min(s.router.MaxReachM(r.maxMin, r.modes), s.tiles.maxReachM)
	n := int(r.reachM/reachStep) + 2
	r.cmUB = make([]float64, n)
	m := 0.0
	for k := range n {
		d := float64(k) * reachStep
		for m < r.maxMin && s.router.MaxReachM(m+1, r.modes) < d {
			m++
		}
		r.cmUB[k] = commuteValue(m, r.maxMin) // at least m minutes are needed for d
	}
	r.stepFree = slices.Contains(hh.Needs, NeedStepFree)
	r.wishes = hh.Wishes
	return r, nil
}

// reuseJobs lets r start from what p, an earlier request of the same
// household (a plan before its what-if variants, an allocation's national
// search before its department one), learnt of the job lists: the job
// each seeker took per housing tile (warm starts: hints a search tries
// first and checks in full) and, when the seekers' job rules are the same,
// the lists p filtered. A filter depends on the snapshot, the weights, the
// move-in day and each seeker's occupations, licence and French level,
// not on the scope, the commute or the housing rules.
func (r *request) reuseJobs(p *request) {
	r.warm = p.warm
	if r.s != p.s || r.w != p.w || r.moveDay != p.moveDay || len(r.seekers) != len(p.seekers) {
		return
	}
	for i := range r.seekers {
		a, b := &r.seekers[i], &p.seekers[i]
		if a.licence != b.licence || a.fr != b.fr || !slices.Equal(a.m.Occupations, b.m.Occupations) {
			return
		}
	}
	r.filt = p.filt
}

// seekerGroups lists the job groups a member can be matched to, best tier
// first.
func (r *request) seekerGroups(m *Member) []seekerGroup {
	var out []seekerGroup
	seen := map[string]bool{}
	addG := func(key string, tier int) {
		if seen[key] {
			return
		}
		seen[key] = true
		if g, ok := r.s.groups[key]; ok {
			out = append(out, seekerGroup{g: g, tier: tier})
		}
	}
	for _, o := range m.Occupations {
		// The best tier of this code over every occupation that names it
		// (a code may be listed twice with different experience).
		t := TierExactNew
		for _, o2 := range m.Occupations {
			if o2.ROME == o.ROME && o2.Years >= 1 {
				t = TierExact
			}
		}
		addG("r:"+o.ROME, t)
	}
	for _, o := range m.Occupations {
		addG("d:"+domainOf(o.ROME), TierDomain)
	}
	addG("b", TierBeginners)
	for _, o := range m.Occupations {
		if o.ROME != "" {
			addG("g:"+o.ROME[:1], TierGrandDomain)
		}
	}
	return out
}

// commuteUB returns an upper bound of the commute value at a straight-line
// distance of at least d meters, or -1 when no mode reaches that far.
func (r *request) commuteUB(d float64) float64 {
	if d > r.reachM {
		return -1
	}
	k := int(d / reachStep)
	if k >= len(r.cmUB) {
		return -1
	}
	return r.cmUB[k]
}

// inScope reports whether a commune is within the relocation scope.
func (r *request) inScope(c *geo.Commune) bool {
	switch r.h.Relocation.Scope {
	case ScopeRegions:
		return slices.Contains(r.h.Relocation.Regions, c.Region)
	case ScopeDepartments:
		return slices.Contains(r.h.Relocation.Departments, c.Department)
	case ScopeRadius:
		return geo.Distance(r.home.Point, c.Point) <= r.h.Relocation.RadiusKM*1000
	}
	return true
}

// tileInScope reports whether some housing of tile t may be in scope.
func (r *request) tileInScope(t int32) bool {
	switch r.h.Relocation.Scope {
	case ScopeRegions, ScopeDepartments:
		return r.depsInScope(r.s.tileDeps[t])
	case ScopeRadius:
		return r.s.tiles.minDistPoint(r.home.Point, t) <= r.h.Relocation.RadiusKM*1000+radiusMargin(r.s.tileSlack[t])
	}
	return true
}

// radiusMargin is what a radius scope adds to its radius around an area
// whose homes lie at most slack meters from their communes' points: a
// home is in scope when its commune is, and its point may lie farther.
// Never less than 30 km, the margin before it was measured; a kilometre
// more covers the rounding of the distance bounds.
func radiusMargin(slack float64) float64 { return max(30000, slack+1000) }

// depsInScope reports whether one of the departments deps is within a
// departments or regions scope.
func (r *request) depsInScope(deps []string) bool {
	for _, d := range deps {
		if r.h.Relocation.Scope == ScopeDepartments && slices.Contains(r.h.Relocation.Departments, d) {
			return true
		}
		if r.h.Relocation.Scope == ScopeRegions {
			if dep, ok := r.s.atlas.Department(d); !ok || slices.Contains(r.h.Relocation.Regions, dep.Region) {
				return true
			}
		}
	}
	return false
}

// Rejection reason codes, counted in Plan.Rejected.
const (
	RejectNotAvailable    = "not_available"
	RejectOutOfScope      = "out_of_scope"
	RejectTooSmall        = "too_small"
	RejectSharedNotSuited = "shared_not_suitable"
	RejectGender          = "gender_mismatch"
	RejectKind            = "landlord_kind_ineligible"
	RejectStepFree        = "not_step_free"
	RejectEffortRate      = "effort_rate_too_high"
	RejectUnder25NoIncome = "under25_no_income"
	RejectCommute         = "commute_too_long"
	RejectLicence         = "driving_licence_required"
	RejectFrench          = "french_level_too_low"
	RejectJobNotAvailable = "job_not_available"
	RejectResidenceIncome = "income_above_ceiling"
)

// ResidenceIncomeCeiling is the monthly net income above which a
// résidence sociale is not offered: about the PLAI resource ceiling of a
// person alone (decision documented in docs/SCORING.md).
const ResidenceIncomeCeiling = 1800.0

// checkHousing returns the reason a housing offer cannot house the
// household, or "".
func (r *request) checkHousing(h *hItem) string {
	if h.avail != noDay && h.avail > r.moveDay+HousingWindowDays || h.expires != noDay && h.expires < r.moveDay {
		return RejectNotAvailable
	}
	if r.h.Relocation.Scope != ScopeAnywhere && !r.inScope(h.c) {
		return RejectOutOfScope
	}
	if h.shared {
		if !r.isolated || !r.h.SharedOK {
			return RejectSharedNotSuited
		}
		if h.gender != genderBit(AnyGender) && h.gender != genderBit(r.sex) {
			return RejectGender
		}
		if h.places < 1 {
			return RejectTooSmall
		}
	} else if int32(r.persons) > h.maxOcc {
		return RejectTooSmall
	}
	if why := r.checkKind(h.kind); why != "" {
		return why
	}
	if r.stepFree && !h.free {
		return RejectStepFree
	}
	return ""
}

// checkKind returns the reason a home of landlord kind k cannot house the
// household, or "".
func (r *request) checkKind(k LandlordKind) string {
	switch k {
	case PensionDeFamille:
		if !r.isolated || r.minAdultAge < 18 {
			return RejectKind
		}
	case ResidenceSociale:
		if r.incomeMin > ResidenceIncomeCeiling {
			return RejectResidenceIncome
		}
	}
	return ""
}

// checkRun returns the reason the homes of run u cannot house the
// household, when that reason holds for the whole run (the rules of
// checkHousing that read only the commune, the shared flag and the kind),
// or "".
func (r *request) checkRun(u *hRun) string {
	if r.h.Relocation.Scope != ScopeAnywhere && !r.inScope(u.c) {
		return RejectOutOfScope
	}
	if u.shared && (!r.isolated || !r.h.SharedOK) {
		return RejectSharedNotSuited
	}
	if why := r.checkKind(u.kind); why != "" {
		return why
	}
	return ""
}

// checkJob returns the reason seeker sk cannot take job j, or "".
func (r *request) checkJob(sk *seeker, j *jItem) string {
	if j.expires != noDay && j.expires < r.moveDay {
		return RejectJobNotAvailable
	}
	if j.licence && !sk.licence {
		return RejectLicence
	}
	if int(j.frReq)-sk.fr > MaxFrenchGap {
		return RejectFrench
	}
	return ""
}

func (r *request) reject(reason string) { r.rejected[reason]++ }
