package matcher

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"passerelle/geo"
	"passerelle/matcher/assign"
)

// AllocateOptions tune Engine.Allocate. The zero value gives the defaults.
type AllocateOptions struct {
	// Top is the number of options considered per household (default 20,
	// at most 100): its plan's best options without the diversity limits.
	Top int
	// Today is the reference day of the plans (default: each household's
	// move_from, else the current UTC day). Set it for reproducible runs.
	Today Date
	// PlacementBonus is added to the score of every placement before the
	// priority weighting, in score units (default 1; a negative value means
	// 0, the pure total score). With 1, placing one more household is worth
	// as much as the best possible score, so the allocation seldom trades a
	// placement for better scores elsewhere.
	PlacementBonus float64
	// Locks are the advisors' decisions: a household takes this housing
	// (and this job, when set). At most one lock per household.
	Locks []Lock
	// Forbidden are pairs the allocation must not make.
	Forbidden []Forbid
	// Iterations is the number of subgradient iterations on the job prices
	// at the root (default 60).
	Iterations int
	// MaxNodes caps the branch-and-bound nodes explored after the root
	// when the gap is not closed (default 64; negative: none).
	MaxNodes int
	// Deepen is the number of deepening rounds (default 2; negative: none):
	// after a solve, households left unplaced whose option list was cut at
	// the top get a longer one (3 times longer each round, at most
	// MaxDeepTop) and the caseload is solved again. Households of similar
	// profiles share their best options nationally, so a short list makes
	// scarcity that the market does not have.
	Deepen int
	// MaxSolves caps the assignment solves of each solve round (subgradient
	// iterations, repairs, nodes; every deepening round gets the budget
	// again). Default: 4,000,000 / options, between 20 and 400, so that
	// large caseloads stop early with a reported gap.
	MaxSolves int
	// Workers is the number of goroutines building the options (default
	// GOMAXPROCS). Results do not depend on it.
	Workers int
	// NoExplain skips the full, explained Option of each placed household
	// (Assignment.Option): faster on large caseloads.
	NoExplain bool
	// KeepCandidates keeps every household's considered options in
	// Assignment.Candidates.
	KeepCandidates bool
}

// Lock is an advisor's decision that household HouseholdID takes housing
// offer HousingID, and job offer JobID when set (for the first adult
// seeking work who can take it; the others get their best job).
type Lock struct {
	HouseholdID string `json:"household_id"`
	HousingID   string `json:"housing_id"`
	JobID       string `json:"job_id,omitempty"`
}

// Forbid is a pair the allocation must not make: household HouseholdID
// with housing offer HousingID, or with job offer JobID (any option using
// it), or both when both are set (options using both).
type Forbid struct {
	HouseholdID string `json:"household_id"`
	HousingID   string `json:"housing_id,omitempty"`
	JobID       string `json:"job_id,omitempty"`
}

// Reasons a household is left unplaced (Assignment.Reason).
const (
	// ReasonNoOption: its plan has no feasible option.
	ReasonNoOption = "no_feasible_option"
	// ReasonOutbid: its options went to other households for a higher
	// total.
	ReasonOutbid = "outbid"
	// ReasonLockInfeasible: its lock cannot be honoured (see Detail).
	ReasonLockInfeasible = "lock_infeasible"
	// ReasonLockConflict: its lock asks for a place an earlier lock took.
	ReasonLockConflict = "lock_conflict"
	// ReasonForbidden: every option of its plan is forbidden by advisors.
	ReasonForbidden = "all_options_forbidden"
)

var allocReasonFR = map[string]string{
	ReasonNoOption:       "aucune option faisable dans son plan",
	ReasonOutbid:         "ses options sont allées à d'autres foyers pour un meilleur total",
	ReasonLockInfeasible: "verrouillage impossible à respecter",
	ReasonLockConflict:   "verrouillage sur une place déjà prise par un autre verrouillage",
	ReasonForbidden:      "toutes ses options sont interdites par les conseillers",
}

var allocReasonEN = map[string]string{
	ReasonNoOption:       "no feasible option in its plan",
	ReasonOutbid:         "its options went to other households for a higher total",
	ReasonLockInfeasible: "the lock cannot be honoured",
	ReasonLockConflict:   "the lock asks for a place another lock already took",
	ReasonForbidden:      "every option of its plan is forbidden by advisors",
}

// AllocReasonLabel returns the label of an allocation reason code, in
// French when fr is set, else in English; an unknown code is returned as
// is.
func AllocReasonLabel(code string, fr bool) string {
	return label(allocReasonFR, allocReasonEN, code, fr)
}

// Allocation is the allocation of a caseload: who takes which option, who
// is left unplaced and why, with the objective, its upper bound and the
// baselines. Values are in score units: a placement is worth priority ×
// (score + placement bonus).
//
// An Allocation is not safe for concurrent use: Engine.Insert changes it.
type Allocation struct {
	// Objective is Σ priority × (score + bonus) over placed households.
	Objective float64 `json:"objective"`
	// UpperBound bounds the objective of any feasible allocation of the
	// same options (Lagrangian dual bound, tightened by branch and bound).
	UpperBound float64 `json:"upper_bound"`
	// Gap is (UpperBound − Objective) / UpperBound, 0 when proven optimal.
	Gap float64 `json:"gap"`
	// Optimal is set when the gap is closed (within 1e-9).
	Optimal bool `json:"optimal"`
	// TotalScore is Σ priority × score over placed households.
	TotalScore float64 `json:"total_score"`
	// Households, Placed and WithJob count households: all, placed, and
	// placed with at least one job.
	Households int `json:"households"`
	Placed     int `json:"placed"`
	WithJob    int `json:"with_job"`
	// Bonus is the placement bonus used.
	Bonus float64 `json:"placement_bonus"`
	// Assignments has one entry per household, in input order.
	Assignments []Assignment `json:"assignments"`
	// Baselines are the greedy (by value) and first-come-first-served
	// allocations of the same options, locks and forbidden pairs.
	Baselines []Baseline `json:"baselines"`
	// Stats describe the computation.
	Stats AllocStats `json:"stats"`
	// DataVersion is the version of the market data the options come from.
	DataVersion int64 `json:"data_version"`

	st *allocState // for Insert
}

