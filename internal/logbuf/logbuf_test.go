package logbuf

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the flush timer writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestLinesArriveWithinTheInterval(t *testing.T) {
	var out syncBuffer
	b := New(&out, 20*time.Millisecond)
	log := slog.New(Handler(slog.NewTextHandler(b, nil), b))
	log.Info("request", "n", 1)
	log.Info("request", "n", 2)
	if got := out.String(); got != "" {
		t.Fatalf("info lines written at once: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(out.String(), "\n") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s only %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := out.String(); strings.Index(s, "n=1") > strings.Index(s, "n=2") {
		t.Fatalf("lines out of order: %q", s)
	}
}

func TestWarningsFlushEverythingBeforeThem(t *testing.T) {
	var out syncBuffer
	b := New(&out, time.Hour)
	log := slog.New(Handler(slog.NewTextHandler(b, nil), b)).With("replica", "a")
	log.Info("request")
	log.Warn("database unavailable")
	s := out.String()
	if !strings.Contains(s, "msg=request") || !strings.Contains(s, "database unavailable") || !strings.Contains(s, "replica=a") {
		t.Fatalf("after a warning: %q", s)
	}
}

func TestFullBatchAndClose(t *testing.T) {
	var out syncBuffer
	b := New(&out, time.Hour)
	line := strings.Repeat("x", 1023) + "\n"
	for range maxBatch / len(line) {
		b.Write([]byte(line))
	}
	if got := len(out.String()); got != maxBatch {
		t.Fatalf("a full batch wrote %d bytes, want %d", got, maxBatch)
	}
	b.Write([]byte("last\n"))
	b.Close()
	b.Write([]byte("after\n"))
	if s := out.String(); !strings.HasSuffix(s, "last\nafter\n") {
		t.Fatalf("close did not flush, or a later write was kept: %q", s[len(s)-20:])
	}
}
