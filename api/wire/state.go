package wire

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// The states of a service hierarchical state machine as the spec's
// schemas name their fields. State is a union on its "type" key, NextState
// a name or a (reference.state, jumpback) tuple, Reference a (machine id,
// version) tuple; each decodes leniently (decodeJSON) for requests and
// encodes for responses.

type StateMachineDefinition struct {
	Description                          string               `json:"description"`
	States                               []State              `json:"states"`
	NewUserInitialState                  string               `json:"new_user_initial_state"`
	ReturningUserInitialState            string               `json:"returning_user_initial_state"`
	TerminalState                        string               `json:"terminal_state"`
	References                           map[string]Reference `json:"references"`
	GlobalIntraStateNavigationGuidelines []string             `json:"global_intra_state_navigation_guidelines"`
	GlobalActionGuidelines               []string             `json:"global_action_guidelines"`
	GlobalBoundaryConstraints            []string             `json:"global_boundary_constraints"`
}

// State is stored as its variant's object with a "type" key.
type State struct {
	Type       string
	Action     *ActionState
	Decision   *DecisionState
	Recall     *RecallState
	Annotation *AnnotationState
	Reflection *ReflectionState
	ToolCall   *ToolCallState
}

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

type DecisionState struct {
	Name                      string          `json:"name"`
	ExitConditions            []ExitCondition `json:"exit_conditions"`
	DecisionGuidelines        []string        `json:"decision_guidelines"`
	Objective                 string          `json:"objective"`
	ToolCallSpecs             []ToolCallSpec  `json:"tool_call_specs"`
	AudioFillers              []string        `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64         `json:"audio_filler_triggered_after"`
}

type RecallState struct {
	Name                 string    `json:"name"`
	Queries              *[]string `json:"queries"`
	RequestedInformation *string   `json:"requested_information"`
	NextState            NextState `json:"next_state"`
}

type AnnotationState struct {
	Name         string    `json:"name"`
	InnerThought string    `json:"inner_thought"`
	NextState    NextState `json:"next_state"`
}

type ReflectionState struct {
	Name                      string         `json:"name"`
	Problem                   string         `json:"problem"`
	WordLimit                 int            `json:"word_limit"`
	NextState                 NextState      `json:"next_state"`
	ToolCallSpecs             []ToolCallSpec `json:"tool_call_specs"`
	AudioFillers              []string       `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64        `json:"audio_filler_triggered_after"`
}

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

type ExitCondition struct {
	Description string    `json:"description"`
	NextState   NextState `json:"next_state"`
}

