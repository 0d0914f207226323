package ratelimit

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/amigo-oss/amigo-server/internal/testsvc"
)

// testRedis returns a client for the tests' Redis (see testsvc: the one at
// AMIGO_TEST_REDIS_URL, else the local one if it answers). It skips the test
// when there is none, unless AMIGO_TEST_REQUIRE_SERVICES=1, in which case it
// fails it. The tests write under prefixes of their own and delete them.
func testRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	url := testsvc.Redis.Get(tb)
	opt, err := RedisOptions(url)
	if err != nil {
		tb.Fatalf("%s: %v", testsvc.Redis.Env, err)
	}
	client := redis.NewClient(opt)
	tb.Cleanup(func() { _ = client.Close() })
	return client
}

// deleteKeys removes the keys the test wrote under prefix, so that a shared
// Redis is left as it was found.
func deleteKeys(t *testing.T, client *redis.Client, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, KeyPrefix+prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("deleting test keys: %v", err)
		}
	})
}

func TestRedis(t *testing.T) {
	client := testRedis(t)
	testLimiter(t, func(t *testing.T) harness {
		h := harness{limiter: NewRedis(client), prefix: uniquePrefix(t), now: time.Now, wait: time.Sleep}
		deleteKeys(t, client, h.prefix)
		return h
	})
}

// TestRedisKey checks how a key is stored: under KeyPrefix, as a plain
// integer (not Lua's rounded float notation), expiring when the bucket is
// full again.
func TestRedisKey(t *testing.T) {
	client := testRedis(t)
	prefix := uniquePrefix(t)
	deleteKeys(t, client, prefix)
	ctx := context.Background()
	l := Limit{Requests: 10, Window: time.Minute}
	for range 3 {
		allow(t, harness{limiter: NewRedis(client), prefix: prefix}, "k", l)
	}

	key := KeyPrefix + prefix + "k"
	v, err := client.Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	tat, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("stored TAT %q is not an integer: %v", v, err)
	}
	if now := time.Now().UnixMicro(); tat < now || tat > now+int64(20*time.Second/time.Microsecond) {
		t.Fatalf("stored TAT %d, want about %d + 18s in microseconds", tat, now)
	}
	ttl, err := client.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl < 17*time.Second || ttl > 18*time.Second {
		t.Fatalf("TTL = %v, want 18s (three requests' share of a minute)", ttl)
	}
}

// TestRedisOptions checks that RedisOptions bounds a check's latency unless
// the URL says otherwise, and keeps passwords out of its errors.
func TestRedisOptions(t *testing.T) {
	opt, err := RedisOptions("redis://:secret@127.0.0.1:6379/2")
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr != "127.0.0.1:6379" || opt.DB != 2 || opt.Password != "secret" {
		t.Errorf("got Addr %q, DB %d, Password %q; want the URL's", opt.Addr, opt.DB, opt.Password)
	}
	if opt.DialTimeout != redisTimeout || opt.ReadTimeout != redisTimeout || opt.WriteTimeout != redisTimeout ||
		opt.PoolTimeout != redisTimeout || opt.MaxRetries != -1 || opt.DialerRetries != 1 || !opt.ContextTimeoutEnabled {
		t.Errorf("got %+v, want short timeouts and no retries", opt)
	}

	opt, err = RedisOptions("redis://127.0.0.1:6379/0?dial_timeout=2s&max_retries=3")
	if err != nil {
		t.Fatal(err)
	}
	if opt.DialTimeout != 2*time.Second || opt.MaxRetries != 3 || opt.ReadTimeout != redisTimeout {
		t.Errorf("got DialTimeout %v, MaxRetries %d, ReadTimeout %v; want the URL's 2s and 3, and the default", opt.DialTimeout, opt.MaxRetries, opt.ReadTimeout)
	}

	for _, bad := range []string{"redis://:secret@127.0.0.1:bad%zz/0", "http://:secret@127.0.0.1/"} {
		if _, err := RedisOptions(bad); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("RedisOptions(%q): err = %v, want an error without the password", bad, err)
		}
	}
}

// BenchmarkRedisAllow measures Allow against the real Redis from parallel
// goroutines, over many keys: the cost is the round trip.
func BenchmarkRedisAllow(b *testing.B) {
	client := testRedis(b)
	r := NewRedis(client)
	l := Limit{Requests: 100, Window: time.Minute}
	keys := make([]string, 1024)
	prefix := "bench:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	b.Cleanup(func() {
		stored := make([]string, len(keys))
		for i, k := range keys {
			stored[i] = KeyPrefix + k
		}
		client.Del(context.Background(), stored...)
	})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := r.Allow(context.Background(), keys[i%len(keys)], l); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
