package engine

import "github.com/amigo-oss/amigo-server/engine/event"

// The walker's events and insights are declared in the leaf package
// engine/event, so that api/wire (and the Go SDK on it) can encode them
// without linking the engine in; these are their names here.
type (
	Event         = event.Event
	Action        = event.Action
	Fragment      = event.Fragment
	Position      = event.Position
	ToolCall      = event.ToolCall
	Memory        = event.Memory
	Insights      = event.Insights
	TransitionLog = event.TransitionLog
)
