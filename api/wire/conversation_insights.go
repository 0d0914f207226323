package wire

import (
	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine/event"
)

// InteractionInsights is the body of get-interaction-insights.
type InteractionInsights struct {
	CurrentStateName      string          `json:"current_state_name"`
	CurrentStateAction    string          `json:"current_state_action"`
	CurrentStateObjective string          `json:"current_state_objective"`
	StateTransitionLogs   []any           `json:"state_transition_logs"`
	WorkingMemory         []WorkingMemory `json:"working_memory"`
	Reflections           []string        `json:"reflections"`
	// TriggeredDynamicBehaviorSet is always null: there are no dynamic
	// behavior sets.
	TriggeredDynamicBehaviorSet *MachineVersionInfo `json:"triggered_dynamic_behavior_set_version_info"`
	SelectNextActionToolCalls   [][]ToolCallLog     `json:"select_next_action_tool_call_logs"`
	EngageUserToolCalls         [][]ToolCallLog     `json:"engage_user_tool_call_logs"`
	// Model is an extension: the model that wrote the interaction's
	// reply ("builtin", or the configured model's name); absent for an
	// interaction that wrote no reply.
	Model string `json:"model,omitempty"`
}

// WorkingMemory is one active memory of an interaction.
type WorkingMemory struct {
	Content string `json:"content"`
	Context string `json:"context"`
}

// ToolCallLog is the spec's record of a tool call. ToolName is the tool's
// id: there is no tool registry to name it.
type ToolCallLog struct {
	ToolName    string         `json:"tool_name"`
	ToolID      string         `json:"tool_id"`
	ToolVersion string         `json:"tool_version"`
	Input       map[string]any `json:"input"`
	Output      *string        `json:"output"`
	Duration    float64        `json:"duration"`
}

// transitionBase holds the fields every state transition log has.
type transitionBase struct {
	PreviousState   string             `json:"previous_state"`
	PreviousMachine MachineVersionInfo `json:"previous_service_hierarchical_state_machine_version_info"`
	NextState       string             `json:"next_state"`
	NextMachine     MachineVersionInfo `json:"next_service_hierarchical_state_machine_version_info"`
	Type            string             `json:"type"`
}

// The state transition logs by the type of the state they leave.
type (
	ExitTransitionLog struct { // action and decision
		transitionBase
		ExitCondition string          `json:"previous_state_exit_condition_description"`
		ToolCallLogs  [][]ToolCallLog `json:"tool_call_logs"`
	}
	ReflectionTransitionLog struct {
		transitionBase
		InnerThoughtMessageID string          `json:"inner_thought_message_id"`
		ToolCallLogs          [][]ToolCallLog `json:"tool_call_logs"`
	}
	AnnotationTransitionLog struct {
		transitionBase
		InnerThoughtMessageID string `json:"inner_thought_message_id"`
	}
	RecallTransitionLog struct {
		transitionBase
		PerformedQueries []string `json:"performed_queries"`
	}
	JumpbackTransitionLog struct {
		transitionBase
	}
	ToolCallTransitionLog struct {
		transitionBase
		ToolCallLogs   [][]ToolCallLog `json:"tool_call_logs"`
		DesignatedCall ToolCallLog     `json:"designated_tool_call_log"`
	}
)

// NewInteractionInsights returns the insights of one interaction in the
// shape of get-interaction-insights.
func NewInteractionInsights(ins *event.Insights) InteractionInsights {
	out := InteractionInsights{
		CurrentStateName:          ins.StateName,
		CurrentStateAction:        ins.Action,
		CurrentStateObjective:     ins.Objective,
		StateTransitionLogs:       make([]any, 0, len(ins.Logs)),
		WorkingMemory:             make([]WorkingMemory, 0, len(ins.WorkingMemory)),
		Reflections:               nonNil(ins.Reflections),
		SelectNextActionToolCalls: [][]ToolCallLog{},
		EngageUserToolCalls:       [][]ToolCallLog{},
		Model:                     ins.Model,
	}
	for _, m := range ins.WorkingMemory {
		out.WorkingMemory = append(out.WorkingMemory, WorkingMemory{Content: m.Answer, Context: m.Query})
	}
	for i := range ins.Logs {
		out.StateTransitionLogs = append(out.StateTransitionLogs, NewTransitionLog(&ins.Logs[i]))
	}
	return out
}

// NewTransitionLog returns one engine transition log in the spec's shape
// for its type.
func NewTransitionLog(l *event.TransitionLog) any {
	b := transitionBase{l.From.State, MachineVersionInfo(l.From.Machine), l.To.State, MachineVersionInfo(l.To.Machine), l.Type}
	switch l.Type {
	case amigo.StateAction, amigo.StateDecision:
		return ExitTransitionLog{b, l.ExitCondition, [][]ToolCallLog{}}
	case amigo.StateReflection:
		return ReflectionTransitionLog{b, l.InnerThoughtID, [][]ToolCallLog{}}
	case amigo.StateAnnotation:
		return AnnotationTransitionLog{b, l.InnerThoughtID}
	case amigo.StateRecall:
		return RecallTransitionLog{b, nonNil(l.PerformedQueries)}
	case amigo.StateToolCall:
		log := ToolCallTransitionLog{transitionBase: b, ToolCallLogs: [][]ToolCallLog{}}
		if t := l.Tool; t != nil {
			out := t.Output
			log.DesignatedCall = ToolCallLog{ToolName: t.ToolID, ToolID: t.ToolID, ToolVersion: t.Version, Input: map[string]any{}, Output: &out}
		}
		return log
	}
	return JumpbackTransitionLog{b}
}
