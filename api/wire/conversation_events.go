package wire

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine/event"
)

// The NDJSON events of create-conversation and interact-with-conversation,
// as conversations.json's event schemas name their fields: one JSON object
// a line, each with its "type". The engine's events (package engine) become
// current-agent-action and new-message events here; the handlers add
// conversation-created, user-message-available, interaction-complete and
// error around them.

// Event types of the streams.
const (
	EventConversationCreated  = "conversation-created"
	EventUserMessageAvailable = "user-message-available"
	EventCurrentAgentAction   = "current-agent-action"
	EventNewMessage           = "new-message"
	EventInteractionComplete  = "interaction-complete"
	EventError                = "error"
)

// ConversationCreatedEvent is the first event of create-conversation.
type ConversationCreatedEvent struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id"`
}

// ConversationCreated returns the event that opens create-conversation's
// stream.
func ConversationCreated(conversationID string) ConversationCreatedEvent {
	return ConversationCreatedEvent{EventConversationCreated, conversationID}
}

// UserMessageAvailableEvent is the first event of interact-with-conversation.
type UserMessageAvailableEvent struct {
	Type        string `json:"type"`
	MessageID   string `json:"message_id"`
	UserMessage string `json:"user_message"`
}

// UserMessageAvailable returns the event that opens interact's stream.
func UserMessageAvailable(messageID, text string) UserMessageAvailableEvent {
	return UserMessageAvailableEvent{EventUserMessageAvailable, messageID, text}
}

// NewMessageEvent is one piece of the agent message. TranscriptAlignment is
// always null: text messages have none.
type NewMessageEvent struct {
	Type                string    `json:"type"`
	Message             string    `json:"message"`
	TranscriptAlignment *[][2]any `json:"transcript_alignment"`
	Stop                bool      `json:"stop"`
	SequenceNumber      int       `json:"sequence_number"`
	MessageID           string    `json:"message_id"`
}

// NewMessage returns the event of a reply fragment of the agent message
// messageID.
func NewMessage(f *event.Fragment, messageID string) NewMessageEvent {
	return NewMessageEvent{Type: EventNewMessage, Message: f.Text, Stop: f.Stop, SequenceNumber: f.Seq, MessageID: messageID}
}

// InteractionCompleteEvent ends a stream whose interaction was committed.
type InteractionCompleteEvent struct {
	Type                  string `json:"type"`
	MessageID             string `json:"message_id"`
	InteractionID         string `json:"interaction_id"`
	FullMessage           string `json:"full_message"`
	ConversationCompleted bool   `json:"conversation_completed"`
}

// InteractionComplete returns the event that ends a successful stream.
func InteractionComplete(messageID, interactionID, fullMessage string, completed bool) InteractionCompleteEvent {
	return InteractionCompleteEvent{EventInteractionComplete, messageID, interactionID, fullMessage, completed}
}

// ErrorEvent ends a stream that failed after it started.
type ErrorEvent struct {
	Type             string `json:"type"`
	HTTPErrorCode    int    `json:"http_error_code"`
	ErrorDescription string `json:"error_description"`
}

// StreamError returns the event that ends a failed stream.
func StreamError(status int, description string) ErrorEvent {
	return ErrorEvent{EventError, status, description}
}

// CurrentAgentActionEvent is one step of the agent. Action is one of the
// *Action types below.
type CurrentAgentActionEvent struct {
	Type   string `json:"type"`
	Action any    `json:"action"`
}

// MachineVersionInfo encodes as the spec's (state machine id, version)
// tuple.
type MachineVersionInfo amigo.Reference

// MarshalJSON writes [id, version].
func (m MachineVersionInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]any{m.MachineID, m.Version})
}

// UnmarshalJSON reads [id, version], for clients of the wire shapes.
func (m *MachineVersionInfo) UnmarshalJSON(data []byte) error {
	var r Reference
	if err := r.UnmarshalJSON(data); err != nil {
		return err
	}
	*m = MachineVersionInfo(r)
	return nil
}

// The action variants of current-agent-action that the engine emits.
type (
	DecisionStartedAction struct {
		Type string `json:"type"`
	}
	ExitConditionSelectedAction struct {
		Type          string             `json:"type"`
		ExitCondition string             `json:"exit_condition"`
		NextMachine   MachineVersionInfo `json:"next_state_state_machine_version_info"`
		NextState     string             `json:"next_state_name"`
	}
	ActionSelectedAction struct {
		Type   string `json:"type"`
		Action string `json:"action"`
	}
	StateTransitionedAction struct {
		Type        string             `json:"type"`
		PrevState   string             `json:"prev_state"`
		PrevMachine MachineVersionInfo `json:"prev_state_state_machine_version_info"`
		NextState   string             `json:"next_state"`
		NextMachine MachineVersionInfo `json:"next_state_state_machine_version_info"`
	}
	ReflectionPromptAction struct {
		Type   string `json:"type"`
		Prompt string `json:"prompt"`
	}
	ReflectionGeneratedAction struct {
		Type       string `json:"type"`
		Reflection string `json:"reflection"`
	}
	AnnotationRetrievedAction struct {
		Type       string `json:"type"`
		Annotation string `json:"annotation"`
	}
	StaticQueriesAction struct {
		Type          string   `json:"type"`
		StaticQueries []string `json:"static_queries"`
	}
	DynamicQueriesAction struct {
		Type                 string   `json:"type"`
		DynamicQueries       []string `json:"dynamic_queries"`
		RequestedInformation string   `json:"requested_information"`
	}
	MemoryRetrievedAction struct {
		Type                string      `json:"type"`
		QueriesAndResponses [][2]string `json:"queries_and_responses"`
	}
	ToolOutputAction struct {
		Type           string         `json:"type"`
		ToolID         string         `json:"tool_id"`
		ToolVersion    string         `json:"tool_version"`
		ToolOutput     string         `json:"tool_output"`
		Duration       float64        `json:"duration"`
		InputArguments map[string]any `json:"input_arguments"`
	}
)

