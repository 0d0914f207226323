package engine

import (
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Turn is the input of one interaction: everything the walker reads. The
// caller loads it from storage; the walker writes nothing anywhere.
type Turn struct {
	// Agent is the conversation's pinned agent version.
	Agent *amigo.AgentVersion
	// Machine is the conversation's pinned state machine version.
	Machine *amigo.StateMachineVersion
	// References holds every state machine version the walk may enter,
	// keyed by machine id and version: the versions Machine's
	// Definition.References pin, and theirs in turn (Resolve collects
	// them). Nested references are why the key is not the reference name.
	References map[amigo.Reference]*amigo.StateMachineVersion
	// LLMPreferences is the version set's llm_model_preferences, by
	// interaction kind (KindEngageUser, ...). A kind absent from the map
	// uses the model's default.
	LLMPreferences map[string]amigo.LLMConfig
	// State is the conversation's state after its last interaction, nil
	// when the conversation is being created.
	State *State
	// ReturningUser selects the machine's returning-user initial state at
	// creation; otherwise the new-user initial state is used.
	ReturningUser bool
	// History is the conversation so far, oldest first. The walker reads
	// at most MaxHistory of the most recent messages.
	History []Message
	// Input is what the user sent in this interaction.
	Input Input
	// Memories are what the caller knows about the user (the lines of the
	// user's model, for instance); recall states answer their queries
	// from them. Nil: recall finds nothing.
	Memories []string
	// NewID returns the id of each inner-thought message the interaction
	// adds; nil uses amigo.NewID with the wall clock. Tests pass a counter.
	NewID func() string
}

// Message kinds, the spec's MessageType values.
const (
	MessageUser         = "user-message"
	MessageAgent        = "agent-message"
	MessageInnerThought = "agent-inner-thought"
	MessageExternal     = "external-event"
)

// Message is one message of the conversation's history.
type Message struct {
	Type string // MessageUser, MessageAgent, MessageInnerThought, MessageExternal
	Text string
}

// Input kinds.
const (
	// InputNone: a conversation created without an initial message; the
	// agent speaks first.
	InputNone = ""
	// InputMessage: a user message (Input.Message).
	InputMessage = "user-message"
	// InputExternalEvents: external events (Input.Events).
	InputExternalEvents = "external-event"
	// InputSkip: the user passes; the agent speaks again.
	InputSkip = "skip"
)

// Input is what the user sent in one interaction.
type Input struct {
	Kind    string
	Message string
	Events  []ExternalEvent
}

// ExternalEvent is one external event of an interaction.
type ExternalEvent struct {
	Text string
	At   time.Time
}

// Text returns the input as one text: the message, or the events' texts
// one a line; "" for none and skip.
func (in *Input) Text() string {
	switch in.Kind {
	case InputMessage:
		return in.Message
	case InputExternalEvents:
		var s string
		for i, e := range in.Events {
			if i > 0 {
				s += "\n"
			}
			s += e.Text
		}
		return s
	}
	return ""
}

// Outcome is what one interaction produced. The caller stores it: the new
// State, the agent message Reply, the inner thoughts as
// agent-inner-thought messages, and Insights for get-interaction-insights.
type Outcome struct {
	State *State
	// Reply is the agent message: the concatenation of the fragments sent.
	Reply string
	// InnerThoughts are the reflections and annotations of the
	// interaction, in order; each becomes an agent-inner-thought message
	// with the given id.
	InnerThoughts []InnerThought
	Insights      Insights
	// Completed is set when the walk reached the terminal state: the
	// conversation is complete (conversation_completed: true).
	Completed bool
	// Model names the model that wrote the reply ("builtin", or the
	// configured model name of an OpenAI-compatible endpoint).
	Model string
}

// InnerThought is one agent-inner-thought message.
type InnerThought struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// State is the reflection or annotation state that wrote it.
	State string `json:"state"`
}

// NoToolRuntime is the output recorded for a tool-call state's designated
// tool: the server has no tool runtime, so the state passes through.
const NoToolRuntime = "not called: this server has no tool runtime; the tool-call state passed through to its next state"
