package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// logEvery is the least time between two log lines of one FailOpen limiter,
// so that an outage produces a line every few seconds, not one per request.
const logEvery = 10 * time.Second

// NewErrorCounter returns an unregistered counter for FailOpen, named
// amigo_ratelimit_backend_errors_total. The caller registers it.
func NewErrorCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{
		Name: "amigo_ratelimit_backend_errors_total",
		Help: "Rate limit checks that failed in the backend and let the request through.",
	})
}

// failOpen is the Limiter returned by FailOpen.
type failOpen struct {
	next   Limiter
	logger *slog.Logger
	errs   prometheus.Counter
	// logAt is the Unix time in nanoseconds before which errors are counted
	// in suppressed instead of logged.
	logAt      atomic.Int64
	suppressed atomic.Int64
}

// FailOpen returns a Limiter that never fails: when l returns an error, the
// request is allowed as if its key were fresh, errs (if not nil) is
// incremented, and the error is logged to logger (slog.Default if nil) at
// most once every ten seconds, with the number of errors left unlogged.
//
// An error while ctx is done is the caller giving up, not the backend
// failing, so it is neither counted nor logged.
func FailOpen(l Limiter, logger *slog.Logger, errs prometheus.Counter) Limiter {
	if logger == nil {
		logger = slog.Default()
	}
	return &failOpen{next: l, logger: logger, errs: errs}
}

// Allow implements Limiter; the error is always nil.
func (f *failOpen) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	r, err := f.next.Allow(ctx, key, l)
	if err == nil {
		return r, nil
	}
	if ctx.Err() == nil {
		f.record(ctx, err)
	}
	if l.validate() != nil {
		return Result{Allowed: true, Limit: l.Requests}, nil
	}
	interval, span := l.rate(time.Nanosecond)
	return gcra(0, 0, interval, span).result(time.Now(), l, time.Nanosecond), nil
}

// record counts err and logs it unless a line was logged within logEvery.
func (f *failOpen) record(ctx context.Context, err error) {
	if f.errs != nil {
		f.errs.Inc()
	}
	now := time.Now().UnixNano()
	at := f.logAt.Load()
	if now < at || !f.logAt.CompareAndSwap(at, now+int64(logEvery)) {
		f.suppressed.Add(1)
		return
	}
	f.logger.LogAttrs(ctx, slog.LevelError, "rate limit backend failed; allowing requests",
		slog.String("err", err.Error()),
		slog.Int64("suppressed", f.suppressed.Swap(0)),
	)
}
