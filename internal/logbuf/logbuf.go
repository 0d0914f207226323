// Package logbuf batches a server's log lines into fewer writes. A serving
// process logs a line per request, and writing each one on its own cost a
// twentieth of a listing's time: a system call per line. The lines are
// kept for at most an interval, or until a batch fills, and a warning or
// an error is written at once with everything before it.
package logbuf

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// maxBatch is the size at which a batch is written without waiting.
const maxBatch = 64 << 10

// Writer is an io.Writer that batches what it is given for w. Each Write
// must be whole lines, as slog's handlers write them.
type Writer struct {
	w     io.Writer
	every time.Duration

	mu      sync.Mutex
	buf     []byte
	pending bool // a flush is scheduled
	closed  bool
}

// New returns a Writer that hands what it is given to w within every.
func New(w io.Writer, every time.Duration) *Writer {
	return &Writer{w: w, every: every}
}

// Write keeps p for the next batch. It never fails: an error of the
// underlying writer has nowhere to be reported but the log itself.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.w.Write(p)
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	switch {
	case len(b.buf) >= maxBatch:
		b.flushLocked()
	case !b.pending:
		b.pending = true
		time.AfterFunc(b.every, b.Flush)
	}
	return len(p), nil
}

// Flush writes what is kept.
func (b *Writer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = false
	b.flushLocked()
}

func (b *Writer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	b.w.Write(b.buf)
	if cap(b.buf) > 4*maxBatch {
		b.buf = nil // a burst's buffer is not kept
	}
	b.buf = b.buf[:0]
}

// Close writes what is kept; later writes go straight to the underlying
// writer.
func (b *Writer) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
}

// Handler returns h, writing into b, flushing b after each record at
// level Warn or above so that nothing an operator must see waits.
func Handler(h slog.Handler, b *Writer) slog.Handler { return &handler{h, b} }

type handler struct {
	slog.Handler
	b *Writer
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.b.Flush()
	}
	return err
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{h.Handler.WithAttrs(attrs), h.b}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h.Handler.WithGroup(name), h.b}
}
