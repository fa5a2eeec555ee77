package testenv

import (
	"testing"
)

func TestEnv(t *testing.T) {
	t.Setenv("PASSERELLE_TESTENV_PROBE", "x")
	if got := Env(t, "PASSERELLE_TESTENV_PROBE"); got != "x" {
		t.Fatalf("Env = %q, want x", got)
	}
}

// TestRequire checks both branches: without what a test needs, Require
// skips it on a developer's machine and fails it in CI.
func TestRequire(t *testing.T) {
	for _, tc := range []struct {
		ci         string
		fail, skip bool
	}{{ci: "true", fail: true}, {ci: "", skip: true}} {
		t.Setenv("CI", tc.ci)
		ft := &fakeTB{TB: t}
		func() {
			defer func() { _ = recover() }()
			Require(ft, false, "thing")
		}()
		if ft.failed != tc.fail || ft.skipped != tc.skip {
			t.Fatalf("CI=%q: failed %v skipped %v, want %v %v", tc.ci, ft.failed, ft.skipped, tc.fail, tc.skip)
		}
	}
}

// fakeTB records Fatalf and Skipf instead of stopping the test; it panics
// to stop Require as the real ones stop the goroutine.
type fakeTB struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
func (f *fakeTB) Skipf(string, ...any) {
	f.skipped = true
	panic("skip")
}
