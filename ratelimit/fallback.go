package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// retryPrimaryEvery is how long Fallback counts in the secondary after the
// primary failed before asking the primary again, so an unreachable Redis
// costs one timeout a second rather than one per request.
const retryPrimaryEvery = time.Second

// NewErrorCounter returns an unregistered counter for Fallback, named
// amigo_ratelimit_backend_errors_total. The caller registers it.
func NewErrorCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{
		Name: "amigo_ratelimit_backend_errors_total",
		Help: "Rate limit checks that failed in the shared backend and were counted in this process instead.",
	})
}

// fallback is the Limiter returned by Fallback.
type fallback struct {
	primary, secondary Limiter
	logger             *slog.Logger
	errs               prometheus.Counter
	// skipUntil is the Unix time in nanoseconds before which the primary
	// is not asked.
	skipUntil atomic.Int64
	down      atomic.Bool
}

// Fallback returns a Limiter that counts in primary (Redis, shared by the
// replicas) and, while primary fails, in secondary (this process's
// Memory): during an outage each replica enforces the limits on its own
// instead of not at all. After a failure the primary is asked again once
// retryPrimaryEvery has passed; the first success returns to it. The
// outage is logged to logger (slog.Default if nil) when it begins and when
// it ends, and each failed check increments errs (if not nil).
//
// An error while ctx is done is the caller giving up, not the backend
// failing, so it is neither counted nor logged. An invalid limit is a
// programming error and returned as it is.
func Fallback(primary, secondary Limiter, logger *slog.Logger, errs prometheus.Counter) Limiter {
	if logger == nil {
		logger = slog.Default()
	}
	return &fallback{primary: primary, secondary: secondary, logger: logger, errs: errs}
}

// Allow implements Limiter.
func (f *fallback) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	return f.check(ctx, key, l, Limiter.Allow)
}

// Peek implements Limiter.
func (f *fallback) Peek(ctx context.Context, key string, l Limit) (Result, error) {
	return f.check(ctx, key, l, Limiter.Peek)
}

func (f *fallback) check(ctx context.Context, key string, l Limit, op func(Limiter, context.Context, string, Limit) (Result, error)) (Result, error) {
	if time.Now().UnixNano() < f.skipUntil.Load() {
		return op(f.secondary, ctx, key, l)
	}
	r, err := op(f.primary, ctx, key, l)
	switch {
	case err == nil:
		if f.down.CompareAndSwap(true, false) {
			f.logger.LogAttrs(ctx, slog.LevelWarn, "rate limit backend answers again; counting there")
		}
		return r, nil
	case errors.Is(err, ErrInvalidLimit):
		return r, err
	case ctx.Err() == nil:
		f.failed(ctx, err)
	}
	return op(f.secondary, ctx, key, l)
}

// failed counts err, logs the start of an outage, and skips the primary
// for retryPrimaryEvery.
func (f *fallback) failed(ctx context.Context, err error) {
	if f.errs != nil {
		f.errs.Inc()
	}
	f.skipUntil.Store(time.Now().Add(retryPrimaryEvery).UnixNano())
	if f.down.CompareAndSwap(false, true) {
		f.logger.LogAttrs(ctx, slog.LevelError, "rate limit backend failed; counting in this process until it answers",
			slog.String("err", err.Error()))
	}
}
