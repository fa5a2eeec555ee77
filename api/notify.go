package api

import (
	"context"
	"encoding/json"
	"time"

	"passerelle/store"
)

// Notifier spreads committed writes between replicas sharing one database
// (api/rediscache implements it with Redis pub/sub). Publish errors are not
// fatal: the other replicas also poll the data version.
type Notifier interface {
	Publish(ctx context.Context, msg string) error
	Subscribe(ctx context.Context, fn func(msg string))
}

// writeMsg is what a replica publishes of a committed offer write (JSON):
// the data version it reached and, when the write listed them, the offers
// it touched (store.OfferChanges), so that the other replicas apply it as
// this one does (Engines.Wrote). A message whose changes are not listed, or
// that cannot be read, only wakes the refresher.
type writeMsg struct {
	Version int64    `json:"version"`
	From    int64    `json:"from,omitempty"`
	Housing []string `json:"housing,omitempty"`
	Jobs    []string `json:"jobs,omitempty"`
	Listed  bool     `json:"listed,omitempty"`
}

// maxMsgOffers bounds the offers a message lists: a bigger write is
// published as a version only (the other replicas rebuild).
const maxMsgOffers = 1000

// Watch keeps the engine near the committed data version when other
// processes write to the same database: it polls the version every poll
// (the fallback when no notifier is set or Redis is down) and, with n set,
// listens to its messages, applying the writes they list as a write of
// this process (Engines.Wrote). Any other change wakes the refresher (see
// Refresh). It returns when ctx is done.
func (e *Engines) Watch(ctx context.Context, n Notifier, poll time.Duration) {
	if n != nil {
		go n.Subscribe(ctx, func(msg string) {
			var m writeMsg
			if json.Unmarshal([]byte(msg), &m) != nil {
				return
			}
			if m.Listed && m.From > 0 {
				e.Wrote(store.OfferChanges{From: m.From, To: m.Version, Housing: m.Housing, Jobs: m.Jobs})
			} else if m.Version > e.Loaded().Base() {
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
		m := writeMsg{Version: ch.To}
		if ch.To == 0 {
			v, err := s.db.DataVersion(ctx)
			if err != nil {
				return
			}
			m.Version = v
		} else if len(ch.Housing)+len(ch.Jobs) <= maxMsgOffers {
			m.From, m.Housing, m.Jobs, m.Listed = ch.From, ch.Housing, ch.Jobs, true
		}
		b, err := json.Marshal(m)
		if err != nil {
			return
		}
		if err := s.cfg.Notifier.Publish(ctx, string(b)); err != nil {
			s.metrics.notifyErrors.Inc()
		}
	}()
}
