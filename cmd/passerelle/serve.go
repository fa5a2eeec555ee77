package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"passerelle/api"
	"passerelle/api/rediscache"
	"passerelle/datasets"
	"passerelle/matcher"
	"passerelle/store"
)

// shutdownGrace is how long a stopping server waits for requests in flight.
const shutdownGrace = 30 * time.Second

func serveCmd(e *env) *cobra.Command {
	var addr, dbFlag, market string
	var demo, migrate bool
	var cpuProfile string
	var proxies []string
	var rateLimit float64
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--db FILE|URL] [--demo]",
		Short: "Serve the HTTP API (SQLite and an in-process cache by default; --demo loads the demo market and prints demo keys)",
		Long: "Serve the HTTP API for advisors, landlords and employers.\n\n" +
			"The database is --db, else DATABASE_URL (PostgreSQL), else PASSERELLE_DB, else ./passerelle.db (SQLite).\n" +
			"SQLite is migrated at start; PostgreSQL is only checked unless --migrate is given (run `passerelle migrate`).\n" +
			"--demo loads the built-in demo market into an empty database and prints keys for one advisor, one\n" +
			"landlord and one employer. SIGTERM or Ctrl-C drains the requests in flight, then stops.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := e.serviceLogger(cmd)
			dsn := e.dsn(dbFlag)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			if migrate || db.Driver() == store.DriverSQLite {
				n, err := db.Migrate(ctx)
				if err != nil {
					return fmt.Errorf("migrating the database: %w", err)
				}
				if n > 0 {
					log.Info().Int("applied", n).Str("driver", db.Driver()).Msg("migrations applied")
				}
			} else if err := db.CheckMigrations(ctx); err != nil {
				return fmt.Errorf("%w (run `passerelle migrate` first, or serve --migrate)", err)
			}
			var base *matcher.Market
			var occs []api.Occupation
			if market == "real" {
				snap, err := loadSnapshot(ctx, db)
				if err != nil {
					return err
				}
				if base, err = snap.market(); err != nil {
					return fmt.Errorf("building the real market: %w", err)
				}
				occs = snap.Occupations
			} else {
				sc, err := datasets.ParseScale(market)
				if err != nil {
					return usageErr(fmt.Errorf("--market: %w (or real, after `passerelle import reference DIR`)", err))
				}
				if base, err = datasets.Synthetic(marketSeed, sc); err != nil {
					return err
				}
			}
			if demo {
				n, err := loadDemo(ctx, db, base)
				if err != nil {
					return err
				}
				if n > 0 {
					log.Info().Int("offers", n).Msg("demo market loaded")
				}
			}
			engines, err := api.NewEngines(ctx, db, base, matcher.EngineOptions{})
			if err != nil {
				return err
			}
			if occs == nil {
				for _, o := range datasets.Occupations() {
					occs = append(occs, api.Occupation{Code: o.Code, Title: o.Title})
				}
			}
			cfg := api.Config{DB: db, Engines: engines, Log: log, RateLimit: rateLimit, Occupations: occs, TrustedProxies: proxies}
			if url := e.getenv("REDIS_URL"); url != "" {
				rc, err := rediscache.New(url)
				if err != nil {
					return usageErr(err)
				}
				defer rc.Close()
				if err := rc.Ping(ctx); err != nil {
					log.Warn().Str("error", err.Error()).Msg("redis unavailable at start: plans are computed until it answers")
				}
				// Plans read often stay in process too; Redis shares them
				// between replicas.
				cfg.Cache, cfg.Notifier = api.TieredCache{Local: api.NewMemoryCache(1024), Shared: rc}, rc
			}
			srv, err := api.New(cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageErr(fmt.Errorf("--addr %s: %w", addr, err))
			}
			hs := srv.HTTPServer(ln.Addr().String())
			refreshCtx, stopRefresh := context.WithCancel(context.WithoutCancel(ctx))
			defer stopRefresh()
			go engines.Refresh(refreshCtx, 50*time.Millisecond, 250*time.Millisecond)
			// Writes of other replicas: Redis notifications, and a poll of
			// the data version as the fallback.
			go engines.Watch(refreshCtx, cfg.Notifier, 250*time.Millisecond)

			nh, nj := engines.Loaded().Counts()
			fmt.Fprintf(e.stdout, "Passerelle serving on http://%s (%s, %d open homes, %d open jobs)\n", ln.Addr(), db.Driver(), nh, nj)
			if demo {
				if err := printDemoKeys(ctx, e, db); err != nil {
					return err
				}
			}
			stopProfile, err := startCPUProfile(cpuProfile)
			if err != nil {
				return err
			}
			defer stopProfile()
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			// Drain: /readyz turns 503, requests in flight finish, new
			// connections are refused.
			log.Info().Msg("shutting down: draining requests in flight")
			srv.Drain()
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				return fmt.Errorf("shutting down: %w", err)
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			log.Info().Msg("stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr(e.getenv, "PASSERELLE_ADDR", "127.0.0.1:8080"), "listen address (PASSERELLE_ADDR)")
	cmd.Flags().StringVar(&dbFlag, "db", "", "SQLite file or postgres:// URL (default: DATABASE_URL, PASSERELLE_DB, ./passerelle.db)")
	cmd.Flags().BoolVar(&demo, "demo", false, "load the built-in demo market into an empty database and print demo keys")
	cmd.Flags().StringVar(&market, "market", "demo", "market: its places, and the offers --demo loads (demo, national, a size such as 100k, or real: generated on the reference of `import reference`)")
	cmd.Flags().StringSliceVar(&proxies, "trusted-proxies", splitList(e.getenv("PASSERELLE_TRUSTED_PROXIES")),
		"addresses or CIDRs of the load balancers whose X-Forwarded-For is believed (PASSERELLE_TRUSTED_PROXIES, comma-separated; default none)")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file until shutdown")
	cmd.Flags().BoolVar(&migrate, "migrate", false, "apply pending migrations on PostgreSQL at start")
	cmd.Flags().Float64Var(&rateLimit, "rate-limit", api.DefaultRateLimit, "requests per second allowed per API key (negative: no limit)")
	return cmd
}

