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
