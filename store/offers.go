package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"passerelle/geo"
	"passerelle/matcher"
)

// MaxPageSize is the largest page a List returns; DefaultPageSize is used
// when the filter's Limit is zero.
const (
	MaxPageSize     = 100
	DefaultPageSize = 50
)

// OfferFilter selects offers in a List. Empty fields do not filter.
type OfferFilter struct {
	Commune    string // INSEE code
	Department string // department code, e.g. "69", "2A", "974"
	Status     string // open|reserved|let|filled|withdrawn
	Kind       string // landlord_kind for housing, contract for jobs
	ROME       string // jobs only; ignored for housing
	Cursor     string // opaque, from Page.Next; "" for the first page
	Limit      int    // page size, 1..MaxPageSize; 0 means DefaultPageSize; larger values are clamped
}

// Page is one page of a List, ordered by id. Next is the cursor of the
// following page, "" on the last one.
type Page[T any] struct {
	Items []T
	Next  string
}

// offerSpec holds what differs between housing and job offers.
type offerSpec[T any] struct {
	table  string
	kind   string // audit object kind
	prefix string
	// cols returns id, owner, external_ref, status, commune, kind, rome.
	cols    func(*T) (id, owner, ref, status, commune, kind, rome string)
	setMeta func(o *T, id, owner, status string)
	jobs    bool
}

var housingSpec = offerSpec[matcher.HousingOffer]{
	table: "housing_offers", kind: "housing", prefix: "ho_",
	cols: func(o *matcher.HousingOffer) (string, string, string, string, string, string, string) {
		return o.ID, o.Owner, o.ExternalRef, o.Status, o.Commune, string(o.LandlordKind), ""
	},
	setMeta: func(o *matcher.HousingOffer, id, owner, status string) { o.ID, o.Owner, o.Status = id, owner, status },
}

var jobSpec = offerSpec[matcher.JobOffer]{
	table: "job_offers", kind: "job", prefix: "jo_", jobs: true,
	cols: func(o *matcher.JobOffer) (string, string, string, string, string, string, string) {
		return o.ID, o.Owner, o.ExternalRef, o.Status, o.Commune, string(o.Contract), o.ROME
	},
	setMeta: func(o *matcher.JobOffer, id, owner, status string) { o.ID, o.Owner, o.Status = id, owner, status },
}

