package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"passerelle/matcher"
	"passerelle/store"
	"passerelle/store/storetest"
)

// openFunc opens a fresh, unmigrated, isolated database.
type openFunc func(t *testing.T) *store.DB

func openSQLite(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "passerelle.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	t.Cleanup(func() { // runs before Close: every SQLite case ends with an integrity check
		var ok string
		if err := db.SQL().QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("integrity_check: got %q, %v, want ok", ok, err)
		}
	})
	return db
}

// openPostgres opens a fresh PostgreSQL schema (storetest.Postgres).
func openPostgres(t *testing.T) *store.DB { return storetest.Postgres(t, "t_") }

func mustMigrate(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// fixture is a migrated database with three keys: a landlord and an
// employer of org "a", a landlord of org "b", an advisor of "a" and one of
// "b", and an admin.
type fixture struct {
	db                                    *store.DB
	landA, empA, landB, advA, advB, admin store.Actor
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	mustMigrate(t, db)
	actor := func(org string, role store.Role) store.Actor {
		_, secret, err := db.CreateKey(t.Context(), org, role)
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		k, err := db.Authenticate(t.Context(), secret)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		return k.Actor()
	}
	return &fixture{db: db,
		landA: actor("a", store.RoleLandlord), empA: actor("a", store.RoleEmployer),
		landB: actor("b", store.RoleLandlord), advA: actor("a", store.RoleAdvisor),
		advB: actor("b", store.RoleAdvisor), admin: actor("root", store.RoleAdmin)}
}

func flat(commune string, kind matcher.LandlordKind, ref string) matcher.HousingOffer {
	return matcher.HousingOffer{ExternalRef: ref, LandlordKind: kind, Commune: commune, Rooms: 3, SurfaceM2: 60,
		RentMonthly: 550, ChargesMonthly: 80, Lease: matcher.DirectLease,
		AvailableFrom: matcher.NewDate(2026, 1, 1), ExpiresOn: matcher.NewDate(2026, 12, 31)}
}

func job(commune, rome string, c matcher.Contract, ref string) matcher.JobOffer {
	return matcher.JobOffer{ExternalRef: ref, ROME: rome, Title: "poste", Commune: commune, Contract: c,
		SalaryMonthlyGross: matcher.Salary{Min: 1800, Max: 2000}, StartOn: matcher.NewDate(2026, 2, 1),
		ExpiresOn: matcher.NewDate(2026, 6, 30)}
}

func household(ref string) matcher.Household {
	return matcher.Household{ExternalRef: ref, Commune: "69123",
		Members:    []matcher.Member{{Role: matcher.Adult, Age: 34, Sex: matcher.Female, FrenchLevel: matcher.A2, SeeksWork: true}},
		Protection: matcher.Protection{Kind: matcher.Refugee, GrantedOn: matcher.NewDate(2025, 6, 1)},
		Relocation: matcher.Relocation{Scope: matcher.ScopeAnywhere}, MoveFrom: matcher.NewDate(2026, 1, 1)}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func version(t *testing.T, db *store.DB) int64 {
	t.Helper()
	return must[int64](t)(db.DataVersion(t.Context()))
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// suite is the one test suite both backends must pass.
var suite = []struct {
	name string
	fn   func(t *testing.T, db *store.DB) // db is fresh and unmigrated
}{
	{"migrations_idempotent", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		wantErr(t, db.CheckMigrations(ctx), store.ErrMigrationsPending)
		n, err := db.Migrate(ctx)
		if err != nil || n < 1 {
			t.Fatalf("first migrate: got %d, %v, want ≥ 1, nil", n, err)
		}
		n, err = db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate: got %d, %v, want 0, nil", n, err)
		}
		if err := db.CheckMigrations(ctx); err != nil {
			t.Fatalf("check migrations: %v", err)
		}
		if got := count(t, db, "schema_migrations"); got == 0 {
			t.Fatalf("schema_migrations rows: got 0")
		}
	}},
	{"concurrent_migrate", func(t *testing.T, db *store.DB) {
		// Several replicas starting at once apply each migration exactly once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Go(func() {
				n, err := db.Migrate(t.Context())
				if err != nil {
					t.Errorf("migrate: %v", err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if got := count(t, db, "schema_migrations"); total != got || got == 0 {
			t.Fatalf("applied %d in total, %d recorded; want equal and > 0", total, got)
		}
		if err := db.CheckMigrations(t.Context()); err != nil {
			t.Fatal(err)
		}
	}},
	{"keys", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustMigrate(t, db)
		id, secret, err := db.CreateKey(ctx, "org1", store.RoleAdvisor)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, store.SecretPrefix) || len(secret) < 40 {
			t.Fatalf("secret %q: want prefix %q and ≥ 40 chars", secret, store.SecretPrefix)
		}
		var hash string
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT hash FROM api_keys").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored hash %q is not the SHA-256 of the secret", hash)
		}
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM api_keys WHERE id = '"+secret+"' OR org = '"+secret+"' OR hash = '"+secret+"'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("secret stored in clear: %d rows, %v", n, err)
		}
		k, err := db.Authenticate(ctx, secret)
		if err != nil || k.ID != id || k.Org != "org1" || k.Role != store.RoleAdvisor {
			t.Fatalf("authenticate: got %+v, %v, want id %s org1 advisor", k, err, id)
		}
		_, err = db.Authenticate(ctx, secret+"x")
		wantErr(t, err, store.ErrUnauthorized)
		_, err = db.Authenticate(ctx, "")
		wantErr(t, err, store.ErrUnauthorized)
		wantErr(t, db.RevokeKey(ctx, store.Actor{KeyID: "x", Org: "other", Role: store.RoleAdvisor}, id), store.ErrNotFound)
		if err := db.RevokeKey(ctx, k.Actor(), id); err != nil {
			t.Fatal(err)
		}
		_, err = db.Authenticate(ctx, secret)
		wantErr(t, err, store.ErrUnauthorized)
		if _, _, err := db.CreateKey(ctx, "org1", "root"); err == nil {
			t.Fatal("invalid role accepted")
		}
	}},
	{"offers_crud_and_scoping", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		h, err := db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "R1"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h.ID, "ho_") || h.Owner != "a" || h.Status != matcher.StatusOpen {
			t.Fatalf("created: got id %q owner %q status %q", h.ID, h.Owner, h.Status)
		}
		got := must[matcher.HousingOffer](t)(db.GetHousing(ctx, f.landA, h.ID))
		if got.RentMonthly != 550 || got.Commune != "69123" || got.AvailableFrom != h.AvailableFrom {
			t.Fatalf("get: got %+v, want %+v", got, h)
		}
		_, err = db.GetHousing(ctx, f.landB, h.ID)
		wantErr(t, err, store.ErrNotFound)
		_, err = db.GetHousing(ctx, f.landA, "ho_missing")
		wantErr(t, err, store.ErrNotFound)
		if _, err := db.GetHousing(ctx, f.admin, h.ID); err != nil {
			t.Fatalf("admin get: %v", err)
		}
		// Advisors read every offer (they propose them) but write none.
		if _, err := db.GetHousing(ctx, f.advB, h.ID); err != nil {
			t.Fatalf("advisor get: %v", err)
		}
		if _, err := db.UpdateHousing(ctx, f.advB, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("advisor update: got %v, want ErrNotFound", err)
		}
		h2 := h
		h2.RentMonthly = 600
		h2.Owner = "b" // ignored: the owner is kept
		_, err = db.UpdateHousing(ctx, f.landB, h2)
		wantErr(t, err, store.ErrNotFound)
		if _, err := db.UpdateHousing(ctx, f.landA, h2); err != nil {
			t.Fatal(err)
		}
		got = must[matcher.HousingOffer](t)(db.GetHousing(ctx, f.landA, h.ID))
		if got.RentMonthly != 600 || got.Owner != "a" {
			t.Fatalf("after update: got rent %v owner %q, want 600 a", got.RentMonthly, got.Owner)
		}
		wantErr(t, db.WithdrawHousing(ctx, f.landB, h.ID), store.ErrNotFound)
		// Duplicate external_ref for one owner conflicts; another owner may reuse it.
		_, err = db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "R1"))
		wantErr(t, err, store.ErrConflict)
		if _, err := db.CreateHousing(ctx, f.landB, flat("69123", matcher.Social, "R1")); err != nil {
			t.Fatalf("other owner, same ref: %v", err)
		}
		j, err := db.CreateJob(ctx, f.empA, job("69123", "G1602", matcher.CDI, "FT1"))
		if err != nil || !strings.HasPrefix(j.ID, "jo_") {
			t.Fatalf("create job: %+v, %v", j, err)
		}
		_, err = db.GetJob(ctx, f.landB, j.ID)
		wantErr(t, err, store.ErrNotFound)
		j.Title = "cuisinier"
		if _, err := db.UpdateJob(ctx, f.empA, j); err != nil {
			t.Fatal(err)
		}
		if got := must[matcher.JobOffer](t)(db.GetJob(ctx, f.empA, j.ID)); got.Title != "cuisinier" {
			t.Fatalf("job title: got %q, want cuisinier", got.Title)
		}
	}},
	{"withdraw_keeps_row", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		h := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat("69123", matcher.Private, "")))
		j := must[matcher.JobOffer](t)(db.CreateJob(ctx, f.empA, job("69123", "G1602", matcher.CDD, "")))
		if err := db.WithdrawHousing(ctx, f.landA, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.WithdrawJob(ctx, f.empA, j.ID); err != nil {
			t.Fatal(err)
		}
		got := must[matcher.HousingOffer](t)(db.GetHousing(ctx, f.landA, h.ID))
		if got.Status != matcher.StatusWithdrawn {
			t.Fatalf("status: got %q, want withdrawn", got.Status)
		}
		if gj := must[matcher.JobOffer](t)(db.GetJob(ctx, f.empA, j.ID)); gj.Status != matcher.StatusWithdrawn {
			t.Fatalf("job status: got %q, want withdrawn", gj.Status)
		}
		hs, js, _, err := db.ListAllOpen(ctx)
		if err != nil || len(hs) != 0 || len(js) != 0 {
			t.Fatalf("open after withdraw: got %d housing %d jobs, %v; want 0 0", len(hs), len(js), err)
		}
		p := must[store.Page[matcher.HousingOffer]](t)(db.ListHousing(ctx, f.landA, store.OfferFilter{Status: matcher.StatusWithdrawn}))
		if len(p.Items) != 1 || p.Items[0].ID != h.ID {
			t.Fatalf("list withdrawn: got %d items", len(p.Items))
		}
	}},
	{"list_filters_and_pagination", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		communes := []string{"69123", "69266", "38185", "97411"}
		kinds := []matcher.LandlordKind{matcher.Social, matcher.Private, matcher.IML}
		var want []string
		for i := range 25 {
			o := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat(communes[i%4], kinds[i%3], fmt.Sprint("A", i))))
			want = append(want, o.ID)
		}
		for i := range 5 {
			must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landB, flat("69123", matcher.Social, fmt.Sprint("B", i))))
		}
		slices.Sort(want)
		var got []string
		cursor, pages := "", 0
		for {
			p, err := db.ListHousing(ctx, f.landA, store.OfferFilter{Cursor: cursor, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) > 7 {
				t.Fatalf("page of %d items, want ≤ 7", len(p.Items))
			}
			for _, o := range p.Items {
				got = append(got, o.ID)
			}
			pages++
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		if !slices.Equal(got, want) || pages != 4 {
			t.Fatalf("walk: got %d ids in %d pages, want %d ids in 4 pages, same order", len(got), pages, len(want))
		}
		tests := []struct {
			name   string
			actor  store.Actor
			filter store.OfferFilter
			want   int
		}{
			{"commune", f.landA, store.OfferFilter{Commune: "69123"}, 7},
			{"department", f.landA, store.OfferFilter{Department: "69"}, 13},
			{"drom department", f.landA, store.OfferFilter{Department: "974"}, 6},
			{"kind", f.landA, store.OfferFilter{Kind: string(matcher.IML)}, 8},
			{"status", f.landA, store.OfferFilter{Status: matcher.StatusOpen}, 25},
			{"combined", f.landA, store.OfferFilter{Commune: "69123", Kind: string(matcher.Social)}, 3},
			{"other org", f.landB, store.OfferFilter{}, 5},
			{"admin sees all", f.admin, store.OfferFilter{Limit: 1000}, 30},
		}
		for _, tt := range tests {
			p, err := db.ListHousing(ctx, tt.actor, tt.filter)
			if err != nil || len(p.Items) != tt.want {
				t.Errorf("%s: got %d items, %v; want %d", tt.name, len(p.Items), err, tt.want)
			}
		}
		for i, r := range []string{"G1602", "G1602", "K2204"} {
			must[matcher.JobOffer](t)(db.CreateJob(ctx, f.empA, job("69123", r, matcher.Contracts[i], "")))
		}
		jp := must[store.Page[matcher.JobOffer]](t)(db.ListJobs(ctx, f.empA, store.OfferFilter{ROME: "G1602"}))
		if len(jp.Items) != 2 {
			t.Errorf("jobs by rome: got %d, want 2", len(jp.Items))
		}
		jp = must[store.Page[matcher.JobOffer]](t)(db.ListJobs(ctx, f.empA, store.OfferFilter{Kind: string(matcher.CDD)}))
		if len(jp.Items) != 1 {
			t.Errorf("jobs by contract: got %d, want 1", len(jp.Items))
		}
		if _, err := db.ListHousing(ctx, f.landA, store.OfferFilter{Cursor: "%%%"}); err == nil {
			t.Errorf("bad cursor accepted")
		}
	}},
	{"data_version", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		v0 := version(t, db)
		h := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "R1")))
		step := func(what string, want int64) {
			t.Helper()
			if got := version(t, db); got != want {
				t.Fatalf("after %s: version got %d, want %d", what, got, want)
			}
		}
		step("create", v0+1)
		h.Rooms = 4
		must[matcher.HousingOffer](t)(db.UpdateHousing(ctx, f.landA, h))
		step("update", v0+2)
		j := must[matcher.JobOffer](t)(db.CreateJob(ctx, f.empA, job("69123", "G1602", matcher.CDI, "")))
		step("job create", v0+3)
		if err := db.WithdrawJob(ctx, f.empA, j.ID); err != nil {
			t.Fatal(err)
		}
		step("job withdraw", v0+4)
		_, err := db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "R1"))
		wantErr(t, err, store.ErrConflict)
		step("failed create", v0+4)
		wantErr(t, db.WithdrawHousing(ctx, f.landB, h.ID), store.ErrNotFound)
		step("failed withdraw", v0+4)
		must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("C1")))
		step("household create", v0+4)
		_, _, v, err := db.ListAllOpen(ctx)
		if err != nil || v != v0+4 {
			t.Fatalf("ListAllOpen version: got %d, %v, want %d", v, err, v0+4)
		}
	}},
	{"audit_rows_with_writes", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		h := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "")))
		if err := db.WithdrawHousing(ctx, f.landA, h.ID); err != nil {
			t.Fatal(err)
		}
		hh := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("C1")))
		must[matcher.Household](t)(db.ReadHousehold(ctx, f.advA, hh.ID))
		_, err := db.ReadHousehold(ctx, f.advB, hh.ID)
		wantErr(t, err, store.ErrNotFound)
		if err := db.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		check := func(kind, id string, actor store.Actor, actions ...string) {
			t.Helper()
			rows := must[[]store.AuditEntry](t)(db.AuditLog(ctx, kind, id))
			var got []string
			for _, r := range rows {
				if r.KeyID != actor.KeyID || r.Org != actor.Org || r.At.IsZero() {
					t.Errorf("%s %s: row %+v, want key %s org %s", kind, id, r, actor.KeyID, actor.Org)
				}
				got = append(got, r.Action)
			}
			if !slices.Equal(got, actions) {
				t.Errorf("%s %s: got actions %v, want %v", kind, id, got, actions)
			}
		}
		check("housing", h.ID, f.landA, "create", "withdraw")
		check("household", hh.ID, f.advA, "create", "read")
		// A failed write leaves no audit row.
		n := count(t, db, "audit_log")
		_, err = db.UpdateHousehold(ctx, f.advB, hh)
		wantErr(t, err, store.ErrNotFound)
		if got := count(t, db, "audit_log"); got != n {
			t.Errorf("audit rows after failed write: got %d, want %d", got, n)
		}
	}},
	{"read_audit_group_commit", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		hh := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("read-audit")))
		// Another organisation's advisor reads nothing and leaves no row.
		_, err := db.ReadHousehold(ctx, f.advB, hh.ID)
		wantErr(t, err, store.ErrNotFound)
		// More rows than one transaction commits (2,048) and than the queue
		// holds (8,192): readers may wait for the writer, none is lost.
		const n = 8400
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range n / 4 {
					got, err := db.ReadHousehold(ctx, f.advA, hh.ID)
					if err != nil || got.ID != hh.ID || got.ExternalRef != "read-audit" {
						t.Errorf("read: got %s %q, %v", got.ID, got.ExternalRef, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := db.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		rows := must[[]store.AuditEntry](t)(db.AuditLog(ctx, "household", hh.ID))
		reads := 0
		for _, r := range rows {
			if r.Action == "read" {
				reads++
				if r.KeyID != f.advA.KeyID || r.Org != f.advA.Org {
					t.Errorf("read row %+v, want key %s", r, f.advA.KeyID)
				}
			}
		}
		if reads != n {
			t.Errorf("read audit rows: got %d, want %d", reads, n)
		}
	}},
	{"upsert_offers_by_reference", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		upsert := func(a store.Actor, hs []matcher.HousingOffer, js []matcher.JobOffer) (h, j store.Upserted, err error) {
			err = db.Write(ctx, a, func(tx *store.Tx) error { h, j, err = tx.UpsertOffers(ctx, hs, js); return err })
			return h, j, err
		}
		v0 := version(t, db)
		h, j, err := upsert(f.landA, []matcher.HousingOffer{flat("69123", matcher.Social, "R1"), flat("69123", matcher.Social, "R2")}, nil)
		if err != nil || h != (store.Upserted{Created: 2}) || j != (store.Upserted{}) {
			t.Fatalf("first import: %+v %+v %v", h, j, err)
		}
		if version(t, db) != v0+1 {
			t.Errorf("version: got %d, want %d", version(t, db), v0+1)
		}
		page := must[store.Page[matcher.HousingOffer]](t)(db.ListHousing(ctx, f.landA, store.OfferFilter{}))
		ids := map[string]string{}
		for _, o := range page.Items {
			ids[o.ExternalRef] = o.ID
		}
		// Same file again: nothing changes, not even the version.
		v1 := version(t, db)
		h, _, err = upsert(f.landA, []matcher.HousingOffer{flat("69123", matcher.Social, "R1"), flat("69123", matcher.Social, "R2")}, nil)
		if err != nil || h != (store.Upserted{Unchanged: 2}) || version(t, db) != v1 {
			t.Fatalf("same import: %+v %v, version %d → %d", h, err, v1, version(t, db))
		}
		// R1 changes, R3 is new, R3 repeated (the last wins); R1 keeps its id.
		r1 := flat("69123", matcher.Social, "R1")
		r1.RentMonthly = 600
		r3a, r3b := flat("69123", matcher.Private, "R3"), flat("69123", matcher.Private, "R3")
		r3b.RentMonthly = 700
		h, _, err = upsert(f.landA, []matcher.HousingOffer{r1, r3a, r3b}, nil)
		if err != nil || h != (store.Upserted{Created: 1, Updated: 1, Repeated: 1}) {
			t.Fatalf("changed import: %+v %v", h, err)
		}
		got := must[matcher.HousingOffer](t)(db.GetHousing(ctx, f.landA, ids["R1"]))
		if got.RentMonthly != 600 || got.ID != ids["R1"] {
			t.Errorf("R1 after update: %+v", got)
		}
		page = must[store.Page[matcher.HousingOffer]](t)(db.ListHousing(ctx, f.landA, store.OfferFilter{}))
		for _, o := range page.Items {
			if o.ExternalRef == "R3" && o.RentMonthly != 700 {
				t.Errorf("R3: rent %v, want the last one (700)", o.RentMonthly)
			}
		}
		if len(page.Items) != 3 {
			t.Errorf("offers: got %d, want 3", len(page.Items))
		}
		// Another landlord's R1 is another offer.
		h, _, err = upsert(f.landB, []matcher.HousingOffer{flat("69123", matcher.Social, "R1")}, nil)
		if err != nil || h.Created != 1 {
			t.Fatalf("other owner: %+v %v", h, err)
		}
		// Jobs too; a missing reference fails the whole import.
		_, j, err = upsert(f.empA, nil, []matcher.JobOffer{job("69123", "G1602", matcher.CDI, "J1")})
		if err != nil || j.Created != 1 {
			t.Fatalf("jobs: %+v %v", j, err)
		}
		n := count(t, db, "job_offers")
		if _, _, err = upsert(f.empA, nil, []matcher.JobOffer{job("69123", "G1602", matcher.CDI, "J2"), job("69123", "G1602", matcher.CDI, "")}); err == nil {
			t.Fatal("import with an empty external_ref: got nil error")
		}
		if got := count(t, db, "job_offers"); got != n {
			t.Errorf("a failed import stored %d offers", got-n)
		}
	}},
	{"reference_data", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		_, err := db.LoadReference(ctx, "real")
		wantErr(t, err, store.ErrNotFound)
		body := []byte{0, 1, 2, 255, 'x'}
		for _, b := range [][]byte{body, append(body, 7)} {
			if err := db.SaveReference(ctx, f.admin, store.Reference{Name: "real", Source: "/data", Summary: `{"ok":true}`, Body: b}); err != nil {
				t.Fatal(err)
			}
			r := must[store.Reference](t)(db.LoadReference(ctx, "real"))
			if string(r.Body) != string(b) || r.Source != "/data" || r.Summary != `{"ok":true}` || r.ImportedAt.IsZero() {
				t.Fatalf("loaded %+v", r)
			}
		}
	}},
	{"idempotency_store_and_replay", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		s, err := db.Idempotency(ctx, f.landA.KeyID, "idem-1")
		if err != nil || s != nil {
			t.Fatalf("before: got %+v, %v, want nil, nil", s, err)
		}
		write := func() error {
			return db.Write(ctx, f.landA, func(tx *store.Tx) error {
				o, err := tx.CreateHousing(ctx, flat("69123", matcher.Social, ""))
				if err != nil {
					return err
				}
				return tx.SaveIdempotency(ctx, "idem-1", "hash-1", 201, []byte(`{"id":"`+o.ID+`"}`))
			})
		}
		if err := write(); err != nil {
			t.Fatal(err)
		}
		s, err = db.Idempotency(ctx, f.landA.KeyID, "idem-1")
		if err != nil || s == nil || s.Status != 201 || s.RequestHash != "hash-1" || !strings.HasPrefix(string(s.Body), `{"id":"ho_`) {
			t.Fatalf("stored: got %+v, %v", s, err)
		}
		v := version(t, db)
		wantErr(t, write(), store.ErrConflict) // the replayed write rolls back whole
		if got := count(t, db, "housing_offers"); got != 1 {
			t.Fatalf("offers after replay: got %d, want 1", got)
		}
		if got := version(t, db); got != v {
			t.Fatalf("version after replay: got %d, want %d", got, v)
		}
		if s, _ := db.Idempotency(ctx, f.landB.KeyID, "idem-1"); s != nil {
			t.Fatalf("another key sees the record")
		}
	}},
	{"plan_decisions_ledger", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		hh := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("C1")))
		_, err := db.CreatePlan(ctx, f.advB, hh.ID, matcher.Plan{})
		wantErr(t, err, store.ErrNotFound)
		p, err := db.CreatePlan(ctx, f.advA, hh.ID, matcher.Plan{DataVersion: 7, Examined: 3, Rejected: map[string]int{"rent": 2}})
		if err != nil || !strings.HasPrefix(p.ID, "pl_") || p.Status != store.DecisionProposed {
			t.Fatalf("create plan: %+v, %v", p, err)
		}
		seq := []string{store.DecisionProposed, store.DecisionAccepted, store.DecisionLeaseSigned, store.DecisionJobStarted}
		for _, d := range seq {
			if _, err := db.AddDecision(ctx, f.advA, p.ID, d, "raison "+d); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.AddDecision(ctx, f.advA, p.ID, "maybe", "")
		if err == nil {
			t.Fatal("invalid decision accepted")
		}
		_, err = db.AddDecision(ctx, f.advB, p.ID, store.DecisionAccepted, "")
		wantErr(t, err, store.ErrNotFound)
		ds := must[[]store.Decision](t)(db.Decisions(ctx, f.advA, p.ID))
		var got []string
		for _, d := range ds {
			got = append(got, d.Decision)
			if d.Reason != "raison "+d.Decision || d.KeyID != f.advA.KeyID {
				t.Errorf("decision %+v", d)
			}
		}
		if !slices.Equal(got, seq) {
			t.Fatalf("ledger: got %v, want %v", got, seq)
		}
		r := must[store.PlanRecord](t)(db.GetPlan(ctx, f.advA, p.ID))
		if r.Status != store.DecisionJobStarted || r.Plan.DataVersion != 7 || r.Plan.HouseholdID != hh.ID || r.Plan.Rejected["rent"] != 2 {
			t.Fatalf("get plan: got %+v", r)
		}
		_, err = db.GetPlan(ctx, f.advB, p.ID)
		wantErr(t, err, store.ErrNotFound)
		_, err = db.Decisions(ctx, f.advB, p.ID)
		wantErr(t, err, store.ErrNotFound)
	}},
	{"allocations", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		doc := json.RawMessage(`{"objective": 1.5, "assignments": [{"household_id": "hh_x", "placed": true}]}`)
		a := must[store.AllocationRecord](t)(db.CreateAllocation(ctx, f.advA, 2, 1, doc))
		if !strings.HasPrefix(a.ID, "al_") || a.Org != "a" || a.KeyID != f.advA.KeyID || a.CreatedAt.IsZero() {
			t.Fatalf("created %+v", a)
		}
		for _, bad := range []struct {
			n, placed int
			doc       string
		}{{1, 2, `{}`}, {-1, 0, `{}`}, {1, 0, `[]`}, {1, 0, `{"a":`}, {1, 0, ``}} {
			if _, err := db.CreateAllocation(ctx, f.advA, bad.n, bad.placed, json.RawMessage(bad.doc)); err == nil {
				t.Errorf("allocation %+v accepted", bad)
			}
		}
		got := must[store.AllocationRecord](t)(db.GetAllocation(ctx, f.advA, a.ID))
		var m map[string]any
		if err := json.Unmarshal(got.Doc, &m); err != nil || m["objective"] != 1.5 || got.Households != 2 || got.Placed != 1 ||
			!got.CreatedAt.Equal(a.CreatedAt) || got.Org != "a" || got.KeyID != f.advA.KeyID {
			t.Fatalf("get: %+v (%v)", got, err)
		}
		must[store.AllocationRecord](t)(db.GetAllocation(ctx, f.admin, a.ID)) // admins see all
		_, err := db.GetAllocation(ctx, f.advB, a.ID)
		wantErr(t, err, store.ErrNotFound)
		_, err = db.GetAllocation(ctx, f.advA, "al_missing")
		wantErr(t, err, store.ErrNotFound)
		log := must[[]store.AuditEntry](t)(db.AuditLog(ctx, "allocation", a.ID))
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+" "+e.KeyID)
		}
		if want := []string{"create " + f.advA.KeyID, "read " + f.advA.KeyID, "read " + f.admin.KeyID}; !slices.Equal(actions, want) {
			t.Fatalf("audit %v, want %v", actions, want)
		}
		if got := count(t, db, "allocations"); got != 1 {
			t.Fatalf("rows %d, want 1 (rejected documents stored)", got)
		}

		// The caseload's households: all the organisation's, or the
		// indexes of the others and nothing read.
		var ids []string
		for i := range 3 {
			ids = append(ids, must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household(fmt.Sprint("A", i)))).ID)
		}
		foreign := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advB, household("B0"))).ID
		gone := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("A9"))).ID
		if err := db.DeleteHousehold(ctx, f.advA, gone); err != nil {
			t.Fatal(err)
		}
		rev := []string{ids[2], ids[0], ids[1]}
		hs, missing, err := db.ReadHouseholds(ctx, f.advA, rev)
		if err != nil || len(missing) != 0 || len(hs) != 3 {
			t.Fatalf("read: %d households, missing %v, %v", len(hs), missing, err)
		}
		for i, h := range hs {
			if h.ID != rev[i] || h.ExternalRef == "" || len(h.Members) != 1 {
				t.Errorf("household %d: %+v", i, h)
			}
		}
		hs, missing, err = db.ReadHouseholds(ctx, f.advA, []string{ids[0], foreign, "hh_nope", ids[1], gone})
		if err != nil || hs != nil || !slices.Equal(missing, []int{1, 2, 4}) {
			t.Fatalf("read with others: %v, missing %v, %v", hs, missing, err)
		}
		if hs, missing, err = db.ReadHouseholds(ctx, f.admin, []string{foreign, ids[0]}); err != nil || len(hs) != 2 || len(missing) != 0 {
			t.Fatalf("admin read: %d, %v, %v", len(hs), missing, err)
		}
		// More ids than one query takes.
		var many []string
		if err := db.Write(ctx, f.advA, func(tx *store.Tx) error {
			for i := range 1001 {
				h, err := tx.CreateHousehold(ctx, household(fmt.Sprint("M", i)))
				if err != nil {
					return err
				}
				many = append(many, h.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if hs, missing, err = db.ReadHouseholds(ctx, f.advA, many); err != nil || len(missing) != 0 || len(hs) != 1001 || hs[1000].ID != many[1000] {
			t.Fatalf("read 1001: %d, missing %v, %v", len(hs), missing, err)
		}
		if _, missing, _ = db.ReadHouseholds(ctx, f.advA, append(many, foreign)); !slices.Equal(missing, []int{1001}) {
			t.Fatalf("read 1001 and a foreign one: missing %v", missing)
		}
		if err := db.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]int{ids[0]: 2, ids[2]: 1, foreign: 1, many[700]: 1} {
			reads := 0
			for _, e := range must[[]store.AuditEntry](t)(db.AuditLog(ctx, "household", id)) {
				if e.Action == "read" {
					reads++
				}
			}
			if reads != want {
				t.Errorf("household %s: %d read audit rows, want %d", id, reads, want)
			}
		}
	}},
	{"households_crud", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		hh := must[matcher.Household](t)(db.CreateHousehold(ctx, f.advA, household("C1")))
		_, err := db.CreateHousehold(ctx, f.advA, household("C1"))
		wantErr(t, err, store.ErrConflict)
		must[matcher.Household](t)(db.CreateHousehold(ctx, f.advB, household("C1")))
		hh.IncomeMonthly = 700
		must[matcher.Household](t)(db.UpdateHousehold(ctx, f.advA, hh))
		got := must[matcher.Household](t)(db.ReadHousehold(ctx, f.advA, hh.ID))
		if got.IncomeMonthly != 700 || got.ID != hh.ID || len(got.Members) != 1 {
			t.Fatalf("get: got %+v", got)
		}
		p := must[store.Page[matcher.Household]](t)(db.ListHouseholds(ctx, f.advA, "", 0))
		if len(p.Items) != 1 {
			t.Fatalf("list: got %d, want 1", len(p.Items))
		}
		wantErr(t, db.DeleteHousehold(ctx, f.advB, hh.ID), store.ErrNotFound)
		if err := db.DeleteHousehold(ctx, f.advA, hh.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.ReadHousehold(ctx, f.advA, hh.ID)
		wantErr(t, err, store.ErrNotFound)
		if got := count(t, db, "households"); got != 2 {
			t.Fatalf("rows after delete: got %d, want 2 (kept)", got)
		}
	}},
	{"failed_transaction_leaves_nothing", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		v := version(t, db)
		audits := count(t, db, "audit_log")
		boom := errors.New("boom")
		err := db.Write(ctx, f.landA, func(tx *store.Tx) error {
			if _, err := tx.CreateHousing(ctx, flat("69123", matcher.Social, "R1")); err != nil {
				return err
			}
			if _, err := tx.CreateHousehold(ctx, household("C1")); err != nil {
				return err
			}
			if err := tx.SaveIdempotency(ctx, "k", "h", 201, []byte("{}")); err != nil {
				return err
			}
			return boom // injected failure after every write
		})
		wantErr(t, err, boom)
		// A constraint violation mid-transaction rolls back the earlier write too.
		err = db.Write(ctx, f.landA, func(tx *store.Tx) error {
			if _, err := tx.CreateHousing(ctx, flat("69123", matcher.Social, "R2")); err != nil {
				return err
			}
			_, err := tx.CreateHousing(ctx, flat("69123", matcher.Social, "R2"))
			return err
		})
		wantErr(t, err, store.ErrConflict)
		for _, table := range []string{"housing_offers", "households", "idempotency_keys"} {
			if got := count(t, db, table); got != 0 {
				t.Errorf("%s: got %d rows, want 0", table, got)
			}
		}
		if got := count(t, db, "audit_log"); got != audits {
			t.Errorf("audit rows: got %d, want %d", got, audits)
		}
		if got := version(t, db); got != v {
			t.Errorf("version: got %d, want %d", got, v)
		}
	}},
	{"create_offers_in_bulk", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		v0 := must[int64](t)(db.DataVersion(ctx))
		var hs []matcher.HousingOffer
		for i := range 450 { // more than two multi-row batches
			h := flat("69123", matcher.Social, fmt.Sprintf("B%d", i))
			h.Owner = "l-" + fmt.Sprint(i%3)
			hs = append(hs, h)
		}
		js := []matcher.JobOffer{job("69123", "G1602", matcher.CDI, "J1")}
		var outH []matcher.HousingOffer
		if err := db.Write(ctx, f.admin, func(tx *store.Tx) error {
			var err error
			outH, _, err = tx.CreateOffers(ctx, hs, js)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(outH) != 450 || outH[449].ID == "" || outH[1].Owner != "l-1" {
			t.Fatalf("stored %d, last %+v", len(outH), outH[449])
		}
		if v := must[int64](t)(db.DataVersion(ctx)); v != v0+1 {
			t.Fatalf("data version %d → %d, want one bump", v0, v)
		}
		h, j, _, err := db.ListAllOpen(ctx)
		if err != nil || len(h) != 450 || len(j) != 1 {
			t.Fatalf("open offers %d, %d", len(h), len(j))
		}
		// A duplicate external_ref anywhere rolls the whole import back.
		dup := append([]matcher.HousingOffer{flat("69123", matcher.Social, "NEW")}, hs[:2]...)
		err = db.Write(ctx, f.admin, func(tx *store.Tx) error { _, _, err := tx.CreateOffers(ctx, dup, nil); return err })
		wantErr(t, err, store.ErrConflict)
		if h, _, _, _ := db.ListAllOpen(ctx); len(h) != 450 {
			t.Fatalf("a failed import left %d offers", len(h)-450)
		}
	}},
	{"instance_id", func(t *testing.T, db *store.DB) {
		mustMigrate(t, db)
		a := must[string](t)(db.InstanceID(t.Context()))
		b := must[string](t)(db.InstanceID(t.Context()))
		if a == "" || a != b {
			t.Fatalf("instance ids %q, %q", a, b)
		}
	}},
	{"list_all_open", func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db)
		for range 3 {
			must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landA, flat("69123", matcher.Social, "")))
			must[matcher.JobOffer](t)(db.CreateJob(ctx, f.empA, job("69123", "G1602", matcher.CDI, "")))
		}
		h := must[matcher.HousingOffer](t)(db.CreateHousing(ctx, f.landB, flat("38185", matcher.Private, "")))
		if err := db.WithdrawHousing(ctx, f.landB, h.ID); err != nil {
			t.Fatal(err)
		}
		hs, js, v, err := db.ListAllOpen(ctx)
		if err != nil || len(hs) != 3 || len(js) != 3 || v != version(t, db) {
			t.Fatalf("got %d housing, %d jobs, version %d, %v; want 3, 3, %d", len(hs), len(js), v, err, version(t, db))
		}
		for _, o := range hs {
			if o.ID == "" || o.Owner != "a" || o.Status != matcher.StatusOpen {
				t.Errorf("offer %+v: want id, owner a, open", o)
			}
		}
	}},
}

func TestStore(t *testing.T) {
	backends := []struct {
		name string
		open openFunc
	}{
		{"sqlite", openSQLite},
		{"postgres", openPostgres},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, b.open(t))
				})
			}
		})
	}
}
