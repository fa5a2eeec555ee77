package matcher

import (
	"math/bits"
	"sync"
)

// Without returns an engine at data version version over e's market less
// the offers whose ids are listed (ids e does not hold are ignored): the
// same indexes, with those offers skipped wherever a plan or an allocation
// reads an offer. Its plans are exact (the bounds of the indexes still
// hold, since taking offers away only lowers what an area can offer) and
// score as those of an engine built without the offers, rank by rank, and
// its allocations reach the same objective (TestWithoutMatchesRebuild).
// Two things may differ: between tiles, ties keep the tile order of e's
// market, where a rebuild could order the tiles otherwise (SCORING §5),
// so tied options may come in another order or another tied home be
// kept; and a plan's examined and rejected counts, which describe the
// search's work (the bounds still count the offers left out). Offers e
// already left out stay out.
//
// It is how a service applies a withdrawal, a status change or an edit at
// once (5 µs on a market of 300,000 offers, 54 µs on the national one,
// BenchmarkWithout), and adds new offers and the edited versions at its
// next full rebuild (api.Engines). See IndexIDs for the first call.
func (e *Engine) Without(version int64, housing, jobs []string) *Engine {
	s := e.snap.Load()
	ids := s.ids.get(s)
	n := *s
	n.version = version
	n.deadH = markGone(s.deadH, len(s.housing), housing, ids.housing)
	n.deadJ = markGone(s.deadJ, len(s.jobs), jobs, ids.jobs)
	out := &Engine{opts: e.opts}
	out.snap.Store(&n)
	return out
}

// IndexIDs builds the index of the offers by id that Without reads, which
// its first call on an engine made by NewEngine would build otherwise
// (0.74 s for the national market's 1.5 million offers): a service calls
// it after a rebuild, so that no write waits for it.
func (e *Engine) IndexIDs() {
	s := e.snap.Load()
	s.ids.get(s)
}

// Removed returns the number of housing and job offers an engine made by
// Without leaves out of its market's indexes (0 and 0 for NewEngine's).
func (e *Engine) Removed() (housing, jobs int) {
	s := e.snap.Load()
	return countBits(s.deadH), countBits(s.deadJ)
}

// offerIDs indexes a snapshot's offers by id, built on first use and
// shared by the snapshots Without derives from it.
type offerIDs struct {
	once          sync.Once
	housing, jobs map[string]int32
}

func (x *offerIDs) get(s *snapshot) *offerIDs {
	x.once.Do(func() {
		x.housing = make(map[string]int32, len(s.housing))
		for i := range s.housing {
			x.housing[s.housing[i].o.ID] = int32(i)
		}
		x.jobs = make(map[string]int32, len(s.jobs))
		for i := range s.jobs {
			x.jobs[s.jobs[i].o.ID] = int32(i)
		}
	})
	return x
}

// markGone returns a copy of the bit set old (nil: empty) over n items
// with the bits of ids set, or old itself when no id is known.
func markGone(old []uint64, n int, ids []string, index map[string]int32) []uint64 {
	var out []uint64
	for _, id := range ids {
		i, ok := index[id]
		if !ok || id == "" {
			continue
		}
		if out == nil {
			out = make([]uint64, (n+63)/64)
			copy(out, old)
		}
		out[i>>6] |= 1 << (i & 63)
	}
	if out == nil {
		return old
	}
	return out
}

// goneIn returns the number of bits of b set in [lo, hi).
func goneIn(b []uint64, lo, hi int32) int {
	n := 0
	for i := lo; b != nil && i < hi; i++ {
		if gone(b, i) {
			n++
		}
	}
	return n
}

// gone reports whether bit i of the bit set b is set.
func gone(b []uint64, i int32) bool { return b != nil && b[i>>6]&(1<<(i&63)) != 0 }

func countBits(b []uint64) int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
