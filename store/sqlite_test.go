package store_test

import (
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
	tests := []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := db.SQL().QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
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
