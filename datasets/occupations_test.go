package datasets_test

import (
	"regexp"
	"testing"

	"passerelle/datasets"
)

func TestOccupationsShape(t *testing.T) {
	occ := datasets.Occupations()
	if n := len(occ); n < 150 || n > 250 {
		t.Errorf("got %d occupations, want 150–250", n)
	}
	re := regexp.MustCompile(`^[A-N][0-9]{4}$`)
	seen := map[string]bool{}
	domains := map[byte]bool{}
	for _, o := range occ {
		if !re.MatchString(o.Code) || seen[o.Code] || o.Title == "" {
			t.Errorf("occupation %+v: bad or duplicate code, or no title", o)
		}
		seen[o.Code] = true
		domains[o.Code[0]] = true
	}
	for g := byte('A'); g <= 'N'; g++ {
		if !domains[g] {
			t.Errorf("no occupation in grand domaine %c", g)
		}
	}
}

// TestOccupationsAgainstROME checks every code against the official ROME
// 4.0 file.
func TestOccupationsAgainstROME(t *testing.T) {
	rome := readTable(t, "rome/rome_fiches_v460.csv")
	codes := rome.index(t, "code_rome")
	for _, o := range datasets.Occupations() {
		if _, ok := codes[o.Code]; !ok {
			t.Errorf("%s (%s) is not a ROME 4.0 code", o.Code, o.Title)
		}
	}
}
