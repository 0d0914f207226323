package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine/event"
)

// Defaults of a Walker's bounds.
const (
	// DefaultMaxSteps bounds the states one interaction may visit (a
	// return from a referenced machine counts as one). A machine whose
	// non-action states cycle stops with ErrTooManySteps.
	DefaultMaxSteps = 64
	// DefaultMaxHistory bounds the messages of history a model is shown.
	DefaultMaxHistory = 50
)

// Errors of Run. Each is wrapped with the state it concerns.
var (
	// ErrCompleted: the conversation already reached its terminal state.
	ErrCompleted = errors.New("engine: the conversation is complete")
	// ErrTooManySteps: the walk visited MaxSteps states without reaching
	// an action state where the agent speaks.
	ErrTooManySteps = errors.New("engine: too many steps in one interaction")
	// ErrBadMachine: the machine names a state or reference the walker
	// cannot find, or the conversation's state does not fit the machine.
	ErrBadMachine = errors.New("engine: the state machine cannot be walked")
	// ErrEmptyReply: the model wrote an empty reply.
	ErrEmptyReply = errors.New("engine: the model wrote an empty reply")
)

// Walker interprets state machine versions, asking Model at each decision
// point. It is safe for concurrent use; it keeps no state between runs.
type Walker struct {
	Model Model
	// MaxSteps and MaxHistory default to DefaultMaxSteps and
	// DefaultMaxHistory when zero.
	MaxSteps   int
	MaxHistory int
}

// New returns a Walker asking m, or the built-in model when m is nil.
func New(m Model) *Walker {
	if m == nil {
		m = Builtin{}
	}
	return &Walker{Model: m}
}

// run is one interaction in progress.
type run struct {
	w     *Walker
	t     *Turn
	emit  func(Event) error
	st    *State
	out   *Outcome
	inner []string
	hist  []Message
	moves int // transitions made so far in this interaction
}