// AllocStats describe how an allocation was computed.
type AllocStats struct {
	Options    int `json:"options"`    // options considered, over all households
	Housing    int `json:"housing"`    // distinct housing offers in the options
	Jobs       int `json:"jobs"`       // distinct job offers in the options
	Iterations int `json:"iterations"` // subgradient iterations, all nodes
	Solves     int `json:"solves"`     // assignment solves
	Nodes      int `json:"nodes"`      // branch-and-bound nodes after the root
	Repairs    int `json:"repairs"`    // repair runs
	Locked     int `json:"locked"`     // households placed by a lock
	Deepened   int `json:"deepened"`   // option lists made longer, over all rounds
	// OptionsTime and SolveTime are the wall-clock times of building the
	// options (plan searches) and of solving; left out of JSON so that
	// the output is deterministic.
	OptionsTime time.Duration `json:"-"`
	SolveTime   time.Duration `json:"-"`
}

// Assignment is the outcome of one household.
type Assignment struct {
	HouseholdID string  `json:"household_id"`
	ExternalRef string  `json:"external_ref,omitempty"`
	Priority    float64 `json:"priority"`
	Placed      bool    `json:"placed"`
	Locked      bool    `json:"locked,omitempty"`
	// Placement is the option taken, when placed.
	Placement *Placement `json:"placement,omitempty"`
	// Option is the full, explained option taken (unless NoExplain).
	Option *Option `json:"option,omitempty"`
	// Reason is a Reason… code when not placed; ReasonLabel and
	// ReasonLabelEN are its French and English labels, Detail and DetailEN
	// say more (e.g. who took its best option).
	Reason        string `json:"reason,omitempty"`
	ReasonLabel   string `json:"reason_label,omitempty"`
	ReasonLabelEN string `json:"reason_label_en,omitempty"`
	Detail        string `json:"detail,omitempty"`
	DetailEN      string `json:"detail_en,omitempty"`
	// Options is the number of options considered for the household.
	Options int `json:"options"`
	// Candidates are those options (only with KeepCandidates).
	Candidates []Placement `json:"candidates,omitempty"`
}

// Placement is an option as the allocation sees it.
type Placement struct {
	// Rank is the option's rank in the household's plan without diversity
	// limits (1 = best); 0 for an option built for a lock outside the top.
	Rank         int          `json:"rank"`
	Score        float64      `json:"score"`
	Value        float64      `json:"value"` // priority × (score + bonus)
	HousingID    string       `json:"housing_id"`
	HousingRef   string       `json:"housing_ref,omitempty"`
	Commune      string       `json:"commune"`
	CommuneName  string       `json:"commune_name,omitempty"`
	Department   string       `json:"department"`
	LandlordKind LandlordKind `json:"landlord_kind"`
	Lease        Lease        `json:"lease"`
	Shared       bool         `json:"shared"`
	Rooms        int          `json:"rooms"`
	Permanent    bool         `json:"permanent"` // housing_stability 1 (direct lease)
	Jobs         []PlacedJob  `json:"jobs"`
	EffortRate   float64      `json:"effort_rate"`
	RentMonthly  float64      `json:"rent_monthly"`
	MoveKM       float64      `json:"move_km"`
	// AGIRExit: permanent housing and a job meeting AGIR's exit criterion
	// (the option's meets_agir_exit flag).
	AGIRExit bool `json:"agir_exit"`
}

// PlacedJob is a job of a placement.
type PlacedJob struct {
	ID             string   `json:"id"`
	ExternalRef    string   `json:"external_ref,omitempty"`
	Member         int      `json:"member"` // index into the household's members
	ROME           string   `json:"rome"`
	Title          string   `json:"title,omitempty"`
	Contract       Contract `json:"contract"`
	Months         int      `json:"months,omitempty"`
	CommuteMinutes int      `json:"commute_minutes"`
	Mode           geo.Mode `json:"mode"`
	// AGIRExit: the contract meets AGIR's employment exit criterion (CDI,
	// CDD of 6 months or more, apprenticeship, professionalisation,
	// qualifying training).
	AGIRExit bool `json:"agir_exit"`
}

// Baseline is the outcome of a simple allocation rule on the same options.
type Baseline struct {
	// Method is "greedy" (pairs by value, best first) or "fcfs" (first
	// come, first served: households in input order, each its best
	// remaining option).
	Method     string  `json:"method"`
	Objective  float64 `json:"objective"`
	TotalScore float64 `json:"total_score"`
	Placed     int     `json:"placed"`
	WithJob    int     `json:"with_job"`
	// Placements has one entry per household (nil when unplaced).
	Placements []*Placement `json:"placements"`
}

// Baseline methods.
const (
	BaselineGreedy = "greedy"
	BaselineFCFS   = "fcfs"
)

// Defaults of AllocateOptions.
const (
	DefaultAllocTop        = 20
	DefaultAllocIterations = 60
	DefaultAllocMaxNodes   = 64
	DefaultAllocDeepen     = 2
	// MaxDeepTop is the longest option list of a deepening round.
	MaxDeepTop = 200
)

