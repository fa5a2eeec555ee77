package matcher

import (
	"math/rand/v2"
	"testing"
)

// TestMatchTierKey checks the packed comparison of ROME codes against the
// string one, on codes that share a grand domaine, a domaine or the whole
// code, and on strings romeKey does not pack (empty, short, long).
func TestMatchTierKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	codes := []string{"", "G", "G1", "G16", "G160", "G1602", "G1603", "G1702", "H1602", "G16020", "K2204", "K2111"}
	pick := func() string {
		if rng.IntN(3) == 0 {
			return codes[rng.IntN(len(codes))]
		}
		return string(rune('G'+rng.IntN(3))) + string(rune('1'+rng.IntN(2))) + string(rune('6'+rng.IntN(2))) + "0" + string(rune('2'+rng.IntN(2)))
	}
	for range 50_000 {
		var occ []Occupation
		var keys []uint64
		for range rng.IntN(4) {
			o := Occupation{ROME: pick(), Years: rng.IntN(3)}
			occ, keys = append(occ, o), append(keys, romeKey(o.ROME))
		}
		o := &JobOffer{ROME: pick(), BeginnersOK: rng.IntN(2) == 0}
		j := &jItem{o: o, rome: romeKey(o.ROME), beginners: o.BeginnersOK}
		if got, want := matchTierKey(occ, keys, j), matchTier(occ, o.ROME, o.BeginnersOK); got != want {
			t.Fatalf("matchTierKey(%v, %q, %v) = %d, matchTier %d", occ, o.ROME, o.BeginnersOK, got, want)
		}
	}
}
