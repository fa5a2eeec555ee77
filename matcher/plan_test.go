package matcher_test

import (
	"errors"
	"slices"
	"testing"

	"passerelle/matcher"
)

func cook(commune string) matcher.Household {
	return matcher.Household{
		ExternalRef: "T-1",
		Members: []matcher.Member{{Role: matcher.Adult, Age: 28, Sex: matcher.Male, FrenchLevel: matcher.A2,
			Occupations: []matcher.Occupation{{ROME: "G1602", Years: 5}}, DrivingLicence: matcher.NoLicence, SeeksWork: true}},
		Protection: matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2026, 3, 1)},
		CIRSigned:  true, Commune: commune, IncomeMonthly: 550, Relocation: matcher.Relocation{Scope: matcher.ScopeAnywhere},
		SharedOK: true, MoveFrom: matcher.NewDate(2026, 12, 15),
	}
}

func TestPlanCommuneFallback(t *testing.T) {
	eng, _ := demoEngine(t)
	tests := []struct {
		name     string
		commune  string
		fallback bool
		invalid  bool
	}{
		{"known arrondissement", "75118", false, false},
		{"unknown commune of a known department", "93999", true, false},
		{"malformed code", "9A123", false, true},
		{"department 20 does not exist", "20004", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := cook(tc.commune)
			p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{NoWhatIf: true})
			if tc.invalid {
				var ve *matcher.ValidationError
				if !errors.As(err, &ve) || !errors.Is(err, matcher.ErrInvalid) || ve.Fields[0].Field != "commune" {
					t.Fatalf("got %v, want a validation error on commune", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(p.Flags, matcher.FlagCommuneFallback); got != tc.fallback {
				t.Errorf("fallback flag %v, want %v", got, tc.fallback)
			}
			if len(p.Options) == 0 {
				t.Errorf("no options")
			}
		})
	}
}

func TestPlanWhatIfLicence(t *testing.T) {
	eng, _ := demoEngine(t)
	h := cook("75118")
	h.MaxCommuteMinutes = 20
	p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, w := range p.WhatIf {
		got[w.Change] = true
		if w.Label == "" || w.LabelEN == "" {
			t.Errorf("%s: no label", w.Change)
		}
	}
	for _, want := range []string{"driving_licence", "commute_plus_15"} {
		if !got[want] {
			t.Errorf("what-if %s missing: %+v", want, p.WhatIf)
		}
	}
	if got["shared_ok"] || got["relocation_anywhere"] {
		t.Errorf("what-if offered a change the household already accepts: %+v", p.WhatIf)
	}
}

func TestPlanEligibility(t *testing.T) {
	eng, _ := demoEngine(t)
	tests := []struct {
		name    string
		granted matcher.Date
		cir     bool
		want    bool
	}{
		{"this year, CIR signed", matcher.NewDate(2026, 2, 1), true, true},
		{"last year, CIR signed", matcher.NewDate(2025, 6, 1), true, true},
		{"two years ago", matcher.NewDate(2024, 6, 1), true, false},
		{"CIR not signed", matcher.NewDate(2026, 2, 1), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := cook("75118")
			h.Protection.GrantedOn, h.CIRSigned = tc.granted, tc.cir
			p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{NoWhatIf: true})
			if err != nil {
				t.Fatal(err)
			}
			if p.Eligibility.AGIR != tc.want || p.Eligibility.Reason == "" {
				t.Errorf("got %+v, want AGIR %v", p.Eligibility, tc.want)
			}
		})
	}
}

func TestPlanCanceledContext(t *testing.T) {
	eng, _ := demoEngine(t)
	h := cook("75118")
	ctx, cancel := withCancel(t)
	cancel()
	if _, err := eng.PlanNaive(ctx, &h, matcher.PlanOptions{NoWhatIf: true}); err == nil {
		t.Fatal("want an error from a canceled context")
	}
}

// TestPlanEmptyMarkets checks a market with no jobs, no homes, or neither
// builds and plans (a fresh service starts empty).
func TestPlanEmptyMarkets(t *testing.T) {
	_, full := demoEngine(t)
	for _, tc := range []struct {
		name          string
		housing, jobs bool
	}{{"nothing", false, false}, {"homes only", true, false}, {"jobs only", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			m := &matcher.Market{Atlas: full.Atlas, Shortage: full.Shortage}
			if tc.housing {
				m.Housing = full.Housing[:50]
			}
			if tc.jobs {
				m.Jobs = full.Jobs[:50]
			}
			eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h := cook("75118")
			p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.housing && len(p.Options) != 0 {
				t.Fatalf("%d options without homes", len(p.Options))
			}
		})
	}
}
