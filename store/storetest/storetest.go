// Package storetest gives tests a PostgreSQL database of their own. It is
// imported by tests only.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"passerelle/internal/testenv"
	"passerelle/store"
)

// PostgresURL returns the URL of a fresh schema in DATABASE_URL's
// database, named prefix plus random hex and dropped at the test's
// cleanup, so that parallel tests and runs never collide. Without
// DATABASE_URL the test is skipped, or fails when CI is set.
func PostgresURL(t testing.TB, prefix string) string {
	t.Helper()
	url := testenv.Env(t, "DATABASE_URL")
	admin, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := admin.SQL().ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// The test's context is canceled inside Cleanup.
		_, _ = admin.SQL().ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close()
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// Postgres opens PostgresURL (unmigrated) and closes it at cleanup, before
// the schema is dropped.
func Postgres(t testing.TB, prefix string) *store.DB {
	t.Helper()
	url := PostgresURL(t, prefix)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
