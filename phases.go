package amigo

import (
	"context"
	"time"
)

// Phase is one step of an interaction whose server-side duration is
// measured (the amigo_interaction_phase_seconds metric), in the order an
// interaction goes through them.
type Phase int

const (
	// PhaseRequest: resolving the organization, authenticating the
	// caller and the rate limit.
	PhaseRequest Phase = iota
	// PhaseInput: reading the query and the body.
	PhaseInput
	// PhaseCheck: the reads that decide whether the interaction may run
	// (conversation or service and version set, permissions, the user).
	PhaseCheck
	// PhaseLease: the transaction that takes the conversation's lease
	// and inserts the interaction (and, for create, the conversation).
	PhaseLease
	// PhaseLoad: the reads the walk needs under the lease (pinned
	// versions, history, the user's model).
	PhaseLoad
	// PhaseStreamStart: the status line and the stream's first event.
	PhaseStreamStart
	// PhaseModel: from the walk's start to the reply's first piece: the
	// model's time to first token, and the walker's steps before it.
	PhaseModel
	// PhaseFirstEvent: writing and flushing the first new-message.
	PhaseFirstEvent
	// PhaseReply: the rest of the reply, relayed piece by piece.
	PhaseReply
	// PhaseCommit: the transaction that commits the interaction.
	PhaseCommit
	// PhaseComplete: writing and flushing interaction-complete.
	PhaseComplete
	numPhases
)

var phaseNames = [numPhases]string{"request", "input", "check", "lease", "load", "stream_start", "model", "first_event", "reply", "commit", "complete"}

// String is the phase's label in the metric.
func (p Phase) String() string { return phaseNames[p] }

// Phases times the phases of one interaction. The API layer puts one in
// the request's context when the request arrives; the runtime marks the
// end of each phase as it passes it. It is used by the request's goroutine
// only.
type Phases struct {
	last time.Time
	// Took is how long each phase took; a phase never marked took 0.
	Took [numPhases]time.Duration
	// Marked says which phases were marked.
	Marked [numPhases]bool
}

// NewPhases returns phases timed from start.
func NewPhases(start time.Time) *Phases { return &Phases{last: start} }

// Each calls f with every phase marked, in order.
func (p *Phases) Each(f func(Phase, time.Duration)) {
	for i := range numPhases {
		if p.Marked[i] {
			f(i, p.Took[i])
		}
	}
}

type phasesKey struct{}

// NewContextWithPhases returns ctx carrying p.
func NewContextWithPhases(ctx context.Context, p *Phases) context.Context {
	return context.WithValue(ctx, phasesKey{}, p)
}

// PhasesFromContext returns the phases ctx carries.
func PhasesFromContext(ctx context.Context) (*Phases, bool) {
	p, ok := ctx.Value(phasesKey{}).(*Phases)
	return p, ok
}

// MarkPhase records that ph ended now, if ctx carries phases: it took the
// time since the previous mark (or since the request arrived).
func MarkPhase(ctx context.Context, ph Phase) {
	p, ok := PhasesFromContext(ctx)
	if !ok {
		return
	}
	now := time.Now()
	p.Took[ph] += now.Sub(p.last)
	p.Marked[ph] = true
	p.last = now
}
