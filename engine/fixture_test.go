package engine_test

import (
	"github.com/amigo-oss/amigo-server"
)

// The fixture: a clinic's intake machine that uses every state type and
// enters a referenced scheduling machine, which returns to "confirm".
const (
	intakeID = "aaaaaaaaaaaaaaaaaaaaaaaa"
	schedID  = "bbbbbbbbbbbbbbbbbbbbbbbb"
)

var schedRef = amigo.Reference{MachineID: schedID, Version: 2}

func agent() *amigo.AgentVersion {
	return &amigo.AgentVersion{AgentID: "cccccccccccccccccccccccc", Version: 1, Definition: amigo.AgentDefinition{
		Initials: "RN", Background: "A nurse who books appointments.",
		Identity:              amigo.Identity{Name: "Robin", Role: "the clinic's intake nurse", DevelopedBy: "Clinic", DefaultSpokenLanguage: "eng"},
		Behaviors:             []string{"Stays calm"},
		CommunicationPatterns: []string{"Short sentences"},
	}}
}

func exit(desc, next string) amigo.ExitCondition {
	return amigo.ExitCondition{Description: desc, NextState: amigo.NextState{Name: next}}
}

func action(name, objective string, actions []string, exits ...amigo.ExitCondition) amigo.State {
	return amigo.State{Type: amigo.StateAction, Action: &amigo.ActionState{Name: name, Objective: objective, Actions: actions, ExitConditions: exits}}
}

func intake() *amigo.StateMachineVersion {
	queries := []string{"preferred appointment time"}
	return &amigo.StateMachineVersion{MachineID: intakeID, Version: 3, Definition: amigo.StateMachineDefinition{
		NewUserInitialState: "welcome", ReturningUserInitialState: "welcome_back", TerminalState: "farewell",
		References:             map[string]amigo.Reference{"sched": schedRef},
		GlobalActionGuidelines: []string{"Never give medical advice"},
		States: []amigo.State{
			action("welcome", "Learn what the user needs", []string{"Greet the user and ask what brings them here"},
				exit("The user wants to book an appointment", "note"), exit("The user says goodbye", "farewell")),
			action("welcome_back", "Learn what the returning user needs", []string{"Welcome the user back and ask how things went"},
				exit("The user wants to book an appointment", "note"), exit("The user says goodbye", "farewell")),
			{Type: amigo.StateAnnotation, Annotation: &amigo.AnnotationState{Name: "note",
				InnerThought: "The user wants an appointment; check what we know first.", NextState: amigo.NextState{Name: "lookup"}}},
			{Type: amigo.StateRecall, Recall: &amigo.RecallState{Name: "lookup", Queries: &queries, NextState: amigo.NextState{Name: "consider"}}},
			{Type: amigo.StateReflection, Reflection: &amigo.ReflectionState{Name: "consider",
				Problem: "Which day suits the user best?", WordLimit: 12, NextState: amigo.NextState{Name: "route"}}},
			{Type: amigo.StateDecision, Decision: &amigo.DecisionState{Name: "route", Objective: "Route the request",
				ExitConditions: []amigo.ExitCondition{
					exit("The user mentioned an urgent problem", "urgent"),
					{Description: "The user wants a regular appointment", NextState: amigo.NextState{Name: "sched.days", Jumpback: "confirm", External: true}},
				}}},
			{Type: amigo.StateToolCall, ToolCall: &amigo.ToolCallState{Name: "urgent", NextState: amigo.NextState{Name: "confirm"},
				DesignatedTool: amigo.ToolCallSpec{ToolID: "dddddddddddddddddddddddd", VersionConstraint: ">=1.0", ResultPersistence: amigo.ResultEphemeral}}},
			action("confirm", "Confirm the booking", []string{"Confirm the appointment details"},
				exit("The user confirms the details", "farewell")),
			action("farewell", "End the conversation kindly", []string{"Thank the user and say goodbye"}),
		},
	}}
}

func sched() *amigo.StateMachineVersion {
	info := "the user's usual working days"
	return &amigo.StateMachineVersion{MachineID: schedID, Version: 2, Definition: amigo.StateMachineDefinition{
		NewUserInitialState: "pick", ReturningUserInitialState: "pick", TerminalState: "done",
		States: []amigo.State{
			{Type: amigo.StateRecall, Recall: &amigo.RecallState{Name: "days", RequestedInformation: &info, NextState: amigo.NextState{Name: "pick"}}},
			action("pick", "Find a day", []string{"Offer the user a choice of days"}, exit("The user chooses a day", "done")),
			action("done", "Close scheduling", []string{"Close scheduling"}),
		},
	}}
}
