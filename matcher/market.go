package matcher

import (
	"passerelle/geo"
)

// Market is everything a plan is computed over: the places, the open
// offers and the labour-shortage indicators.
type Market struct {
	Atlas    *geo.Atlas
	Housing  []HousingOffer
	Jobs     []JobOffer
	Shortage *ShortageTable
	// Version is the data version the market was read at (0 for a
	// generated market). Plans carry it.
	Version int64
}

// ShortageTable gives the labour-shortage index of an occupation in a place:
// the share of hiring projects judged difficult (BMO), blended with the
// DARES tension category, in [0, 1] (1 = employers struggle most to hire, so
// a newcomer is most likely to be hired).
//
// Lookups fall back from the most to the least precise key: (basin, ROME),
// (department, ROME), (department, domaine professionnel), (ROME),
// (domaine professionnel), then Default. The zero value answers Default
// (0.5 when unset) everywhere. It is not safe for concurrent writes; reads
// are safe once filled.
type ShortageTable struct {
	Default float64
	values  map[shortageKey]float64
}

type shortageKey struct{ place, occ string }

// NewShortageTable returns an empty table answering def where nothing more
// precise is known.
func NewShortageTable(def float64) *ShortageTable {
	return &ShortageTable{Default: def, values: make(map[shortageKey]float64)}
}

// Set records value v (clamped to [0, 1]) for occupation occ (a full ROME
// code or a three-character domaine professionnel, or "" for every
// occupation) in place (a basin code prefixed "b:", a department code, or ""
// for the whole country).
func (t *ShortageTable) Set(place, occ string, v float64) {
	if t.values == nil {
		t.values = make(map[shortageKey]float64)
	}
	t.values[shortageKey{place, occ}] = clamp01(v)
}

// Len returns the number of entries set.
func (t *ShortageTable) Len() int { return len(t.values) }

// Range calls fn for every entry set, in no particular order (to copy or
// store the table).
func (t *ShortageTable) Range(fn func(place, occ string, v float64)) {
	for k, v := range t.values {
		fn(k.place, k.occ, v)
	}
}

// Lookup returns the shortage index of ROME code rome in commune c (c may be
// nil) and the key level that answered: "basin", "department",
// "department_domain", "national", "national_domain" or "default".
func (t *ShortageTable) Lookup(c *geo.Commune, rome string) (float64, string) {
	if t == nil {
		return 0.5, "default"
	}
	def := t.Default
	if def == 0 {
		def = 0.5
	}
	if len(t.values) == 0 {
		return def, "default"
	}
	dom := ""
	if len(rome) >= 3 {
		dom = rome[:3]
	}
	if c != nil {
		if c.Basin != "" {
			if v, ok := t.values[shortageKey{"b:" + c.Basin, rome}]; ok {
				return v, "basin"
			}
		}
		if v, ok := t.values[shortageKey{c.Department, rome}]; ok {
			return v, "department"
		}
		if v, ok := t.values[shortageKey{c.Department, dom}]; ok {
			return v, "department_domain"
		}
	}
	if v, ok := t.values[shortageKey{"", rome}]; ok {
		return v, "national"
	}
	if v, ok := t.values[shortageKey{"", dom}]; ok {
		return v, "national_domain"
	}
	return def, "default"
}

func clamp01(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}
