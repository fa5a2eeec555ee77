// Package rediscache is the Redis implementation of api.Cache and
// api.Notifier (go-redis v9): cache-aside storage of computed plans with
// short timeouts, and a publish/subscribe channel that tells the other
// replicas a write was committed. Redis never holds data of record: when it
// is down or slow, every call fails fast and the API computes instead.
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeout bounds every Redis call (dial, read, write); one retry at most.
const Timeout = 100 * time.Millisecond

// Channel is the pub/sub channel of data-version changes.
const Channel = "passerelle:data_version"

// quiet drops go-redis's own log lines: only api and cmd log (DESIGN §9),
// and the API counts Redis failures in its metrics.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

// Cache is a Redis-backed plan cache. It is safe for concurrent use.
type Cache struct {
	rdb *redis.Client
}

// New connects to the Redis named by url (redis://host:port/db) with the
// package's short timeouts. It does not fail when Redis is down: calls
// then return errors and the caller computes. It returns an error for a
// malformed URL.
func New(url string) (*Cache, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("rediscache: parsing REDIS_URL: %w", err)
	}
	opt.DialTimeout = Timeout
	opt.ReadTimeout = Timeout
	opt.WriteTimeout = Timeout
	opt.PoolTimeout = Timeout
	opt.MaxRetries = 1
	opt.MinRetryBackoff = 5 * time.Millisecond
	opt.MaxRetryBackoff = 20 * time.Millisecond
	opt.ContextTimeoutEnabled = true
	return &Cache{rdb: redis.NewClient(opt)}, nil
}

// Get returns the value under key; found is false on a miss. Errors
// (Redis down, slow or refusing) are returned wrapped.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*Timeout)
	defer cancel()
	b, err := c.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("rediscache: get: %w", err)
	}
	return b, true, nil
}

// Set stores val under key for ttl. Errors are returned wrapped.
func (c *Cache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, 2*Timeout)
	defer cancel()
	if err := c.rdb.Set(ctx, key, val, ttl).Err(); err != nil {
		return fmt.Errorf("rediscache: set: %w", err)
	}
	return nil
}

// Publish sends msg to the other replicas (the API's description of a
// committed write).
func (c *Cache) Publish(ctx context.Context, msg string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*Timeout)
	defer cancel()
	if err := c.rdb.Publish(ctx, Channel, msg).Err(); err != nil {
		return fmt.Errorf("rediscache: publish: %w", err)
	}
	return nil
}

// Subscribe calls fn for every message published, until ctx is done.
// The subscription reconnects by itself after Redis comes back; while Redis
// is down nothing is received (the API's poll of the data version covers
// that time).
func (c *Cache) Subscribe(ctx context.Context, fn func(msg string)) {
	sub := c.rdb.Subscribe(ctx, Channel)
	go func() {
		<-ctx.Done()
		_ = sub.Close()
	}()
	for msg := range sub.Channel(redis.WithChannelHealthCheckInterval(time.Second)) {
		fn(msg.Payload)
	}
}

// Ping reports whether Redis answers.
func (c *Cache) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*Timeout)
	defer cancel()
	return c.rdb.Ping(ctx).Err()
}

// Close closes the connections.
func (c *Cache) Close() error { return c.rdb.Close() }
