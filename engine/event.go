package engine

// Event is one thing the walker emits while it runs: exactly one of Action
// (a step, encoded as a current-agent-action event) and Fragment (a piece
// of the reply, encoded as a new-message event) is set.
type Event struct {
	Action   *Action
	Fragment *Fragment
}

// Action kinds, named as the spec's current-agent-action action types.
const (
	ActionDecisionStarted       = "navigate-state-machine-decision-state-decision-started"
	ActionExitConditionSelected = "navigate-state-machine-exit-condition-selected"
	ActionActionSelected        = "navigate-state-machine-action-state-action-selected"
	ActionStateTransitioned     = "navigate-state-machine-state-transitioned"
	ActionReflectionPrompt      = "navigate-state-machine-reflection-state-prompt-retrieved"
	ActionReflectionGenerated   = "navigate-state-machine-reflection-state-reflection-generated"
	ActionAnnotationRetrieved   = "navigate-state-machine-annotation-state-annotation-retrieved"
	ActionStaticQueries         = "navigate-state-machine-recall-state-static-queries-retrieved"
	ActionDynamicQueries        = "navigate-state-machine-recall-state-dynamic-queries-generated"
	ActionMemoryRetrieved       = "navigate-state-machine-recall-state-active-memory-retrieved"
	ActionToolOutput            = "navigate-state-machine-tool-call-state-tool-output-available"
)

// Action is one step of the walk. Type says which fields are set:
//
//	ActionDecisionStarted        none
//	ActionExitConditionSelected  Text (the exit condition), To
//	ActionActionSelected         Text (the action)
//	ActionStateTransitioned      From, To
//	ActionReflectionPrompt       Text (the problem)
//	ActionReflectionGenerated    Text (the reflection)
//	ActionAnnotationRetrieved    Text (the inner thought)
//	ActionStaticQueries          Queries
//	ActionDynamicQueries         Queries, Text (the requested information)
//	ActionMemoryRetrieved        Memories
//	ActionToolOutput             Tool
type Action struct {
	Type     string
	Text     string
	From, To Position
	Queries  []string
	Memories []Memory
	Tool     *ToolCall
}

// Fragment is one piece of the agent's reply. Seq counts from 0. The last
// fragment of a reply has Stop set and empty Text, so that no piece is
// held back waiting to learn whether it is the last.
type Fragment struct {
	Seq  int
	Text string
	Stop bool
}
