package assign

import (
	"context"
	"io"
)

// ReadDIMACSLimit is ReadDIMACS with a smaller node limit, for fuzzing.
func ReadDIMACSLimit(r io.Reader, maxNodes int) (*Network, error) {
	return readDIMACS(r, maxNodes)
}

// SolveSSP is the plain successive-shortest-paths solver, the naive
// baseline of the benchmarks; p must be valid.
func SolveSSP(ctx context.Context, p *Problem) (*Solution, error) {
	return solveSSP(ctx, p)
}

// SolveStats solves p like Solve and returns counters of its work: bids of
// the initial phase, shortest-path searches, searches avoided (the best
// option had room), right nodes settled and left nodes scanned in the
// searches.
func SolveStats(ctx context.Context, p *Problem) (sol *Solution, bids, paths, trivial, settled, scanned int, err error) {
	s := newFastSolver(p)
	if err := s.run(ctx); err != nil {
		return nil, 0, 0, 0, 0, 0, err
	}
	st := s.stats
	return s.solution(), st.bids, st.paths, st.trivial, st.settled, st.scanned, nil
}

// SetBFSMinEdges sets the number of edges from which Solve ranks right
// nodes for locality, and returns the previous value.
func SetBFSMinEdges(n int) int {
	old := bfsMinEdges
	bfsMinEdges = n
	return old
}
