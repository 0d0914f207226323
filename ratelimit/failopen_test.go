package ratelimit

import (
	"bytes"
	"context"
	"encoding/json"
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

// logLines decodes the JSON log lines written to buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(buf.String()) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, v)
	}
	return lines
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

func TestFailOpen(t *testing.T) {
	ctx := context.Background()
	backend := deadRedis(t)
	l := Limit{Requests: 5, Window: time.Minute}
	if _, err := backend.Allow(ctx, "k", l); err == nil {
		t.Fatal("Allow against a closed port succeeded; the test needs it to fail")
	}

	var logs bytes.Buffer
	errs := NewErrorCounter()
	limiter := FailOpen(backend, slog.New(slog.NewJSONHandler(&logs, nil)), errs)
	for i := range 20 {
		r, err := limiter.Allow(ctx, "k", l)
		if err != nil {
			t.Fatalf("request %d: err = %v, want nil", i+1, err)
		}
		if !r.Allowed || r.Limit != 5 || r.Remaining != 4 || r.RetryAfter != 0 {
			t.Fatalf("request %d: got %+v, want allowed as a fresh key", i+1, r)
		}
	}
	if got := counterValue(t, errs); got != 20 {
		t.Fatalf("backend errors counted = %v, want 20", got)
	}
	lines := logLines(t, &logs)
	if len(lines) != 1 {
		t.Fatalf("logged %d lines for 20 errors, want 1:\n%s", len(lines), logs.String())
	}
	if lines[0]["level"] != "ERROR" || lines[0]["err"] == "" || lines[0]["suppressed"] != 0.0 {
		t.Fatalf("log line = %v, want an ERROR with err and suppressed 0", lines[0])
	}

	// Once logEvery has passed, the next error is logged with the count of
	// those that were not.
	limiter.(*failOpen).logAt.Store(0)
	if _, err := limiter.Allow(ctx, "k", l); err != nil {
		t.Fatal(err)
	}
	lines = logLines(t, &logs)
	if len(lines) != 2 || lines[1]["suppressed"] != 19.0 {
		t.Fatalf("log lines = %v, want a second line with suppressed 19", lines)
	}
}

// TestFailOpenCanceled checks that a request whose context is done is allowed
// but not blamed on the backend.
func TestFailOpenCanceled(t *testing.T) {
	var logs bytes.Buffer
	errs := NewErrorCounter()
	limiter := FailOpen(deadRedis(t), slog.New(slog.NewJSONHandler(&logs, nil)), errs)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := limiter.Allow(ctx, "k", Limit{Requests: 5, Window: time.Minute})
	if err != nil || !r.Allowed {
		t.Fatalf("got %+v, %v; want allowed", r, err)
	}
	if got := counterValue(t, errs); got != 0 || logs.Len() != 0 {
		t.Fatalf("counted %v errors and logged %q, want neither", got, logs.String())
	}
}

// TestFailOpenPassesThrough checks that a working backend's decisions,
// denials included, reach the caller untouched.
func TestFailOpenPassesThrough(t *testing.T) {
	clock := newFakeClock()
	errs := NewErrorCounter()
	limiter := FailOpen(NewMemory(clock.Now), nil, errs)
	l := Limit{Requests: 1, Window: time.Minute}
	ctx := context.Background()
	if r, _ := limiter.Allow(ctx, "k", l); !r.Allowed {
		t.Fatalf("first request: got %+v, want allowed", r)
	}
	if r, _ := limiter.Allow(ctx, "k", l); r.Allowed || r.RetryAfter != time.Minute {
		t.Fatalf("second request: got %+v, want denied with RetryAfter 1m", r)
	}
	if got := counterValue(t, errs); got != 0 {
		t.Fatalf("backend errors counted = %v, want 0", got)
	}
}

// TestFailOpenInvalidLimit checks that an invalid limit, a programming error,
// is allowed but counted and logged so it gets noticed.
func TestFailOpenInvalidLimit(t *testing.T) {
	var logs bytes.Buffer
	errs := NewErrorCounter()
	limiter := FailOpen(NewMemory(nil), slog.New(slog.NewJSONHandler(&logs, nil)), errs)
	r, err := limiter.Allow(context.Background(), "k", Limit{})
	if err != nil || !r.Allowed {
		t.Fatalf("got %+v, %v; want allowed", r, err)
	}
	if got := counterValue(t, errs); got != 1 {
		t.Fatalf("backend errors counted = %v, want 1", got)
	}
	if lines := logLines(t, &logs); len(lines) != 1 || !strings.Contains(lines[0]["err"].(string), ErrInvalidLimit.Error()) {
		t.Fatalf("log lines = %v, want one naming the invalid limit", lines)
	}
}
