package ratelimit

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

const (
	// shardCount spreads keys over independent locks; a power of two.
	shardCount = 64
	// sweepEvery is how often a shard drops the keys whose buckets are full
	// again. A key therefore lingers at most its window plus sweepEvery.
	sweepEvery = time.Minute
	// shrinkBelow is the size under which a shard never rebuilds its map.
	shrinkBelow = 1024
)

// Memory is a Limiter that keeps its state in this process. It suits a single
// server; replicas each enforce the limit on their own, so use Redis for those.
// Memory holds one entry per key used within the last window (plus up to a
// minute), and Allow does not allocate for a key it already holds.
type Memory struct {
	clock func() time.Time
	// epoch is the clock reading at creation; TATs are nanoseconds since it,
	// which keeps the arithmetic on the monotonic clock when there is one.
	epoch  time.Time
	seed   maphash.Seed
	shards [shardCount]shard
}

// shard is one lock's share of the keys.
type shard struct {
	mu sync.Mutex
	// tats maps a key to its theoretical arrival time; see gcra.
	tats    map[string]int64
	sweepAt int64 // when to next drop the keys whose TAT has passed
	peak    int   // the largest len(tats) since the map was last rebuilt
	// pad keeps neighbouring shards' locks on separate cache lines.
	_ [64]byte
}

// NewMemory returns an in-process Limiter reading the time from clock, or from
// time.Now if clock is nil.
func NewMemory(clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	m := &Memory{clock: clock, epoch: clock(), seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].tats = make(map[string]int64)
		m.shards[i].sweepAt = int64(sweepEvery)
	}
	return m
}

// Allow implements Limiter. It ignores ctx and returns an error only for an
// invalid l.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	return m.check(key, l, true)
}

// Peek implements Limiter.
func (m *Memory) Peek(_ context.Context, key string, l Limit) (Result, error) {
	return m.check(key, l, false)
}

// check decides a request of key under l, counting it if count is set.
func (m *Memory) check(key string, l Limit, count bool) (Result, error) {
	if err := l.validate(); err != nil {
		return Result{}, err
	}
	interval, span := l.rate(time.Nanosecond)
	t := m.clock()
	now := int64(t.Sub(m.epoch))

	s := &m.shards[maphash.String(m.seed, key)&(shardCount-1)]
	s.mu.Lock()
	if now >= s.sweepAt {
		s.sweep(now)
	}
	tat, held := s.tats[key]
	d := gcra(now, tat, interval, span)
	if count && d.allowed && held {
		s.tats[key] = d.tat
	} else if count && d.allowed {
		// Clone so the map does not pin a larger string the key was cut from.
		s.tats[strings.Clone(key)] = d.tat
		s.peak = max(s.peak, len(s.tats))
	}
	s.mu.Unlock()
	return d.result(t, l, time.Nanosecond), nil
}

// sweep drops the keys whose TAT is not after now: their buckets are full, so
// they behave exactly like absent keys. Go maps do not shrink, so when most of
// the keys are gone the map is rebuilt to give the memory back. The caller
// holds s.mu.
func (s *shard) sweep(now int64) {
	for k, tat := range s.tats {
		if tat <= now {
			delete(s.tats, k)
		}
	}
	if s.peak >= shrinkBelow && len(s.tats) < s.peak/4 {
		tats := make(map[string]int64, len(s.tats))
		for k, tat := range s.tats {
			tats[k] = tat
		}
		s.tats = tats
		s.peak = len(tats)
	}
	s.sweepAt = now + int64(sweepEvery)
}

// size returns the number of keys held, for tests.
func (m *Memory) size() int {
	n := 0
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.Lock()
		n += len(s.tats)
		s.mu.Unlock()
	}
	return n
}
