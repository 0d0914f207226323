package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// KeyPrefix namespaces every key the Redis limiter writes.
const KeyPrefix = "amigo:rl:"

// gcraScript is gcra (ratelimit.go) in Lua, run atomically in Redis on the
// Redis clock, in microseconds. KEYS[1] holds the key's TAT; ARGV[1] and
// ARGV[2] are the interval and span. The key expires when its bucket is full
// again, since an absent key means exactly that, so Redis holds only keys
// used within their last window. With ARGV[3] set to 1 the script only
// peeks: it decides but stores nothing. The TAT is written with %d because Lua's
// default number format keeps only 14 digits and the TAT has 16.
//
// It returns {allowed (0 or 1), remaining, resetAfter, retryAfter}.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - span
if allow_at > now then
  return {0, 0, tat - now, allow_at - now}
end
if ARGV[3] ~= '1' then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
end
return {1, math.floor((span - (new_tat - now)) / interval), new_tat - now, 0}
`)

// Redis is a Limiter whose state lives in Redis (5.0 or later), so every
// replica pointed at the same Redis shares one count per key. Each Allow is
// one round trip (EVALSHA).
//
// Allow's latency when Redis is unreachable is bounded only by the client's
// timeouts and retries: build the client from RedisOptions, and wrap the
// limiter in Fallback.
type Redis struct {
	client redis.UniversalClient
}

// NewRedis returns a Limiter that keeps its state in client under KeyPrefix.
func NewRedis(client redis.UniversalClient) *Redis {
	return &Redis{client: client}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	return r.check(ctx, key, l, 0)
}

// Peek implements Limiter.
func (r *Redis) Peek(ctx context.Context, key string, l Limit) (Result, error) {
	return r.check(ctx, key, l, 1)
}

// check runs the script; peek is its ARGV[3].
func (r *Redis) check(ctx context.Context, key string, l Limit, peek int) (Result, error) {
	if err := l.validate(); err != nil {
		return Result{}, err
	}
	interval, span := l.rate(time.Microsecond)
	v, err := gcraScript.Run(ctx, r.client, []string{KeyPrefix + key}, interval, span, peek).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	} else if len(v) != 4 {
		return Result{}, fmt.Errorf("ratelimit: redis: script returned %d values, want 4", len(v))
	}
	d := decision{allowed: v[0] == 1, remaining: int(v[1]), resetAfter: v[2], retryAfter: v[3]}
	return d.result(time.Now(), l, time.Microsecond), nil
}

// redisTimeout is the timeout RedisOptions gives each step of a check.
const redisTimeout = 250 * time.Millisecond

// RedisOptions parses a --redis-url into client options suited to a limiter
// in front of every request: a check may take a few hundred milliseconds at
// most, and is not retried, since Fallback counts it in this process instead. The
// defaults of go-redis would instead retry each dial five times, with a
// five-second timeout each, before the pool starts failing fast. Timeouts
// and max_retries given in the URL's query are kept.
func RedisOptions(rawURL string) (*redis.Options, error) {
	opt, err := redis.ParseURL(rawURL)
	if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
		// A *url.Error quotes the URL, password included.
		return nil, fmt.Errorf("ratelimit: redis url: %w", urlErr.Err)
	} else if err != nil {
		return nil, fmt.Errorf("ratelimit: redis url: %w", err)
	}
	for _, d := range []*time.Duration{&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout} {
		if *d == 0 {
			*d = redisTimeout
		}
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = -1
	}
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	return opt, nil
}
