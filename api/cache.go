package api

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Cache holds computed plans (JSON) by key. Implementations are safe for
// concurrent use. Get returns found == false on a miss; an error means the
// cache is unavailable, and the caller computes the plan anyway (a cache
// never holds data of record). Set stores val for about ttl.
type Cache interface {
	Get(ctx context.Context, key string) (val []byte, found bool, err error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// MemoryCache is an in-process LRU Cache: the default when no Redis is
// configured. Entries expire after their ttl. It holds at most a number of
// entries and, in all, at most MemoryCacheBytes of values: plans are tens
// of kilobytes each, and every offer write makes the cached plans of the
// previous data version useless, so a cache bounded by count alone would
// grow the heap by hundreds of megabytes before it evicts anything.
type MemoryCache struct {
	mu    sync.Mutex
	max   int
	bytes int // sum of the values' lengths
	ll    *list.List
	items map[string]*list.Element
	now   func() time.Time
}

type memEntry struct {
	key     string
	val     []byte
	expires time.Time
}

// MemoryCacheBytes bounds the values a MemoryCache holds (64 MiB: some 1,500
// plans of ten options).
const MemoryCacheBytes = 64 << 20

// NewMemoryCache returns an LRU cache of at most n entries (n ≥ 1) and
// MemoryCacheBytes of values.
func NewMemoryCache(n int) *MemoryCache {
	return &MemoryCache{max: max(n, 1), ll: list.New(), items: map[string]*list.Element{}, now: time.Now}
}

// Get returns the value under key unless it expired. It never fails.
func (m *MemoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*memEntry)
	if m.now().After(e.expires) {
		m.ll.Remove(el)
		delete(m.items, key)
		m.bytes -= len(e.val)
		return nil, false, nil
	}
	m.ll.MoveToFront(el)
	return e.val, true, nil
}

// Set stores val under key for ttl, evicting the least recently used entry
// when full. It never fails.
func (m *MemoryCache) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp := m.now().Add(ttl)
	if el, ok := m.items[key]; ok {
		e := el.Value.(*memEntry)
		m.bytes += len(val) - len(e.val)
		e.val, e.expires = val, exp
		m.ll.MoveToFront(el)
	} else {
		m.items[key] = m.ll.PushFront(&memEntry{key: key, val: val, expires: exp})
		m.bytes += len(val)
	}
	for m.ll.Len() > m.max || (m.bytes > MemoryCacheBytes && m.ll.Len() > 1) {
		el := m.ll.Back()
		m.ll.Remove(el)
		e := el.Value.(*memEntry)
		delete(m.items, e.key)
		m.bytes -= len(e.val)
	}
	return nil
}

// Len returns the number of entries (expired ones included until read).
func (m *MemoryCache) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ll.Len()
}

// LocalTTL is how long a plan read from the shared cache stays in the
// in-process tier of a TieredCache.
const LocalTTL = time.Minute

// TieredCache is a small in-process LRU in front of a shared cache (Redis):
// a hit in process costs no network round trip, and plans keep being served
// from memory while the shared cache is down. Keys carry the data version,
// so the local tier is never staler than the shared one.
type TieredCache struct {
	Local  *MemoryCache
	Shared Cache
}

// Get looks in the local tier, then in the shared one (copying a hit into
// the local tier for LocalTTL). The error is the shared cache's, when the
// local tier missed.
func (t TieredCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if v, ok, _ := t.Local.Get(ctx, key); ok {
		return v, true, nil
	}
	v, ok, err := t.Shared.Get(ctx, key)
	if err != nil || !ok {
		return nil, false, err
	}
	_ = t.Local.Set(ctx, key, v, LocalTTL)
	return v, true, nil
}

// Set stores val in both tiers; the error is the shared cache's (the local
// tier holds the value anyway).
func (t TieredCache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_ = t.Local.Set(ctx, key, val, min(ttl, LocalTTL))
	return t.Shared.Set(ctx, key, val, ttl)
}
