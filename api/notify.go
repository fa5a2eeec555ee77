package api

import (
	"context"
	"time"

	"passerelle/store"
)

// Notifier spreads data-version changes between replicas sharing one
// database (api/rediscache implements it with Redis pub/sub). Publish
// errors are not fatal: the other replicas also poll the data version.
type Notifier interface {
	Publish(ctx context.Context, version int64) error
	Subscribe(ctx context.Context, fn func(version int64))
}

// Watch keeps the engine near the committed data version when other
// processes write to the same database: it polls the version every poll
// (the fallback when no notifier is set or Redis is down) and, with n set,
// listens to its notifications. Either wakes the refresher (see Refresh).
// It returns when ctx is done.
func (e *Engines) Watch(ctx context.Context, n Notifier, poll time.Duration) {
	if n != nil {
		go n.Subscribe(ctx, func(v int64) {
			if v > e.Loaded().Base() {
				e.Changed()
			}
		})
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Base, not Version: an engine that applied writes without a
		// rebuild still lacks the new offers (see Engines.Wrote).
		if v, err := e.db.DataVersion(ctx); err == nil && v > e.Loaded().Base() {
			e.Changed()
		}
	}
}

// published tells this process's engines about a committed offer write
// (ch: what it changed) and the other replicas, in the background: the
// answer to the client does not wait for Redis.
func (s *Server) published(ch store.OfferChanges) {
	s.engines.Wrote(ch)
	if s.cfg.Notifier == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		v, err := s.db.DataVersion(ctx)
		if err != nil {
			return
		}
		if err := s.cfg.Notifier.Publish(ctx, v); err != nil {
			s.metrics.notifyErrors.Inc()
		}
	}()
}