// serviceLogger is the JSON logger of a server on stderr: info level
// unless --log-level or PASSERELLE_LOG_LEVEL says otherwise.
func (e *env) serviceLogger(cmd *cobra.Command) zerolog.Logger {
	lv := zerolog.InfoLevel
	if f := cmd.Flags().Lookup("log-level"); (f != nil && f.Changed) || e.getenv("PASSERELLE_LOG_LEVEL") != "" {
		lv = e.log.GetLevel()
	}
	return zerolog.New(e.stderr).Level(lv).With().Timestamp().Logger()
}

// demoActor loads the demo market: an admin of the operator's
// organisation, so that each offer keeps its synthetic owner.
var demoActor = store.Actor{KeyID: "demo-loader", Org: "passerelle", Role: store.RoleAdmin}

// loadDemo writes the offers of the demo market m into db when db holds no
// offer yet, in one transaction, and returns how many it wrote.
func loadDemo(ctx context.Context, db *store.DB, m *matcher.Market) (int, error) {
	v, err := db.DataVersion(ctx)
	if err != nil {
		return 0, err
	}
	if v > 0 {
		return 0, nil // offers were written already: keep them
	}
	err = db.Write(ctx, demoActor, func(tx *store.Tx) error {
		_, _, err := tx.CreateOffers(ctx, m.Housing, m.Jobs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("loading the demo market: %w", err)
	}
	return len(m.Housing) + len(m.Jobs), nil
}

// Demo organisations: one association of advisors, one landlord, one
// employer.
const (
	demoAdvisorOrg  = "demo-association"
	demoLandlordOrg = "demo-landlord"
	demoEmployerOrg = "demo-employer"
)

// printDemoKeys creates a fresh key for each demo organisation and prints
// them as shell assignments (keys are shown once; every start creates new
// ones, earlier ones stay valid).
func printDemoKeys(ctx context.Context, e *env, db *store.DB) error {
	fmt.Fprintln(e.stdout, "Demo keys (shown once; paste these lines into another terminal):")
	for _, k := range []struct {
		name, org string
		role      store.Role
	}{
		{"ADVISOR_KEY", demoAdvisorOrg, store.RoleAdvisor},
		{"LANDLORD_KEY", demoLandlordOrg, store.RoleLandlord},
		{"EMPLOYER_KEY", demoEmployerOrg, store.RoleEmployer},
	} {
		_, secret, err := db.CreateKey(ctx, k.org, k.role)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "export %s=%s\n", k.name, secret)
	}
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// startCPUProfile starts a CPU profile written to path (--cpuprofile) and
// returns the function that stops it, safe to call twice; with an empty
// path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	var once sync.Once
	return func() { once.Do(func() { pprof.StopCPUProfile(); _ = f.Close() }) }, nil
}
