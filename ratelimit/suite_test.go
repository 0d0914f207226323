package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// harness is what the shared suite needs from one backend.
type harness struct {
	limiter Limiter
	// prefix is unique to the test; every key the suite uses starts with it.
	prefix string
	// now is the time as the backend sees it.
	now func() time.Time
	// wait lets d pass for the backend: advancing a fake clock, or sleeping.
	wait func(d time.Duration)
}

// uniquePrefix returns a key prefix that no other test, nor an earlier run of
// this one against the same Redis, uses.
func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("test:%s:%016x:", t.Name(), rand.Uint64())
}

// testLimiter is the behaviour every Limiter must have. newHarness is called
// once per subtest, which may run in parallel with the others.
func testLimiter(t *testing.T, newHarness func(t *testing.T) harness) {
	t.Run("LimitReached", func(t *testing.T) {
		t.Parallel()
		testLimitReached(t, newHarness(t))
	})
	t.Run("KeysIndependent", func(t *testing.T) {
		t.Parallel()
		testKeysIndependent(t, newHarness(t))
	})
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		testConcurrent(t, newHarness(t))
	})
	t.Run("Rollover", func(t *testing.T) {
		t.Parallel()
		testRollover(t, newHarness(t))
	})
	t.Run("Peek", func(t *testing.T) {
		t.Parallel()
		testPeek(t, newHarness(t))
	})
	t.Run("InvalidLimit", func(t *testing.T) {
		t.Parallel()
		testInvalidLimit(t, newHarness(t))
	})
}

// allow calls h.limiter.Allow and fails the test on error.
func allow(t *testing.T, h harness, key string, l Limit) Result {
	t.Helper()
	r, err := h.limiter.Allow(context.Background(), h.prefix+key, l)
	if err != nil {
		t.Fatalf("Allow(%q, %v): %v", key, l, err)
	}
	return r
}

// checkReset fails the test unless r.Reset is a whole second within a second
// of after from now: the backends' clocks may run a little ahead of h.now.
func checkReset(t *testing.T, h harness, r Result, after time.Duration) {
	t.Helper()
	if !r.Reset.Equal(r.Reset.Truncate(time.Second)) {
		t.Errorf("Reset = %v, want a whole second", r.Reset)
	}
	want := h.now().Add(after)
	if d := r.Reset.Sub(want); d < -time.Second || d > time.Second {
		t.Errorf("Reset = %v, want %v (±1s)", r.Reset, want)
	}
}

// testLimitReached spends a limit of 5 per minute: five requests are allowed
// with Remaining counting down, the sixth is denied with Retry-After 12s (one
// request's share of the minute), and a denied request costs nothing.
func testLimitReached(t *testing.T, h harness) {
	l := Limit{Requests: 5, Window: time.Minute}
	for i := range 5 {
		r := allow(t, h, "k", l)
		if !r.Allowed || r.Limit != 5 || r.Remaining != 4-i || r.RetryAfter != 0 {
			t.Fatalf("request %d: got %+v, want allowed with Limit 5, Remaining %d", i+1, r, 4-i)
		}
		checkReset(t, h, r, time.Duration(i+1)*12*time.Second)
	}
	for i := range 3 {
		r := allow(t, h, "k", l)
		if r.Allowed || r.Limit != 5 || r.Remaining != 0 || r.RetryAfter != 12*time.Second {
			t.Fatalf("denied request %d: got %+v, want denied with Remaining 0, RetryAfter 12s", i+1, r)
		}
		checkReset(t, h, r, time.Minute)
	}
}

// testKeysIndependent checks that spending one key leaves another untouched.
func testKeysIndependent(t *testing.T, h harness) {
	l := Limit{Requests: 2, Window: time.Minute}
	allow(t, h, "a", l)
	allow(t, h, "a", l)
	if r := allow(t, h, "a", l); r.Allowed {
		t.Fatalf("third request of a: got %+v, want denied", r)
	}
	if r := allow(t, h, "b", l); !r.Allowed || r.Remaining != 1 {
		t.Fatalf("first request of b: got %+v, want allowed with Remaining 1", r)
	}
	if r := allow(t, h, "a", l); r.Allowed {
		t.Fatalf("a after b: got %+v, want still denied", r)
	}
}

// testConcurrent races 512 requests for a limit of 100 per hour: exactly 100
// must be admitted, each seeing a different Remaining.
func testConcurrent(t *testing.T, h harness) {
	const workers, each = 64, 8
	l := Limit{Requests: 100, Window: time.Hour}
	var (
		mu        sync.Mutex
		remaining = make(map[int]int)
		wg        sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for range each {
				r, err := h.limiter.Allow(context.Background(), h.prefix+"hot", l)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mu.Lock()
					remaining[r.Remaining]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	admitted := 0
	for _, n := range remaining {
		admitted += n
	}
	if admitted != l.Requests {
		t.Fatalf("admitted %d of %d requests, want %d", admitted, workers*each, l.Requests)
	}
	for i := range l.Requests {
		if remaining[i] != 1 {
			t.Errorf("Remaining %d seen %d times, want once", i, remaining[i])
		}
	}
}

// testRollover spends a limit of 2 per second, lets the second pass, and
// expects the full limit back. It is the suite's one test that waits.
func testRollover(t *testing.T, h harness) {
	l := Limit{Requests: 2, Window: time.Second}
	allow(t, h, "k", l)
	allow(t, h, "k", l)
	r := allow(t, h, "k", l)
	if r.Allowed || r.RetryAfter != time.Second {
		t.Fatalf("third request: got %+v, want denied with RetryAfter 1s", r)
	}
	h.wait(l.Window + 50*time.Millisecond)
	for i := range 2 {
		if r := allow(t, h, "k", l); !r.Allowed || r.Remaining != 1-i {
			t.Fatalf("request %d after the window: got %+v, want allowed with Remaining %d", i+1, r, 1-i)
		}
	}
	if r := allow(t, h, "k", l); r.Allowed {
		t.Fatalf("third request after the window: got %+v, want denied", r)
	}
}

// testInvalidLimit checks that a limit that cannot be enforced is an error.
func testInvalidLimit(t *testing.T, h harness) {
	for _, l := range []Limit{{0, time.Minute}, {-1, time.Minute}, {1, 0}, {1, -time.Second}} {
		_, err := h.limiter.Allow(context.Background(), h.prefix+"k", l)
		if !errors.Is(err, ErrInvalidLimit) {
			t.Errorf("Allow with %+v: err = %v, want ErrInvalidLimit", l, err)
		}
	}
}

// testPeek checks that Peek decides like Allow but counts nothing.
func testPeek(t *testing.T, h harness) {
	l := Limit{Requests: 2, Window: time.Minute}
	peek := func() Result {
		t.Helper()
		r, err := h.limiter.Peek(context.Background(), h.prefix+"k", l)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for range 3 {
		if r := peek(); !r.Allowed {
			t.Fatalf("peek of a fresh key: got %+v, want allowed", r)
		}
	}
	allow(t, h, "k", l)
	if r := peek(); !r.Allowed {
		t.Fatalf("peek after one request: got %+v, want allowed", r)
	}
	allow(t, h, "k", l)
	if r := peek(); r.Allowed || r.RetryAfter == 0 {
		t.Fatalf("peek of a spent key: got %+v, want denied with RetryAfter", r)
	}
}
