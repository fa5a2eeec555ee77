package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/matcher"
)

// evaluateHouseholds is the size of the caseload of allocate --evaluate.
const evaluateHouseholds = 2000

func allocateCmd(e *env) *cobra.Command {
	var file, market, format, cpuProfile string
	var demo, top, deepen int
	var seed uint64
	var evaluate bool
	cmd := &cobra.Command{
		Use:   "allocate --households FILE.json | --demo N [--market demo|100k|national] [--format text|json] [--top K] [--evaluate]",
		Short: "Allocate a caseload of households to housing and jobs at once, optimally (French report or JSON)",
		Long: "allocate gives each household of a caseload at most one option of its plan (a home and jobs), so that\n" +
			"no flat, shared-flat place or job position is given twice and the total score is the highest. It\n" +
			"reports who goes where and why, who is left unplaced and why, and compares with greedy and\n" +
			"first-come-first-served allocations. --evaluate compares the optimal allocation, greedy and\n" +
			"\"stay in the current department\" on a generated caseload of 2,000 households.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageErr(fmt.Errorf("--format must be text or json, not %q", format))
			}
			if top < 1 || top > 100 {
				return usageErr(fmt.Errorf("--top must be between 1 and 100, not %d", top))
			}
			if evaluate {
				if file != "" {
					return usageErr(fmt.Errorf("--evaluate generates its caseload: drop --households"))
				}
				if !cmd.Flags().Changed("market") {
					market = "national"
				}
				if demo == 0 {
					demo = evaluateHouseholds
				}
			}
			if (file == "") == (demo == 0) {
				return usageErr(fmt.Errorf("give either --households FILE or --demo N"))
			}
			if demo < 0 || demo > 1_000_000 {
				return usageErr(fmt.Errorf("--demo must be between 1 and 1000000, not %d", demo))
			}
			var hs []matcher.Household
			if file != "" {
				var err error
				if hs, err = readHouseholds(file, e); err != nil {
					return err
				}
			}
			eng, m, err := loadEngine(e, market)
			if err != nil {
				return err
			}
			if demo > 0 {
				hs = datasets.Households(seed, demo, m)
			}
			if deepen < 0 || deepen > 5 {
				return usageErr(fmt.Errorf("--deepen must be between 0 and 5, not %d", deepen))
			}
			if deepen == 0 {
				deepen = -1 // none
			}
			opts := matcher.AllocateOptions{Top: top, NoExplain: evaluate, Deepen: deepen}
			stopProfile, err := startCPUProfile(cpuProfile)
			if err != nil {
				return err
			}
			defer stopProfile()
			if evaluate {
				return runEvaluate(cmd, e, eng, hs, opts, market, format)
			}
			start := time.Now()
			a, err := eng.Allocate(cmd.Context(), hs, opts)
			stopProfile() // the allocation only, not the report
			if err != nil {
				return reportInvalid(err, file, e)
			}
			// Ids and counts only: never names or free text about people.
			e.log.Info().Int("households", a.Households).Int("placed", a.Placed).Int("options", a.Stats.Options).
				Float64("gap", a.Gap).Dur("options_time", a.Stats.OptionsTime).Dur("solve_time", a.Stats.SolveTime).
				Dur("latency", time.Since(start)).Msg("allocation computed")
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(a)
			}
			return writeAllocationText(e.stdout, hs, a, eng, market, time.Since(start))
		},
	}
	cmd.Flags().StringVar(&file, "households", "", "JSON file with an array of households (- for standard input)")
	cmd.Flags().IntVar(&demo, "demo", 0, "allocate N generated households instead of a file")
	cmd.Flags().Uint64Var(&seed, "seed", 7, "seed of the generated households (--demo, --evaluate)")
	cmd.Flags().StringVar(&market, "market", "demo", "market: demo, national, or a size such as 100k (--evaluate: national)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text (French) or json")
	cmd.Flags().IntVar(&top, "top", matcher.DefaultAllocTop, "options considered per household")
	cmd.Flags().IntVar(&deepen, "deepen", matcher.DefaultAllocDeepen, "rounds giving unplaced households longer option lists (0: none)")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) of the allocation, options and solve (--evaluate: of the whole evaluation), to this file")
	cmd.Flags().BoolVar(&evaluate, "evaluate", false, "compare optimal, greedy and stay-in-department on 2,000 generated households")
	return cmd
}

