package engine

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amigo-oss/amigo-server"
)

// State is where a conversation stands between interactions. The store
// keeps it as opaque bytes (MarshalState) and hands it back on the next
// interaction (UnmarshalState).
type State struct {
	// Stack is the chain of machines entered: Stack[0] is the service's
	// machine, each later frame a referenced machine entered through an
	// external next state. Current is a state of the last frame's machine.
	Stack   []Frame
	Current string
	// Completed is set once the terminal state was reached.
	Completed bool
	// Performed lists the recall queries the conversation has run, oldest
	// first, at most MaxPerformedQueries.
	Performed []string
}

// Frame is one machine of the stack.
type Frame struct {
	Machine amigo.Reference
	// Jumpback is the state of the frame below to return to when this
	// machine reaches its terminal state; empty for Stack[0].
	Jumpback string
}

// MaxPerformedQueries bounds State.Performed.
const MaxPerformedQueries = 256

// stateVersion is the storage format's version; a change of format bumps it.
const stateVersion = 1

type storedFrame struct {
	MachineID string `json:"machine_id"`
	Version   int    `json:"version"`
	Jumpback  string `json:"jumpback,omitempty"`
}

type storedState struct {
	V         int           `json:"v"`
	Stack     []storedFrame `json:"stack"`
	Current   string        `json:"current"`
	Completed bool          `json:"completed,omitempty"`
	Performed []string      `json:"performed,omitempty"`
}

// ErrBadState is wrapped by UnmarshalState's errors.
var ErrBadState = errors.New("engine: unreadable conversation state")

// MarshalState returns s as the bytes the store keeps.
func MarshalState(s *State) ([]byte, error) {
	st := storedState{V: stateVersion, Current: s.Current, Completed: s.Completed, Performed: s.Performed}
	for _, f := range s.Stack {
		st.Stack = append(st.Stack, storedFrame{f.Machine.MachineID, f.Machine.Version, f.Jumpback})
	}
	return json.Marshal(st)
}

// UnmarshalState reads bytes written by MarshalState.
func UnmarshalState(b []byte) (*State, error) {
	var st storedState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadState, err)
	}
	if st.V != stateVersion || len(st.Stack) == 0 || st.Current == "" {
		return nil, fmt.Errorf("%w: version %d, %d frames", ErrBadState, st.V, len(st.Stack))
	}
	s := &State{Current: st.Current, Completed: st.Completed, Performed: st.Performed}
	for _, f := range st.Stack {
		s.Stack = append(s.Stack, Frame{amigo.Reference{MachineID: f.MachineID, Version: f.Version}, f.Jumpback})
	}
	return s, nil
}

// MarshalInsights returns ins as the bytes the store keeps for
// get-interaction-insights.
func MarshalInsights(ins *Insights) ([]byte, error) { return json.Marshal(ins) }

// UnmarshalInsights reads bytes written by MarshalInsights.
func UnmarshalInsights(b []byte) (*Insights, error) {
	var ins Insights
	if err := json.Unmarshal(b, &ins); err != nil {
		return nil, fmt.Errorf("engine: unreadable insights: %w", err)
	}
	return &ins, nil
}

// clone returns a deep copy, so a run never changes the caller's state.
func (s *State) clone() *State {
	c := *s
	c.Stack = append([]Frame(nil), s.Stack...)
	c.Performed = append([]string(nil), s.Performed...)
	return &c
}