func createOffer[T any](ctx context.Context, tx *Tx, sp offerSpec[T], o T) (T, error) {
	var zero T
	_, owner, ref, status, commune, kind, rome := sp.cols(&o)
	if owner == "" || !tx.actor.admin() {
		owner = tx.actor.Org
	}
	if status == "" {
		status = matcher.StatusOpen
	}
	id := newID(sp.prefix, 10)
	sp.setMeta(&o, id, owner, status)
	doc, err := json.Marshal(o)
	if err != nil {
		return zero, fmt.Errorf("store: create %s: encode: %w", sp.kind, err)
	}
	if err := tx.ensureOrg(ctx, owner); err != nil {
		return zero, err
	}
	now := formatTime(tx.now)
	if sp.jobs {
		_, err = tx.exec(ctx, `INSERT INTO job_offers (id, owner, external_ref, status, commune, department, kind, rome, doc, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, owner, ref, status, commune, geo.DepartmentOf(commune), kind, rome, string(doc), now, now)
	} else {
		_, err = tx.exec(ctx, `INSERT INTO housing_offers (id, owner, external_ref, status, commune, department, kind, doc, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, owner, ref, status, commune, geo.DepartmentOf(commune), kind, string(doc), now, now)
	}
	if err != nil {
		return zero, fmt.Errorf("store: create %s: %w", sp.kind, classify(err))
	}
	tx.changed(sp.jobs, id)
	if _, err := tx.bumpVersion(ctx); err != nil {
		return zero, err
	}
	if err := tx.Audit(ctx, "create", sp.kind, id); err != nil {
		return zero, err
	}
	return o, nil
}

// lockOwner returns the owner of offer id if the actor may see it, else
// ErrNotFound.
func lockOwner[T any](ctx context.Context, tx *Tx, sp offerSpec[T], id, op string) (string, error) {
	var owner string
	err := tx.queryRow(ctx, `SELECT owner FROM `+sp.table+` WHERE id = ?`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != tx.actor.Org && !tx.actor.admin()) {
		return "", fmt.Errorf("store: %s %s %s: %w", op, sp.kind, id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: %s %s %s: %w", op, sp.kind, id, err)
	}
	return owner, nil
}

func updateOffer[T any](ctx context.Context, tx *Tx, sp offerSpec[T], o T) (T, error) {
	var zero T
	id, _, ref, status, commune, kind, rome := sp.cols(&o)
	owner, err := lockOwner(ctx, tx, sp, id, "update")
	if err != nil {
		return zero, err
	}
	if status == "" {
		status = matcher.StatusOpen
	}
	sp.setMeta(&o, id, owner, status)
	doc, err := json.Marshal(o)
	if err != nil {
		return zero, fmt.Errorf("store: update %s %s: encode: %w", sp.kind, id, err)
	}
	_, err = tx.exec(ctx, `UPDATE `+sp.table+` SET external_ref = ?, status = ?, commune = ?, department = ?, kind = ?, doc = ?, updated_at = ?`+
		map[bool]string{true: `, rome = ?`, false: ``}[sp.jobs]+` WHERE id = ?`,
		offerArgs(sp.jobs, []any{ref, status, commune, geo.DepartmentOf(commune), kind, string(doc), formatTime(tx.now)}, rome, id)...)
	if err != nil {
		return zero, fmt.Errorf("store: update %s %s: %w", sp.kind, id, classify(err))
	}
	tx.changed(sp.jobs, id)
	if _, err := tx.bumpVersion(ctx); err != nil {
		return zero, err
	}
	if err := tx.Audit(ctx, "update", sp.kind, id); err != nil {
		return zero, err
	}
	return o, nil
}

func offerArgs(jobs bool, args []any, rome, id string) []any {
	if jobs {
		args = append(args, rome)
	}
	return append(args, id)
}

func withdrawOffer[T any](ctx context.Context, tx *Tx, sp offerSpec[T], id string) error {
	if _, err := lockOwner(ctx, tx, sp, id, "withdraw"); err != nil {
		return err
	}
	o, err := scanOffer(tx.queryRow(ctx, `SELECT doc, owner, status FROM `+sp.table+` WHERE id = ?`, id), sp, id)
	if err != nil {
		return fmt.Errorf("store: withdraw %s %s: %w", sp.kind, id, err)
	}
	_, owner, _, _, _, _, _ := sp.cols(&o)
	sp.setMeta(&o, id, owner, matcher.StatusWithdrawn)
	doc, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("store: withdraw %s %s: encode: %w", sp.kind, id, err)
	}
	if _, err := tx.exec(ctx, `UPDATE `+sp.table+` SET status = ?, doc = ?, updated_at = ? WHERE id = ?`,
		matcher.StatusWithdrawn, string(doc), formatTime(tx.now), id); err != nil {
		return fmt.Errorf("store: withdraw %s %s: %w", sp.kind, id, err)
	}
	tx.changed(sp.jobs, id)
	if _, err := tx.bumpVersion(ctx); err != nil {
		return err
	}
	return tx.Audit(ctx, "withdraw", sp.kind, id)
}

type scanner interface{ Scan(dest ...any) error }

// scanOffer reads (doc, owner, status) and makes the columns authoritative.
func scanOffer[T any](row scanner, sp offerSpec[T], id string) (T, error) {
	var o T
	var doc, owner, status string
	if err := row.Scan(&doc, &owner, &status); err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(doc), &o); err != nil {
		return o, fmt.Errorf("decode %s %s: %w", sp.kind, id, err)
	}
	sp.setMeta(&o, id, owner, status)
	return o, nil
}

func getOffer[T any](ctx context.Context, db *DB, sp offerSpec[T], actor Actor, id string) (T, error) {
	row := db.sql.QueryRowContext(ctx, db.rebind(`SELECT doc, owner, status FROM `+sp.table+` WHERE id = ? AND (owner = ? OR ?)`),
		id, actor.Org, actor.readsAllOffers())
	o, err := scanOffer(row, sp, id)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("store: get %s %s: %w", sp.kind, id, ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("store: get %s %s: %w", sp.kind, id, err)
	}
	return o, nil
}

