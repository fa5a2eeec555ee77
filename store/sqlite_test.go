package store_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"passerelle/matcher"
	"passerelle/store"
)

func TestSQLitePragmas(t *testing.T) {
	db := openSQLite(t)
	if got := db.Driver(); got != store.DriverSQLite {
		t.Fatalf("driver: got %q, want sqlite", got)
	}
	// Read audit rows are group-committed on a pool of their own without an
	// fsync per commit (audit.go); everything else is synchronous=FULL.
	tests := []struct {
		pool         string
		db           *sql.DB
		pragma, want string
	}{
		{"write", db.SQL(), "journal_mode", "wal"},
		{"write", db.SQL(), "synchronous", "2"}, // FULL
		{"write", db.SQL(), "foreign_keys", "1"},
		{"write", db.SQL(), "busy_timeout", "10000"},
		{"audit", store.AuditSQL(db), "journal_mode", "wal"},
		{"audit", store.AuditSQL(db), "synchronous", "1"}, // NORMAL
		{"audit", store.AuditSQL(db), "foreign_keys", "1"},
		{"audit", store.AuditSQL(db), "busy_timeout", "10000"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+"/"+tt.pragma, func(t *testing.T) {
			var got string
			if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSQLiteConcurrentWriters runs writers that read before they write
// (updates) alongside creators: with deferred transactions the read lock
// could not be upgraded and SQLite would answer "database is locked";
// BEGIN IMMEDIATE queues them instead.
func TestSQLiteConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	db := openSQLite(t)
	f := newFixture(t, db)
	const writers, each = 8, 25
	seed := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "seed")))
	v0 := version(t, db)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "")); err != nil {
					errs <- err
				}
				o := seed
				o.Rooms = w*100 + i
				if _, err := db.UpdateHousing(ctx, f.landA, o); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	hs, _, v, err := db.ListAllOpen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != writers*each+1 {
		t.Errorf("offers: got %d, want %d", len(hs), writers*each+1)
	}
	if v != v0+2*writers*each {
		t.Errorf("version: got %d, want %d", v, v0+2*writers*each)
	}
	var ok string
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: got %q, %v, want ok", ok, err)
	}
}

// TestCloseCommitsReadAudit checks that Close commits the read audit rows
// still queued (a graceful shutdown loses none) and that reads after Close
// fail instead of dropping their row.
func TestCloseCommitsReadAudit(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db)
	hh, err := db.CreateHousehold(ctx, f.advA, household("close-audit"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := db.ReadHousehold(ctx, f.advA, hh.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReadHousehold(ctx, f.advA, hh.ID); err == nil {
		t.Error("read after Close: got nil error")
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.AuditLog(ctx, "household", hh.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Action)
	}
	if want := []string{"create", "read", "read", "read"}; !slices.Equal(got, want) {
		t.Errorf("audit actions: got %v, want %v", got, want)
	}
}
