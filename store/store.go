package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors. Functions wrap them with %w; test with errors.Is.
var (
	// ErrNotFound reports an object that does not exist, was deleted, or
	// belongs to another organisation.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports a uniqueness violation: a duplicate external_ref
	// for one owner, or an idempotency key saved twice.
	ErrConflict = errors.New("store: conflict")
	// ErrUnauthorized reports an unknown or revoked API key.
	ErrUnauthorized = errors.New("store: unauthorized")
	// ErrBadCursor reports a pagination cursor that no List returned.
	ErrBadCursor = errors.New("store: bad cursor")
	// ErrMigrationsPending reports a database schema behind the embedded
	// migrations.
	ErrMigrationsPending = errors.New("store: migrations pending")
)

// Driver names returned by (*DB).Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// SQLiteBusyTimeout is how long a SQLite connection waits for the write
// lock before failing with "database is locked".
const SQLiteBusyTimeout = 10 * time.Second

// DB is a handle on the store. It is safe for concurrent use by many
// goroutines.
type DB struct {
	sql    *sql.DB
	rd     *sql.DB    // long read-only transactions (SQLite: deferred; PostgreSQL: sql)
	aud    *sql.DB    // group commits of read audit rows (SQLite: synchronous=NORMAL; PostgreSQL: sql)
	wmu    sync.Mutex // SQLite: serialises this process's write transactions
	driver string
	now    func() time.Time
	audit  auditQueue // group commit of read audit rows (audit.go)
	stmts  sync.Map   // query → *sql.Stmt (prepared)
}

// Open opens the store named by dsn. A postgres:// or postgresql:// URL
// opens PostgreSQL through pgx (extra URL parameters such as search_path
// are passed to the server); anything else is a SQLite file path (created
// if missing; it must not contain '?') opened in WAL mode with
// synchronous=FULL, foreign_keys=ON, a busy timeout of SQLiteBusyTimeout and
// write transactions started with BEGIN IMMEDIATE. Open pings the database
// and returns its error wrapped. It does not migrate; see Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("store: open: empty dsn")
	}
	db := &DB{now: time.Now}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.driver = DriverPostgres
		db.sql, err = sql.Open("pgx", dsn)
	} else {
		if strings.ContainsRune(dsn, '?') {
			return nil, fmt.Errorf("store: open sqlite %q: path must not contain '?'", dsn)
		}
		db.driver = DriverSQLite
		q := fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate",
			SQLiteBusyTimeout.Milliseconds())
		db.sql, err = sql.Open("sqlite", dsn+q)
		if err == nil {
			// Long reads (the engine's full read of open offers) run in
			// deferred read-only transactions on a pool of their own: in WAL
			// mode they read a snapshot without taking the write lock, so
			// writers never wait for them.
			db.rd, err = sql.Open("sqlite", dsn+fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=query_only(1)", SQLiteBusyTimeout.Milliseconds()))
		}
		if err == nil {
			// Read audit rows are committed on connections of their own
			// with synchronous=NORMAL: no fsync per group commit (see
			// auditRead for why and what it risks).
			db.aud, err = sql.Open("sqlite", dsn+fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate",
				SQLiteBusyTimeout.Milliseconds()))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", db.driver, err)
	}
	if db.rd == nil {
		db.rd = db.sql
	}
	if db.aud == nil {
		db.aud = db.sql
	}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Close commits the queued read audit rows (see ReadHousehold) and closes
// the database. In-flight queries finish first.
func (db *DB) Close() error {
	db.closeAudit()
	db.stmts.Range(func(_, st any) bool { _ = st.(*sql.Stmt).Close(); return true })
	for _, p := range []*sql.DB{db.rd, db.aud} {
		if p != nil && p != db.sql {
			_ = p.Close()
		}
	}
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Driver returns DriverSQLite ("sqlite") or DriverPostgres ("postgres").
func (db *DB) Driver() string { return db.driver }

// Ping checks that the database answers; used by readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.driver, err)
	}
	return nil
}

// SQL returns the underlying *sql.DB, for tests and tools (integrity checks,
// benchmarks). Writing through it bypasses the audit log and data version.
func (db *DB) SQL() *sql.DB { return db.sql }

// rebind rewrites ? placeholders to $1, $2, … for PostgreSQL. Queries of this
// package never contain '?' inside literals.
func (db *DB) rebind(q string) string {
	if db.driver != DriverPostgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const tsLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(tsLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(tsLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns prefix followed by n random bytes in lower-case base32.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + idEncoding.EncodeToString(b)
}

// isUnique reports whether err is a unique or primary-key violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// classify maps driver errors to sentinels, keeping the original in the
// chain.
func classify(err error) error {
	if isUnique(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}
