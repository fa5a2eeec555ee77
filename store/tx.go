package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Role is the role of an API key.
type Role string

// Roles of DESIGN §8.
const (
	RoleAdmin    Role = "admin"
	RoleAdvisor  Role = "advisor"
	RoleLandlord Role = "landlord"
	RoleEmployer Role = "employer"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleAdvisor, RoleLandlord, RoleEmployer:
		return true
	}
	return false
}

// Actor is who performs an operation: the authenticated key. Non-admin
// actors only see objects of their organisation (Org); RoleAdmin sees all.
// KeyID and Org are recorded in the audit log.
type Actor struct {
	KeyID string
	Org   string
	Role  Role
}

// Actor returns the actor of an authenticated key.
func (k Key) Actor() Actor { return Actor{KeyID: k.ID, Org: k.Org, Role: k.Role} }

func (a Actor) admin() bool { return a.Role == RoleAdmin }

// readsAllOffers reports whether the actor may read every offer: admins,
// and advisors, who propose any landlord's flat or employer's job to their
// households. Writes stay owner-scoped for everyone but admins.
func (a Actor) readsAllOffers() bool { return a.Role == RoleAdmin || a.Role == RoleAdvisor }

// Tx is one write transaction opened by (*DB).Write. Its methods must be
// called from the goroutine running the Write callback only; it is not safe
// for concurrent use and must not be kept after the callback returns.
type Tx struct {
	db    *DB
	tx    *sql.Tx
	actor Actor
	now   time.Time

	changes OfferChanges // see OfferChanges
}

// OfferChanges is what a write transaction did to offers, so that an
// engine can apply it without a rebuild (api.Engines.Wrote): the data
// versions it bumped, From to To (0 and 0: none), and the ids of the
// offers it updated or withdrew, and of those it created one by one (an
// engine holds none of them; bulk creations do not list theirs).
type OfferChanges struct {
	From, To      int64
	Housing, Jobs []string
}

// OfferChanges returns what tx has done to offers so far; read it at the
// end of the transaction's function, it holds once the write commits.
func (tx *Tx) OfferChanges() OfferChanges { return tx.changes }

// changed records that offer id (a job when jobs) was written.
func (tx *Tx) changed(jobs bool, id string) {
	if jobs {
		tx.changes.Jobs = append(tx.changes.Jobs, id)
	} else {
		tx.changes.Housing = append(tx.changes.Housing, id)
	}
}

// Write runs fn in one transaction on behalf of actor and commits when fn
// returns nil; any error from fn (or a panic) rolls everything back, so
// either every row fn wrote lands or none does. On SQLite the transaction
// starts with BEGIN IMMEDIATE, so concurrent writers queue (up to
// SQLiteBusyTimeout) instead of failing. fn's error is returned unchanged;
// begin and commit errors are wrapped.
func (db *DB) Write(ctx context.Context, actor Actor, fn func(tx *Tx) error) error {
	return db.writeOn(ctx, db.sql, actor, fn)
}

// writeOn is Write on the connections of pool (db.sql, or db.aud for the
// read audit rows).
func (db *DB) writeOn(ctx context.Context, pool *sql.DB, actor Actor, fn func(tx *Tx) error) error {
	if db.driver == DriverSQLite {
		// SQLite has one writer at a time. Writers of this process queue
		// here, in order and without polling, rather than in SQLite's busy
		// handler, which sleeps in growing steps (tail latency); other
		// processes still wait through the busy timeout.
		db.wmu.Lock()
		defer db.wmu.Unlock()
	}
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin write: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx, actor: actor, now: db.now().UTC()}
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit write: %w", classify(err))
	}
	committed = true
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.rebind(q), args...)
}

// Audit appends one row to the audit log in this transaction: the time, the
// actor's key and organisation, action (e.g. "create", "read"), and the kind
// and id of the object. Never pass personal data.
func (tx *Tx) Audit(ctx context.Context, action, kind, id string) error {
	if _, err := tx.exec(ctx, `INSERT INTO audit_log (at, key_id, org, action, object_kind, object_id) VALUES (?, ?, ?, ?, ?, ?)`,
		formatTime(tx.now), tx.actor.KeyID, tx.actor.Org, action, kind, id); err != nil {
		return fmt.Errorf("store: audit %s %s %s: %w", action, kind, id, err)
	}
	return nil
}

// bumpVersion increments the data version and returns the new value.
func (tx *Tx) bumpVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := tx.queryRow(ctx, `UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: bump data version: %w", err)
	}
	if tx.changes.From == 0 {
		tx.changes.From = v
	}
	tx.changes.To = v
	return v, nil
}

func (tx *Tx) ensureOrg(ctx context.Context, org string) error {
	if org == "" {
		return errors.New("store: empty organisation")
	}
	if _, err := tx.exec(ctx, `INSERT INTO organisations (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
		org, formatTime(tx.now)); err != nil {
		return fmt.Errorf("store: ensure organisation %s: %w", org, err)
	}
	return nil
}

// DataVersion returns the current data version: a counter bumped in the
// same transaction as every offer write (create, update, withdraw).
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	st, err := db.prepared(ctx, `SELECT version FROM data_version WHERE id = 1`)
	if err != nil {
		return 0, fmt.Errorf("store: read data version: %w", err)
	}
	if err := st.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: read data version: %w", err)
	}
	return v, nil
}

