package matcher

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Plan builds the ranked, explained mobility plan of household h over the
// engine's market: the top options with diversity, the rejection counts,
// and what would change the plan. The search is exact: it returns the same
// options, in the same order, as PlanNaive. It returns a *ValidationError
// (wrapping ErrInvalid) for an invalid household and ctx.Err() when ctx is
// done. Safe for concurrent use.
func (e *Engine) Plan(ctx context.Context, h *Household, opts PlanOptions) (*Plan, error) {
	return e.plan(ctx, h, opts, false)
}

// PlanNaive builds the same plan as Plan by scoring every feasible housing
// offer against every candidate job, with no pruning. It is the baseline of
// the oracle tests and benchmarks: correct, and slow on a large market.
func (e *Engine) PlanNaive(ctx context.Context, h *Household, opts PlanOptions) (*Plan, error) {
	return e.plan(ctx, h, opts, true)
}

func (e *Engine) plan(ctx context.Context, h *Household, opts PlanOptions, naive bool) (*Plan, error) {
	s := e.snap.Load()
	r, err := e.newRequest(s, h, opts)
	if err != nil {
		return nil, err
	}
	cands, examined, err := r.search(ctx, naive)
	if err != nil {
		return nil, fmt.Errorf("matcher: planning household %q: %w", h.ID, err)
	}
	p := &Plan{HouseholdID: h.ID, GeneratedAt: time.Now().UTC().Truncate(time.Second), DataVersion: s.version,
		Options: make([]Option, 0, len(cands)), Rejected: r.rejected, WhatIf: []WhatIf{}, Examined: examined}
	for i := range cands {
		p.Options = append(p.Options, r.option(i+1, &cands[i]))
	}
	p.Eligibility = r.eligibility()
	if !p.Eligibility.AGIR {
		p.Flags = append(p.Flags, FlagNotAGIREligible)
	}
	if r.homeFallback {
		p.Flags = append(p.Flags, FlagCommuneFallback)
	}
	if r.licenceFlag != "" {
		p.Flags = append(p.Flags, r.licenceFlag)
	}
	if !opts.NoWhatIf {
		p.WhatIf, err = e.whatIf(ctx, s, r, cands, naive)
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (r *request) search(ctx context.Context, naive bool) ([]candidate, int, error) {
	if naive {
		return r.searchNaive(ctx)
	}
	return r.searchFast(ctx)
}

// eligibility tells whether the household is in the AGIR window: protection
// granted this year or last year (relative to the plan's reference day),
// and the CIR signed.
func (r *request) eligibility() Eligibility {
	today := r.opts.Today
	g := r.h.Protection.GrantedOn
	switch {
	case g.IsZero() || g.Year() < today.Year()-1:
		return Eligibility{AGIR: false,
			Reason:   "Protection accordée avant l'année dernière : hors de la fenêtre d'entrée dans AGIR.",
			ReasonEN: "Protection granted before last year: outside AGIR's entry window."}
	case !r.h.CIRSigned:
		return Eligibility{AGIR: false,
			Reason:   "Le contrat d'intégration républicaine (CIR) n'est pas signé : condition d'entrée dans AGIR.",
			ReasonEN: "The republican integration contract (CIR) is not signed: AGIR requires it."}
	}
	return Eligibility{AGIR: true,
		Reason:   "Éligible à AGIR : protection accordée cette année ou l'an dernier, CIR signé.",
		ReasonEN: "Eligible for AGIR: protection granted this year or last year, CIR signed."}
}

// whatIf plans the household again with one change at a time and counts the
// options each change would add: options of the variant that are not in the
// plan and score above its lowest option (or any new option when the plan
// has fewer than Top).
func (e *Engine) whatIf(ctx context.Context, s *snapshot, r *request, base []candidate, naive bool) ([]WhatIf, error) {
	type variant struct {
		change, fr, en string
		apply          func(h *Household) bool
	}
	variants := []variant{
		{"driving_licence", "Avec un permis de conduire français et une voiture", "With a French driving licence and a car", func(h *Household) bool {
			changed := false
			for i := range h.Members {
				m := &h.Members[i]
				if m.Role == Adult && m.DrivingLicence != FrenchLicence {
					m.DrivingLicence, changed = FrenchLicence, true
				}
			}
			if !slices.Contains(h.Modes, "car") {
				h.Modes, changed = append(slices.Clone(h.Modes), "car"), true
			}
			return changed
		}},
		{"commute_plus_15", "Avec 15 minutes de trajet en plus", "With 15 more minutes of commute", func(h *Household) bool {
			h.MaxCommuteMinutes += 15
			return h.MaxCommuteMinutes <= 180
		}},
		{"shared_ok", "En acceptant une colocation", "Accepting a shared flat", func(h *Household) bool {
			if h.SharedOK || r.adults != 1 || r.children != 0 {
				return false
			}
			h.SharedOK = true
			return true
		}},
		{"relocation_anywhere", "En acceptant de s'installer partout en France", "Accepting to move anywhere in France", func(h *Household) bool {
			if h.Relocation.Scope == ScopeAnywhere {
				return false
			}
			h.Relocation = Relocation{Scope: ScopeAnywhere}
			return true
		}},
	}
	inBase := make(map[int32]bool, len(base))
	lowest := 0.0
	for i, c := range base {
		inBase[c.h] = true
		if i == len(base)-1 {
			lowest = c.score
		}
	}
	full := len(base) >= r.opts.Top
	out := []WhatIf{}
	for _, v := range variants {
		h := r.h
		h.Members = slices.Clone(r.h.Members)
		if !v.apply(&h) {
			continue
		}
		vr, err := (&Engine{opts: e.opts}).newRequest(s, &h, r.opts)
		if err != nil {
			continue // the change made the household invalid: nothing to say
		}
		if !naive {
			vr.reuseJobs(r) // the plan's search has done part of the work
		}
		cands, _, err := vr.search(ctx, naive)
		if err != nil {
			return nil, fmt.Errorf("matcher: what-if %s: %w", v.change, err)
		}
		wi := WhatIf{Change: v.change, Label: v.fr, LabelEN: v.en}
		for _, c := range cands {
			if !inBase[c.h] && (!full || c.score > lowest) {
				wi.MoreOptions++
			}
		}
		if len(cands) > 0 {
			wi.BestScore = round4(cands[0].score)
		}
		out = append(out, wi)
	}
	return out, nil
}
