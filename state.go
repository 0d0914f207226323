package amigo

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// State types, the values of a state's "type" discriminator.
const (
	StateAction     = "action"
	StateDecision   = "decision"
	StateRecall     = "recall"
	StateAnnotation = "annotation"
	StateReflection = "reflection"
	StateToolCall   = "tool-call"
)

// StateTypes lists the state types in the spec's order.
var StateTypes = []string{StateAction, StateDecision, StateRecall, StateAnnotation, StateReflection, StateToolCall}

// State is one state of a service hierarchical state machine, a union
// discriminated by Type: exactly the pointer matching Type is set. In JSON
// it is the variant's object with a "type" key.
type State struct {
	Type       string
	Action     *ActionState
	Decision   *DecisionState
	Recall     *RecallState
	Annotation *AnnotationState
	Reflection *ReflectionState
	ToolCall   *ToolCallState
}

// ActionState pursues an objective through actions until an exit condition
// is met.
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

// RecallState runs an active memory extraction, then moves on. Exactly one
// of Queries and RequestedInformation is set.
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

// ReflectionState reflects on a problem in an inner thought, then moves on.
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

// Result persistence modes of a tool call.
const (
	ResultEphemeral          = "ephemeral"
	ResultPersistedPreferred = "persisted-preferred"
	ResultPersisted          = "persisted"
)

