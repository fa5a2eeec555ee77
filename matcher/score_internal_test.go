package matcher

import (
	"math/rand/v2"
	"testing"
	"unsafe"
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

// TestJobItemLayout keeps what a search reads of every job it tries in the
// first cache line of a 128-byte item (see jItem).
func TestJobItemLayout(t *testing.T) {
	var j jItem
	if n := unsafe.Sizeof(j); n != 128 {
		t.Errorf("jItem is %d bytes, want 128", n)
	}
	for name, end := range map[string]uintptr{
		"end":    unsafe.Offsetof(j.end) + unsafe.Sizeof(j.end),
		"cos":    unsafe.Offsetof(j.cos) + unsafe.Sizeof(j.cos),
		"static": unsafe.Offsetof(j.static) + unsafe.Sizeof(j.static),
		"start":  unsafe.Offsetof(j.start) + unsafe.Sizeof(j.start),
		"frReq":  unsafe.Offsetof(j.frReq) + unsafe.Sizeof(j.frReq),
	} {
		if end > 64 {
			t.Errorf("jItem.%s ends at byte %d, past the first cache line", name, end)
		}
	}
}
