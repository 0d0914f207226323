package sqldb

import (
	"encoding/json"
	"fmt"
	"unsafe"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// The documents stored as JSON (version definitions, preferences, user
// dimensions, LLM preferences) have their own storage shapes here, with the
// key names they have always been stored under. The wire shapes live in
// api/wire: renaming a field for clients never changes what is stored, so
// it never needs a data migration. A new field needs one line in each
// shape; package shape panics on a shape that drifts from the domain, which
// the contract suite exercises.

type storedAgentDefinition struct {
	Initials              string             `json:"initials"`
	Identity              storedIdentity     `json:"identity"`
	Background            string             `json:"background"`
	Behaviors             []string           `json:"behaviors"`
	CommunicationPatterns []string           `json:"communication_patterns"`
	VoiceConfig           *storedVoiceConfig `json:"voice_config"`
}

type storedIdentity struct {
	Name                    string                        `json:"name"`
	Role                    string                        `json:"role"`
	DevelopedBy             string                        `json:"developed_by"`
	DefaultSpokenLanguage   string                        `json:"default_spoken_language"`
	RelationshipToDeveloper storedRelationshipToDeveloper `json:"relationship_to_developer"`
}

type storedRelationshipToDeveloper struct {
	Ownership              string `json:"ownership"`
	Type                   string `json:"type"`
	ConversationVisibility string `json:"conversation_visibility"`
	ThoughtVisibility      string `json:"thought_visibility"`
}

type storedVoiceConfig struct {
	VoiceID string `json:"voice_id"`
}

type storedStateMachineDefinition struct {
	Description                          string                     `json:"description"`
	States                               []storedState              `json:"states"`
	NewUserInitialState                  string                     `json:"new_user_initial_state"`
	ReturningUserInitialState            string                     `json:"returning_user_initial_state"`
	TerminalState                        string                     `json:"terminal_state"`
	References                           map[string]storedReference `json:"references"`
	GlobalIntraStateNavigationGuidelines []string                   `json:"global_intra_state_navigation_guidelines"`
	GlobalActionGuidelines               []string                   `json:"global_action_guidelines"`
	GlobalBoundaryConstraints            []string                   `json:"global_boundary_constraints"`
}

// storedState is stored as its variant's object with a "type" key.
type storedState struct {
	Type       string
	Action     *storedActionState
	Decision   *storedDecisionState
	Recall     *storedRecallState
	Annotation *storedAnnotationState
	Reflection *storedReflectionState
	ToolCall   *storedToolCallState
}

type storedActionState struct {
	Name                           string                `json:"name"`
	Objective                      string                `json:"objective"`
	Actions                        []string              `json:"actions"`
	IntraStateNavigationGuidelines []string              `json:"intra_state_navigation_guidelines"`
	ActionGuidelines               []string              `json:"action_guidelines"`
	BoundaryConstraints            []string              `json:"boundary_constraints"`
	ExitConditions                 []storedExitCondition `json:"exit_conditions"`
	ActionToolCallSpecs            []storedToolCallSpec  `json:"action_tool_call_specs"`
	ExitConditionToolCallSpecs     []storedToolCallSpec  `json:"exit_condition_tool_call_specs"`
	SkipActiveMemoryRetrieval      bool                  `json:"skip_active_memory_retrieval"`
}

type storedDecisionState struct {
	Name                      string                `json:"name"`
	ExitConditions            []storedExitCondition `json:"exit_conditions"`
	DecisionGuidelines        []string              `json:"decision_guidelines"`
	Objective                 string                `json:"objective"`
	ToolCallSpecs             []storedToolCallSpec  `json:"tool_call_specs"`
	AudioFillers              []string              `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64               `json:"audio_filler_triggered_after"`
}

type storedRecallState struct {
	Name                 string          `json:"name"`
	Queries              *[]string       `json:"queries"`
	RequestedInformation *string         `json:"requested_information"`
	NextState            storedNextState `json:"next_state"`
}

type storedAnnotationState struct {
	Name         string          `json:"name"`
	InnerThought string          `json:"inner_thought"`
	NextState    storedNextState `json:"next_state"`
}

type storedReflectionState struct {
	Name                      string               `json:"name"`
	Problem                   string               `json:"problem"`
	WordLimit                 int                  `json:"word_limit"`
	NextState                 storedNextState      `json:"next_state"`
	ToolCallSpecs             []storedToolCallSpec `json:"tool_call_specs"`
	AudioFillers              []string             `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64              `json:"audio_filler_triggered_after"`
}

type storedToolCallState struct {
	Name                                                        string               `json:"name"`
	NextState                                                   storedNextState      `json:"next_state"`
	DesignatedTool                                              storedToolCallSpec   `json:"designated_tool"`
	DesignatedToolCallParamsGenerationAudioFillers              []string             `json:"designated_tool_call_params_generation_audio_fillers"`
	DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter float64              `json:"designated_tool_call_params_generation_audio_filler_triggered_after"`
	DesignatedToolCallObjective                                 string               `json:"designated_tool_call_objective"`
	DesignatedToolCallContext                                   string               `json:"designated_tool_call_context"`
	DesignatedToolCallGuidances                                 []string             `json:"designated_tool_call_guidances"`
	DesignatedToolCallValidations                               []string             `json:"designated_tool_call_validations"`
	ToolCallSpecs                                               []storedToolCallSpec `json:"tool_call_specs"`
}

type storedExitCondition struct {
	Description string          `json:"description"`
	NextState   storedNextState `json:"next_state"`
}

type storedToolCallSpec struct {
	ToolID                    string   `json:"tool_id"`
	VersionConstraint         string   `json:"version_constraint"`
	AdditionalInstruction     string   `json:"additional_instruction"`
	AudioFillers              []string `json:"audio_fillers"`
	AudioFillerTriggeredAfter float64  `json:"audio_filler_triggered_after"`
	ResultPersistence         string   `json:"result_persistence"`
}

// storedNextState is stored as "name" or ["reference.state", "jumpback"].
type storedNextState struct {
	Name     string
	Jumpback string
	External bool
}

// storedReference is stored as ["machine id", version].
type storedReference struct {
	MachineID string
	Version   int
}

type storedUserDimension struct {
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

type storedPreferences struct {
	EnableResponseRecommendation bool     `json:"enable_response_recommendation"`
	PreferredLanguage            *string  `json:"preferred_language"`
	ConversationsVisibleToAdmins bool     `json:"conversations_visible_to_admins"`
	UserModelVisibleToAdmins     bool     `json:"user_model_visible_to_admins"`
	Timezone                     *string  `json:"timezone"`
	AudioKeyterms                []string `json:"audio_keyterms"`
}

type storedLLMConfig struct {
	LLMName     string                     `json:"llm_name"`
	Params      map[string]json.RawMessage `json:"params"`
	TopP        *float64                   `json:"top_p,omitempty"`
	Temperature *float64                   `json:"temperature,omitempty"`
	TopK        *int                       `json:"top_k,omitempty"`
}

// storedVersionSet is a version set as a revision of the history stores
// it, whole (the version_sets table keeps the current content in columns).
type storedVersionSet struct {
	AgentVersion        *int                       `json:"agent_version_number"`
	StateMachineVersion *int                       `json:"service_hierarchical_state_machine_version_number"`
	LLMModelPreferences map[string]storedLLMConfig `json:"llm_model_preferences"`
}

// storedGrant is one grant of a role's grants column (roles.grants), in the
// keys of the first schema.
type storedGrant struct {
	Permission string              `json:"permission"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

// stored encodes the domain value v in its storage shape S.
func stored[S any](v any) string { return jsonText(shape.Convert[S](v)) }

// storedMachine encodes a state machine definition as
// stored[storedStateMachineDefinition] does, but converts and encodes its
// states one at a time, so that the storage copy of a 50,000-state machine
// never exists whole beside the domain's (docs/limits.md, cost of a large
// body).
func storedMachine(d amigo.StateMachineDefinition) string {
	b, err := shape.MarshalList[storedStateMachineDefinition](d, "States")
	if err != nil {
		panic(fmt.Sprintf("sqldb: encode state machine: %v", err))
	}
	return ownedString(b)
}

// storedLLMPreferences encodes LLM preferences as
// stored[map[string]storedLLMConfig] does, converting one preference at a
// time: the storage copy of 80,000 preferences never exists whole beside
// the domain's.
func storedLLMPreferences(m map[string]amigo.LLMConfig) string {
	b, err := shape.MarshalMap[storedLLMConfig](m)
	if err != nil {
		panic(fmt.Sprintf("sqldb: encode LLM preferences: %v", err))
	}
	return ownedString(b)
}

// storedSet encodes a version set as stored[storedVersionSet] does, its
// preferences one at a time, into one buffer: set is the revision's
// document and prefs, a part of it sharing its bytes, the preferences as
// storedLLMPreferences encodes them, for the version_sets row. A 4 MB set
// is held once while both are written.
func storedSet(vs amigo.VersionSet) (set, prefs string) {
	head := jsonText(struct {
		AgentVersion        *int `json:"agent_version_number"`
		StateMachineVersion *int `json:"service_hierarchical_state_machine_version_number"`
	}{vs.AgentVersion, vs.StateMachineVersion})
	b := append([]byte(head[:len(head)-1]), `,"llm_model_preferences":`...)
	start := len(b)
	b, err := shape.AppendMap[storedLLMConfig](b, vs.LLMModelPreferences)
	if err != nil {
		panic(fmt.Sprintf("sqldb: encode LLM preferences: %v", err))
	}
	set = ownedString(append(b, '}'))
	return set, set[start : len(set)-1]
}

// ownedString returns b as a string without copying it; b must never be
// written again. A multi-megabyte document is then held once, not twice,
// while it is written.
func ownedString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// loadStored decodes s, stored in shape S, into the domain value dst.
func loadStored[S any](s string, dst any) error {
	var doc S
	if err := fromJSON(s, &doc); err != nil {
		return err
	}
	shape.Into(dst, doc)
	return nil
}

// variant returns the type and body of the set variant, or "" and nil.
func (s *storedState) variant() (string, any) {
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

// MarshalJSON writes the variant's object with the "type" key first.
func (s storedState) MarshalJSON() ([]byte, error) {
	typ, body := s.variant()
	if body == nil {
		return nil, fmt.Errorf("sqldb: state of type %q has no body", s.Type)
	}
	return shape.MarshalTagged(typ, body)
}

// UnmarshalJSON decodes a stored state strictly.
func (s *storedState) UnmarshalJSON(data []byte) error {
	typ, err := shape.TypeOf(data)
	if err != nil {
		return err
	}
	*s = storedState{Type: typ}
	var body any
	switch typ {
	case amigo.StateAction:
		s.Action = new(storedActionState)
		body = s.Action
	case amigo.StateDecision:
		s.Decision = new(storedDecisionState)
		body = s.Decision
	case amigo.StateRecall:
		s.Recall = new(storedRecallState)
		body = s.Recall
	case amigo.StateAnnotation:
		s.Annotation = new(storedAnnotationState)
		body = s.Annotation
	case amigo.StateReflection:
		s.Reflection = new(storedReflectionState)
		body = s.Reflection
	case amigo.StateToolCall:
		s.ToolCall = new(storedToolCallState)
		body = s.ToolCall
	default:
		return fmt.Errorf("sqldb: unknown state type %q", typ)
	}
	return json.Unmarshal(data, body)
}

// MarshalJSON writes a string or a 2-tuple.
func (n storedNextState) MarshalJSON() ([]byte, error) {
	return shape.MarshalNextState(n.Name, n.Jumpback, n.External)
}

// UnmarshalJSON decodes a stored next state strictly.
func (n *storedNextState) UnmarshalJSON(data []byte) (err error) {
	*n = storedNextState{}
	n.Name, n.Jumpback, n.External, err = shape.UnmarshalNextState(data)
	return err
}

// MarshalJSON writes the 2-tuple.
func (r storedReference) MarshalJSON() ([]byte, error) {
	return shape.MarshalReference(r.MachineID, r.Version), nil
}

// UnmarshalJSON decodes a stored reference strictly.
func (r *storedReference) UnmarshalJSON(data []byte) (err error) {
	*r = storedReference{}
	r.MachineID, r.Version, err = shape.UnmarshalReference(data)
	return err
}
