package client

import (
	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// State types, the values of a state's "type".
const (
	StateAction     = amigo.StateAction
	StateDecision   = amigo.StateDecision
	StateRecall     = amigo.StateRecall
	StateAnnotation = amigo.StateAnnotation
	StateReflection = amigo.StateReflection
	StateToolCall   = amigo.StateToolCall
)

// The states of a state machine, as the server declares them (package
// api/wire). State is a union discriminated by its JSON "type": exactly
// one variant is set; Type is filled when it is decoded. NextState is
// where a state leads: a state of the same machine (Name), or when
// External, "reference.state" of a referenced machine and the Jumpback
// state returned to after it. Reference pins a version of another state
// machine.
type (
	State           = wire.State
	ActionState     = wire.ActionState
	DecisionState   = wire.DecisionState
	RecallState     = wire.RecallState
	AnnotationState = wire.AnnotationState
	ReflectionState = wire.ReflectionState
	ToolCallState   = wire.ToolCallState
	ExitCondition   = wire.ExitCondition
	ToolCallSpec    = wire.ToolCallSpec
	NextState       = wire.NextState
	Reference       = wire.Reference
)
