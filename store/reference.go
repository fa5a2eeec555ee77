package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Reference is a stored reference data set (see SaveReference).
type Reference struct {
	Name       string
	Source     string // where it was read from, e.g. a folder path
	Summary    string // the import report, JSON
	Body       []byte // opaque to the store
	ImportedAt time.Time
}

// SaveReference replaces reference data set r.Name with r (the import of a
// folder of official files) in one transaction on behalf of actor, with an
// audit row. It returns the database's errors wrapped.
func (db *DB) SaveReference(ctx context.Context, actor Actor, r Reference) error {
	if r.Name == "" {
		return errors.New("store: save reference: empty name")
	}
	return db.Write(ctx, actor, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM reference_data WHERE name = ?`, r.Name); err != nil {
			return fmt.Errorf("store: save reference %s: %w", r.Name, err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO reference_data (name, source, summary, body, imported_at) VALUES (?, ?, ?, ?, ?)`,
			r.Name, r.Source, r.Summary, base64.StdEncoding.EncodeToString(r.Body), formatTime(tx.now)); err != nil {
			return fmt.Errorf("store: save reference %s: %w", r.Name, err)
		}
		return tx.Audit(ctx, "import", "reference", r.Name)
	})
}

// LoadReference returns reference data set name, or an error wrapping
// ErrNotFound when it was never imported.
func (db *DB) LoadReference(ctx context.Context, name string) (Reference, error) {
	r := Reference{Name: name}
	var body, at string
	err := db.sql.QueryRowContext(ctx, db.rebind(`SELECT source, summary, body, imported_at FROM reference_data WHERE name = ?`), name).
		Scan(&r.Source, &r.Summary, &body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store: load reference %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: load reference %s: %w", name, err)
	}
	if r.Body, err = base64.StdEncoding.DecodeString(body); err != nil {
		return r, fmt.Errorf("store: load reference %s: decode: %w", name, err)
	}
	r.ImportedAt = parseTime(at)
	return r, nil
}
