package api

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"passerelle/store"
)

// KeyCacheTTL is how long a verified API key is trusted without asking the
// database again.
//
// Decision: a key costs a database read per request otherwise, which is
// most of the cost of a cached plan. A revoked key therefore keeps working
// for at most KeyCacheTTL on every replica. Unknown keys are never cached:
// each attempt is checked against the database.
const KeyCacheTTL = 5 * time.Second // Config.KeyTTL's default

// keyCacheMax bounds the cache; when full, it is emptied.
const keyCacheMax = 10000

// keyCache remembers the actors of recently verified keys, by the SHA-256
// of the secret (the secret itself is not kept).
type keyCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]keyEntry
}

type keyEntry struct {
	actor   store.Actor
	expires time.Time
}

// authenticate returns the actor of secret, from the cache or the store.
// Errors are the store's (ErrUnauthorized for an unknown or revoked key).
// A ttl ≤ 0 disables the cache.
func (kc *keyCache) authenticate(ctx context.Context, db *store.DB, secret string, now time.Time, ttl time.Duration) (store.Actor, error) {
	if ttl <= 0 {
		k, err := db.Authenticate(ctx, secret)
		return k.Actor(), err
	}
	sum := sha256.Sum256([]byte(secret))
	kc.mu.RLock()
	e, ok := kc.m[sum]
	kc.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.actor, nil
	}
	k, err := db.Authenticate(ctx, secret)
	if err != nil {
		return store.Actor{}, err
	}
	kc.mu.Lock()
	if kc.m == nil || len(kc.m) >= keyCacheMax {
		kc.m = make(map[[sha256.Size]byte]keyEntry)
	}
	kc.m[sum] = keyEntry{actor: k.Actor(), expires: now.Add(ttl)}
	kc.mu.Unlock()
	return k.Actor(), nil
}
