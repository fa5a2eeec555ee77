// Package testenv holds the one rule of the project's tests for what they
// need from outside (DESIGN §9): a real service or the shared open data is
// skipped on a developer machine that lacks it, and required when CI is
// set, so that CI can never pass by skipping.
package testenv

import (
	"os"
	"testing"
)

// Require skips the test when ok is false, or fails it when CI is set;
// what names the missing thing ("REDIS_URL", "redis-server", …).
func Require(tb testing.TB, ok bool, what string) {
	tb.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s required in CI", what)
	}
	tb.Skipf("%s not available", what)
}

// Env returns environment variable name, under Require.
func Env(tb testing.TB, name string) string {
	tb.Helper()
	v := os.Getenv(name)
	Require(tb, v != "", name)
	return v
}
