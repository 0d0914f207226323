package ratelimit

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
)

// counterValue reads a Prometheus counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// deadRedis returns a Redis limiter whose server refuses connections.
func deadRedis(t *testing.T) *Redis {
	opt, err := RedisOptions("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	return NewRedis(client)
}

// TestFallback checks that with the primary down the secondary enforces the
// limit, that the outage is logged once, and that the primary is not asked
// again within retryPrimaryEvery.
func TestFallback(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	errs := NewErrorCounter()
	limiter := Fallback(deadRedis(t), NewMemory(nil), slog.New(slog.NewJSONHandler(&logs, nil)), errs)
	l := Limit{Requests: 5, Window: time.Minute}
	for i := range 5 {
		if r, err := limiter.Allow(ctx, "k", l); err != nil || !r.Allowed || r.Remaining != 4-i {
			t.Fatalf("request %d: got %+v, %v; want allowed by memory", i+1, r, err)
		}
	}
	if r, err := limiter.Allow(ctx, "k", l); err != nil || r.Allowed {
		t.Fatalf("sixth request: got %+v, %v; want denied by memory", r, err)
	}
	if got := counterValue(t, errs); got != 1 {
		t.Fatalf("backend errors counted = %v, want 1 (the primary is skipped for a second)", got)
	}
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), "counting in this process") {
		t.Fatalf("logged %q, want one line", logs.String())
	}
	// After the pause the primary is asked again, fails again, and the
	// outage is not logged a second time.
	limiter.(*fallback).skipUntil.Store(0)
	limiter.Allow(ctx, "k", l)
	if got := counterValue(t, errs); got != 2 || strings.Count(logs.String(), "\n") != 1 {
		t.Fatalf("errors %v, logs %q; want 2 errors and still one line", got, logs.String())
	}
}

// TestFallbackCanceled checks that a caller giving up is not blamed on the
// primary.
func TestFallbackCanceled(t *testing.T) {
	errs := NewErrorCounter()
	limiter := Fallback(deadRedis(t), NewMemory(nil), slog.New(slog.DiscardHandler), errs)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := limiter.Allow(ctx, "k", Limit{Requests: 5, Window: time.Minute}); err != nil || !r.Allowed {
		t.Fatalf("got %+v, %v; want allowed by memory", r, err)
	}
	if got := counterValue(t, errs); got != 0 {
		t.Fatalf("counted %v errors, want 0", got)
	}
}

// TestFallbackInvalidLimit checks that an invalid limit, a programming
// error, is returned rather than hidden.
func TestFallbackInvalidLimit(t *testing.T) {
	limiter := Fallback(NewMemory(nil), NewMemory(nil), nil, nil)
	if _, err := limiter.Allow(context.Background(), "k", Limit{}); err == nil {
		t.Fatal("invalid limit allowed")
	}
}
