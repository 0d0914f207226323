package amigo

import "context"

// DeadlineClock is the clock of a request's database deadline, which the
// API layer puts in the request's context. The deadline bounds database
// work only: a model's time is not the database's.
type DeadlineClock interface {
	// Pause stops the clock until resume is called; resume starts it
	// again with the whole deadline ahead. A clock that has already run
	// out stays run out.
	Pause() (resume func())
}

type deadlineClockKey struct{}

// NewContextWithDeadlineClock returns ctx carrying c.
func NewContextWithDeadlineClock(ctx context.Context, c DeadlineClock) context.Context {
	return context.WithValue(ctx, deadlineClockKey{}, c)
}

// PauseDeadline stops the database deadline of ctx, if it has one, while
// a model works: call the returned function when the model is done.
func PauseDeadline(ctx context.Context) (resume func()) {
	if c, ok := ctx.Value(deadlineClockKey{}).(DeadlineClock); ok {
		return c.Pause()
	}
	return func() {}
}
