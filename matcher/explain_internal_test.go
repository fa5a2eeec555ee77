package matcher

import (
	"fmt"
	"strings"
	"testing"
)

// TestTextKeepsItsStrings checks the invariant text's strings rest on:
// a text handed out is never written again, also when the buffer grows
// and moves, and the formats match fmt's.
func TestTextKeepsItsStrings(t *testing.T) {
	tx := &text{b: make([]byte, 0, 8)} // small, so that it moves often
	var got, want []string
	for k := range 200 {
		v := float64(k)*1.37 - 50
		tx.s("n=").i(k-100).s(" v=").f(v, 0).s("/").f(v, 2).s(" c=").fComma(v).s(" ").capital("élan")
		got = append(got, tx.done())
		comma := strings.Replace(fmt.Sprintf("%.1f", v), ".", ",", 1)
		want = append(want, fmt.Sprintf("n=%d v=%.0f/%.2f c=%s Élan", k-100, v, v, comma))
		if k%7 == 0 {
			if x := tx.done(); x != "" {
				t.Fatalf("done after done = %q, want empty", x)
			}
		}
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("text %d = %q, want %q", k, got[k], want[k])
		}
	}
	tx.s("fr").done()
	tx.s("en")
	if fr, en := tx.two(); fr != "fr" || en != "en" {
		t.Fatalf("two() = %q, %q", fr, en)
	}
}
