package event

// Insights is what get-interaction-insights reports of one interaction.
// The JSON tags are the storage form (engine.MarshalInsights); the wire
// form is api/wire's InteractionInsights.
type Insights struct {
	// StateName, Action and Objective describe the action state the
	// interaction ended in and the action taken there.
	StateName     string          `json:"state_name"`
	Action        string          `json:"action"`
	Objective     string          `json:"objective"`
	Logs          []TransitionLog `json:"logs"`
	WorkingMemory []Memory        `json:"working_memory"`
	Reflections   []string        `json:"reflections"`
	// Model names the model that wrote the interaction's reply (the
	// caller copies Outcome.Model here before storing).
	Model string `json:"model,omitempty"`
}

// Transition log kinds: the state types, and LogJumpback.
const LogJumpback = "jumpback"

// TransitionLog records one transition, typed by the state it left
// (amigo.StateAction, ...) or LogJumpback for a return from a referenced
// machine.
type TransitionLog struct {
	Type string   `json:"type"`
	From Position `json:"from"`
	To   Position `json:"to"`
	// ExitCondition is the description of the exit condition taken from an
	// action or decision state.
	ExitCondition string `json:"exit_condition,omitempty"`
	// InnerThoughtID is the message a reflection or annotation state wrote.
	InnerThoughtID string `json:"inner_thought_id,omitempty"`
	// PerformedQueries are the queries a recall state ran that the
	// conversation had not run before.
	PerformedQueries []string `json:"performed_queries,omitempty"`
	// Tool is the designated tool call of a tool-call state.
	Tool *ToolCall `json:"tool,omitempty"`
}
