package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/api"
	"passerelle/matcher"
	"passerelle/store"
)

// partialEnv is a server whose engines apply every write without a
// rebuild, as on a large market (SetPartialFrom(0)).
func partialEnv(t *testing.T, opts ...option) (*env, *api.Engines) {
	var engines *api.Engines
	e := newEnv(t, append(opts, func(c *api.Config) {
		engines = c.Engines
		engines.SetPartialFrom(0)
	})...)
	return e, engines
}

// TestWritesWithoutRebuild checks Engines.Wrote on a market treated as
// large (SetPartialFrom(0)): a withdrawal and an edit leave the plans at
// once, with no rebuild in between and no stale plan from the cache; new
// offers, and an edited offer's new version, come with the next rebuild
// (Engines.Complete, which the refresher runs).
func TestWritesWithoutRebuild(t *testing.T) {
	e, engines := partialEnv(t)
	flat := example(t, "flat.json")
	post := func(key, path string, body any) string {
		return str(e.must(http.StatusCreated, req{method: "POST", path: path, key: key, body: body}).JSON(t)["id"])
	}
	f1 := post("landlord", "/v1/housing", flat)
	f2 := post("landlord", "/v1/housing", with(flat, "external_ref", "BAILLEUR-DIJON-0043"))
	post("employer", "/v1/jobs", example(t, "job.json"))
	hid := post("advisor", "/v1/households", example(t, "household.json"))
	homes := func(wantCache string) map[string]float64 {
		t.Helper()
		r := e.must(http.StatusOK, req{method: "GET", path: "/v1/households/" + hid + "/plan?top=10", key: "advisor"})
		if got := r.Header.Get("X-Cache"); wantCache != "" && got != wantCache {
			t.Errorf("X-Cache %q, want %q", got, wantCache)
		}
		out := map[string]float64{}
		for _, o := range r.JSON(t)["options"].([]any) {
			h := o.(map[string]any)["housing"].(map[string]any)
			out[str(h["id"])] = h["rent_monthly"].(float64)
		}
		return out
	}
	// New offers wait for the rebuild: the engine left out what changed
	// (nothing it held) and moved to the committed version.
	if got := homes("MISS"); len(got) != 0 {
		t.Fatalf("new offers planned before a rebuild: %v", got)
	}
	if err := engines.Complete(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := homes("MISS"); got[f1] != 340 || got[f2] != 340 {
		t.Fatalf("after the rebuild: %v", got)
	}
	if homes("HIT") == nil {
		t.Fatal("no plan")
	}
	rebuilds, applied := engines.Rebuilds(), engines.Applied()

	// A withdrawal and an edit leave at once, without a rebuild.
	e.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + f1, key: "landlord"})
	if got := homes("MISS"); got[f1] != 0 || got[f2] != 340 {
		t.Fatalf("after the withdrawal: %v", got)
	}
	e.must(http.StatusOK, req{method: "PATCH", path: "/v1/housing/" + f2, key: "landlord", body: map[string]any{"rent_monthly": 330}})
	if got := homes("MISS"); len(got) != 0 {
		t.Fatalf("after the edit: %v", got)
	}
	if engines.Rebuilds() != rebuilds || engines.Applied() != applied+2 {
		t.Fatalf("rebuilds %d → %d, applied %d → %d", rebuilds, engines.Rebuilds(), applied, engines.Applied())
	}
	// The rebuild brings the edited flat back with its new rent.
	if err := engines.Complete(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := homes("MISS"); got[f1] != 0 || got[f2] != 330 {
		t.Fatalf("after the second rebuild: %v", got)
	}
	if engines.Rebuilds() != rebuilds+1 {
		t.Fatalf("rebuilds %d → %d", rebuilds, engines.Rebuilds())
	}
}

// TestSmallMarketRebuildsForPlans checks the default on a small market:
// writes are not applied without a rebuild, and the next plan rebuilds
// and sees a new offer at once.
func TestSmallMarketRebuildsForPlans(t *testing.T) {
	var engines *api.Engines
	e := newEnv(t, func(c *api.Config) { engines = c.Engines })
	hid := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
	e.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")})
	f := str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)["id"])
	p := e.must(http.StatusOK, req{method: "GET", path: "/v1/households/" + hid + "/plan", key: "advisor"}).JSON(t)
	opts := p["options"].([]any)
	if len(opts) == 0 || str(opts[0].(map[string]any)["housing"].(map[string]any)["id"]) != f || engines.Applied() != 0 {
		t.Fatalf("applied %d, plan %v", engines.Applied(), p["options"])
	}
}

