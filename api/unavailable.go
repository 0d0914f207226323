package api

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/amigo-oss/amigo-server"
)

// dbRetryAfter is the Retry-After, in seconds, of a 503 for a database that
// is down or too slow: outages of that kind are usually short.
const dbRetryAfter = "5"

// asUnavailable turns an internal error caused by the database (it did not
// answer within the deadline, or the connection failed) into EUNAVAILABLE,
// and records the outage. Any other error is returned as it is.
func (s *Server) asUnavailable(ctx context.Context, err error) (error, bool) {
	if amigo.ErrorCode(err) != amigo.EINTERNAL {
		return err, false
	}
	timedOut := errors.Is(context.Cause(ctx), errDBDeadline)
	if !timedOut && (s.isUnavailable == nil || !s.isUnavailable(err)) {
		return err, false
	}
	s.outage.failed(ctx, s.logger, err, timedOut)
	return amigo.Errorf(amigo.EUNAVAILABLE, amigo.MsgMaintenance), true
}

// outage logs a database outage once when the first request fails and once
// when a request succeeds again, rather than once per failed request.
type outage struct {
	isDown   atomic.Bool // read without the lock by every successful request
	mu       sync.Mutex
	down     bool
	requests int // answered 503 since the outage began
}

func (o *outage) failed(ctx context.Context, logger *slog.Logger, err error, timedOut bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests++
	if o.down {
		return
	}
	o.down = true
	o.isDown.Store(true)
	logger.LogAttrs(ctx, slog.LevelError, "database unavailable; answering 503 until it recovers",
		slog.String("err", err.Error()), slog.Bool("deadline", timedOut), slog.String("request_id", RequestID(ctx)))
}

// recovered is called after every successful operation.
func (o *outage) recovered(ctx context.Context, logger *slog.Logger) {
	if !o.isDown.Load() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down {
		return
	}
	logger.LogAttrs(ctx, slog.LevelWarn, "database available again", slog.Int("requests_refused", o.requests))
	o.down, o.requests = false, 0
	o.isDown.Store(false)
}