func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	return string(b), nil
}

func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

func listOffers[T any](ctx context.Context, db *DB, sp offerSpec[T], actor Actor, f OfferFilter) (Page[T], error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !actor.readsAllOffers() {
		add("owner = ?", actor.Org)
	}
	if f.Commune != "" {
		add("commune = ?", f.Commune)
	}
	if f.Department != "" {
		add("department = ?", f.Department)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.ROME != "" && sp.jobs {
		add("rome = ?", f.ROME)
	}
	if f.Cursor != "" {
		after, err := decodeCursor(f.Cursor)
		if err != nil {
			return Page[T]{}, fmt.Errorf("store: list %s: %w", sp.kind, err)
		}
		add("id > ?", after)
	}
	limit := pageSize(f.Limit)
	q := `SELECT id, doc, owner, status FROM ` + sp.table
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(` ORDER BY id LIMIT %d`, limit+1)
	rows, err := db.sql.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return Page[T]{}, fmt.Errorf("store: list %s: %w", sp.kind, err)
	}
	defer rows.Close()
	p := Page[T]{Items: []T{}}
	var ids []string
	for rows.Next() {
		var id string
		var doc, owner, status string
		if err := rows.Scan(&id, &doc, &owner, &status); err != nil {
			return Page[T]{}, fmt.Errorf("store: list %s: %w", sp.kind, err)
		}
		var o T
		if err := json.Unmarshal([]byte(doc), &o); err != nil {
			return Page[T]{}, fmt.Errorf("store: list %s: decode %s: %w", sp.kind, id, err)
		}
		sp.setMeta(&o, id, owner, status)
		p.Items = append(p.Items, o)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return Page[T]{}, fmt.Errorf("store: list %s: %w", sp.kind, err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = encodeCursor(ids[limit-1])
	}
	return p, nil
}

// CreateHousing stores a new housing offer (already validated by the
// caller) in this transaction, generates its id ("ho_…"), sets its owner
// to the actor's organisation (an admin may name another owner), defaults
// its status to open, bumps the data version and writes an audit row. It
// returns the stored offer, or an error wrapping ErrConflict for a
// duplicate external_ref of the same owner.
func (tx *Tx) CreateHousing(ctx context.Context, o matcher.HousingOffer) (matcher.HousingOffer, error) {
	return createOffer(ctx, tx, housingSpec, o)
}

// UpdateHousing replaces the document of housing offer o.ID (the owner is
// kept; an empty status becomes open), bumps the data version and audits.
// It returns ErrNotFound for an unknown or foreign offer and ErrConflict for
// a duplicate external_ref.
func (tx *Tx) UpdateHousing(ctx context.Context, o matcher.HousingOffer) (matcher.HousingOffer, error) {
	return updateOffer(ctx, tx, housingSpec, o)
}

// WithdrawHousing sets housing offer id to withdrawn (the row is kept),
// bumps the data version and audits. It returns ErrNotFound for an unknown
// or foreign offer.
func (tx *Tx) WithdrawHousing(ctx context.Context, id string) error {
	return withdrawOffer(ctx, tx, housingSpec, id)
}

// CreateJob is CreateHousing for job offers (ids "jo_…").
func (tx *Tx) CreateJob(ctx context.Context, o matcher.JobOffer) (matcher.JobOffer, error) {
	return createOffer(ctx, tx, jobSpec, o)
}

// UpdateJob is UpdateHousing for job offers.
func (tx *Tx) UpdateJob(ctx context.Context, o matcher.JobOffer) (matcher.JobOffer, error) {
	return updateOffer(ctx, tx, jobSpec, o)
}

// WithdrawJob is WithdrawHousing for job offers.
func (tx *Tx) WithdrawJob(ctx context.Context, id string) error {
	return withdrawOffer(ctx, tx, jobSpec, id)
}

// CreateHousing runs Tx.CreateHousing in its own transaction.
func (db *DB) CreateHousing(ctx context.Context, actor Actor, o matcher.HousingOffer) (out matcher.HousingOffer, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.CreateHousing(ctx, o); return err })
	return out, err
}