func (o *AllocateOptions) defaults() {
	if o.Top == 0 {
		o.Top = DefaultAllocTop
	}
	switch {
	case o.PlacementBonus == 0:
		o.PlacementBonus = 1
	case o.PlacementBonus < 0:
		o.PlacementBonus = 0
	}
	if o.Iterations <= 0 {
		o.Iterations = DefaultAllocIterations
	}
	switch {
	case o.Deepen == 0:
		o.Deepen = DefaultAllocDeepen
	case o.Deepen < 0:
		o.Deepen = 0
	}
	if o.MaxNodes == 0 {
		o.MaxNodes = DefaultAllocMaxNodes
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// aOpt is one option of one household in the allocation problem.
type aOpt struct {
	hh    int32
	rank  int32
	res   int32   // housing resource
	jobs  []int32 // job resources, one per job taken
	value float64 // priority × (score + bonus)
	cand  candidate
}

// Allocate allocates the households to the options of their plans: each
// household takes at most one option; a whole flat goes to one household, a
// shared flat's places (one person each, of the flat's gender) to isolated
// adults; a job takes at most its positions; locks and forbidden pairs are
// respected. It maximises Σ priority × (score + bonus) (see
// AllocateOptions) by Lagrangian relaxation of the job capacities over an
// exact assignment of housing (matcher/assign), a repair that keeps the
// result feasible and a bounded branch and bound; the result reports the
// objective, its upper bound and the gap, each household's outcome, and
// the greedy and first-come-first-served baselines. The result is
// deterministic for a given input, engine and options.
//
// Households must have distinct, non-empty ids. It returns a
// *ValidationError (wrapping ErrInvalid) listing every problem of the
// households (fields prefixed "households[i].") and of the locks and
// forbidden pairs (unknown ids, two locks for one household, a lock on a
// forbidden pair), and ctx.Err() (wrapped) when ctx is done. Safe for
// concurrent use.
func (e *Engine) Allocate(ctx context.Context, households []Household, opts AllocateOptions) (*Allocation, error) {
	opts.defaults()
	s := e.snap.Load()
	st := &allocState{s: s, opts: opts, e: e,
		popts: PlanOptions{Top: opts.Top, Today: opts.Today, NoWhatIf: true, MaxPerCommune: opts.Top, MaxPerDepartment: opts.Top},
		hIdx:  map[int32]int32{}, jIdx: map[int32]int32{}}
	if err := st.validate(households); err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := st.generate(ctx); err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := st.solve(ctx); err != nil {
		return nil, err
	}
	st.stats.OptionsTime, st.stats.SolveTime = t1.Sub(t0), time.Since(t1)
	top := opts.Top
	for range opts.Deepen {
		top = min(top*3, MaxDeepTop)
		var redo []int
		for _, i := range st.free {
			if st.sel[i] < 0 && len(st.cands[i]) >= st.tops[i] && st.tops[i] < top {
				redo = append(redo, int(i))
			}
		}
		if len(redo) == 0 {
			break
		}
		t0 := time.Now()
		if err := st.deepen(ctx, redo, top); err != nil {
			return nil, err
		}
		t1 := time.Now()
		st.reset()
		st.build(st.lockCands)
		if err := st.solve(ctx); err != nil {
			return nil, err
		}
		st.stats.Deepened += len(redo)
		st.stats.OptionsTime += t1.Sub(t0)
		st.stats.SolveTime += time.Since(t1)
	}
	return st.result(), nil
}

// allocState is the allocation problem and its solution.
type allocState struct {
	e     *Engine
	s     *snapshot
	opts  AllocateOptions
	popts PlanOptions

	hs        []Household  // copies, defaults applied
	tops      []int        // per household: the length its option list was cut at
	lockCands []*candidate // per household: the option its lock asks for
	byID      map[string]int
	lockOf    map[int]lockReq     // household → its lock
	forbid    map[int][]forbidReq // household → its forbidden pairs
	cands     [][]candidate       // per household, plan order
	locked    []lockOutcome       // per household
	nForb     []int               // per household: options removed by forbidden pairs
	byHH      [][]int32           // per household: its options (indexes in opt)
	opt       []aOpt              //
	hRes      []int32             // housing resource → snapshot index
	jRes      []int32             // job resource → snapshot index
	hIdx      map[int32]int32     // snapshot index → housing resource
	jIdx      map[int32]int32     // snapshot index → job resource
	hCap      []int               // capacity left after locks
	jCap      []int               //
	free      []int32             // households the solver allocates
	fixedV    float64             // value of locked placements
	stats     AllocStats          //
	sel       []int32             // per household: option taken, or −1
	greedy    []int32             //
	fcfs      []int32             //
	ub        float64             // upper bound (free households only)
	lagUB     float64             // best root Lagrangian value
	lam       []float64           // job prices of lagUB
	hPrice    []float64           // housing prices of lagUB
	hUsed     []int               // current use of each housing resource
	jUsed     []int               // current use of each job resource
	dead      []bool              // options that cannot fit (locks took their places)
	incSel    []int32             // incumbent: best feasible solution found
	solves    int                 // solves left in the budget
	incVal    float64             // its value
	occ       map[int32][]int32   // housing resource → households placed there (built by Insert)

	relaxEdges []assign.Edge // relax's buffers, reused by every solve
	relaxOpt   []int32

	noSeeds bool // department lists searched from nothing (TestLocalListSeeded's baseline)
}

type lockReq struct {
	idx     int // index in opts.Locks
	hi, ji  int32
	hasJob  bool
	jobID   string
	housing string
}

type forbidReq struct{ hi, ji int32 }

// lockOutcome is what became of a household's lock.
type lockOutcome struct {
	has      bool
	ok       bool
	opt      int32 // option index when ok
	reason   string
	detailFR string
	detailEN string
}

// validate checks the households, locks and forbidden pairs, and copies
// the households with their defaults.
func (st *allocState) validate(households []Household) error {
	var ve ValidationError
	if st.opts.Top < 0 || st.opts.Top > 100 {
		ve.add("top", CodeOutOfRange, "Le nombre d'options par foyer doit être compris entre 1 et 100.",
			"The number of options per household must be between 1 and 100.")
	}
	st.byID = make(map[string]int, len(households))
	st.hs = make([]Household, len(households))
	for i := range households {
		h := households[i]
		p := itemPath("households", i)
		if err := h.Validate(); err != nil {
			var v *ValidationError
			if errors.As(err, &v) {
				for _, f := range v.Fields {
					f.Field = p + "." + f.Field
					ve.Fields = append(ve.Fields, f)
				}
			}
		}
		switch _, dup := st.byID[h.ID]; {
		case h.ID == "":
			ve.add(p+".id", CodeRequired, "L'identifiant du foyer est obligatoire pour une répartition.",
				"The household id is required for an allocation.")
		case dup:
			ve.add(p+".id", CodeInvalid, fmt.Sprintf("L'identifiant %q est déjà utilisé par un autre foyer.", h.ID),
				fmt.Sprintf("The id %q is already used by another household.", h.ID))
		default:
			st.byID[h.ID] = i
		}
		h.Members = slices.Clone(h.Members)
		h.ApplyDefaults()
		st.hs[i] = h
	}
	var hByID, jByID map[string]int32
	var hGone, jGone []uint64 // left out by Without: not open offers
	if len(st.opts.Locks) > 0 || len(st.opts.Forbidden) > 0 {
		ids := st.s.ids.get(st.s)
		hByID, jByID, hGone, jGone = ids.housing, ids.jobs, st.s.deadH, st.s.deadJ
	}
	household := func(p, id string) (int, bool) {
		i, ok := st.byID[id]
		if !ok {
			ve.add(p+".household_id", CodeUnknownValue, fmt.Sprintf("Aucun foyer de la liste n'a l'identifiant %q.", id),
				fmt.Sprintf("No household of the list has the id %q.", id))
		}
		return i, ok
	}
	offer := func(p, field, id string, ids map[string]int32, dead []uint64, fr, en string) (int32, bool) {
		i, ok := ids[id]
		ok = ok && !gone(dead, i)
		if !ok {
			ve.add(p+"."+field, CodeUnknownValue, fmt.Sprintf("Aucune offre %s ouverte n'a l'identifiant %q.", fr, id),
				fmt.Sprintf("No open %s offer has the id %q.", en, id))
		}
		return i, ok
	}
	st.forbid = map[int][]forbidReq{}
	for k, f := range st.opts.Forbidden {
		p := itemPath("forbidden", k)
		i, okH := household(p, f.HouseholdID)
		fr := forbidReq{hi: -1, ji: -1}
		ok := okH
		if f.HousingID == "" && f.JobID == "" {
			ve.add(p, CodeRequired, "Une interdiction porte sur un logement, un emploi ou les deux.",
				"A forbidden pair names a housing offer, a job offer or both.")
			ok = false
		}
		if f.HousingID != "" {
			hi, okO := offer(p, "housing_id", f.HousingID, hByID, hGone, "de logement", "housing")
			fr.hi, ok = hi, ok && okO
		}
		if f.JobID != "" {
			ji, okO := offer(p, "job_id", f.JobID, jByID, jGone, "d'emploi", "job")
			fr.ji, ok = ji, ok && okO
		}
		if ok {
			st.forbid[i] = append(st.forbid[i], fr)
		}
	}
	st.lockOf = map[int]lockReq{}
	for k, l := range st.opts.Locks {
		p := itemPath("locks", k)
		i, ok := household(p, l.HouseholdID)
		lr := lockReq{idx: k, ji: -1, housing: l.HousingID, jobID: l.JobID}
		if l.HousingID == "" {
			ve.add(p+".housing_id", CodeRequired, "Un verrouillage désigne un logement.", "A lock names a housing offer.")
			ok = false
		} else {
			hi, okO := offer(p, "housing_id", l.HousingID, hByID, hGone, "de logement", "housing")
			lr.hi, ok = hi, ok && okO
		}
		if l.JobID != "" {
			ji, okO := offer(p, "job_id", l.JobID, jByID, jGone, "d'emploi", "job")
			lr.ji, lr.hasJob, ok = ji, true, ok && okO
		}
		if !ok {
			continue
		}
		if _, dup := st.lockOf[i]; dup {
			ve.add(p+".household_id", CodeInvalid, fmt.Sprintf("Le foyer %q a déjà un verrouillage.", l.HouseholdID),
				fmt.Sprintf("Household %q already has a lock.", l.HouseholdID))
			continue
		}
		for _, f := range st.forbid[i] {
			if (f.hi < 0 || f.hi == lr.hi) && (f.ji < 0 || f.ji == lr.ji) && (f.hi >= 0 || lr.hasJob) {
				ve.add(p, CodeInconsistent, "Ce verrouillage porte sur une paire interdite pour ce foyer.",
					"This lock is on a pair forbidden for this household.")
				ok = false
				break
			}
		}
		if ok {
			st.lockOf[i] = lr
		}
	}
	return ve.err()
}

// generate builds every household's options with the plan search, in
// parallel; the results do not depend on the number of workers.
func (st *allocState) generate(ctx context.Context) error {
	n := len(st.hs)
	st.cands = make([][]candidate, n)
	st.locked = make([]lockOutcome, n)
	lockCands := make([]*candidate, n)
	st.tops = make([]int, n)
	for i := range st.tops {
		st.tops[i] = st.opts.Top
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(st.opts.Workers, max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				cands, lc, lo, err := st.householdOptions(ctx, i)
				st.cands[i], lockCands[i], errs[i] = cands, lc, err
				if lo.has {
					st.locked[i] = lo
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("matcher: allocating %d households: %w", n, err)
	}
	var ve ValidationError
	for i, err := range errs {
		if err == nil {
			continue
		}
		var v *ValidationError
		if !errors.As(err, &v) {
			return fmt.Errorf("matcher: allocating: household %q: %w", st.hs[i].ID, err)
		}
		for _, f := range v.Fields {
			f.Field = itemPath("households", i) + "." + f.Field
			ve.Fields = append(ve.Fields, f)
		}
	}
	if err := ve.err(); err != nil {
		return err
	}
	st.lockCands = lockCands
	st.build(lockCands)
	return nil
}

// deepen builds longer option lists (top) for households redo, in
// parallel.
func (st *allocState) deepen(ctx context.Context, redo []int, top int) error {
	errs := make([]error, len(redo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(st.opts.Workers, len(redo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(redo) || ctx.Err() != nil {
					return
				}
				i := redo[k]
				st.cands[i], _, errs[k] = st.search(ctx, i, top)
				st.tops[i] = top
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("matcher: allocating: deepening %d option lists: %w", len(redo), err)
	}
	for k, err := range errs {
		if err != nil {
			return fmt.Errorf("matcher: allocating: household %q: %w", st.hs[redo[k]].ID, err)
		}
	}
	return nil
}

// reset clears the problem built from the options, keeping the households,
// their options, their locks' outcomes from the plan rules and the
// cumulative statistics.
func (st *allocState) reset() {
	st.opt, st.hRes, st.jRes, st.hCap, st.jCap, st.free = nil, nil, nil, nil, nil, nil
	st.hIdx, st.jIdx = map[int32]int32{}, map[int32]int32{}
	st.fixedV = 0
	st.stats.Locked = 0
	for i := range st.locked {
		lo := &st.locked[i]
		lo.ok, lo.opt = false, -1
		if lo.reason == ReasonLockConflict {
			lo.reason, lo.detailFR, lo.detailEN = "", "", ""
		}
	}
}

// search returns household i's options: its best top options over its
// whole relocation scope and its best top options in its current
// department when its scope allows it, merged in plan order.
//
// The national list alone left the allocation worse than keeping everyone
// in their department (docs/BENCHMARKS.md, quality report): households of
// similar profiles share the same nationally best homes, and the options
// a department-bound allocation uses lay beyond their lists. With the local
// list, every option of the "stay in the department" allocation is also
// an option of the national one.
func (st *allocState) search(ctx context.Context, i, top int) ([]candidate, *request, error) {
	return st.searchFor(ctx, &st.hs[i], top)
}

// searchFor is search for household hh.
func (st *allocState) searchFor(ctx context.Context, hh *Household, top int) ([]candidate, *request, error) {
	cands, local, r, err := st.lists(ctx, hh, top)
	if err != nil || local == nil {
		return cands, r, err
	}
	seen := make(map[int32]bool, len(cands))
	for _, c := range cands {
		seen[c.h] = true
	}
	n := len(cands)
	for _, c := range local {
		// A radius scope may leave part of the department out.
		if !seen[c.h] && r.inScope(st.s.housing[c.h].c) {
			cands = append(cands, c)
		}
	}
	if len(cands) > n {
		slices.SortFunc(cands, func(a, b candidate) int { return byPick(&a, &b) })
	}
	return cands, r, nil
}

// lists runs household hh's two searches: its top options over its whole
// scope, and its top options in its current department (nil when the first
// list is already local or the department is out of scope), the second
// started from the first's options in the department (departmentSeeds).
func (st *allocState) lists(ctx context.Context, hh *Household, top int) (national, local []candidate, r *request, err error) {
	popts := st.popts
	popts.Top, popts.MaxPerCommune, popts.MaxPerDepartment = top, top, top
	if r, err = st.e.newRequest(st.s, hh, popts); err != nil {
		return nil, nil, nil, err
	}
	if national, _, err = r.searchFast(ctx); err != nil {
		return nil, nil, nil, err
	}
	dep := r.home.Department
	if sc := r.h.Relocation; sc.Scope == ScopeDepartments && len(sc.Departments) == 1 && sc.Departments[0] == dep || !r.inScope(r.home) {
		return national, nil, r, nil
	}
	h := *hh
	h.Relocation = Relocation{Scope: ScopeDepartments, Departments: []string{dep}}
	lr, err := st.e.newRequest(st.s, &h, popts)
	if err != nil {
		return nil, nil, nil, err
	}
	if !st.noSeeds {
		lr.seeds = departmentSeeds(st.s, national, dep)
	}
	lr.reuseJobs(r)
	if local, _, err = lr.searchFast(ctx); err != nil {
		return nil, nil, nil, err
	}
	return national, local, r, nil
}

// departmentSeeds returns the options of cands on homes of department dep:
// options of the department's list too, with the same score, since the
// score does not depend on the relocation scope.
func departmentSeeds(s *snapshot, cands []candidate, dep string) []candidate {
	var out []candidate
	for _, c := range cands {
		if s.housing[c.h].c.Department == dep {
			out = append(out, c)
		}
	}
	return out
}

// householdOptions runs household i's plan search and, when it has a lock,
// finds or builds the locked option.
func (st *allocState) householdOptions(ctx context.Context, i int) ([]candidate, *candidate, lockOutcome, error) {
	cands, r, err := st.search(ctx, i, st.opts.Top)
	if err != nil {
		return nil, nil, lockOutcome{}, err
	}
	lr, ok := st.lockOf[i]
	if !ok {
		return cands, nil, lockOutcome{}, nil
	}
	lo := lockOutcome{has: true}
	for k := range cands {
		c := &cands[k]
		if c.h == lr.hi && (!lr.hasJob || slices.ContainsFunc(c.jobs, func(ch choice) bool { return ch.job == lr.ji })) {
			return cands, c, lo, nil
		}
	}
	c, why := r.lockedCandidate(lr.hi, lr.ji)
	if why != "" {
		lo.reason = ReasonLockInfeasible
		lo.detailFR, lo.detailEN = lockWhy(why, lr)
		return cands, nil, lo, nil
	}
	return cands, &c, lo, nil
}

// lockWhy says in French and English why a lock cannot be honoured.
func lockWhy(why string, lr lockReq) (string, string) {
	what := fmt.Sprintf("logement %s", lr.housing)
	whatEN := fmt.Sprintf("housing %s", lr.housing)
	if lr.hasJob {
		what += ", emploi " + lr.jobID
		whatEN += ", job " + lr.jobID
	}
	if why == whyForbidden {
		return fmt.Sprintf("%s : l'option utilise une paire interdite pour ce foyer", what),
			fmt.Sprintf("%s: the option uses a pair forbidden for this household", whatEN)
	}
	if why == whyJobNotSuitable {
		return fmt.Sprintf("%s : aucun adulte du foyer ne peut occuper cet emploi depuis ce logement", what),
			fmt.Sprintf("%s: no adult of the household can take this job from this home", whatEN)
	}
	return fmt.Sprintf("%s : %s", what, RejectLabel(why, true)), fmt.Sprintf("%s: %s", whatEN, RejectLabel(why, false))
}

// whyJobNotSuitable is the lock failure when no seeker can take the
// locked job from the locked home.
const whyJobNotSuitable = "job_not_suitable"

// whyForbidden is the lock failure when the locked option uses a pair
// forbidden for the household.
const whyForbidden = "forbidden_pair"

// lockedCandidate builds the option of housing hi for the request's
// household, with job ji (≥ 0) for the first seeker who can take it and
// the best jobs for the others. It returns the rejection reason when the
// option is infeasible.
func (r *request) lockedCandidate(hi, ji int32) (candidate, string) {
	h := &r.s.housing[hi]
	if why := r.checkHousing(h); why != "" {
		return candidate{}, why
	}
	if ji < 0 {
		c, ok := r.evaluate(hi, nil, math.Inf(-1))
		if !ok {
			return candidate{}, r.pending
		}
		return c, ""
	}
	hc := r.housingCtx(h)
	var chosen []choice
	lockSeeker := -1
	for si := range r.seekers {
		if c, ok := r.pairJob(&hc, si, ji, false); ok {
			chosen, lockSeeker = append(chosen, c), si
			break
		}
	}
	if lockSeeker < 0 {
		return candidate{}, whyJobNotSuitable
	}
	for si := range r.seekers {
		if si == lockSeeker {
			continue
		}
		st := &step{r: r, hc: &hc, si: si, taken: chosen, floor: math.Inf(-1)}
		tileSource{}.each(st)
		if st.hasBest {
			chosen = append(chosen, st.best)
		}
	}
	slices.SortFunc(chosen, func(a, b choice) int { return a.seeker - b.seeker })
	var c candidate
	if !r.score(&hc, chosen, &c) {
		return candidate{}, r.pending
	}
	c.h, c.ord, c.jobs = hi, r.s.housing[hi].ord, chosen
	return c, ""
}

// build turns the candidates into the options of the problem, applies the
// forbidden pairs, and places the locks in their order.
func (st *allocState) build(lockCands []*candidate) {
	s := st.s
	n := len(st.hs)
	st.byHH = make([][]int32, n)
	st.nForb = make([]int, n)
	st.sel = make([]int32, n)
	for i := range st.sel {
		st.sel[i] = -1
	}
	total := 0
	for i := range n {
		total += len(st.cands[i])
	}
	// An option holds its whole candidate: grown by append, the slice of
	// 575,000 options of a 10,000-household caseload was copied over and
	// over, in the one part of the allocation that runs on one core.
	st.opt = slices.Grow(st.opt, total)
	for i := range n {
		for k := range st.cands[i] {
			c := &st.cands[i][k]
			if st.forbidden(i, c) {
				st.nForb[i]++
				continue
			}
			st.byHH[i] = append(st.byHH[i], st.addOpt(i, int32(k+1), c))
		}
	}
	st.hCap = make([]int, len(st.hRes))
	for r, hi := range st.hRes {
		st.hCap[r] = housingCapacity(&s.housing[hi])
	}
	st.jCap = make([]int, len(st.jRes))
	for r, ji := range st.jRes {
		st.jCap[r] = max(1, s.jobs[ji].o.Positions)
	}
	// Locks, in the order given: each takes its place or is reported.
	order := make([]int, 0, len(st.lockOf))
	for i := range st.lockOf {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return st.lockOf[a].idx - st.lockOf[b].idx })
	for _, i := range order {
		lo := &st.locked[i]
		if lo.reason != "" {
			continue
		}
		lc := lockCands[i]
		if st.forbidden(i, lc) {
			lr := st.lockOf[i]
			lo.reason = ReasonLockInfeasible
			lo.detailFR, lo.detailEN = lockWhy(whyForbidden, lr)
			continue
		}
		o := int32(-1)
		for _, k := range st.byHH[i] {
			if &st.cands[i][st.opt[k].rank-1] == lc {
				o = k
			}
		}
		if o < 0 { // built for the lock: outside the top
			o = st.addOpt(i, 0, lc)
			st.growCaps()
		}
		op := &st.opt[o]
		fits := st.hCap[op.res] >= 1
		need := map[int32]int{}
		for _, j := range op.jobs {
			need[j]++
		}
		for j, k := range need {
			fits = fits && st.jCap[j] >= k
		}
		lr := st.lockOf[i]
		if !fits {
			lo.reason = ReasonLockConflict
			lo.detailFR = fmt.Sprintf("logement %s", lr.housing)
			lo.detailEN = fmt.Sprintf("housing %s", lr.housing)
			if lr.hasJob {
				lo.detailFR += ", emploi " + lr.jobID
				lo.detailEN += ", job " + lr.jobID
			}
			lo.detailFR += " : place déjà prise par un verrouillage précédent"
			lo.detailEN += ": place already taken by an earlier lock"
			continue
		}
		st.hCap[op.res]--
		for _, j := range op.jobs {
			st.jCap[j]--
		}
		lo.ok, lo.opt = true, o
		st.sel[i] = o
		st.fixedV += op.value
		st.stats.Locked++
	}
	for i := range n {
		if !st.locked[i].has {
			st.free = append(st.free, int32(i))
		}
	}
	st.stats.Options = len(st.opt)
	st.stats.Housing, st.stats.Jobs = len(st.hRes), len(st.jRes)
}

// growCaps extends the capacities to resources added after build started.
func (st *allocState) growCaps() {
	for len(st.hCap) < len(st.hRes) {
		st.hCap = append(st.hCap, housingCapacity(&st.s.housing[st.hRes[len(st.hCap)]]))
	}
	for len(st.jCap) < len(st.jRes) {
		st.jCap = append(st.jCap, max(1, st.s.jobs[st.jRes[len(st.jCap)]].o.Positions))
	}
}

// housingCapacity is 1 for a whole flat and the free places of a shared
// flat.
func housingCapacity(h *hItem) int {
	if h.shared {
		return max(0, int(h.places))
	}
	return 1
}

// forbidden reports whether candidate c of household i matches one of its
// forbidden pairs.
func (st *allocState) forbidden(i int, c *candidate) bool {
	for _, f := range st.forbid[i] {
		if f.hi >= 0 && f.hi != c.h {
			continue
		}
		if f.ji >= 0 && !slices.ContainsFunc(c.jobs, func(ch choice) bool { return ch.job == f.ji }) {
			continue
		}
		return true
	}
	return false
}

// addOpt appends the option of candidate c for household i and returns its
// index.
func (st *allocState) addOpt(i int, rank int32, c *candidate) int32 {
	o := aOpt{hh: int32(i), rank: rank, cand: *c, res: st.housingRes(c.h),
		value: st.hs[i].Priority * (c.score + st.opts.PlacementBonus)}
	for _, ch := range c.jobs {
		o.jobs = append(o.jobs, st.jobRes(ch.job))
	}
	st.opt = append(st.opt, o)
	return int32(len(st.opt) - 1)
}

func (st *allocState) housingRes(hi int32) int32 {
	r, ok := st.hIdx[hi]
	if !ok {
		r = int32(len(st.hRes))
		st.hIdx[hi] = r
		st.hRes = append(st.hRes, hi)
	}
	return r
}

func (st *allocState) jobRes(ji int32) int32 {
	r, ok := st.jIdx[ji]
	if !ok {
		r = int32(len(st.jRes))
		st.jIdx[ji] = r
		st.jRes = append(st.jRes, ji)
	}
	return r
}

// placement describes option o.
func (st *allocState) placement(o int32) *Placement {
	op := &st.opt[o]
	s := st.s
	c := &op.cand
	h := &s.housing[c.h]
	hh := &st.hs[op.hh]
	p := &Placement{Rank: int(op.rank), Score: round4(c.score), Value: round4(op.value), HousingID: h.o.ID,
		HousingRef: h.o.ExternalRef, Commune: h.c.Code, CommuneName: h.c.Name, Department: h.c.Department,
		LandlordKind: h.o.LandlordKind, Lease: h.o.Lease, Shared: h.o.Shared, Rooms: h.o.Rooms,
		Permanent: c.comps[cStability] >= 1, Jobs: []PlacedJob{}, EffortRate: round4(c.effort),
		RentMonthly: round2(h.o.RentMonthly)}
	if home, _, err := s.atlas.Locate(hh.Commune); err == nil {
		p.MoveKM = math.Round(geo.Distance(home.Point, h.end.Point)/100) / 10
	}
	agirJob := false
	for _, ch := range c.jobs {
		j := &s.jobs[ch.job]
		exit := MeetsAGIRExit(j.o.Contract, j.o.Months)
		agirJob = agirJob || exit
		p.Jobs = append(p.Jobs, PlacedJob{ID: j.o.ID, ExternalRef: j.o.ExternalRef, Member: seekerMember(hh, ch.seeker),
			ROME: j.o.ROME, Title: j.o.Title, Contract: j.o.Contract, Months: j.o.Months,
			CommuteMinutes: int(math.Ceil(ch.minutes)), Mode: geo.Modes[ch.mode], AGIRExit: exit})
	}
	p.AGIRExit = agirJob && p.Permanent
	return p
}

// seekerMember returns the member index of the k-th adult seeking work.
func seekerMember(h *Household, k int) int {
	for i := range h.Members {
		m := &h.Members[i]
		if m.Role == Adult && m.SeeksWork {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return -1
}

// result builds the Allocation from the solved state.
func (st *allocState) result() *Allocation {
	a := &Allocation{Households: len(st.hs), Bonus: st.opts.PlacementBonus, Stats: st.stats, DataVersion: st.s.version, st: st}
	a.Assignments = make([]Assignment, len(st.hs))
	for i := range st.hs {
		a.Assignments[i] = st.assignment(i)
	}
	st.totals(a)
	for _, b := range []struct {
		name string
		sel  []int32
	}{{BaselineGreedy, st.greedy}, {BaselineFCFS, st.fcfs}} {
		bl := Baseline{Method: b.name, Placements: make([]*Placement, len(st.hs))}
		for i, o := range b.sel {
			if o < 0 {
				continue
			}
			p := st.placement(o)
			bl.Placements[i] = p
			bl.Objective += st.opt[o].value
			bl.TotalScore += st.hs[i].Priority * st.opt[o].cand.score
			bl.Placed++
			if len(p.Jobs) > 0 {
				bl.WithJob++
			}
		}
		bl.Objective, bl.TotalScore = round4(bl.Objective), round4(bl.TotalScore)
		a.Baselines = append(a.Baselines, bl)
	}
	return a
}

// totals recomputes the figures of a from the state.
func (st *allocState) totals(a *Allocation) {
	obj, score := 0.0, 0.0
	a.Placed, a.WithJob = 0, 0
	for i, o := range st.sel {
		if o < 0 {
			continue
		}
		obj += st.opt[o].value
		score += st.hs[i].Priority * st.opt[o].cand.score
		a.Placed++
		if len(st.opt[o].jobs) > 0 {
			a.WithJob++
		}
	}
	ub := max(st.ub+st.fixedV, obj)
	a.Objective, a.TotalScore, a.UpperBound = round4(obj), round4(score), round4(ub)
	a.Gap = 0
	if ub > 0 {
		a.Gap = round4(max(0, ub-obj) / ub)
	}
	a.Optimal = ub-obj <= gapEps*(1+math.Abs(ub))
	a.Households = len(st.hs)
	a.Stats = st.stats
}

// assignment describes household i's outcome in the solution.
func (st *allocState) assignment(i int) Assignment {
	h := &st.hs[i]
	as := Assignment{HouseholdID: h.ID, ExternalRef: h.ExternalRef, Priority: h.Priority, Options: len(st.cands[i])}
	if st.opts.KeepCandidates {
		for _, o := range st.byHH[i] {
			as.Candidates = append(as.Candidates, *st.placement(o))
		}
	}
	lo := &st.locked[i]
	if o := st.sel[i]; o >= 0 {
		as.Placed, as.Locked = true, lo.ok
		as.Placement = st.placement(o)
		if !st.opts.NoExplain {
			as.Option = st.explain(i, o)
		}
		return as
	}
	switch {
	case lo.has && lo.reason != "":
		as.Reason = lo.reason
		as.Detail, as.DetailEN = lo.detailFR, lo.detailEN
	case len(st.cands[i]) == 0:
		as.Reason = ReasonNoOption
	case len(st.byHH[i]) == 0:
		as.Reason = ReasonForbidden
	default:
		as.Reason = ReasonOutbid
		as.Detail, as.DetailEN = st.outbidBy(st.byHH[i][0])
	}
	as.ReasonLabel, as.ReasonLabelEN = AllocReasonLabel(as.Reason, true), AllocReasonLabel(as.Reason, false)
	return as
}

// outbidBy says who took the places of option o in the solution.
func (st *allocState) outbidBy(o int32) (string, string) {
	op := &st.opt[o]
	s := st.s
	var hTakers, jTakers []string
	if st.occ != nil { // after an insertion: the occupants are indexed
		for _, k := range st.occ[op.res] {
			hTakers = append(hTakers, st.hs[k].ID)
		}
	}
	for k, p := range st.sel {
		if st.occ != nil && len(hTakers) > 0 {
			break
		}
		if p < 0 {
			continue
		}
		q := &st.opt[p]
		if q.res == op.res && st.occ == nil {
			hTakers = append(hTakers, st.hs[k].ID)
		}
		for _, j := range q.jobs {
			if slices.Contains(op.jobs, j) && !slices.Contains(jTakers, st.hs[k].ID) {
				jTakers = append(jTakers, st.hs[k].ID)
			}
		}
	}
	hid := s.housing[op.cand.h].o.ID
	if len(hTakers) > 0 {
		return fmt.Sprintf("sa meilleure option (logement %s) est attribuée à : %s", hid, joinMax(hTakers, 5)),
			fmt.Sprintf("its best option (housing %s) went to: %s", hid, joinMax(hTakers, 5))
	}
	if len(jTakers) > 0 {
		return fmt.Sprintf("l'emploi de sa meilleure option (logement %s) est attribué à : %s", hid, joinMax(jTakers, 5)),
			fmt.Sprintf("the job of its best option (housing %s) went to: %s", hid, joinMax(jTakers, 5))
	}
	return "", ""
}

func joinMax(ids []string, n int) string {
	out := ""
	for k, id := range ids {
		if k == n {
			return out + fmt.Sprintf(" (+%d)", len(ids)-n)
		}
		if k > 0 {
			out += ", "
		}
		out += id
	}
	return out
}

// explain builds the full Option of option o for household i.
func (st *allocState) explain(i int, o int32) *Option {
	r, err := st.e.newRequest(st.s, &st.hs[i], st.popts)
	if err != nil {
		return nil // validated before: cannot happen
	}
	op := &st.opt[o]
	opt := r.option(int(op.rank), &op.cand)
	return &opt
}
