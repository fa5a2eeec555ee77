package ingest_test

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"passerelle/ingest"

	"passerelle/internal/testenv"
)

// sharedDir is where the official open-data files live, relative to the
// package directory (the convention of datasets/shared_test.go). Tests only
// read them; nothing is copied.
const sharedDir = "../../shared/datasets"

// sharedFS returns the shared datasets folder. It skips the test when the
// folder is missing, unless CI is set (then it fails).
func sharedFS(tb testing.TB) string {
	tb.Helper()
	_, err := os.Stat(sharedDir)
	testenv.Require(tb, err == nil, "the shared datasets ("+sharedDir+")")
	return sharedDir
}

// openShared opens a file of the shared datasets.
func openShared(tb testing.TB, rel string) io.ReadCloser {
	tb.Helper()
	f, err := os.Open(filepath.Join(sharedFS(tb), rel))
	if err != nil {
		tb.Fatalf("shared dataset file: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

var (
	refOnce sync.Once
	refVal  *ingest.Reference
	refRep  *ingest.Report
	refErr  error
)

// mustReference reads the shared reference folder once per test binary.
func mustReference(tb testing.TB) (*ingest.Reference, *ingest.Report) {
	tb.Helper()
	dir := sharedFS(tb)
	refOnce.Do(func() { refVal, refRep, refErr = ingest.ReadReference(os.DirFS(dir)) })
	if refErr != nil {
		tb.Fatalf("ReadReference: %v", refErr)
	}
	return refVal, refRep
}

// near reports whether a and b differ by less than 1e-6.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