// Stored is a saved response for an Idempotency-Key.
type Stored struct {
	KeyID       string
	IdemKey     string
	RequestHash string // caller-defined hash of the request (e.g. hex SHA-256 of method, path and body)
	Status      int    // HTTP status of the first response
	Body        []byte // body of the first response
	CreatedAt   time.Time
}

// Idempotency returns the response saved for (keyID, idemKey), or nil and
// no error when none is saved. Errors are the query's, wrapped. The caller
// compares Stored.RequestHash with the new request's hash: equal means
// replay Status and Body, different means the key was reused for another
// request.
func (db *DB) Idempotency(ctx context.Context, keyID, idemKey string) (*Stored, error) {
	s := Stored{KeyID: keyID, IdemKey: idemKey}
	var body, created string
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE key_id = ? AND idem_key = ?`),
		keyID, idemKey).Scan(&s.RequestHash, &s.Status, &body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read idempotency key: %w", err)
	}
	s.Body, s.CreatedAt = []byte(body), parseTime(created)
	return &s, nil
}

// SaveIdempotency records the response of a write under (actor key,
// idemKey) in this transaction, so it lands if and only if the write does.
// It returns an error wrapping ErrConflict when the pair is already saved
// (a concurrent duplicate request): the caller should roll back by
// returning the error, then replay the stored response.
func (tx *Tx) SaveIdempotency(ctx context.Context, idemKey, requestHash string, status int, body []byte) error {
	if _, err := tx.exec(ctx, `INSERT INTO idempotency_keys (key_id, idem_key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tx.actor.KeyID, idemKey, requestHash, status, string(body), formatTime(tx.now)); err != nil {
		return fmt.Errorf("store: save idempotency key: %w", classify(err))
	}
	return nil
}

// Key is an API key without its secret.
type Key struct {
	ID        string
	Org       string
	Role      Role
	CreatedAt time.Time
}

// SecretPrefix starts every API key secret.
const SecretPrefix = "psk_"

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateKey creates an API key for org (created if new) with role and
// returns its id and its secret. The secret (SecretPrefix + 256 random bits)
// is returned only here; the store keeps its SHA-256 hash. The creation is
// audited under the new key's id. It returns an error for an invalid role
// or an empty org.
func (db *DB) CreateKey(ctx context.Context, org string, role Role) (id, secret string, err error) {
	if !role.Valid() {
		return "", "", fmt.Errorf("store: create key: invalid role %q", role)
	}
	id = newID("k_", 10)
	secret = newID(SecretPrefix, 32)
	err = db.Write(ctx, Actor{KeyID: id, Org: org, Role: role}, func(tx *Tx) error {
		if err := tx.ensureOrg(ctx, org); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO api_keys (id, org, role, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, org, string(role), hashSecret(secret), formatTime(tx.now)); err != nil {
			return fmt.Errorf("store: create key: %w", classify(err))
		}
		return tx.Audit(ctx, "create", "key", id)
	})
	if err != nil {
		return "", "", err
	}
	return id, secret, nil
}

// RevokeKey revokes key id on behalf of actor (admins any key, others only
// their organisation's). Later Authenticate calls with its secret fail. It
// returns ErrNotFound for an unknown, foreign or already revoked key.
func (db *DB) RevokeKey(ctx context.Context, actor Actor, id string) error {
	return db.Write(ctx, actor, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND (org = ? OR ?)`,
			formatTime(tx.now), id, actor.Org, actor.admin())
		if err != nil {
			return fmt.Errorf("store: revoke key %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: revoke key %s: %w", id, ErrNotFound)
		}
		return tx.Audit(ctx, "revoke", "key", id)
	})
}

// Authenticate returns the live key whose secret this is, or an error
// wrapping ErrUnauthorized for an unknown, malformed or revoked secret.
// The lookup is by SHA-256 hash; the secret is never stored.
func (db *DB) Authenticate(ctx context.Context, secret string) (Key, error) {
	var k Key
	var role, created string
	var revoked sql.NullString
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT id, org, role, created_at, revoked_at FROM api_keys WHERE hash = ?`),
		hashSecret(secret)).Scan(&k.ID, &k.Org, &role, &created, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, fmt.Errorf("store: authenticate: %w", ErrUnauthorized)
	}
	if err != nil {
		return Key{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if revoked.Valid {
		return Key{}, fmt.Errorf("store: authenticate: key %s revoked: %w", k.ID, ErrUnauthorized)
	}
	k.Role, k.CreatedAt = Role(role), parseTime(created)
	return k, nil
}

// InstanceID returns the random identity of this database, creating it on
// first use (concurrent first calls agree on one). Caches shared between
// deployments key on it.
func (db *DB) InstanceID(ctx context.Context) (string, error) {
	var uid string
	err := db.sql.QueryRowContext(ctx, `SELECT uid FROM instance WHERE id = 1`).Scan(&uid)
	if err == nil {
		return uid, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: read instance id: %w", err)
	}
	if err := db.Write(ctx, Actor{}, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO instance (id, uid) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, newID("db_", 10))
		return err
	}); err != nil {
		return "", fmt.Errorf("store: create instance id: %w", err)
	}
	if err := db.sql.QueryRowContext(ctx, `SELECT uid FROM instance WHERE id = 1`).Scan(&uid); err != nil {
		return "", fmt.Errorf("store: read instance id: %w", err)
	}
	return uid, nil
}