// Run walks one interaction of t: from t.State (or the initial state) to
// the action state where the agent speaks, emitting each step and each
// reply fragment as it happens. The first error of emit ends the run and
// is returned unchanged; so is ctx's error. t.State is not modified.
func (w *Walker) Run(ctx context.Context, t Turn, emit func(Event) error) (*Outcome, error) {
	if t.Agent == nil || t.Machine == nil {
		return nil, fmt.Errorf("%w: a turn needs an agent and a state machine version", ErrBadMachine)
	}
	r := &run{w: w, t: &t, emit: emit, out: &Outcome{}, hist: t.History}
	if n := w.maxHistory(); len(r.hist) > n {
		r.hist = r.hist[len(r.hist)-n:]
	}
	if t.NewID == nil {
		r.t.NewID = func() string { return amigo.NewID(time.Now()) }
	}
	root := amigo.Reference{MachineID: t.Machine.MachineID, Version: t.Machine.Version}
	switch {
	case t.State == nil:
		init := t.Machine.Definition.NewUserInitialState
		if t.ReturningUser {
			init = t.Machine.Definition.ReturningUserInitialState
		}
		r.st = &State{Stack: []Frame{{Machine: root}}, Current: init}
	case t.State.Completed:
		return nil, ErrCompleted
	case len(t.State.Stack) == 0 || t.State.Stack[0].Machine != root:
		return nil, fmt.Errorf("%w: the conversation's state belongs to another machine version", ErrBadMachine)
	default:
		r.st = t.State.clone()
	}
	for step := 0; ; step++ {
		if step >= w.maxSteps() {
			return nil, fmt.Errorf("%w: %d states visited without reaching one where the agent speaks (last %q)", ErrTooManySteps, step, r.st.Current)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		done, err := r.step(ctx)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
	}
	r.out.State = r.st
	return r.out, nil
}

func (w *Walker) maxSteps() int {
	if w.MaxSteps > 0 {
		return w.MaxSteps
	}
	return DefaultMaxSteps
}

func (w *Walker) maxHistory() int {
	if w.MaxHistory > 0 {
		return w.MaxHistory
	}
	return DefaultMaxHistory
}

// top returns the machine the walk is in and its reference.
func (r *run) top() (*amigo.StateMachineDefinition, amigo.Reference, error) {
	ref := r.st.Stack[len(r.st.Stack)-1].Machine
	v, err := r.machine(ref)
	if err != nil {
		return nil, ref, err
	}
	return &v.Definition, ref, nil
}

// machine returns the version ref names: the turn's machine or one of its
// references.
func (r *run) machine(ref amigo.Reference) (*amigo.StateMachineVersion, error) {
	if ref.MachineID == r.t.Machine.MachineID && ref.Version == r.t.Machine.Version {
		return r.t.Machine, nil
	}
	if v := r.t.References[ref]; v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("%w: version %d of state machine %s was not supplied", ErrBadMachine, ref.Version, ref.MachineID)
}

// findState returns the state of d named name.
func findState(d *amigo.StateMachineDefinition, name string) *amigo.State {
	for i := range d.States {
		if d.States[i].Name() == name {
			return &d.States[i]
		}
	}
	return nil
}

// call returns the shared part of a model request about state s.
func (r *run) call(kind string, d *amigo.StateMachineDefinition, s *amigo.State) Call {
	return Call{Kind: kind, LLM: preference(r.t.LLMPreferences, kind), Agent: &r.t.Agent.Definition,
		Machine: d, State: s, History: r.hist, Input: r.t.Input}
}

// preference returns a copy of prefs[kind], or nil.
func preference(prefs map[string]amigo.LLMConfig, kind string) *amigo.LLMConfig {
	if c, ok := prefs[kind]; ok {
		return &c
	}
	return nil
}

// step handles the current state: it either moves on (false) or has the
// agent speak, which ends the interaction (true).
func (r *run) step(ctx context.Context) (bool, error) {
	d, ref, err := r.top()
	if err != nil {
		return false, err
	}
	here := Position{Machine: ref, State: r.st.Current}
	if len(r.st.Stack) > 1 && r.st.Current == d.TerminalState {
		return false, r.jumpback(here)
	}
	s := findState(d, r.st.Current)
	if s == nil {
		return false, fmt.Errorf("%w: %q is not a state of version %d of state machine %s", ErrBadMachine, r.st.Current, ref.Version, ref.MachineID)
	}
	switch {
	case s.Action != nil:
		return r.action(ctx, d, s, here)
	case s.Decision != nil:
		return false, r.decision(ctx, d, s, here)
	case s.Reflection != nil:
		return false, r.reflection(ctx, d, s, here)
	case s.Annotation != nil:
		return false, r.annotation(s, here)
	case s.Recall != nil:
		return false, r.recall(ctx, d, s, here)
	case s.ToolCall != nil:
		return false, r.toolCall(s, here)
	}
	return false, fmt.Errorf("%w: state %q has no type", ErrBadMachine, r.st.Current)
}

// jumpback leaves a referenced machine that reached its terminal state for
// the jumpback state of the machine below.
func (r *run) jumpback(here Position) error {
	f := r.st.Stack[len(r.st.Stack)-1]
	r.st.Stack = r.st.Stack[:len(r.st.Stack)-1]
	to := Position{Machine: r.st.Stack[len(r.st.Stack)-1].Machine, State: f.Jumpback}
	return r.move(TransitionLog{Type: event.LogJumpback, From: here, To: to}, nil)
}

// resolve returns where next leads from the machine d (at ref), and the
// frame to push when it enters a referenced machine.
func (r *run) resolve(d *amigo.StateMachineDefinition, ref amigo.Reference, next amigo.NextState) (Position, *Frame, error) {
	if !next.External {
		return Position{Machine: ref, State: next.Name}, nil, nil
	}
	name, state, ok := strings.Cut(next.Name, ".")
	target, found := d.References[name]
	if !ok || !found {
		return Position{}, nil, fmt.Errorf("%w: %q names no reference of version %d of state machine %s", ErrBadMachine, next.Name, ref.Version, ref.MachineID)
	}
	if _, err := r.machine(target); err != nil {
		return Position{}, nil, err
	}
	return Position{Machine: target, State: state}, &Frame{Machine: target, Jumpback: next.Jumpback}, nil
}

// move records log, enters push if set, and makes log.To the current
// state.
func (r *run) move(log TransitionLog, push *Frame) error {
	if push != nil {
		r.st.Stack = append(r.st.Stack, *push)
	}
	r.st.Current = log.To.State
	r.moves++
	r.out.Insights.Logs = append(r.out.Insights.Logs, log)
	return r.emit(Event{Action: &Action{Type: event.ActionStateTransitioned, From: log.From, To: log.To}})
}

// exit follows exit condition ec of the state at here.
func (r *run) exit(d *amigo.StateMachineDefinition, typ string, here Position, ec amigo.ExitCondition) error {
	to, push, err := r.resolve(d, here.Machine, ec.NextState)
	if err != nil {
		return err
	}
	if err := r.emit(Event{Action: &Action{Type: event.ActionExitConditionSelected, Text: ec.Description, To: to}}); err != nil {
		return err
	}
	return r.move(TransitionLog{Type: typ, From: here, To: to, ExitCondition: ec.Description}, push)
}

// next follows the single next state of a state that is not an action or
// decision state.
func (r *run) next(d *amigo.StateMachineDefinition, log TransitionLog, next amigo.NextState) error {
	to, push, err := r.resolve(d, log.From.Machine, next)
	if err != nil {
		return err
	}
	log.To = to
	return r.move(log, push)
}

// addInnerThought records an inner-thought message and returns its id.
func (r *run) addInnerThought(state, text string) string {
	id := r.t.NewID()
	r.out.InnerThoughts = append(r.out.InnerThoughts, InnerThought{ID: id, Text: text, State: state})
	r.inner = append(r.inner, text)
	return id
}
