package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// State types, the values of a state's "type".
const (
	StateAction     = "action"
	StateDecision   = "decision"
	StateRecall     = "recall"
	StateAnnotation = "annotation"
	StateReflection = "reflection"
	StateToolCall   = "tool-call"
)

// State is one state of a state machine, a union discriminated by its JSON
// "type": exactly one field is set.
type State struct {
	Action     *ActionState
	Decision   *DecisionState
	Recall     *RecallState
	Annotation *AnnotationState
	Reflection *ReflectionState
	ToolCall   *ToolCallState
}

// ActionState pursues an objective until an exit condition is met.
type ActionState struct {
	Name                           string          `json:"name"`
	Objective                      string          `json:"objective"`
	Actions                        []string        `json:"actions"`
	IntraStateNavigationGuidelines []string        `json:"intra_state_navigation_guidelines"`
	ActionGuidelines               []string        `json:"action_guidelines"`
	BoundaryConstraints            []string        `json:"boundary_constraints"`
	ExitConditions                 []ExitCondition `json:"exit_conditions"`
	ActionToolCallSpecs            []ToolCallSpec  `json:"action_tool_call_specs"`
	ExitConditionToolCallSpecs     []ToolCallSpec  `json:"exit_condition_tool_call_specs"`
	SkipActiveMemoryRetrieval      bool            `json:"skip_active_memory_retrieval"`
}

// DecisionState picks the exit condition the session satisfies.
type DecisionState struct {
	Name                      string          `json:"name"`
	ExitConditions            []ExitCondition `json:"exit_conditions"`
	DecisionGuidelines        []string        `json:"decision_guidelines"`
	Objective                 string          `json:"objective"`
	ToolCallSpecs             []ToolCallSpec  `json:"tool_call_specs"`
	AudioFillers              []string        `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64         `json:"audio_filler_triggered_after"`
}

// RecallState extracts memories, then moves on; one of Queries and
// RequestedInformation is set.
type RecallState struct {
	Name                 string    `json:"name"`
	Queries              *[]string `json:"queries"`
	RequestedInformation *string   `json:"requested_information"`
	NextState            NextState `json:"next_state"`
}

// AnnotationState adds a fixed inner thought, then moves on.
type AnnotationState struct {
	Name         string    `json:"name"`
	InnerThought string    `json:"inner_thought"`
	NextState    NextState `json:"next_state"`
}

// ReflectionState reflects on a problem, then moves on.
type ReflectionState struct {
	Name                      string         `json:"name"`
	Problem                   string         `json:"problem"`
	WordLimit                 int            `json:"word_limit"`
	NextState                 NextState      `json:"next_state"`
	ToolCallSpecs             []ToolCallSpec `json:"tool_call_specs"`
	AudioFillers              []string       `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64        `json:"audio_filler_triggered_after"`
}

// ToolCallState calls its designated tool, then moves on.
type ToolCallState struct {
	Name                                                        string         `json:"name"`
	NextState                                                   NextState      `json:"next_state"`
	DesignatedTool                                              ToolCallSpec   `json:"designated_tool"`
	DesignatedToolCallParamsGenerationAudioFillers              []string       `json:"designated_tool_call_params_generation_audio_fillers"`
	DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter float64        `json:"designated_tool_call_params_generation_audio_filler_triggered_after"`
	DesignatedToolCallObjective                                 string         `json:"designated_tool_call_objective"`
	DesignatedToolCallContext                                   string         `json:"designated_tool_call_context"`
	DesignatedToolCallGuidances                                 []string       `json:"designated_tool_call_guidances"`
	DesignatedToolCallValidations                               []string       `json:"designated_tool_call_validations"`
	ToolCallSpecs                                               []ToolCallSpec `json:"tool_call_specs"`
}

// ExitCondition leads an action or decision state to NextState.
type ExitCondition struct {
	Description string    `json:"description"`
	NextState   NextState `json:"next_state"`
}