// readHouseholds reads and strictly decodes a JSON array of households and
// validates each one. Every problem is written to stderr and the error has
// exit status 2.
func readHouseholds(file string, e *env) ([]matcher.Household, error) {
	data, err := e.readInput(file)
	if err != nil {
		return nil, usageErr(fmt.Errorf("reading the households: %w", err))
	}
	var hs []matcher.Household
	if err := decodeStrict(data, &hs); err != nil {
		return nil, usageErr(fmt.Errorf("%s: %w", file, err))
	}
	if len(hs) == 0 {
		return nil, usageErr(fmt.Errorf("%s: no household in the file", file))
	}
	var ve matcher.ValidationError
	for i := range hs {
		var v *matcher.ValidationError
		if err := hs[i].Validate(); errors.As(err, &v) {
			for _, f := range v.Fields {
				f.Field = fmt.Sprintf("[%d].%s", i, f.Field)
				ve.Fields = append(ve.Fields, f)
			}
		}
	}
	if len(ve.Fields) > 0 {
		return nil, reportInvalid(&ve, file, e)
	}
	return hs, nil
}

// writeAllocationText writes the allocation as a French report for the
// team: the totals beside the baselines, who goes where and why, who is
// left unplaced and why.
func writeAllocationText(w io.Writer, hs []matcher.Household, a *matcher.Allocation, eng *matcher.Engine, market string, took time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "RÉPARTITION DE LA FILE ACTIVE — %d foyer(s), marché %s (données version %d)\n", a.Households, market, a.DataVersion)
	status := "optimale (prouvée)"
	if !a.Optimal {
		status = fmt.Sprintf("écart à l'optimum au plus %.2f %%", a.Gap*100)
	}
	fmt.Fprintf(&b, "Placés : %d sur %d (%s) · avec au moins un emploi : %d · objectif %.2f, borne %.2f, %s\n",
		a.Placed, a.Households, pct(a.Placed, a.Households), a.WithJob, a.Objective, a.UpperBound, status)
	fmt.Fprintf(&b, "Calcul : %d option(s) examinée(s) (%d logements, %d emplois), %d résolution(s), %.1f s (options %.1f s, résolution %.2f s)\n",
		a.Stats.Options, a.Stats.Housing, a.Stats.Jobs, a.Stats.Solves, took.Seconds(), a.Stats.OptionsTime.Seconds(), a.Stats.SolveTime.Seconds())
	fmt.Fprintf(&b, "Objectif = Σ priorité × (score + bonus de placement %.2f). Listes d'options allongées pour %d foyer(s) sans place.\n", a.Bonus, a.Stats.Deepened)

	b.WriteString("\nComparaison :\n")
	fmt.Fprintf(&b, "  %-36s %8s %8s %10s %10s\n", "méthode", "placés", "emploi", "objectif", "score")
	fmt.Fprintf(&b, "  %-36s %8d %8d %10.2f %10.2f\n", "répartition optimale", a.Placed, a.WithJob, a.Objective, a.TotalScore)
	for _, bl := range a.Baselines {
		fmt.Fprintf(&b, "  %-36s %8d %8d %10.2f %10.2f\n", baselineFR(bl.Method), bl.Placed, bl.WithJob, bl.Objective, bl.TotalScore)
	}

	byID := make(map[string]*matcher.Household, len(hs))
	for i := range hs {
		byID[hs[i].ID] = &hs[i]
	}
	b.WriteString("\nQui va où :\n")
	for _, as := range a.Assignments {
		if !as.Placed {
			continue
		}
		p := as.Placement
		fmt.Fprintf(&b, "\n- Dossier %s", caseRef(as))
		if as.Locked {
			b.WriteString(" [verrouillé par un conseiller]")
		}
		place := p.CommuneName
		if place == "" {
			place = p.Commune
		}
		kind := p.LandlordKind.LabelFR()
		if p.Shared {
			kind += ", une place en colocation"
		}
		fmt.Fprintf(&b, " → %s (%s, dép. %s), T%d, %s, %s, loyer %.0f €, réf. %s\n", place, p.Commune, p.Department,
			p.Rooms, kind, p.Lease.LabelFR(), p.RentMonthly, p.HousingRef)
		for _, j := range p.Jobs {
			title := j.Title
			if title == "" {
				title = j.ROME
			}
			contract := strings.ToUpper(string(j.Contract))
			if j.Months > 0 {
				contract += fmt.Sprintf(" %d mois", j.Months)
			}
			fmt.Fprintf(&b, "  Emploi (adulte %d) : %s (%s), %s, %d min %s, réf. %s\n", j.Member+1, title, j.ROME, contract,
				j.CommuteMinutes, matcher.ModeLabelFR(j.Mode), j.ExternalRef)
		}
		rank := fmt.Sprintf("option n° %d de son plan", p.Rank)
		if p.Rank == 0 {
			rank = "option choisie par le conseiller"
		}
		fmt.Fprintf(&b, "  Score %.2f (%s) · taux d'effort %.0f %% · déménagement de %.0f km", p.Score, rank, p.EffortRate*100, p.MoveKM)
		if p.AGIRExit {
			b.WriteString(" · remplit les critères de sortie AGIR")
		}
		b.WriteString("\n")
		if as.Option != nil && as.Option.Why != "" {
			fmt.Fprintf(&b, "  Pourquoi : %s\n", as.Option.Why)
		}
	}

	unplaced := a.Households - a.Placed
	fmt.Fprintf(&b, "\nSans place (%d) :\n", unplaced)
	if unplaced == 0 {
		b.WriteString("  Aucun : chaque foyer a une option.\n")
	}
	for _, as := range a.Assignments {
		if as.Placed {
			continue
		}
		fmt.Fprintf(&b, "- Dossier %s : %s", caseRef(as), as.ReasonLabel)
		if as.Detail != "" {
			fmt.Fprintf(&b, " — %s", as.Detail)
		}
		if h := byID[as.HouseholdID]; h != nil && as.Reason == matcher.ReasonNoOption {
			if c, _, err := eng.Atlas().Locate(h.Commune); err == nil {
				fmt.Fprintf(&b, " (vit à %s ; voir son plan : passerelle plan)", c.Name)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func caseRef(as matcher.Assignment) string {
	if as.ExternalRef != "" {
		return fmt.Sprintf("%s (%s)", as.ExternalRef, as.HouseholdID)
	}
	return as.HouseholdID
}

func baselineFR(m string) string {
	switch m {
	case matcher.BaselineGreedy:
		return "glouton (meilleur score d'abord)"
	case matcher.BaselineFCFS:
		return "premier arrivé, premier servi"
	}
	return m
}

func pct(n, d int) string {
	if d == 0 {
		return "0 %"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(d))
}

// evalRow is one method's line of the --evaluate table.
type evalRow struct {
	Method         string  `json:"method"`
	Label          string  `json:"label"`
	Households     int     `json:"households"`
	HousedPct      float64 `json:"housed_pct"`
	AGIRJobPct     float64 `json:"agir_job_pct"`     // with a job or training meeting AGIR's exit criterion
	MeanEffortRate float64 `json:"mean_effort_rate"` // over housed households
	MeanCommuteMin float64 `json:"mean_commute_minutes"`
	Unplaced       int     `json:"unplaced"`
	TotalScore     float64 `json:"total_score"`
}

// evaluation is the JSON output of allocate --evaluate.
type evaluation struct {
	Market     string    `json:"market"`
	Households int       `json:"households"`
	Rows       []evalRow `json:"rows"`
	Seconds    float64   `json:"seconds"`
}

// runEvaluate allocates the caseload optimally, compares with greedy, and
// with an optimal allocation where each household stays in its current
// department, and prints the table.
func runEvaluate(cmd *cobra.Command, e *env, eng *matcher.Engine, hs []matcher.Household, opts matcher.AllocateOptions, market, format string) error {
	start := time.Now()
	a, err := eng.Allocate(cmd.Context(), hs, opts)
	if err != nil {
		return fmt.Errorf("allocating the caseload: %w", err)
	}
	stay := make([]matcher.Household, len(hs))
	for i, h := range hs {
		dep := geo.DepartmentOf(h.Commune)
		if c, _, err := eng.Atlas().Locate(h.Commune); err == nil {
			dep = c.Department
		}
		h.Relocation = matcher.Relocation{Scope: matcher.ScopeDepartments, Departments: []string{dep}}
		stay[i] = h
	}
	s, err := eng.Allocate(cmd.Context(), stay, opts)
	if err != nil {
		return fmt.Errorf("allocating the caseload within departments: %w", err)
	}
	greedy := a.Baselines[0].Placements
	ev := evaluation{Market: market, Households: len(hs), Seconds: math.Round(time.Since(start).Seconds()*10) / 10}
	ev.Rows = append(ev.Rows,
		evalOf("optimal", "répartition optimale", placementsOf(a), a.TotalScore),
		evalOf("greedy", "glouton (meilleur score d'abord)", greedy, a.Baselines[0].TotalScore),
		evalOf("fcfs", "premier arrivé, premier servi", a.Baselines[1].Placements, a.Baselines[1].TotalScore),
		evalOf("stay_department", "rester dans son département (optimal)", placementsOf(s), s.TotalScore))
	e.log.Info().Int("households", len(hs)).Float64("seconds", ev.Seconds).Msg("evaluation computed")
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ev)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ÉVALUATION DE LA RÉPARTITION — %d foyers générés, marché %s, %.0f s\n\n", len(hs), market, ev.Seconds)
	fmt.Fprintf(&b, "| méthode | logés | emploi ou formation (sortie AGIR) | taux d'effort moyen | trajet moyen | sans place | score total |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range ev.Rows {
		fmt.Fprintf(&b, "| %s | %.1f %% | %.1f %% | %.1f %% | %.1f min | %d | %.1f |\n", r.Label, r.HousedPct, r.AGIRJobPct,
			r.MeanEffortRate*100, r.MeanCommuteMin, r.Unplaced, r.TotalScore)
	}
	b.WriteString("\nLogés : part des foyers placés. Emploi : part des foyers dont un adulte a un CDI, un CDD de 6 mois ou plus,\n" +
		"un contrat d'apprentissage ou de professionnalisation, ou une formation qualifiante. Taux d'effort et trajet :\n" +
		"moyennes sur les foyers placés (trajet : sur les emplois).\n")
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

func placementsOf(a *matcher.Allocation) []*matcher.Placement {
	out := make([]*matcher.Placement, len(a.Assignments))
	for i := range a.Assignments {
		out[i] = a.Assignments[i].Placement
	}
	return out
}

func evalOf(method, label string, ps []*matcher.Placement, score float64) evalRow {
	r := evalRow{Method: method, Label: label, Households: len(ps), TotalScore: math.Round(score*10) / 10}
	housed, agir, jobs := 0, 0, 0
	effort, commute := 0.0, 0.0
	for _, p := range ps {
		if p == nil {
			r.Unplaced++
			continue
		}
		housed++
		effort += p.EffortRate
		ok := false
		for _, j := range p.Jobs {
			ok = ok || j.AGIRExit
			commute += float64(j.CommuteMinutes)
			jobs++
		}
		if ok {
			agir++
		}
	}
	if n := len(ps); n > 0 {
		r.HousedPct = round1(100 * float64(housed) / float64(n))
		r.AGIRJobPct = round1(100 * float64(agir) / float64(n))
	}
	if housed > 0 {
		r.MeanEffortRate = math.Round(effort/float64(housed)*1000) / 1000
	}
	if jobs > 0 {
		r.MeanCommuteMin = round1(commute / float64(jobs))
	}
	return r
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
