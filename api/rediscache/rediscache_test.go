package rediscache_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"passerelle/api/rediscache"

	"passerelle/internal/testenv"
)

// redisURL returns REDIS_URL; it skips without it, and fails when CI is set.
func redisURL(t *testing.T) string {
	t.Helper()
	return testenv.Env(t, "REDIS_URL")
}

func TestCacheAgainstRedis(t *testing.T) {
	c, err := rediscache.New(redisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	key := fmt.Sprintf("passerelle:test:%d", time.Now().UnixNano())
	if _, found, err := c.Get(ctx, key); err != nil || found {
		t.Fatalf("miss: found %v, err %v", found, err)
	}
	if err := c.Set(ctx, key, []byte(`{"a":1}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	v, found, err := c.Get(ctx, key)
	if err != nil || !found || string(v) != `{"a":1}` {
		t.Fatalf("hit: %q %v %v", v, found, err)
	}
	if err := c.Set(ctx, key+":short", []byte("x"), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	if _, found, _ := c.Get(ctx, key+":short"); found {
		t.Fatal("expired value still found")
	}
}

func TestPublishSubscribe(t *testing.T) {
	c, err := rediscache.New(redisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	go c.Subscribe(ctx, func(msg string) { got <- msg })
	// The subscription is asynchronous: publish until it is heard.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.Publish(ctx, `{"version":42}`); err != nil {
			t.Fatal(err)
		}
		select {
		case msg := <-got:
			if msg != `{"version":42}` {
				t.Fatalf("got %q", msg)
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no notification received")
		}
	}
}

// TestRedisDown checks every call fails (and does not hang) when nothing
// listens at the address.
func TestRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := rediscache.New("redis://" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, _, err := c.Get(ctx, "k"); err == nil {
		t.Error("Get succeeded with Redis down")
	}
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err == nil {
		t.Error("Set succeeded with Redis down")
	}
	if err := c.Publish(ctx, "1"); err == nil {
		t.Error("Publish succeeded with Redis down")
	}
	if _, err := rediscache.New("://bad"); err == nil {
		t.Error("a malformed URL was accepted")
	}
}
