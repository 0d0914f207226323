package amigo

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
// discriminated by Type: exactly the pointer matching Type is set.
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
	Name                           string
	Objective                      string
	Actions                        []string
	IntraStateNavigationGuidelines []string
	ActionGuidelines               []string
	BoundaryConstraints            []string
	ExitConditions                 []ExitCondition
	ActionToolCallSpecs            []ToolCallSpec
	ExitConditionToolCallSpecs     []ToolCallSpec
	SkipActiveMemoryRetrieval      bool
}

// DecisionState picks the exit condition the session satisfies.
type DecisionState struct {
	Name                      string
	ExitConditions            []ExitCondition
	DecisionGuidelines        []string
	Objective                 string
	ToolCallSpecs             []ToolCallSpec
	AudioFillers              []string
	AudioFillerTriggeredAfter float64
}

// RecallState runs an active memory extraction, then moves on. Exactly one
// of Queries and RequestedInformation is set.
type RecallState struct {
	Name                 string
	Queries              *[]string
	RequestedInformation *string
	NextState            NextState
}

// AnnotationState adds a fixed inner thought, then moves on.
type AnnotationState struct {
	Name         string
	InnerThought string
	NextState    NextState
}

// ReflectionState reflects on a problem in an inner thought, then moves on.
type ReflectionState struct {
	Name                      string
	Problem                   string
	WordLimit                 int
	NextState                 NextState
	ToolCallSpecs             []ToolCallSpec
	AudioFillers              []string
	AudioFillerTriggeredAfter float64
}

// ToolCallState calls its designated tool, then moves on.
type ToolCallState struct {
	Name                                                        string
	NextState                                                   NextState
	DesignatedTool                                              ToolCallSpec
	DesignatedToolCallParamsGenerationAudioFillers              []string
	DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter float64
	DesignatedToolCallObjective                                 string
	DesignatedToolCallContext                                   string
	DesignatedToolCallGuidances                                 []string
	DesignatedToolCallValidations                               []string
	ToolCallSpecs                                               []ToolCallSpec
}

// ExitCondition leads an action or decision state to NextState.
type ExitCondition struct {
	Description string
	NextState   NextState
}

// Result persistence modes of a tool call.
const (
	ResultEphemeral          = "ephemeral"
	ResultPersistedPreferred = "persisted-preferred"
	ResultPersisted          = "persisted"
)

// ToolCallSpec describes a tool the agent may call in a state.
type ToolCallSpec struct {
	ToolID string
	// VersionConstraint is a Python packaging version specifier set.
	VersionConstraint         string
	AdditionalInstruction     string
	AudioFillers              []string
	AudioFillerTriggeredAfter float64
	ResultPersistence         string
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

// NextState is where a state leads: a state of this machine (Name only),
// or, when External, the state Name = "reference.state" of a referenced
// machine followed by Jumpback, the state of this machine the session
// returns to once the referenced machine reaches its terminal state.
type NextState struct {
	Name     string
	Jumpback string
	External bool
}

// Reference pins a version of another state machine of the organization.
type Reference struct {
	MachineID string
	Version   int
}