// ToolCallSpec describes a tool the agent may call in a state.
type ToolCallSpec struct {
	ToolID string `json:"tool_id"`
	// VersionConstraint is a Python packaging version specifier set.
	VersionConstraint         string   `json:"version_constraint"`
	AdditionalInstruction     string   `json:"additional_instruction"`
	AudioFillers              []string `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64  `json:"audio_filler_triggered_after"`
	ResultPersistence         string   `json:"result_persistence"`
}

// Kind returns the type of the set variant, or "" if none is set (a state
// whose type could not be decoded).
func (s *State) Kind() string {
	typ, _ := s.variant()
	return typ
}

// Name returns the state's name, or "" if its body is unset.
func (s *State) Name() string {
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

// newBody sets the variant field matching typ to a new zero body and returns
// it, or returns nil for an unknown type.
func (s *State) newBody(typ string) any {
	switch typ {
	case StateAction:
		s.Action = new(ActionState)
		return s.Action
	case StateDecision:
		s.Decision = new(DecisionState)
		return s.Decision
	case StateRecall:
		s.Recall = new(RecallState)
		return s.Recall
	case StateAnnotation:
		s.Annotation = new(AnnotationState)
		return s.Annotation
	case StateReflection:
		s.Reflection = new(ReflectionState)
		return s.Reflection
	case StateToolCall:
		s.ToolCall = new(ToolCallState)
		return s.ToolCall
	}
	return nil
}

// variant returns the type and body of the set variant, or "" and nil.
func (s *State) variant() (string, any) {
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

// MarshalJSON writes the variant's object with the "type" key first.
func (s State) MarshalJSON() ([]byte, error) {
	typ, body := s.variant()
	if body == nil {
		return nil, fmt.Errorf("amigo: state of type %q has no body", s.Type)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	// Every variant has fields, so b is "{" + fields + "}".
	return append([]byte(`{"type":`+strconv.Quote(typ)+`,`), b[1:]...), nil
}

// UnmarshalJSON decodes a stored state strictly.
func (s *State) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*s = State{Type: head.Type}
	body := s.newBody(head.Type)
	if body == nil {
		return fmt.Errorf("amigo: unknown state type %q", head.Type)
	}
	return json.Unmarshal(data, body)
}

// decodeJSON decodes a requested state leniently, reporting the
// discriminator's problems like pydantic does. Locations of the body's
// fields do not include the tag.
func (s *State) decodeJSON(x any, loc []any, errs *[]FieldError) {
	*s = State{}
	obj, ok := x.(map[string]any)
	if !ok {
		*errs = append(*errs, FieldError{Loc: loc, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type"})
		return
	}
	tag, ok := obj["type"]
	if !ok {
		*errs = append(*errs, FieldError{Loc: loc, Msg: "Unable to extract tag using discriminator 'type'", Type: "union_tag_not_found"})
		return
	}
	typ, _ := tag.(string)
	body := s.newBody(typ)
	if body == nil {
		quoted := make([]string, len(StateTypes))
		for i, t := range StateTypes {
			quoted[i] = "'" + t + "'"
		}
		*errs = append(*errs, FieldError{
			Loc:  loc,
			Msg:  fmt.Sprintf("Input tag '%v' found using 'type' does not match any of the expected tags: %s", tag, strings.Join(quoted, ", ")),
			Type: "union_tag_invalid",
		})
		return
	}
	s.Type = typ
	decodeStruct(x, reflect.ValueOf(body).Elem(), loc, errs)
}

// NextState is where a state leads: a state of this machine (Name only),
// or, when External, the state Name = "reference.state" of a referenced
// machine followed by Jumpback, the state of this machine the session
// returns to once the referenced machine reaches its terminal state. JSON:
// "name" or ["reference.state", "jumpback"].
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

// UnmarshalJSON decodes a stored next state strictly.
func (n *NextState) UnmarshalJSON(data []byte) error {
	*n = NextState{}
	if json.Unmarshal(data, &n.Name) == nil {
		return nil
	}
	var pair []string
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	} else if len(pair) != 2 {
		return fmt.Errorf("amigo: next state tuple has %d elements", len(pair))
	}
	*n = NextState{Name: pair[0], Jumpback: pair[1], External: true}
	return nil
}

func (n *NextState) decodeJSON(x any, loc []any, errs *[]FieldError) {
	*n = NextState{}
	switch x := x.(type) {
	case string:
		n.Name = x
	case []any:
		if !tupleLen(x, 2, loc, errs) {
			return
		}
		n.External = true
		decodeInto(x[0], &n.Name, At(loc, 0), errs)
		decodeInto(x[1], &n.Jumpback, At(loc, 1), errs)
	default:
		*errs = append(*errs, FieldError{Loc: loc, Msg: "Input should be a valid string or a 2-tuple of strings", Type: "string_type"})
	}
}

// Reference pins a version of another state machine of the organization.
// JSON: ["machine id", version].
type Reference struct {
	MachineID string
	Version   int
}

// MarshalJSON writes the 2-tuple.
func (r Reference) MarshalJSON() ([]byte, error) {
	return []byte(`[` + strconv.Quote(r.MachineID) + `,` + strconv.Itoa(r.Version) + `]`), nil
}

// UnmarshalJSON decodes a stored reference strictly.
func (r *Reference) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil {
		return err
	} else if len(pair) != 2 {
		return fmt.Errorf("amigo: reference tuple has %d elements", len(pair))
	}
	if err := json.Unmarshal(pair[0], &r.MachineID); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &r.Version)
}

func (r *Reference) decodeJSON(x any, loc []any, errs *[]FieldError) {
	*r = Reference{}
	items, ok := x.([]any)
	if !ok {
		*errs = append(*errs, FieldError{Loc: loc, Msg: "Input should be a valid tuple", Type: "tuple_type"})
		return
	}
	if tupleLen(items, 2, loc, errs) {
		decodeInto(items[0], &r.MachineID, At(loc, 0), errs)
		decodeInto(items[1], &r.Version, At(loc, 1), errs)
	}
}

// tupleLen reports whether items has n elements, recording pydantic's
// error otherwise.
func tupleLen(items []any, n int, loc []any, errs *[]FieldError) bool {
	if len(items) < n {
		*errs = append(*errs, FieldError{Loc: loc, Msg: fmt.Sprintf("Tuple should have at least %d items after validation, not %d", n, len(items)), Type: "too_short"})
	} else if len(items) > n {
		*errs = append(*errs, FieldError{Loc: loc, Msg: fmt.Sprintf("Tuple should have at most %d items after validation, not %d", n, len(items)), Type: "too_long"})
	}
	return len(items) == n
}
