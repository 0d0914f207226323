// Package coretest builds valid request fixtures for the tests and
// benchmarks of packages core and api: domain values, and their request
// bodies in the wire shapes of package api/wire.
package coretest

import (
	"encoding/json"
	"fmt"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// ReferencedMachineID is the id the fixtures' "lib" reference points to.
const ReferencedMachineID = "0123456789abcdef01234567"

// StateMachine returns a valid state machine version body with n states
// (at least 1): an initial action state "start", n-2 middle states cycling
// through every state type, each leading to the next (action and decision
// states also jump out to "lib.entry" and back), and the terminal action
// state "end".
func StateMachine(n int) *amigo.StateMachineDefinition {
	n = max(n, 1)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("s%d", i)
	}
	names[0], names[n-1] = "start", "end"
	if n == 1 {
		names[0] = "end"
	}
	states := make([]amigo.State, n)
	for i := range n - 1 {
		states[i] = middleState(i, names[i], names[i+1])
	}
	states[n-1] = amigo.State{Type: amigo.StateAction, Action: &amigo.ActionState{
		Name: names[n-1], Objective: "Close the session politely.", Actions: []string{"Say goodbye."},
		IntraStateNavigationGuidelines: []string{}, ActionGuidelines: []string{}, BoundaryConstraints: []string{},
		ExitConditions: []amigo.ExitCondition{}, ActionToolCallSpecs: []amigo.ToolCallSpec{}, ExitConditionToolCallSpecs: []amigo.ToolCallSpec{},
	}}
	return &amigo.StateMachineDefinition{
		Description:                          fmt.Sprintf("A generated machine of %d states.", n),
		States:                               states,
		NewUserInitialState:                  names[0],
		ReturningUserInitialState:            names[0],
		TerminalState:                        names[n-1],
		References:                           map[string]amigo.Reference{"lib": {MachineID: ReferencedMachineID, Version: 1}},
		GlobalIntraStateNavigationGuidelines: []string{"Move on once the objective is met."},
		GlobalActionGuidelines:               []string{"Be concise."},
		GlobalBoundaryConstraints:            []string{"Never give medical advice."},
	}
}

// StateMachineJSON returns StateMachine(n) encoded as a request body.
func StateMachineJSON(n int) []byte {
	b, err := json.Marshal(shape.Convert[wire.StateMachineDefinition](*StateMachine(n)))
	if err != nil {
		panic(err)
	}
	return b
}

// ToolCallSpec returns a valid tool call spec.
func ToolCallSpec() amigo.ToolCallSpec {
	return amigo.ToolCallSpec{
		ToolID: "fedcba9876543210fedcba98", VersionConstraint: ">=1.0,<2",
		AdditionalInstruction: "Use it only when asked.", AudioFillers: []string{"One moment."},
		AudioFillerTriggeredAfter: 2.5, ResultPersistence: amigo.ResultPersistedPreferred,
	}
}

// middleState returns state i named name, of the i-th type in the spec's
// order (the first is always an action state), leading to next.
func middleState(i int, name, next string) amigo.State {
	to := amigo.NextState{Name: next}
	out := []amigo.ExitCondition{
		{Description: "The objective is met.", NextState: to},
		{Description: "The user asks for the library.", NextState: amigo.NextState{Name: "lib.entry", Jumpback: name, External: true}},
	}
	if next == name {
		out = out[1:]
	}
	tools := []amigo.ToolCallSpec{ToolCallSpec()}
	switch typ := amigo.StateTypes[i%len(amigo.StateTypes)]; typ {
	case amigo.StateDecision:
		return amigo.State{Type: typ, Decision: &amigo.DecisionState{
			Name: name, ExitConditions: out, DecisionGuidelines: []string{"Prefer the first condition."},
			Objective: "Choose where to go.", ToolCallSpecs: tools, AudioFillers: []string{"Hmm."}, AudioFillerTriggeredAfter: 1,
		}}
	case amigo.StateRecall:
		queries := []string{"What does the user prefer?"}
		return amigo.State{Type: typ, Recall: &amigo.RecallState{Name: name, Queries: &queries, NextState: to}}
	case amigo.StateAnnotation:
		return amigo.State{Type: typ, Annotation: &amigo.AnnotationState{Name: name, InnerThought: "Keep going.", NextState: to}}
	case amigo.StateReflection:
		return amigo.State{Type: typ, Reflection: &amigo.ReflectionState{
			Name: name, Problem: "What is the user after?", WordLimit: 100, NextState: to,
			ToolCallSpecs: tools, AudioFillers: []string{}, AudioFillerTriggeredAfter: 10,
		}}
	case amigo.StateToolCall:
		return amigo.State{Type: typ, ToolCall: &amigo.ToolCallState{
			Name: name, NextState: to, DesignatedTool: ToolCallSpec(),
			DesignatedToolCallParamsGenerationAudioFillers:              []string{"Let me check."},
			DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter: 3,
			DesignatedToolCallObjective:                                 "Fetch the user's record.",
			DesignatedToolCallContext:                                   "The record is needed downstream.",
			DesignatedToolCallGuidances:                                 []string{}, DesignatedToolCallValidations: []string{"Pass the user id."},
			ToolCallSpecs: []amigo.ToolCallSpec{},
		}}
	}
	return amigo.State{Type: amigo.StateAction, Action: &amigo.ActionState{
		Name: name, Objective: "Help the user.", Actions: []string{"Greet the user.", "Ask what they need."},
		IntraStateNavigationGuidelines: []string{"Stay on topic."}, ActionGuidelines: []string{"Be warm."},
		BoundaryConstraints: []string{"No small talk."}, ExitConditions: out,
		ActionToolCallSpecs: tools, ExitConditionToolCallSpecs: []amigo.ToolCallSpec{},
		SkipActiveMemoryRetrieval: i%2 == 0,
	}}
}
