// Package store is the durable record of Passerelle: organisations, hashed
// API keys, households, housing and job offers, plans with their decision
// ledger, an append-only audit log, idempotency keys and the data version.
//
// It runs on SQLite (the embedded default, pure Go modernc.org/sqlite, one
// file in WAL mode with synchronous=FULL, except the group commits of read
// audit rows, and every write transaction opened with BEGIN IMMEDIATE) or
// on PostgreSQL (pgx through database/sql) when Open is given a
// postgres:// URL. Both dialects share one set of embedded
// migrations and one shared test suite.
//
// Every write runs in one transaction together with its audit row, its
// idempotency record when the caller saves one, and, for offers, the bump
// of the data version: either all of it lands or none of it does. Use
// (*DB).Write to group several writes; the convenience methods on DB each
// run one write in its own transaction.
//
// Objects of another organisation are reported as ErrNotFound, never as a
// distinct error, so callers cannot probe for their existence. Role checks
// (403) are the caller's business; the store only scopes by organisation,
// and an Actor with RoleAdmin sees everything.
//
// The package does not log; it returns errors wrapped with %w that say what
// was being done, and the sentinels ErrNotFound, ErrConflict,
// ErrUnauthorized and ErrMigrationsPending. A *DB is safe for concurrent
// use; a *Tx is not.
package store