// TestWroteOutOfOrder checks that writes reported out of their commit
// order are applied together, once the first arrives, and that an import
// is applied too: it lists the offers it updates.
func TestWroteOutOfOrder(t *testing.T) {
	e, engines := partialEnv(t)
	flat := example(t, "flat.json")
	var ids []string
	for _, ref := range []string{"A", "B"} {
		ids = append(ids, str(e.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: with(flat, "external_ref", ref)}).JSON(t)["id"]))
	}
	ctx := context.Background()
	if err := engines.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	admin := store.Actor{KeyID: "test", Org: "admin-org", Role: store.RoleAdmin}
	var chs []store.OfferChanges
	for _, id := range ids {
		if err := e.db.Write(ctx, admin, func(tx *store.Tx) error {
			if err := tx.WithdrawHousing(ctx, id); err != nil {
				return err
			}
			chs = append(chs, tx.OfferChanges())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	v0, a0 := engines.Loaded().Version(), engines.Applied()
	if chs[0].From != v0+1 || chs[1].From != v0+2 || len(chs[1].Housing) != 1 || chs[1].Housing[0] != ids[1] {
		t.Fatalf("changes %+v at engine version %d", chs, v0)
	}
	engines.Wrote(chs[1])
	if engines.Loaded().Version() != v0 || engines.Applied() != a0 {
		t.Fatalf("a write ahead of the engine was applied: version %d", engines.Loaded().Version())
	}
	engines.Wrote(chs[0])
	if eng := engines.Loaded(); eng.Version() != v0+2 || engines.Applied() != a0+2 {
		t.Fatalf("version %d, applied %d", eng.Version(), engines.Applied())
	} else if h, _ := eng.Removed(); h != 2 {
		t.Fatalf("%d homes left out, want 2", h)
	}
	// An import lists the offers it updates: a job imported, then again
	// with another salary, leaves the engine at once.
	importJob := func(salary float64) store.OfferChanges {
		j := exampleJob(t)
		j.SalaryMonthlyGross = matcher.Salary{Min: salary, Max: salary}
		var ch store.OfferChanges
		if err := e.db.Write(ctx, admin, func(tx *store.Tx) error {
			_, _, err := tx.UpsertOffers(ctx, nil, []matcher.JobOffer{j})
			ch = tx.OfferChanges()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		engines.Wrote(ch)
		return ch
	}
	if ch := importJob(2000); len(ch.Jobs) != 0 {
		t.Fatalf("a created offer listed: %+v", ch)
	}
	if err := engines.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, j := engines.Loaded().Counts(); j != 1 {
		t.Fatalf("%d jobs after the rebuild, want 1", j)
	}
	ch := importJob(2100)
	if eng := engines.Loaded(); len(ch.Jobs) != 1 || eng.Version() != ch.To {
		t.Fatalf("update %+v: engine at version %d", ch, eng.Version())
	} else if _, j := eng.Removed(); j != 1 {
		t.Fatalf("%d jobs left out, want 1", j)
	}
}

// exampleJob is examples/api/job.json as a job offer of organisation
// "org-e".
func exampleJob(t *testing.T) matcher.JobOffer {
	t.Helper()
	b, err := os.ReadFile("../examples/api/job.json")
	if err != nil {
		t.Fatal(err)
	}
	var j matcher.JobOffer
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	j.Owner = "org-e"
	j.ApplyDefaults()
	return j
}

// bus is an in-process Notifier: every message goes to every subscriber.
type bus struct {
	mu   sync.Mutex
	subs []func(string)
}

func (b *bus) Publish(_ context.Context, msg string) error {
	b.mu.Lock()
	subs := slices.Clone(b.subs)
	b.mu.Unlock()
	for _, fn := range subs {
		fn(msg)
	}
	return nil
}

func (b *bus) Subscribe(ctx context.Context, fn func(string)) {
	b.mu.Lock()
	b.subs = append(b.subs, fn)
	b.mu.Unlock()
	<-ctx.Done()
}

func (b *bus) subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// TestWritesReachReplicas checks that a write through one replica is
// applied by another without a rebuild, from the notifier's message.
func TestWritesReachReplicas(t *testing.T) {
	n := &bus{}
	var engB *api.Engines
	a, _ := partialEnv(t, func(c *api.Config) { c.Notifier = n })
	b := newEnvDB(t, a.db, func(c *api.Config) {
		engB = c.Engines
		engB.SetPartialFrom(0)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go engB.Watch(ctx, n, time.Hour)
	for n.subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	f := str(a.must(http.StatusCreated, req{method: "POST", path: "/v1/housing", key: "landlord", body: example(t, "flat.json")}).JSON(t)["id"])
	a.must(http.StatusCreated, req{method: "POST", path: "/v1/jobs", key: "employer", body: example(t, "job.json")})
	hid := str(b.must(http.StatusCreated, req{method: "POST", path: "/v1/households", key: "advisor", body: example(t, "household.json")}).JSON(t)["id"])
	if err := engB.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	plan := func() string {
		return string(b.must(http.StatusOK, req{method: "GET", path: "/v1/households/" + hid + "/plan", key: "advisor"}).Body)
	}
	if !strings.Contains(plan(), f) {
		t.Fatal("the flat is not in replica B's plan")
	}
	rebuilds, applied := engB.Rebuilds(), engB.Applied()
	a.must(http.StatusNoContent, req{method: "DELETE", path: "/v1/housing/" + f, key: "landlord"})
	for deadline := time.Now().Add(5 * time.Second); engB.Applied() == applied; {
		if time.Now().After(deadline) {
			t.Fatal("replica B did not apply the withdrawal")
		}
		time.Sleep(time.Millisecond)
	}
	if p := plan(); strings.Contains(p, f) || engB.Rebuilds() != rebuilds {
		t.Fatalf("replica B: rebuilds %d → %d, withdrawn flat in the plan: %v", rebuilds, engB.Rebuilds(), strings.Contains(p, f))
	}
}
