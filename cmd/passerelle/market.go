package main

import (
	"fmt"
	"time"

	"passerelle/datasets"
	"passerelle/matcher"
)

// marketSeed is the seed of the built-in synthetic markets: the same seed
// gives the same market on every machine.
const marketSeed = 2026

// loadEngine builds the synthetic market of the given scale name (demo,
// national, 100k…) and indexes it.
func loadEngine(e *env, name string) (*matcher.Engine, *matcher.Market, error) {
	start := time.Now()
	sc, err := datasets.ParseScale(name)
	if err != nil {
		return nil, nil, usageErr(fmt.Errorf("--market: %w", err))
	}
	m, err := datasets.Synthetic(marketSeed, sc)
	if err != nil {
		return nil, nil, fmt.Errorf("building the %s market: %w", name, err)
	}
	eng, err := matcher.NewEngine(m, matcher.EngineOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("indexing the %s market: %w", name, err)
	}
	nh, nj := eng.Counts()
	e.log.Debug().Str("market", name).Int("housing", nh).Int("jobs", nj).Dur("build", time.Since(start)).Msg("market ready")
	return eng, m, nil
}
