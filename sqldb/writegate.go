package sqldb

import "context"

// WriteGate admits one write transaction at a time, in the order they
// arrive. SQLite takes one writer at a time, and left to it, writers wait
// on its lock by polling with growing sleeps (1, 2, 5, … 25 ms): under a
// burst some waited many times their share, each holding a connection
// that readers needed. Writers in other processes still wait on the lock.
type WriteGate struct {
	token chan struct{} // a waiting sender is served in order
}

// NewWriteGate returns an open gate.
func NewWriteGate() *WriteGate { return &WriteGate{token: make(chan struct{}, 1)} }

// Enter waits for the gate, or for ctx to be done.
func (g *WriteGate) Enter(ctx context.Context) error {
	select {
	case g.token <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Leave lets the next writer in.
func (g *WriteGate) Leave() { <-g.token }
