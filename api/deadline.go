package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// DefaultDBTimeout is how long the database work of a request may take
// before the client gets 503; see Options.DBTimeout.
const DefaultDBTimeout = 5 * time.Second

// Body read limits. A body must keep arriving at bodyMinRate after a grace
// period, so a client trickling a few bytes a second is cut off after about
// bodyGrace, while a 16 MB upload at 1 MB/s is never near its deadline.
const (
	bodyGrace   = 5 * time.Second
	bodyMinRate = 16 << 10 // bytes per second
	// bodyAhead is the read-ahead a deadline allows beyond the bytes
	// received so far; it is counted in bytes, not from len(p), so a large
	// read buffer buys a slow client nothing.
	bodyAhead = 4 << 10
)

// errDBDeadline is the cause of a request context cancelled because its
// database work outlasted the deadline.
var errDBDeadline = fmt.Errorf("database deadline passed: %w", context.DeadlineExceeded)

// withDeadlines gives r's database work a deadline and its body a minimum
// rate. The deadline's clock stops while the body is being read, which the
// body's own limit bounds, and restarts afresh when the body is in, so a
// slow upload does not eat the time of the database calls that follow it.
// The returned function releases the timer.
func (s *Server) withDeadlines(w http.ResponseWriter, r *http.Request) (*http.Request, func()) {
	ctx, cancel := context.WithCancelCause(r.Context())
	var timer *time.Timer
	if s.dbTimeout > 0 {
		timer = time.AfterFunc(s.dbTimeout, func() { cancel(errDBDeadline) })
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &guardedBody{body: r.Body, rc: http.NewResponseController(w), start: time.Now(), timer: timer, timeout: s.dbTimeout}
	}
	if timer != nil {
		ctx = amigo.NewContextWithDeadlineClock(ctx, &dbClock{timer: timer, timeout: s.dbTimeout})
	}
	return r.WithContext(ctx), func() {
		if timer != nil {
			timer.Stop()
		}
		cancel(nil)
	}
}

// guardedBody enforces the minimum body rate with the connection's read
// deadline and pauses the database deadline while the body is read.
type guardedBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	n       int64
	timer   *time.Timer // nil when database calls have no deadline
	timeout time.Duration

	started bool // the first read paused the timer
	paused  bool // the timer was stopped before it fired
	done    bool // the body ended (EOF or error) and the timer restarted
}

// Read is called by the handler's goroutine only.
func (b *guardedBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		b.paused = b.timer != nil && b.timer.Stop()
	}
	allowed := bodyGrace + time.Duration(b.n+bodyAhead)*time.Second/bodyMinRate
	// Not every ResponseWriter supports deadlines (tests' recorders do not);
	// the server's ReadTimeout still bounds the body there.
	_ = b.rc.SetReadDeadline(b.start.Add(allowed))
	n, err := b.body.Read(p)
	b.n += int64(n)
	if err != nil && !b.done {
		b.done = true
		if b.paused {
			b.timer.Reset(b.timeout)
		}
	}
	return n, err
}

func (b *guardedBody) Close() error { return b.body.Close() }

// dbClock lets the work of a model pause a request's database deadline
// (amigo.PauseDeadline): a conversation's model may take far longer than
// its database calls are allowed, and the database calls after it get the
// whole deadline again.
type dbClock struct {
	mu      sync.Mutex
	timer   *time.Timer
	timeout time.Duration
}

// Pause stops the timer unless it has fired or is already paused (then
// the outer pause's resume restarts it).
func (c *dbClock) Pause() func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.timer.Stop() {
		return func() {}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.timer.Reset(c.timeout)
			c.mu.Unlock()
		})
	}
}
