package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"passerelle/matcher"
)

// writeText writes the plan as a readable French text for the advisor.
func writeText(w io.Writer, h *matcher.Household, p *matcher.Plan, eng *matcher.Engine) error {
	var b strings.Builder
	ref := h.ExternalRef
	if ref == "" {
		ref = h.ID
	}
	adults, children := 0, 0
	for _, m := range h.Members {
		if m.Role == matcher.Adult {
			adults++
		} else {
			children++
		}
	}
	fmt.Fprintf(&b, "PLAN DE MOBILITÉ — dossier %s\n", ref)
	home := h.Commune
	if c, _, err := eng.Atlas().Locate(h.Commune); err == nil && c.Name != "" {
		home = fmt.Sprintf("%s (%s)", c.Name, h.Commune)
	}
	fmt.Fprintf(&b, "Foyer : %d adulte(s), %d enfant(s) · vit à %s · revenus actuels %.0f € par mois\n", adults, children, home, h.IncomeMonthly)
	fmt.Fprintf(&b, "AGIR : %s\n", p.Eligibility.Reason)
	for _, f := range p.Flags {
		if f != matcher.FlagNotAGIREligible {
			fmt.Fprintf(&b, "À noter : %s\n", matcher.FlagLabel(f, true))
		}
	}
	fmt.Fprintf(&b, "%d option(s) retenue(s) sur %d logement(s) évalué(s) · données version %d · APL : estimation (barème %d)\n",
		len(p.Options), p.Examined, p.DataVersion, aplYear(p))
	if len(p.Options) == 0 {
		b.WriteString("\nAucune option ne respecte toutes les contraintes. Voir les motifs de refus et les pistes ci-dessous.\n")
	}
	for _, o := range p.Options {
		hb := o.Housing
		fmt.Fprintf(&b, "\n%d. %s (%s, dép. %s) — score %.2f", o.Rank, hb.CommuneName, hb.Commune, hb.Department, o.Score)
		if o.Wish {
			b.WriteString(" ★ souhait")
		}
		fmt.Fprintf(&b, " — à %.0f km\n", o.MoveKM)
		kind := hb.LandlordKind
		shared := ""
		if hb.Shared {
			shared = fmt.Sprintf(", une place en colocation (%s)", genderFR(hb.Gender))
		}
		fmt.Fprintf(&b, "   Logement : T%d de %.0f m²%s, %s, %s, zone %s, réf. %s\n", hb.Rooms, hb.SurfaceM2, shared,
			kind.LabelFR(), hb.Lease.LabelFR(), hb.Zone, hb.ExternalRef)
		for _, j := range o.Jobs {
			title := j.Title
			if title == "" {
				title = j.ROME
			}
			contract := string(j.Contract)
			if j.Months > 0 {
				contract += fmt.Sprintf(" %d mois", j.Months)
			}
			fmt.Fprintf(&b, "   Emploi (adulte %d) : %s (%s), %s, %.0f € net par mois, %d min %s, réf. %s\n", j.Member+1, title, j.ROME,
				strings.ToUpper(contract), j.NetMonthly, j.CommuteMinutes, matcher.ModeLabelFR(j.Mode), j.ExternalRef)
		}
		bd := o.Budget
		fmt.Fprintf(&b, "   Budget : loyer %.0f € + charges %.0f € − APL estimée %.0f € ; revenus %.0f € ; taux d'effort %.0f %% ; reste à vivre %.0f €\n",
			bd.RentMonthly, bd.ChargesMonthly, bd.APLEstimate, bd.IncomeMonthly, bd.EffortRate*100, bd.LeftToLive)
		fmt.Fprintf(&b, "   Pourquoi : %s\n", o.Why)
		b.WriteString("   Détail du score :\n")
		for _, f := range o.Factors {
			fmt.Fprintf(&b, "     - %-18s %.2f × %.2f = %.3f — %s\n", f.Name, f.Value, f.Weight, f.Contribution, f.Reason)
		}
		var flags []string
		for _, f := range o.Flags {
			if f != matcher.FlagAPLEstimate {
				flags = append(flags, matcher.FlagLabel(f, true))
			}
		}
		if len(flags) > 0 {
			fmt.Fprintf(&b, "   À signaler : %s\n", strings.Join(flags, " ; "))
		}
		b.WriteString("   Étapes :\n")
		for i, s := range o.Steps {
			fmt.Fprintf(&b, "     %d. %s\n", i+1, s)
		}
	}
	if len(p.Rejected) > 0 {
		keys := make([]string, 0, len(p.Rejected))
		for k := range p.Rejected {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, c string) int { return p.Rejected[c] - p.Rejected[a] })
		b.WriteString("\nOffres écartées (parmi celles examinées) :\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "  - %s : %d\n", matcher.RejectLabel(k, true), p.Rejected[k])
		}
	}
	if len(p.WhatIf) > 0 {
		b.WriteString("\nCe qui changerait ce plan :\n")
		for _, wi := range p.WhatIf {
			fmt.Fprintf(&b, "  - %s : %d option(s) nouvelle(s) et meilleure(s)", wi.Label, wi.MoreOptions)
			if wi.BestScore > 0 {
				fmt.Fprintf(&b, " (meilleur score %.2f)", wi.BestScore)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func aplYear(p *matcher.Plan) int {
	if len(p.Options) > 0 {
		return p.Options[0].Budget.APLYear
	}
	return matcher.APL2025.Year
}

func genderFR(g matcher.Sex) string {
	switch g {
	case matcher.Female:
		return "femmes"
	case matcher.Male:
		return "hommes"
	}
	return "mixte"
}
