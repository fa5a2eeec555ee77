package datasets_test

import (
	"encoding/json"
	"testing"

	"passerelle/datasets"
	"passerelle/matcher"
)

func TestHouseholds(t *testing.T) {
	m := demo(t)
	hs := datasets.Households(3, 1000, m)
	if len(hs) != 1000 {
		t.Fatalf("got %d households, want 1000", len(hs))
	}
	again := datasets.Households(3, 1000, m)
	a, _ := json.Marshal(hs)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("same seed, different households")
	}
	if datasets.Households(3, 0, m) != nil {
		t.Error("n = 0 should give nil")
	}

	var isolatedMen, young, youngNoIncome, families, foreign, adults int
	validated := false
	for i := range hs {
		h := &hs[i]
		if v, ok := any(h).(validator); ok {
			validated = true
			if err := v.Validate(); err != nil {
				t.Errorf("household %d (%s) does not validate: %v", i, h.ExternalRef, err)
			}
		}
		if _, ok := m.Atlas.Commune(h.Commune); !ok {
			t.Errorf("household %d: commune %s not in the market", i, h.Commune)
		}
		if h.Protection.GrantedOn.Year() < 2025 || h.Protection.GrantedOn.After(datasets.RefDate.Time) {
			t.Errorf("household %d: granted on %s", i, h.Protection.GrantedOn)
		}
		if h.IncomeMonthly < 0 || h.IncomeMonthly > 1200 || len(h.Wishes) > 3 {
			t.Errorf("household %d: income %.0f wishes %v", i, h.IncomeMonthly, h.Wishes)
		}
		nAdults, children := 0, 0
		for _, mb := range h.Members {
			if mb.Role == matcher.Adult {
				nAdults++
				adults++
				if mb.DrivingLicence == matcher.ForeignLicence {
					foreign++
				}
			} else {
				children++
			}
		}
		if children > 0 {
			families++
		}
		if nAdults == 1 && children == 0 && h.Members[0].Sex == matcher.Male {
			isolatedMen++
			if h.Members[0].Age < 25 {
				young++
				if h.IncomeMonthly == 0 {
					youngNoIncome++
				}
			}
		}
	}
	if !validated {
		t.Log("matcher.Household has no Validate method yet: validation not checked")
	}
	if s := float64(isolatedMen) / 1000; s < 0.52 || s > 0.68 {
		t.Errorf("isolated men %.2f, want about 0.6", s)
	}
	if young == 0 || youngNoIncome != young {
		t.Errorf("%d isolated under-25s, %d with no income", young, youngNoIncome)
	}
	if s := float64(foreign) / float64(adults); s < 0.18 || s > 0.32 {
		t.Errorf("foreign licence share %.2f, want about 0.25", s)
	}
	if families < 150 {
		t.Errorf("only %d households with children", families)
	}
}

func TestHouseholdsWithoutMarket(t *testing.T) {
	hs := datasets.Households(1, 50, nil)
	if len(hs) != 50 {
		t.Fatalf("got %d households", len(hs))
	}
	prefs := map[string]bool{}
	for _, d := range datasets.Departments() {
		prefs[d.PrefectureCode] = true
	}
	for _, h := range hs {
		if !prefs[h.Commune] {
			t.Errorf("commune %s is not a prefecture", h.Commune)
		}
	}
}
