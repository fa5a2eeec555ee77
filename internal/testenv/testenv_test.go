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

func TestRequireFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		Require(ft, false, "thing")
	}()
	if !ft.failed || ft.skipped {
		t.Fatalf("failed %v skipped %v, want a failure and no skip", ft.failed, ft.skipped)
	}
}

func TestRequireSkipsWithoutCI(t *testing.T) {
	t.Setenv("CI", "")
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		Require(ft, false, "thing")
	}()
	if ft.failed || !ft.skipped {
		t.Fatalf("failed %v skipped %v, want a skip", ft.failed, ft.skipped)
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
