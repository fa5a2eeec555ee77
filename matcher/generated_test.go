package matcher_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"passerelle/datasets"
	"passerelle/matcher"
)

func demoEngine(t *testing.T) (*matcher.Engine, *matcher.Market) {
	t.Helper()
	m, err := datasets.Synthetic(2026, datasets.Demo)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return eng, m
}

// TestPlanHardConstraintsGenerated plans 1,000 generated households shaped
// like the programmes' people and checks every option of every plan
// against every hard constraint.
func TestPlanHardConstraintsGenerated(t *testing.T) {
	eng, m := demoEngine(t)
	hs := datasets.Households(11, 1000, m)
	withOptions := 0
	for i := range hs {
		p, err := eng.Plan(t.Context(), &hs[i], matcher.PlanOptions{NoWhatIf: i%10 != 0})
		if err != nil {
			t.Fatalf("household %d: %v", i, err)
		}
		if len(p.Options) > 0 {
			withOptions++
		}
		checkPlan(t, m, hs[i], p)
	}
	// Most households of the demo market must get a plan: a regression
	// that rejects everything would otherwise pass.
	if withOptions < 900 {
		t.Errorf("only %d of 1000 households got options", withOptions)
	}
}

// TestPlanExamples plans every household of examples/ and checks the hard
// constraints, that each plan is full, and that the job seekers get jobs.
func TestPlanExamples(t *testing.T) {
	eng, m := demoEngine(t)
	files, err := filepath.Glob("../examples/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var h matcher.Household
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&h); err != nil {
				t.Fatal(err)
			}
			p, err := eng.Plan(t.Context(), &h, matcher.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Options) != 10 {
				t.Errorf("got %d options, want 10", len(p.Options))
			}
			checkPlan(t, m, h, p)
			seeks := false
			for _, mb := range h.Members {
				seeks = seeks || mb.SeeksWork
			}
			if seeks && len(p.Options) > 0 && len(p.Options[0].Jobs) == 0 {
				t.Errorf("best option has no job for a household seeking work")
			}
			if len(p.WhatIf) == 0 {
				t.Errorf("no what-if")
			}
			for _, o := range p.Options {
				if o.Why == "" || o.WhyEN == "" || len(o.Steps) == 0 || len(o.Steps) != len(o.StepsEN) {
					t.Errorf("option %d lacks explanations", o.Rank)
				}
			}
		})
	}
}
