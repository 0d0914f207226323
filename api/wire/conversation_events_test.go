package wire_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/engine/event"
	"github.com/amigo-oss/amigo-server/internal/conformance"
)

// noTool stands for engine.NoToolRuntime, the output a tool-call state
// records; the test does not link the engine in to name it.
const noTool = "not called: this server has no tool runtime"

var (
	root = event.Position{Machine: amigo.Reference{MachineID: "aaaaaaaaaaaaaaaaaaaaaaaa", Version: 3}, State: "route"}
	ref  = event.Position{Machine: amigo.Reference{MachineID: "bbbbbbbbbbbbbbbbbbbbbbbb", Version: 2}, State: "pick"}
)

// TestConversationEventsMatchSpec encodes one event of every kind and
// checks it against its own schema and the stream's union, and that the
// keys are exactly the spec's.
func TestConversationEventsMatchSpec(t *testing.T) {
	s := conformance.ConversationSchemas(t)
	if s == nil {
		t.Skip("no conversations.json")
	}
	action := func(a event.Action) any { return wire.CurrentAgentAction(&a) }
	tool := &event.ToolCall{ToolID: "dddddddddddddddddddddddd", Version: ">=1.0", Output: noTool}
	for _, tc := range []struct {
		schema string
		event  any
		want   string
	}{
		{"ConversationCreatedEvent", wire.ConversationCreated("c0ffeec0ffeec0ffeec0ffee"), `{"type":"conversation-created","conversation_id":"c0ffeec0ffeec0ffeec0ffee"}`},
		{"UserMessageAvailableEvent", wire.UserMessageAvailable("m1", "hi"), `{"type":"user-message-available","message_id":"m1","user_message":"hi"}`},
		{"NewMessageEvent", wire.EngineEvent(event.Event{Fragment: &event.Fragment{Seq: 2, Text: "Hel"}}, "m2"),
			`{"type":"new-message","message":"Hel","transcript_alignment":null,"stop":false,"sequence_number":2,"message_id":"m2"}`},
		{"NewMessageEvent", wire.NewMessage(&event.Fragment{Seq: 3, Stop: true}, "m2"),
			`{"type":"new-message","message":"","transcript_alignment":null,"stop":true,"sequence_number":3,"message_id":"m2"}`},
		{"InteractionCompleteEvent", wire.InteractionComplete("m2", "i1", "Hello", true),
			`{"type":"interaction-complete","message_id":"m2","interaction_id":"i1","full_message":"Hello","conversation_completed":true}`},
		{"ErrorEvent", wire.StreamError(503, "the model is unavailable"), `{"type":"error","http_error_code":503,"error_description":"the model is unavailable"}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionDecisionStarted}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-decision-state-decision-started"}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionExitConditionSelected, Text: "The user wants a regular appointment", To: ref}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-exit-condition-selected","exit_condition":"The user wants a regular appointment","next_state_state_machine_version_info":["bbbbbbbbbbbbbbbbbbbbbbbb",2],"next_state_name":"pick"}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionActionSelected, Text: "Greet"}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-action-state-action-selected","action":"Greet"}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionStateTransitioned, From: root, To: ref}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-state-transitioned","prev_state":"route","prev_state_state_machine_version_info":["aaaaaaaaaaaaaaaaaaaaaaaa",3],"next_state":"pick","next_state_state_machine_version_info":["bbbbbbbbbbbbbbbbbbbbbbbb",2]}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionReflectionPrompt, Text: "Which day?"}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-reflection-state-prompt-retrieved","prompt":"Which day?"}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionReflectionGenerated, Text: "Tuesday."}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-reflection-state-reflection-generated","reflection":"Tuesday."}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionAnnotationRetrieved, Text: "Note."}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-annotation-state-annotation-retrieved","annotation":"Note."}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionStaticQueries, Queries: []string{"q"}}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-recall-state-static-queries-retrieved","static_queries":["q"]}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionDynamicQueries, Queries: []string{"q"}, Text: "info"}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-recall-state-dynamic-queries-generated","dynamic_queries":["q"],"requested_information":"info"}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionMemoryRetrieved, Memories: []event.Memory{{Query: "q", Answer: "a"}}}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-recall-state-active-memory-retrieved","queries_and_responses":[["q","a"]]}}`},
		{"CurrentAgentActionEvent", action(event.Action{Type: event.ActionToolOutput, Tool: tool}),
			`{"type":"current-agent-action","action":{"type":"navigate-state-machine-tool-call-state-tool-output-available","tool_id":"dddddddddddddddddddddddd","tool_version":">=1.0","tool_output":"` + noTool + `","duration":0,"input_arguments":{}}}`},
	} {
		line, err := wire.AppendEventLine(nil, tc.event)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(string(line), "\n") || strings.Count(string(line), "\n") != 1 {
			t.Errorf("%s: not one line: %q", tc.schema, line)
		}
		body := strings.TrimSuffix(string(line), "\n")
		if body != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.schema, body, tc.want)
		}
		if err := s.Check(tc.schema, []byte(body)); err != nil {
			t.Error(err)
		}
		// A client (the Go SDK) decodes it into the same type and gets the
		// same event back: an action as its typed variant.
		back := reflect.New(reflect.TypeOf(tc.event))
		if err := json.Unmarshal([]byte(body), back.Interface()); err != nil {
			t.Errorf("%s: decode: %v", tc.schema, err)
		}
		if again, _ := wire.AppendEventLine(nil, back.Interface()); strings.TrimSuffix(string(again), "\n") != tc.want {
			t.Errorf("%s: decoded and encoded again:\n got %s\nwant %s", tc.schema, again, tc.want)
		}
		if a, ok := back.Interface().(*wire.CurrentAgentActionEvent); ok && reflect.TypeOf(a.Action) != reflect.TypeOf(tc.event.(wire.CurrentAgentActionEvent).Action) {
			t.Errorf("%s: decoded action is a %T", body, a.Action)
		}
		// Each event but the other stream's opener belongs to both streams.
		if tc.schema != "UserMessageAvailableEvent" {
			if err := s.Check("src__app__endpoints__conversation__create_conversation__Response", []byte(body)); err != nil {
				t.Error(err)
			}
		}
		if tc.schema != "ConversationCreatedEvent" {
			if err := s.Check("src__app__endpoints__conversation__interact_with_conversation__Response", []byte(body)); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestUnknownActionStaysRaw decodes an action of a type the package does
// not know as its JSON, so a client of an older wire package still reads
// a newer server's stream.
func TestUnknownActionStaysRaw(t *testing.T) {
	const line = `{"type":"current-agent-action","action":{"type":"navigate-state-machine-future-step","x":1}}`
	var ev wire.CurrentAgentActionEvent
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatal(err)
	}
	if raw, ok := ev.Action.(json.RawMessage); !ok || string(raw) != `{"type":"navigate-state-machine-future-step","x":1}` || ev.EventType() != wire.EventCurrentAgentAction {
		t.Errorf("decoded %#v", ev)
	}
}

