package store

import "database/sql"

// AuditSQL returns the pool that commits the read audit rows, for tests.
func AuditSQL(db *DB) *sql.DB { return db.aud }
