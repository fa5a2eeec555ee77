package datasets_test

import (
	"errors"
	"reflect"
	"testing"

	"passerelle/datasets"
	"passerelle/geo"
	"passerelle/matcher"
)

// basisFrom takes the communes of a small synthetic market as "real" ones.
func basisFrom(t *testing.T) *datasets.Basis {
	t.Helper()
	m, err := datasets.Synthetic(1, datasets.Scale{Communes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	b := &datasets.Basis{Parents: map[string]bool{}, Shortage: m.Shortage, Titles: map[string]string{"Z9999": "unused"}}
	m.Atlas.Communes(func(c *geo.Commune) bool {
		b.Communes = append(b.Communes, *c)
		return true
	})
	return b
}

func TestOnBasis(t *testing.T) {
	b := basisFrom(t)
	// Every job in one basin's communes, half for an occupation outside
	// the project's table.
	basin := b.Communes[10].Basin
	b.Hiring = []datasets.Hiring{{Basin: basin, ROME: "G1602", Projects: 10}, {Basin: basin, ROME: "H2913", Projects: 10}, {Basin: "nowhere", ROME: "G1602", Projects: 1000}}
	b.Titles = map[string]string{"H2913": "Soudage manuel"}
	b.Parents[b.Communes[0].Code] = true
	b.Jobs = []matcher.JobOffer{{ID: "ft-1", ExternalRef: "1", ROME: "G1602", Commune: b.Communes[10].Code}}
	m, err := datasets.OnBasis(3, 2000, 1000, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Housing) != 2000 || len(m.Jobs) != 1001 || m.Jobs[1000].ID != "ft-1" {
		t.Fatalf("%d homes, %d jobs", len(m.Housing), len(m.Jobs))
	}
	occs := map[string]int{}
	for _, j := range m.Jobs[:1000] {
		c, ok := m.Atlas.Commune(j.Commune)
		if !ok || c.Basin != basin {
			t.Fatalf("job %s in %s, basin %v, want basin %s", j.ID, j.Commune, c, basin)
		}
		occs[j.ROME]++
		if j.ROME == "H2913" && j.Title != "Soudage manuel" {
			t.Errorf("title %q", j.Title)
		}
	}
	if occs["G1602"] < 400 || occs["H2913"] < 400 {
		t.Errorf("occupations %v, want about half each", occs)
	}
	for _, h := range m.Housing {
		c, ok := m.Atlas.Commune(h.Commune)
		if !ok || c.Population <= 0 || b.Parents[h.Commune] {
			t.Fatalf("home %s in %s", h.ID, h.Commune)
		}
		if err := h.Validate(); err != nil {
			t.Fatalf("home %s: %v", h.ID, err)
		}
	}
	// Deterministic.
	m2, err := datasets.OnBasis(3, 2000, 1000, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Housing[:50], m2.Housing[:50]) || !reflect.DeepEqual(m.Jobs[:50], m2.Jobs[:50]) {
		t.Error("same seed and basis, different market")
	}
	// Without hiring figures, jobs follow population.
	b.Hiring = nil
	if m, err = datasets.OnBasis(3, 0, 500, b); err != nil || len(m.Jobs) != 501 {
		t.Fatalf("no hiring: %v", err)
	}
	if _, err := datasets.OnBasis(3, -1, 0, b); !errors.Is(err, datasets.ErrScale) {
		t.Errorf("negative size: %v", err)
	}
	if _, err := datasets.OnBasis(3, 1, 1, &datasets.Basis{}); err == nil {
		t.Error("empty basis: nil error")
	}
}