// UpdateHousing runs Tx.UpdateHousing in its own transaction.
func (db *DB) UpdateHousing(ctx context.Context, actor Actor, o matcher.HousingOffer) (out matcher.HousingOffer, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.UpdateHousing(ctx, o); return err })
	return out, err
}

// WithdrawHousing runs Tx.WithdrawHousing in its own transaction.
func (db *DB) WithdrawHousing(ctx context.Context, actor Actor, id string) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.WithdrawHousing(ctx, id) })
}

// CreateJob runs Tx.CreateJob in its own transaction.
func (db *DB) CreateJob(ctx context.Context, actor Actor, o matcher.JobOffer) (out matcher.JobOffer, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.CreateJob(ctx, o); return err })
	return out, err
}

// UpdateJob runs Tx.UpdateJob in its own transaction.
func (db *DB) UpdateJob(ctx context.Context, actor Actor, o matcher.JobOffer) (out matcher.JobOffer, err error) {
	err = db.Write(ctx, actor, func(tx *Tx) error { out, err = tx.UpdateJob(ctx, o); return err })
	return out, err
}

// WithdrawJob runs Tx.WithdrawJob in its own transaction.
func (db *DB) WithdrawJob(ctx context.Context, actor Actor, id string) error {
	return db.Write(ctx, actor, func(tx *Tx) error { return tx.WithdrawJob(ctx, id) })
}

// GetHousing returns housing offer id, in any status. Admins and advisors
// see every offer; landlords and employers only offers their organisation
// owns; others are ErrNotFound.
func (db *DB) GetHousing(ctx context.Context, actor Actor, id string) (matcher.HousingOffer, error) {
	return getOffer(ctx, db, housingSpec, actor, id)
}

// GetJob is GetHousing for job offers.
func (db *DB) GetJob(ctx context.Context, actor Actor, id string) (matcher.JobOffer, error) {
	return getOffer(ctx, db, jobSpec, actor, id)
}

// ListHousing returns one page of the housing offers visible to actor
// (admins and advisors: all; others: their organisation's) matching f,
// ordered by id.
// Pages never overlap nor skip rows that existed throughout the walk. It
// returns an error for a malformed cursor.
func (db *DB) ListHousing(ctx context.Context, actor Actor, f OfferFilter) (Page[matcher.HousingOffer], error) {
	return listOffers(ctx, db, housingSpec, actor, f)
}

// ListJobs is ListHousing for job offers (f.ROME filters by ROME code).
func (db *DB) ListJobs(ctx context.Context, actor Actor, f OfferFilter) (Page[matcher.JobOffer], error) {
	return listOffers(ctx, db, jobSpec, actor, f)
}

// ListAllOpen returns every open housing and job offer, ordered by id, and
// the data version they correspond to, read in one consistent snapshot
// (the engine builds its indexes from it at start).
func (db *DB) ListAllOpen(ctx context.Context) ([]matcher.HousingOffer, []matcher.JobOffer, int64, error) {
	var opts *sql.TxOptions
	if db.driver == DriverPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	// SQLite: a deferred transaction on the read pool, a WAL snapshot that
	// does not block writers.
	tx, err := db.rd.BeginTx(ctx, opts)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: list open offers: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM data_version WHERE id = 1`).Scan(&v); err != nil {
		return nil, nil, 0, fmt.Errorf("store: list open offers: data version: %w", err)
	}
	hs, err := allOpen(ctx, db, tx, housingSpec)
	if err != nil {
		return nil, nil, 0, err
	}
	js, err := allOpen(ctx, db, tx, jobSpec)
	if err != nil {
		return nil, nil, 0, err
	}
	return hs, js, v, nil
}

func allOpen[T any](ctx context.Context, db *DB, tx *sql.Tx, sp offerSpec[T]) ([]T, error) {
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, doc, owner, status FROM `+sp.table+` WHERE status = ? ORDER BY id`), matcher.StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: list open %s: %w", sp.kind, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var id, doc, owner, status string
		if err := rows.Scan(&id, &doc, &owner, &status); err != nil {
			return nil, fmt.Errorf("store: list open %s: %w", sp.kind, err)
		}
		var o T
		if err := json.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("store: list open %s: decode %s: %w", sp.kind, id, err)
		}
		sp.setMeta(&o, id, owner, status)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list open %s: %w", sp.kind, err)
	}
	return out, nil
}
