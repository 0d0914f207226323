package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemory(t *testing.T) {
	testLimiter(t, func(t *testing.T) harness {
		clock := newFakeClock()
		return harness{limiter: NewMemory(clock.Now), prefix: uniquePrefix(t), now: clock.Now, wait: clock.Advance}
	})
}

// TestMemoryExact checks the exact values that the fake clock makes
// predictable, including the gradual refill that sets GCRA apart from a fixed
// window.
func TestMemoryExact(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	t0 := clock.Now()
	l := Limit{Requests: 5, Window: time.Minute}
	check := func(step string, want Result) {
		t.Helper()
		got, err := m.Allow(context.Background(), "k", l)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: got %+v, want %+v", step, got, want)
		}
	}

	for i := range 5 {
		check("burst", Result{Allowed: true, Limit: 5, Remaining: 4 - i, Reset: t0.Add(time.Duration(i+1) * 12 * time.Second)})
	}
	check("over", Result{Limit: 5, Reset: t0.Add(time.Minute), RetryAfter: 12 * time.Second})

	// Half an interval on, the wait is 6s and the bucket is still empty.
	clock.Advance(6 * time.Second)
	check("half interval", Result{Limit: 5, Reset: t0.Add(time.Minute), RetryAfter: 6 * time.Second})

	// 1.5s before the next request's turn, Retry-After rounds up to 2s.
	clock.Advance(4500 * time.Millisecond)
	check("rounding", Result{Limit: 5, Reset: t0.Add(time.Minute), RetryAfter: 2 * time.Second})

	// One interval after the burst, exactly one more request is allowed.
	clock.Advance(1500 * time.Millisecond)
	check("one interval", Result{Allowed: true, Limit: 5, Remaining: 0, Reset: t0.Add(72 * time.Second)})
	check("one interval, again", Result{Limit: 5, Reset: t0.Add(72 * time.Second), RetryAfter: 12 * time.Second})

	// Thirty seconds later two and a half intervals have refilled: two requests.
	clock.Advance(30 * time.Second)
	check("refill 1", Result{Allowed: true, Limit: 5, Remaining: 1, Reset: t0.Add(84 * time.Second)})
	check("refill 2", Result{Allowed: true, Limit: 5, Remaining: 0, Reset: t0.Add(96 * time.Second)})
	check("refill 3", Result{Limit: 5, Reset: t0.Add(96 * time.Second), RetryAfter: 6 * time.Second})
}

// TestMemorySubSecond checks that a sub-second wait still gives a Retry-After
// of one second and a Reset rounded up to the next second.
func TestMemorySubSecond(t *testing.T) {
	clock := newFakeClock()
	clock.Advance(100 * time.Millisecond)
	m := NewMemory(clock.Now)
	l := Limit{Requests: 4, Window: time.Second}
	for range 4 {
		allow(t, harness{limiter: m}, "k", l)
	}
	r := allow(t, harness{limiter: m}, "k", l)
	want := Result{Limit: 4, Reset: clock.Now().Truncate(time.Second).Add(2 * time.Second), RetryAfter: time.Second}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	if got := r.Reset.Unix(); got != want.Reset.Unix() {
		t.Fatalf("Reset.Unix() = %d, want %d", got, want.Reset.Unix())
	}
}

// TestMemoryEviction checks that keys whose buckets are full again are
// dropped within a sweep interval, and that a shard's map is rebuilt once
// most of its keys are gone.
func TestMemoryEviction(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(clock.Now)
	l := Limit{Requests: 10, Window: time.Second}
	const keys = 100_000
	for i := range keys {
		allow(t, harness{limiter: m}, "old:"+strconv.Itoa(i), l)
	}
	if got := m.size(); got != keys {
		t.Fatalf("size = %d, want %d", got, keys)
	}

	clock.Advance(sweepEvery)
	// Touch keys until every shard has swept.
	probes := 0
	for swept := 0; swept < shardCount; probes++ {
		allow(t, harness{limiter: m}, "new:"+strconv.Itoa(probes), l)
		swept = 0
		for i := range m.shards {
			if m.shards[i].sweepAt > int64(sweepEvery) {
				swept++
			}
		}
		if probes > 100_000 {
			t.Fatal("shards never swept")
		}
	}
	if got := m.size(); got != probes {
		t.Fatalf("size after sweep = %d, want only the %d new keys", got, probes)
	}
	for i := range m.shards {
		if s := &m.shards[i]; s.peak != len(s.tats) {
			t.Errorf("shard %d: peak %d after sweep, want the map rebuilt to its %d keys", i, s.peak, len(s.tats))
		}
	}
}

// TestMemoryNoAllocs checks that a check on a known key allocates nothing.
func TestMemoryNoAllocs(t *testing.T) {
	m := NewMemory(nil)
	l := Limit{Requests: 1000, Window: time.Second}
	ctx := context.Background()
	if _, err := m.Allow(ctx, "k", l); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := m.Allow(ctx, "k", l); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Allow allocates %v times per call, want 0", allocs)
	}
}

// BenchmarkMemoryAllow measures Allow from parallel goroutines, over many
// keys and on one hot key that every goroutine contends for.
func BenchmarkMemoryAllow(b *testing.B) {
	l := Limit{Requests: 100, Window: time.Minute}
	b.Run("ManyKeys", func(b *testing.B) {
		keys := make([]string, 1<<16)
		for i := range keys {
			keys[i] = fmt.Sprintf("create-agent:user:%d", i)
		}
		m := NewMemory(nil)
		var next sync.Mutex
		offset := 0
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			next.Lock()
			i := offset
			offset += 7919
			next.Unlock()
			for pb.Next() {
				_, _ = m.Allow(context.Background(), keys[i&(len(keys)-1)], l)
				i++
			}
		})
	})
	b.Run("HotKey", func(b *testing.B) {
		m := NewMemory(nil)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = m.Allow(context.Background(), "create-agent:user:1", l)
			}
		})
	})
}