// ToolCallSpec describes a tool a state may call.
type ToolCallSpec struct {
	ToolID                    string   `json:"tool_id"`
	VersionConstraint         string   `json:"version_constraint"`
	AdditionalInstruction     string   `json:"additional_instruction"`
	AudioFillers              []string `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64  `json:"audio_filler_triggered_after"`
	ResultPersistence         string   `json:"result_persistence"`
}

// variant returns the set variant's type and body.
func (s State) variant() (string, any) {
	switch {
	case s.Action != nil:
		return StateAction, s.Action
	case s.Decision != nil:
		return StateDecision, s.Decision
	case s.Recall != nil:
		return StateRecall, s.Recall
	case s.Annotation != nil:
		return StateAnnotation, s.Annotation
	case s.Reflection != nil:
		return StateReflection, s.Reflection
	case s.ToolCall != nil:
		return StateToolCall, s.ToolCall
	}
	return "", nil
}

// Type returns the state's type, "" if no variant is set.
func (s State) Type() string {
	t, _ := s.variant()
	return t
}

// Name returns the state's name.
func (s State) Name() string {
	switch {
	case s.Action != nil:
		return s.Action.Name
	case s.Decision != nil:
		return s.Decision.Name
	case s.Recall != nil:
		return s.Recall.Name
	case s.Annotation != nil:
		return s.Annotation.Name
	case s.Reflection != nil:
		return s.Reflection.Name
	case s.ToolCall != nil:
		return s.ToolCall.Name
	}
	return ""
}

// MarshalJSON writes the variant's object with "type" first.
func (s State) MarshalJSON() ([]byte, error) {
	typ, body := s.variant()
	if body == nil {
		return nil, errors.New("client: state has no variant set")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return append([]byte(`{"type":`+strconv.Quote(typ)+`,`), b[1:]...), nil
}

// UnmarshalJSON reads the variant named by "type".
func (s *State) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*s = State{}
	var body any
	switch head.Type {
	case StateAction:
		s.Action = new(ActionState)
		body = s.Action
	case StateDecision:
		s.Decision = new(DecisionState)
		body = s.Decision
	case StateRecall:
		s.Recall = new(RecallState)
		body = s.Recall
	case StateAnnotation:
		s.Annotation = new(AnnotationState)
		body = s.Annotation
	case StateReflection:
		s.Reflection = new(ReflectionState)
		body = s.Reflection
	case StateToolCall:
		s.ToolCall = new(ToolCallState)
		body = s.ToolCall
	default:
		return fmt.Errorf("client: unknown state type %q", head.Type)
	}
	return json.Unmarshal(data, body)
}

// NextState is where a state leads: a state of the same machine (Name), or
// when External, Name is "reference.state" of a referenced machine and
// Jumpback the state returned to after it. JSON: "name" or
// ["reference.state", "jumpback"].
type NextState struct {
	Name     string
	Jumpback string
	External bool
}

// MarshalJSON writes a string or a 2-tuple.
func (n NextState) MarshalJSON() ([]byte, error) {
	if n.External {
		return json.Marshal([2]string{n.Name, n.Jumpback})
	}
	return json.Marshal(n.Name)
}

// UnmarshalJSON reads a string or a 2-tuple.
func (n *NextState) UnmarshalJSON(data []byte) error {
	*n = NextState{}
	if json.Unmarshal(data, &n.Name) == nil {
		return nil
	}
	var pair []string
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("client: next state tuple has %d elements", len(pair))
	}
	*n = NextState{Name: pair[0], Jumpback: pair[1], External: true}
	return nil
}

// Targets returns the next states a state leads to, in order.
func (s State) Targets() []NextState {
	var out []NextState
	switch {
	case s.Action != nil:
		for _, ec := range s.Action.ExitConditions {
			out = append(out, ec.NextState)
		}
	case s.Decision != nil:
		for _, ec := range s.Decision.ExitConditions {
			out = append(out, ec.NextState)
		}
	case s.Recall != nil:
		out = append(out, s.Recall.NextState)
	case s.Annotation != nil:
		out = append(out, s.Annotation.NextState)
	case s.Reflection != nil:
		out = append(out, s.Reflection.NextState)
	case s.ToolCall != nil:
		out = append(out, s.ToolCall.NextState)
	}
	return out
}

// Reference pins a version of another state machine. JSON: [id, version].
type Reference struct {
	StateMachineID string
	Version        int
}

// MarshalJSON writes the 2-tuple.
func (r Reference) MarshalJSON() ([]byte, error) {
	return []byte(`[` + strconv.Quote(r.StateMachineID) + `,` + strconv.Itoa(r.Version) + `]`), nil
}

// UnmarshalJSON reads the 2-tuple.
func (r *Reference) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("client: reference tuple has %d elements", len(pair))
	}
	if err := json.Unmarshal(pair[0], &r.StateMachineID); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &r.Version)
}