// TestSchemasRejectDrift makes sure the schema check has teeth: a missing
// required field and a wrong type fail.
func TestSchemasRejectDrift(t *testing.T) {
	s := conformance.ConversationSchemas(t)
	if s == nil {
		t.Skip("no conversations.json")
	}
	for _, bad := range []string{
		`{"type":"new-message","message":"x","stop":false,"sequence_number":0,"message_id":"m"}`,
		`{"type":"interaction-complete","message_id":"m","interaction_id":"i","full_message":"x","conversation_completed":"yes"}`,
	} {
		if err := s.Check("src__app__endpoints__conversation__interact_with_conversation__Response", []byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestInsightsMatchSpec encodes a transition log of every type.
func TestInsightsMatchSpec(t *testing.T) {
	s := conformance.ConversationSchemas(t)
	if s == nil {
		t.Skip("no conversations.json")
	}
	ins := &event.Insights{StateName: "confirm", Action: "Confirm", Objective: "Confirm the booking",
		WorkingMemory: []event.Memory{{Query: "q", Answer: "a"}}, Reflections: []string{"r"},
		Logs: []event.TransitionLog{
			{Type: amigo.StateAction, From: root, To: root, ExitCondition: "e"},
			{Type: amigo.StateDecision, From: root, To: ref, ExitCondition: "e"},
			{Type: amigo.StateReflection, From: root, To: root, InnerThoughtID: "it1"},
			{Type: amigo.StateAnnotation, From: root, To: root, InnerThoughtID: "it2"},
			{Type: amigo.StateRecall, From: root, To: root},
			{Type: amigo.StateToolCall, From: root, To: root, Tool: &event.ToolCall{ToolID: "t", Version: ">=1", Output: noTool}},
			{Type: event.LogJumpback, From: ref, To: root},
		}}
	b, err := json.Marshal(wire.NewInteractionInsights(ins))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check("src__app__endpoints__conversation__get_interaction_insights__Response", b); err != nil {
		t.Error(err)
	}
	var back struct {
		Logs []map[string]any `json:"state_transition_logs"`
	}
	_ = json.Unmarshal(b, &back)
	if len(back.Logs) != 7 || back.Logs[5]["designated_tool_call_log"].(map[string]any)["output"] != noTool || back.Logs[6]["type"] != "jumpback" {
		t.Errorf("logs: %v", back.Logs)
	}
}
