package sqldb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A writer waits at the gate while another is in, is let in in the order
// it came, and gives up when its context ends.
func TestWriteGate(t *testing.T) {
	g := NewWriteGate()
	ctx := context.Background()
	if err := g.Enter(ctx); err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := g.Enter(expired); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a writer whose context ended while another was in: %v, want the context's error", err)
	}
	order := make(chan int, 3)
	for i := range 3 {
		go func() {
			g.Enter(ctx)
			order <- i
			g.Leave()
		}()
		time.Sleep(20 * time.Millisecond) // writer i waits before writer i+1 comes
	}
	select {
	case i := <-order:
		t.Fatalf("writer %d got in while the gate was held", i)
	default:
	}
	g.Leave()
	for want := range 3 {
		if got := <-order; got != want {
			t.Fatalf("writer %d got in %dth: writers are let in in the order they came", got, want+1)
		}
	}
}
