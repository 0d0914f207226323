package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/ratelimit"
)

// RateLimits configures per-operation, per-caller rate limiting.
type RateLimits struct {
	// Limiter counts requests: in-process, or Redis shared by replicas.
	Limiter ratelimit.Limiter
	// Mode scales the spec's numbers ("on", "off", "10x").
	Mode ratelimit.Mode
	// Overrides replace the spec's requests per minute by operation id.
	Overrides map[string]int
}

// OperationIDs lists the ids of every operation, the names rate-limit
// overrides may use.
func OperationIDs() []string {
	ids := make([]string, len(operations))
	for i, op := range operations {
		ids[i] = op.ID
	}
	return ids
}

// limiter enforces RateLimits; a nil *limiter enforces nothing.
type limiter struct {
	counter   ratelimit.Limiter
	mode      ratelimit.Mode
	overrides map[string]int
}

func newLimiter(cfg *RateLimits) *limiter {
	if cfg == nil || !cfg.Mode.Enabled() || cfg.Limiter == nil {
		return nil
	}
	return &limiter{counter: cfg.Limiter, mode: cfg.Mode, overrides: cfg.Overrides}
}

// check counts one request of op by the caller identified by key. Every
// response of a limited operation carries the X-RateLimit-* headers the
// SDKs read; a request over the limit is ERATELIMITED with Retry-After.
func (l *limiter) check(ctx context.Context, w http.ResponseWriter, op *operation, key string) error {
	if l == nil {
		return nil
	}
	perMinute := op.Limit
	if n, ok := l.overrides[op.ID]; ok {
		perMinute = n
	}
	if perMinute <= 0 {
		return nil
	}
	lim := l.mode.Apply(ratelimit.Limit{Requests: perMinute, Window: time.Minute})
	res, err := l.counter.Allow(ctx, op.ID+"|"+key, lim)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(res.Reset.Unix(), 10))
	if !res.Allowed {
		h.Set("Retry-After", strconv.Itoa(int(res.RetryAfter/time.Second)))
		return amigo.Errorf(amigo.ERATELIMITED, "The user has exceeded the rate limit of %d requests per minute for this endpoint.", res.Limit)
	}
	return nil
}

// failedSignInLimit is how many failed sign-ins one client address may make
// per minute (a burst of ten, then one every six seconds). The sign-in
// operation's own limit counts per API key, user and address, which an attacker
// guessing key ids never repeats; this one counts the guesses. Documented
// in docs/roles.md.
const failedSignInLimit = 10

// failedSignInKey is the limiter key of a client address's failed sign-ins.
func failedSignInKey(addr string) string { return "sign-in-failures|ip:" + addr }

// checkFailedSignIns refuses a sign-in from an address that has used up its
// failed sign-ins, before the credentials are looked at, so that a right
// guess is refused too. It counts nothing.
func (l *limiter) checkFailedSignIns(ctx context.Context, w http.ResponseWriter, addr string) error {
	if l == nil {
		return nil
	}
	res, err := l.counter.Peek(ctx, failedSignInKey(addr), l.failedSignIn())
	if err != nil {
		return err
	}
	if !res.Allowed {
		w.Header().Set("Retry-After", strconv.Itoa(int(res.RetryAfter/time.Second)))
		return amigo.Errorf(amigo.ERATELIMITED, "Too many failed sign-ins from this address; try again later.")
	}
	return nil
}

// countFailedSignIn counts one failed sign-in of addr.
func (l *limiter) countFailedSignIn(ctx context.Context, addr string) error {
	if l == nil {
		return nil
	}
	_, err := l.counter.Allow(ctx, failedSignInKey(addr), l.failedSignIn())
	return err
}

func (l *limiter) failedSignIn() ratelimit.Limit {
	return l.mode.Apply(ratelimit.Limit{Requests: failedSignInLimit, Window: time.Minute})
}