// CurrentAgentAction returns the event of an engine step. It panics on an
// action type the engine does not define, a programming error.
func CurrentAgentAction(a *event.Action) CurrentAgentActionEvent {
	var v any
	switch a.Type {
	case event.ActionDecisionStarted:
		v = DecisionStartedAction{a.Type}
	case event.ActionExitConditionSelected:
		v = ExitConditionSelectedAction{a.Type, a.Text, MachineVersionInfo(a.To.Machine), a.To.State}
	case event.ActionActionSelected:
		v = ActionSelectedAction{a.Type, a.Text}
	case event.ActionStateTransitioned:
		v = StateTransitionedAction{a.Type, a.From.State, MachineVersionInfo(a.From.Machine), a.To.State, MachineVersionInfo(a.To.Machine)}
	case event.ActionReflectionPrompt:
		v = ReflectionPromptAction{a.Type, a.Text}
	case event.ActionReflectionGenerated:
		v = ReflectionGeneratedAction{a.Type, a.Text}
	case event.ActionAnnotationRetrieved:
		v = AnnotationRetrievedAction{a.Type, a.Text}
	case event.ActionStaticQueries:
		v = StaticQueriesAction{a.Type, nonNil(a.Queries)}
	case event.ActionDynamicQueries:
		v = DynamicQueriesAction{a.Type, nonNil(a.Queries), a.Text}
	case event.ActionMemoryRetrieved:
		qr := make([][2]string, 0, len(a.Memories))
		for _, m := range a.Memories {
			qr = append(qr, [2]string{m.Query, m.Answer})
		}
		v = MemoryRetrievedAction{a.Type, qr}
	case event.ActionToolOutput:
		v = ToolOutputAction{a.Type, a.Tool.ToolID, a.Tool.Version, a.Tool.Output, 0, map[string]any{}}
	default:
		panic(fmt.Sprintf("wire: engine action type %q has no encoding", a.Type))
	}
	return CurrentAgentActionEvent{EventCurrentAgentAction, v}
}

// EventType returns the event's type; the five event types a stream yields
// have it (the error event, which ends a stream, does not), so that the
// Go SDK's Event interface is these pointers.
func (*ConversationCreatedEvent) EventType() string  { return EventConversationCreated }
func (*UserMessageAvailableEvent) EventType() string { return EventUserMessageAvailable }
func (*CurrentAgentActionEvent) EventType() string   { return EventCurrentAgentAction }
func (*NewMessageEvent) EventType() string           { return EventNewMessage }
func (*InteractionCompleteEvent) EventType() string  { return EventInteractionComplete }

// UnmarshalJSON reads a current-agent-action event for clients of the
// wire shapes: Action becomes the action variant its "type" names (a
// value of one of the *Action types above), or for a type this package
// does not know, the action's JSON as a json.RawMessage.
func (e *CurrentAgentActionEvent) UnmarshalJSON(data []byte) error {
	var v struct {
		Type   string          `json:"type"`
		Action json.RawMessage `json:"action"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	action, err := decodeAction(v.Action)
	if err != nil {
		return err
	}
	*e = CurrentAgentActionEvent{Type: v.Type, Action: action}
	return nil
}

// decodeAction decodes an action object into the variant its type names.
func decodeAction(data json.RawMessage) (any, error) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, err
	}
	switch head.Type {
	case event.ActionDecisionStarted:
		return decodeAs[DecisionStartedAction](data)
	case event.ActionExitConditionSelected:
		return decodeAs[ExitConditionSelectedAction](data)
	case event.ActionActionSelected:
		return decodeAs[ActionSelectedAction](data)
	case event.ActionStateTransitioned:
		return decodeAs[StateTransitionedAction](data)
	case event.ActionReflectionPrompt:
		return decodeAs[ReflectionPromptAction](data)
	case event.ActionReflectionGenerated:
		return decodeAs[ReflectionGeneratedAction](data)
	case event.ActionAnnotationRetrieved:
		return decodeAs[AnnotationRetrievedAction](data)
	case event.ActionStaticQueries:
		return decodeAs[StaticQueriesAction](data)
	case event.ActionDynamicQueries:
		return decodeAs[DynamicQueriesAction](data)
	case event.ActionMemoryRetrieved:
		return decodeAs[MemoryRetrievedAction](data)
	case event.ActionToolOutput:
		return decodeAs[ToolOutputAction](data)
	}
	return append(json.RawMessage(nil), data...), nil
}

func decodeAs[T any](data []byte) (any, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}

// EngineEvent returns the stream event of an engine event: a
// current-agent-action event for a step, a new-message event of the agent
// message messageID for a fragment.
func EngineEvent(e event.Event, messageID string) any {
	if e.Fragment != nil {
		return NewMessage(e.Fragment, messageID)
	}
	return CurrentAgentAction(e.Action)
}

// AppendEventLine appends event as one NDJSON line: its JSON, without
// HTML escaping, and "\n".
func AppendEventLine(dst []byte, event any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(event); err != nil {
		return dst, err
	}
	return buf.Bytes(), nil
}
