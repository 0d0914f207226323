package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Limit is a rate: at most Requests per Window, of which all may be spent in
// one burst. The spec's "10 requests per minute" is Limit{10, time.Minute}.
type Limit struct {
	Requests int
	Window   time.Duration
}

// ErrInvalidLimit is returned (wrapped) by Allow for a Limit with fewer than
// one request or a window that is not positive.
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

// Result is the outcome of one check, carrying the values of the HTTP headers.
type Result struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Limit is X-RateLimit-Limit: the Requests of the Limit checked.
	Limit int
	// Remaining is X-RateLimit-Remaining: how many more requests the key may
	// make right now, after this one.
	Remaining int
	// Reset is X-RateLimit-Reset, sent as Reset.Unix(): when Remaining will be
	// back to Limit if the key stays idle. It is rounded up to a whole second.
	Reset time.Time
	// RetryAfter is Retry-After for a denied request: how long until the key
	// may make its next request, rounded up to whole seconds and at least one
	// second, so int(RetryAfter/time.Second) is the header's value. It is zero
	// when the request is allowed.
	RetryAfter time.Duration
}

// Limiter decides whether the request identified by key may proceed under l,
// and counts it if so. The key should name both the operation and the caller
// (e.g. "create-agent:user:42"); requests under different limits must use
// different keys.
//
// Allow returns an error wrapping ErrInvalidLimit for an invalid l, and any
// error of the backend (for Redis: network errors, timeouts, ctx's error).
// Implementations are safe for concurrent use.
//
// Peek reports what Allow would decide now without counting anything, for
// limits that count only some outcomes (failed sign-ins): peek before the
// attempt, Allow after a failure.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Result, error)
	Peek(ctx context.Context, key string, l Limit) (Result, error)
}

// validate returns an error wrapping ErrInvalidLimit unless l can be enforced.
func (l Limit) validate() error {
	if l.Requests < 1 || l.Window <= 0 {
		return fmt.Errorf("%w: %d per %v", ErrInvalidLimit, l.Requests, l.Window)
	}
	return nil
}

// rate returns the GCRA parameters of l in multiples of unit: interval, the
// time one request costs (Window/Requests), and span, the time a full burst
// costs (Requests*interval). Rates finer than the unit are capped at one
// request per unit.
func (l Limit) rate(unit time.Duration) (interval, span int64) {
	w := max(int64(l.Window/unit), 1)
	n := int64(l.Requests)
	interval = max(w/n, 1)
	return interval, min(interval*n, w)
}

// decision is the outcome of gcra, in the units of its arguments.
type decision struct {
	allowed    bool
	tat        int64 // the key's theoretical arrival time after this request
	remaining  int
	resetAfter int64 // until the bucket is full again
	retryAfter int64 // until the next request would be allowed, when denied
}

// gcra applies one request at now to a key whose stored theoretical arrival
// time is tat (zero or in the past for a fresh key). The Lua script in
// redis.go is a transcription of this function and must stay in step with it.
func gcra(now, tat, interval, span int64) decision {
	tat = max(tat, now)
	next := tat + interval
	if allowAt := next - span; allowAt > now {
		return decision{tat: tat, resetAfter: tat - now, retryAfter: allowAt - now}
	}
	return decision{
		allowed:    true,
		tat:        next,
		remaining:  int((span - (next - now)) / interval),
		resetAfter: next - now,
	}
}

// result converts d, computed at now in multiples of unit, into a Result
// whose times are rounded up to whole seconds as the headers need.
func (d decision) result(now time.Time, l Limit, unit time.Duration) Result {
	r := Result{
		Allowed:   d.allowed,
		Limit:     l.Requests,
		Remaining: d.remaining,
		Reset:     ceilSecond(now.Add(time.Duration(d.resetAfter) * unit)),
	}
	if !d.allowed {
		r.RetryAfter = max(ceilDuration(time.Duration(d.retryAfter)*unit), time.Second)
	}
	return r
}

// ceilSecond rounds t up to a whole second of Unix time and drops its
// monotonic reading. It avoids Time.Truncate, whose division is a good part
// of Memory's hot path.
func ceilSecond(t time.Time) time.Time {
	t = t.Round(0)
	if ns := t.Nanosecond(); ns != 0 {
		t = t.Add(time.Second - time.Duration(ns))
	}
	return t
}

// ceilDuration rounds d up to whole seconds.
func ceilDuration(d time.Duration) time.Duration {
	if s := d.Truncate(time.Second); s < d {
		return s + time.Second
	}
	return d
}
