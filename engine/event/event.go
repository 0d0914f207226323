// Package event holds what a walk of package engine reports: the Events
// it streams while it runs (a step as an Action, a piece of the reply as a
// Fragment) and the Insights it records of an interaction. Package engine
// writes them; api/wire encodes them as the spec's NDJSON events and
// get-interaction-insights' body.
//
// It is a leaf: it depends on the domain package amigo and the standard
// library only, so that api/wire, and the Go SDK built on it, can name
// these types without linking the engine and its model clients in.
package event

import "github.com/amigo-oss/amigo-server"

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

// Position is a state of a state machine version.
type Position struct {
	Machine amigo.Reference `json:"machine"`
	State   string          `json:"state"`
}

// ToolCall records a tool call (none is ever made: see engine.NoToolRuntime).
type ToolCall struct {
	ToolID  string `json:"tool_id"`
	Version string `json:"version"`
	Output  string `json:"output"`
}

// Memory is one active memory a recall state retrieved.
type Memory struct {
	Query  string `json:"query"`
	Answer string `json:"answer"`
}
