package datasets_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"passerelle/datasets"
	"passerelle/matcher"
)

// TestExamples decodes every household of ../examples strictly, validates
// it, and checks that its commune is real and in the demo market and that
// its occupations are in the embedded list.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("got %d example files, want at least 5", len(files))
	}
	occ := map[string]bool{}
	for _, o := range datasets.Occupations() {
		occ[o.Code] = true
	}
	m := demo(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var h matcher.Household
			if err := dec.Decode(&h); err != nil {
				t.Fatalf("decoding: %v", err)
			}
			if v, ok := any(&h).(validator); ok {
				if err := v.Validate(); err != nil {
					t.Errorf("does not validate: %v", err)
				}
			}
			if h.ExternalRef == "" || h.MoveFrom.String() != "2026-12-15" || h.Protection.GrantedOn.Year() != 2026 {
				t.Errorf("external_ref %q move_from %s granted_on %s", h.ExternalRef, h.MoveFrom, h.Protection.GrantedOn)
			}
			if _, ok := m.Atlas.Commune(h.Commune); !ok {
				t.Errorf("commune %s not in the synthetic market", h.Commune)
			}
			for _, mb := range h.Members {
				for _, o := range mb.Occupations {
					if !occ[o.ROME] {
						t.Errorf("occupation %s not in the embedded list", o.ROME)
					}
				}
			}
		})
	}
}

// TestExamplesRealCommunes checks the example communes against the official
// commune file.
func TestExamplesRealCommunes(t *testing.T) {
	communes := readTable(t, "communes/communes_fr.csv").index(t, "code_insee")
	files, _ := filepath.Glob("../examples/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var h matcher.Household
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, ok := communes[h.Commune]; !ok {
			t.Errorf("%s: commune %s is not a real INSEE code", filepath.Base(f), h.Commune)
		}
	}
}
