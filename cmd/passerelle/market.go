package main

import (
	"context"
	"fmt"
	"time"

	"passerelle/datasets"
	"passerelle/matcher"
	"passerelle/store"
)

// marketSeed is the seed of the built-in synthetic markets: the same seed
// gives the same market on every machine.
const marketSeed = 2026

// loadEngine builds the market of the given name (demo, national, 100k…,
// or real) and indexes it.
func loadEngine(e *env, name string) (*matcher.Engine, *matcher.Market, error) {
	start := time.Now()
	m, err := buildMarket(context.Background(), e, name)
	if err != nil {
		return nil, nil, err
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("indexing the %s market: %w", name, err)
	}
	nh, nj := eng.Counts()
	e.log.Debug().Str("market", name).Int("housing", nh).Int("jobs", nj).Dur("build", time.Since(start)).Msg("market ready")
	return eng, m, nil
}

// buildMarket returns the market of the given name: a synthetic one of that
// scale (demo, national, 100k…), or "real", generated on the reference that
// `import reference` stored in the database (PASSERELLE_DB, DATABASE_URL or
// ./passerelle.db).
func buildMarket(ctx context.Context, e *env, name string) (*matcher.Market, error) {
	if name == "real" {
		db, err := store.Open(ctx, e.dsn(""))
		if err != nil {
			return nil, err
		}
		defer db.Close()
		if err := db.CheckMigrations(ctx); err != nil {
			return nil, usageErr(errNoReference)
		}
		snap, err := loadSnapshot(ctx, db)
		if err != nil {
			return nil, err
		}
		m, err := snap.market()
		if err != nil {
			return nil, fmt.Errorf("building the real market: %w", err)
		}
		return m, nil
	}
	sc, err := datasets.ParseScale(name)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--market: %w (or real, after `passerelle import reference DIR`)", err))
	}
	m, err := datasets.Synthetic(marketSeed, sc)
	if err != nil {
		return nil, fmt.Errorf("building the %s market: %w", name, err)
	}
	return m, nil
}