type ToolCallSpec struct {
	ToolID                    string   `json:"tool_id"`
	VersionConstraint         string   `json:"version_constraint"`
	AdditionalInstruction     string   `json:"additional_instruction"`
	AudioFillers              []string `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64  `json:"audio_filler_triggered_after"`
	ResultPersistence         string   `json:"result_persistence"`
}

// NextState is on the wire "name" or ["reference.state", "jumpback"].
type NextState struct {
	Name     string
	Jumpback string
	External bool
}

// Reference is on the wire ["machine id", version].
type Reference struct {
	MachineID string
	Version   int
}

// variant returns the type and body of the set variant, or "" and nil.
func (s *State) variant() (string, any) {
	switch {
	case s.Action != nil:
		return amigo.StateAction, s.Action
	case s.Decision != nil:
		return amigo.StateDecision, s.Decision
	case s.Recall != nil:
		return amigo.StateRecall, s.Recall
	case s.Annotation != nil:
		return amigo.StateAnnotation, s.Annotation
	case s.Reflection != nil:
		return amigo.StateReflection, s.Reflection
	case s.ToolCall != nil:
		return amigo.StateToolCall, s.ToolCall
	}
	return "", nil
}

// Name returns the state's name, "" if no variant is set.
func (s State) Name() string {
	if _, body := s.variant(); body != nil {
		return reflect.ValueOf(body).Elem().FieldByName("Name").String()
	}
	return ""
}

// MarshalJSON writes the variant's object with the "type" key first.
func (s State) MarshalJSON() ([]byte, error) {
	typ, body := s.variant()
	if body == nil {
		return nil, fmt.Errorf("wire: state of type %q has no body", s.Type)
	}
	return shape.MarshalTagged(typ, body)
}

// UnmarshalJSON decodes a state strictly, for clients of the wire shapes.
func (s *State) UnmarshalJSON(data []byte) error {
	typ, err := shape.TypeOf(data)
	if err != nil {
		return err
	}
	*s = State{Type: typ}
	body := s.newBody(typ)
	if body == nil {
		return fmt.Errorf("wire: unknown state type %q", typ)
	}
	return json.Unmarshal(data, body)
}

// MarshalJSON writes a string or a 2-tuple.
func (n NextState) MarshalJSON() ([]byte, error) {
	return shape.MarshalNextState(n.Name, n.Jumpback, n.External)
}

// UnmarshalJSON decodes a next state strictly.
func (n *NextState) UnmarshalJSON(data []byte) (err error) {
	*n = NextState{}
	n.Name, n.Jumpback, n.External, err = shape.UnmarshalNextState(data)
	return err
}

// MarshalJSON writes the 2-tuple.
func (r Reference) MarshalJSON() ([]byte, error) {
	return shape.MarshalReference(r.MachineID, r.Version), nil
}

// UnmarshalJSON decodes a reference strictly.
func (r *Reference) UnmarshalJSON(data []byte) (err error) {
	*r = Reference{}
	r.MachineID, r.Version, err = shape.UnmarshalReference(data)
	return err
}

// newBody sets the variant field matching typ to a new zero body and returns
// it, or returns nil for an unknown type.
func (s *State) newBody(typ string) any {
	switch typ {
	case amigo.StateAction:
		s.Action = new(ActionState)
		return s.Action
	case amigo.StateDecision:
		s.Decision = new(DecisionState)
		return s.Decision
	case amigo.StateRecall:
		s.Recall = new(RecallState)
		return s.Recall
	case amigo.StateAnnotation:
		s.Annotation = new(AnnotationState)
		return s.Annotation
	case amigo.StateReflection:
		s.Reflection = new(ReflectionState)
		return s.Reflection
	case amigo.StateToolCall:
		s.ToolCall = new(ToolCallState)
		return s.ToolCall
	}
	return nil
}

// decodeJSON decodes a requested state leniently, reporting the
// discriminator's problems like pydantic does. Locations of the body's
// fields do not include the tag.
func (s *State) decodeJSON(x any, loc []any, c *collector) {
	*s = State{}
	obj, ok := x.(map[string]any)
	if !ok {
		c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type"})
		return
	}
	tag, ok := obj["type"]
	if !ok {
		c.add(amigo.FieldError{Loc: loc, Msg: "Unable to extract tag using discriminator 'type'", Type: "union_tag_not_found"})
		return
	}
	typ, _ := tag.(string)
	body := s.newBody(typ)
	if body == nil {
		quoted := make([]string, len(amigo.StateTypes))
		for i, t := range amigo.StateTypes {
			quoted[i] = "'" + t + "'"
		}
		c.add(amigo.FieldError{
			Loc:  loc,
			Msg:  fmt.Sprintf("Input tag '%v' found using 'type' does not match any of the expected tags: %s", tag, strings.Join(quoted, ", ")),
			Type: "union_tag_invalid",
		})
		return
	}
	s.Type = typ
	decodeStruct(x, reflect.ValueOf(body).Elem(), loc, c)
}

func (n *NextState) decodeJSON(x any, loc []any, c *collector) {
	*n = NextState{}
	switch x := x.(type) {
	case string:
		checkText(x, loc, c)
		n.Name = x
	case []any:
		if !tupleLen(x, 2, loc, c) {
			return
		}
		n.External = true
		decodeInto(x[0], &n.Name, At(loc, 0), c)
		decodeInto(x[1], &n.Jumpback, At(loc, 1), c)
	default:
		c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid string or a 2-tuple of strings", Type: "string_type"})
	}
}

func (r *Reference) decodeJSON(x any, loc []any, c *collector) {
	*r = Reference{}
	items, ok := x.([]any)
	if !ok {
		c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid tuple", Type: "tuple_type"})
		return
	}
	if tupleLen(items, 2, loc, c) {
		decodeInto(items[0], &r.MachineID, At(loc, 0), c)
		decodeInto(items[1], &r.Version, At(loc, 1), c)
	}
}

// tupleLen reports whether items has n elements, recording pydantic's
// error otherwise.
func tupleLen(items []any, n int, loc []any, c *collector) bool {
	if len(items) < n {
		c.add(amigo.FieldError{Loc: loc, Msg: fmt.Sprintf("Tuple should have at least %d items after validation, not %d", n, len(items)), Type: "too_short"})
	} else if len(items) > n {
		c.add(amigo.FieldError{Loc: loc, Msg: fmt.Sprintf("Tuple should have at most %d items after validation, not %d", n, len(items)), Type: "too_long"})
	}
	return len(items) == n
}
