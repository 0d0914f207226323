package core

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// testMachine returns a valid machine of n states. For n = 8 its states are
// start (action), s1 (decision), s2 (recall), s3 (annotation),
// s4 (reflection), s5 (tool-call), s6 (action) and end (terminal action).
func testMachine(n int) *StateMachineVersionInput {
	return &StateMachineVersionInput{Definition: *coretest.StateMachine(n)}
}

// decodeMachine decodes a request body as the HTTP layer does.
func decodeMachine(t testing.TB, body []byte) *StateMachineVersionInput {
	t.Helper()
	var w wire.StateMachineVersionRequest
	bad, err := wire.Decode(body, &w)
	if err != nil {
		t.Fatal(err)
	}
	return &StateMachineVersionInput{Definition: w.Definition(), Malformed: bad}
}

// wantViolation is one expected violation; state, if set, must appear quoted in
// the message.
type wantViolation struct {
	loc   []any
	typ   string
	state string
}

func bodyLoc(parts ...any) []any { return parts }

// checkViolations asserts that err lists exactly the wanted violations.
func checkViolations(t *testing.T, err error, want []wantViolation) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want no error, got %v: %v", err, amigo.ErrorFields(err))
		}
		return
	}
	if code := amigo.ErrorCode(err); code != amigo.EINVALID {
		t.Fatalf("want code %s, got %q (%v)", amigo.EINVALID, code, err)
	}
	got := amigo.ErrorFields(err)
	for _, w := range want {
		i := slices.IndexFunc(got, func(f amigo.FieldError) bool { return slices.Equal(f.Loc, w.loc) && f.Type == w.typ })
		if i < 0 {
			t.Errorf("missing violation %v %s; got:\n%s", w.loc, w.typ, dumpViolations(got))
			continue
		}
		if w.state != "" && !strings.Contains(got[i].Msg, fmt.Sprintf("%q", w.state)) {
			t.Errorf("message %q does not name state %q", got[i].Msg, w.state)
		}
	}
	if len(got) != len(want) {
		t.Errorf("want %d violations, got %d:\n%s", len(want), len(got), dumpViolations(got))
	}
}

func dumpViolations(fs []amigo.FieldError) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %v %s: %s\n", f.Loc, f.Type, f.Msg)
	}
	return b.String()
}

func TestValidateStateMachineVersionValid(t *testing.T) {
	for _, n := range []int{1, 2, 8, 200} {
		req := testMachine(n)
		ids, err := ValidateStateMachineVersion(req)
		checkViolations(t, err, nil)
		if !slices.Equal(ids, []string{coretest.ReferencedMachineID}) {
			t.Errorf("n=%d: referenced ids = %v", n, ids)
		}
	}
}

func TestValidateStateMachineVersionRules(t *testing.T) {
	extra := func(name string) amigo.State {
		return amigo.State{Type: amigo.StateAnnotation, Annotation: &amigo.AnnotationState{Name: name, InnerThought: "x", NextState: amigo.NextState{Name: "end"}}}
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		mutate func(d *amigo.StateMachineDefinition)
		want   []wantViolation
	}{
		{"blank description", func(d *amigo.StateMachineDefinition) { d.Description = " \t" },
			[]wantViolation{{bodyLoc("description"), "string_too_short", ""}}},
		{"action state without actions", func(d *amigo.StateMachineDefinition) { d.States[0].Action.Actions = nil },
			[]wantViolation{{bodyLoc("states", 0, "actions"), "too_short", "start"}}},
		{"blank action", func(d *amigo.StateMachineDefinition) { d.States[6].Action.Actions[1] = "  " },
			[]wantViolation{{bodyLoc("states", 6, "actions", 1), "string_too_short", "s6"}}},
		{"malformed state name", func(d *amigo.StateMachineDefinition) { d.States = append(d.States, extra("bad-name")) },
			[]wantViolation{{bodyLoc("states", 8, "name"), "string_pattern_mismatch", "bad-name"}}},
		{"duplicate state name", func(d *amigo.StateMachineDefinition) { d.States = append(d.States, extra("s1")) },
			[]wantViolation{{bodyLoc("states", 8, "name"), "value_error", "s1"}}},
		{"next state unknown", func(d *amigo.StateMachineDefinition) { d.States[3].Annotation.NextState.Name = "nowhere" },
			[]wantViolation{{bodyLoc("states", 3, "next_state"), "value_error", "s3"}}},
		{"next state is itself", func(d *amigo.StateMachineDefinition) { d.States[4].Reflection.NextState.Name = "s4" },
			[]wantViolation{{bodyLoc("states", 4, "next_state"), "value_error", "s4"}}},
		{"exit condition to itself", func(d *amigo.StateMachineDefinition) { d.States[0].Action.ExitConditions[0].NextState.Name = "start" },
			[]wantViolation{{bodyLoc("states", 0, "exit_conditions", 0, "next_state"), "value_error", "start"}}},
		{"exit condition to unknown state", func(d *amigo.StateMachineDefinition) { d.States[1].Decision.ExitConditions[0].NextState.Name = "gone" },
			[]wantViolation{{bodyLoc("states", 1, "exit_conditions", 0, "next_state"), "value_error", "s1"}}},
		{"exit condition to malformed name", func(d *amigo.StateMachineDefinition) { d.States[1].Decision.ExitConditions[0].NextState.Name = "a.b" },
			[]wantViolation{{bodyLoc("states", 1, "exit_conditions", 0, "next_state"), "string_pattern_mismatch", "s1"}}},
		{"external state of unknown reference", func(d *amigo.StateMachineDefinition) {
			d.States[0].Action.ExitConditions[1].NextState.Name = "nolib.entry"
		}, []wantViolation{{bodyLoc("states", 0, "exit_conditions", 1, "next_state", 0), "value_error", "start"}}},
		{"external state without dot", func(d *amigo.StateMachineDefinition) { d.States[0].Action.ExitConditions[1].NextState.Name = "lib" },
			[]wantViolation{{bodyLoc("states", 0, "exit_conditions", 1, "next_state", 0), "string_pattern_mismatch", "start"}}},
		{"jumpback not a state", func(d *amigo.StateMachineDefinition) {
			d.States[6].Action.ExitConditions[1].NextState.Jumpback = "gone"
		},
			[]wantViolation{{bodyLoc("states", 6, "exit_conditions", 1, "next_state", 1), "value_error", "s6"}}},
		{"terminal state with exit conditions", func(d *amigo.StateMachineDefinition) {
			d.States[7].Action.ExitConditions = []amigo.ExitCondition{{Description: "again", NextState: amigo.NextState{Name: "start"}}}
		}, []wantViolation{{bodyLoc("states", 7, "exit_conditions"), "value_error", "end"}}},
		{"terminal state with two actions", func(d *amigo.StateMachineDefinition) { d.States[7].Action.Actions = []string{"a", "b"} },
			[]wantViolation{{bodyLoc("states", 7, "actions"), "value_error", "end"}}},
		{"initial state unknown", func(d *amigo.StateMachineDefinition) { d.NewUserInitialState = "nowhere" },
			[]wantViolation{{bodyLoc("new_user_initial_state"), "value_error", "nowhere"}}},
		{"initial state not an action state", func(d *amigo.StateMachineDefinition) { d.ReturningUserInitialState = "s1" },
			[]wantViolation{{bodyLoc("returning_user_initial_state"), "value_error", "s1"}}},
		{"terminal state external", func(d *amigo.StateMachineDefinition) { d.TerminalState = "lib.end" },
			[]wantViolation{{bodyLoc("terminal_state"), "value_error", "lib.end"}}},
		{"terminal state not an action state", func(d *amigo.StateMachineDefinition) { d.TerminalState = "s3" },
			[]wantViolation{{bodyLoc("terminal_state"), "value_error", "s3"}}},
		{"recall with queries and requested information", func(d *amigo.StateMachineDefinition) { d.States[2].Recall.RequestedInformation = str("x") },
			[]wantViolation{{bodyLoc("states", 2), "value_error", "s2"}}},
		{"recall with neither", func(d *amigo.StateMachineDefinition) { d.States[2].Recall.Queries = nil },
			[]wantViolation{{bodyLoc("states", 2), "value_error", "s2"}}},
		{"recall with empty queries", func(d *amigo.StateMachineDefinition) { d.States[2].Recall.Queries = &[]string{} },
			[]wantViolation{{bodyLoc("states", 2, "queries"), "too_short", "s2"}}},
		{"reflection word limit", func(d *amigo.StateMachineDefinition) { d.States[4].Reflection.WordLimit = 0 },
			[]wantViolation{{bodyLoc("states", 4, "word_limit"), "greater_than", "s4"}}},
		{"audio filler delay zero", func(d *amigo.StateMachineDefinition) { d.States[1].Decision.AudioFillerTriggeredAfter = 0 },
			[]wantViolation{{bodyLoc("states", 1, "audio_filler_triggered_after"), "greater_than", "s1"}}},
		{"audio filler delay too long", func(d *amigo.StateMachineDefinition) {
			d.States[5].ToolCall.DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter = 10.5
		}, []wantViolation{{bodyLoc("states", 5, "designated_tool_call_params_generation_audio_filler_triggered_after"), "less_than_equal", "s5"}}},
		{"too many audio fillers", func(d *amigo.StateMachineDefinition) {
			d.States[1].Decision.AudioFillers = strings.Split("a b c d e f", " ")
		},
			[]wantViolation{{bodyLoc("states", 1, "audio_fillers"), "too_long", "s1"}}},
		{"designated tool id malformed", func(d *amigo.StateMachineDefinition) { d.States[5].ToolCall.DesignatedTool.ToolID = "tool" },
			[]wantViolation{{bodyLoc("states", 5, "designated_tool", "tool_id"), "string_pattern_mismatch", "s5"}}},
		{"tool version constraint malformed", func(d *amigo.StateMachineDefinition) {
			d.States[0].Action.ActionToolCallSpecs[0].VersionConstraint = "lolwat"
		}, []wantViolation{{bodyLoc("states", 0, "action_tool_call_specs", 0, "version_constraint"), "value_error", "start"}}},
		{"tool result persistence unknown", func(d *amigo.StateMachineDefinition) {
			d.States[4].Reflection.ToolCallSpecs[0].ResultPersistence = "forever"
		}, []wantViolation{{bodyLoc("states", 4, "tool_call_specs", 0, "result_persistence"), "enum", "s4"}}},
		{"tool audio filler blank", func(d *amigo.StateMachineDefinition) {
			d.States[1].Decision.ToolCallSpecs[0].AudioFillers = []string{""}
		},
			[]wantViolation{{bodyLoc("states", 1, "tool_call_specs", 0, "audio_fillers", 0), "string_too_short", "s1"}}},
		{"reference name malformed", func(d *amigo.StateMachineDefinition) {
			d.References["my-lib"] = amigo.Reference{MachineID: coretest.ReferencedMachineID, Version: 1}
		}, []wantViolation{{bodyLoc("references", "my-lib", "[key]"), "string_pattern_mismatch", ""}}},
		{"reference id malformed", func(d *amigo.StateMachineDefinition) {
			d.References["lib"] = amigo.Reference{MachineID: "lib", Version: 1}
		},
			[]wantViolation{{bodyLoc("references", "lib", 0), "string_pattern_mismatch", ""}}},
		{"blank global guideline", func(d *amigo.StateMachineDefinition) { d.GlobalActionGuidelines = []string{"ok", ""} },
			[]wantViolation{{bodyLoc("global_action_guidelines", 1), "string_too_short", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := testMachine(8)
			tt.mutate(&req.Definition)
			_, err := ValidateStateMachineVersion(req)
			checkViolations(t, err, tt.want)
		})
	}
}

// mutateJSON returns the JSON of testMachine(8) changed by edit.
func mutateJSON(t *testing.T, edit func(body map[string]any, states []any)) []byte {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(coretest.StateMachineJSON(8), &body); err != nil {
		t.Fatal(err)
	}
	edit(body, body["states"].([]any))
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateStateMachineVersionDecoding(t *testing.T) {
	state := func(states []any, i int) map[string]any { return states[i].(map[string]any) }
	tests := []struct {
		name string
		edit func(body map[string]any, states []any)
		want []wantViolation
	}{
		{"unknown fields are ignored", func(body map[string]any, states []any) {
			body["colour"] = "blue"
			state(states, 0)["mood"] = 1
		}, nil},
		{"unknown state type", func(_ map[string]any, states []any) { state(states, 3)["type"] = "annotate" },
			[]wantViolation{{bodyLoc("states", 3), "union_tag_invalid", ""}}},
		{"state without type", func(_ map[string]any, states []any) { delete(state(states, 3), "type") },
			[]wantViolation{{bodyLoc("states", 3), "union_tag_not_found", ""}}},
		{"state not an object", func(_ map[string]any, states []any) { states[3] = "s3" },
			[]wantViolation{{bodyLoc("states", 3), "model_attributes_type", ""}}},
		{"missing field", func(_ map[string]any, states []any) { delete(state(states, 1), "objective") },
			[]wantViolation{{bodyLoc("states", 1, "objective"), "missing", "s1"}}},
		{"keys are case-sensitive", func(_ map[string]any, states []any) {
			s := state(states, 1)
			s["Objective"] = s["objective"]
			delete(s, "objective")
		}, []wantViolation{{bodyLoc("states", 1, "objective"), "missing", "s1"}}},
		{"wrong type", func(_ map[string]any, states []any) { state(states, 4)["word_limit"] = "many" },
			[]wantViolation{{bodyLoc("states", 4, "word_limit"), "int_parsing", "s4"}}},
		{"fractional integer", func(_ map[string]any, states []any) { state(states, 4)["word_limit"] = 2.5 },
			[]wantViolation{{bodyLoc("states", 4, "word_limit"), "int_from_float", "s4"}}},
		{"null where not nullable", func(_ map[string]any, states []any) { state(states, 0)["skip_active_memory_retrieval"] = nil },
			[]wantViolation{{bodyLoc("states", 0, "skip_active_memory_retrieval"), "bool_type", "start"}}},
		{"next state tuple too long", func(_ map[string]any, states []any) {
			state(states, 3)["next_state"] = []any{"lib.entry", "s4", "s5"}
		}, []wantViolation{{bodyLoc("states", 3, "next_state"), "too_long", "s3"}}},
		{"reference not a tuple", func(body map[string]any, _ []any) {
			body["references"] = map[string]any{"lib": coretest.ReferencedMachineID}
		}, []wantViolation{{bodyLoc("references", "lib"), "tuple_type", ""}}},
		{"states not a list", func(body map[string]any, _ []any) { body["states"] = map[string]any{} },
			[]wantViolation{{bodyLoc("states"), "list_type", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateStateMachineVersion(decodeMachine(t, mutateJSON(t, tt.edit)))
			checkViolations(t, err, tt.want)
		})
	}
}

// TestValidateStateMachineVersionAllViolations checks that one error lists
// every problem of a body, decoding and rules alike.
func TestValidateStateMachineVersionAllViolations(t *testing.T) {
	body := mutateJSON(t, func(body map[string]any, states []any) {
		body["description"] = ""
		body["terminal_state"] = "s1"
		states[0].(map[string]any)["actions"] = []any{}
		states[2].(map[string]any)["queries"] = "who?"
		states[3].(map[string]any)["next_state"] = "s3"
		states[5].(map[string]any)["designated_tool"].(map[string]any)["result_persistence"] = "never"
	})
	_, err := ValidateStateMachineVersion(decodeMachine(t, body))
	checkViolations(t, err, []wantViolation{
		{bodyLoc("description"), "string_too_short", ""},
		{bodyLoc("states", 0, "actions"), "too_short", "start"},
		{bodyLoc("states", 2, "queries"), "list_type", "s2"},
		{bodyLoc("states", 3, "next_state"), "value_error", "s3"},
		{bodyLoc("states", 5, "designated_tool", "result_persistence"), "enum", "s5"},
		{bodyLoc("terminal_state"), "value_error", "s1"},
	})
	// Violations read in body order.
	got := amigo.ErrorFields(err)
	if !slices.Equal(got[0].Loc, bodyLoc("description")) || !slices.Equal(got[len(got)-1].Loc, bodyLoc("terminal_state")) {
		t.Errorf("violations out of order:\n%s", dumpViolations(got))
	}
}

func TestValidateStateMachineVersionStrips(t *testing.T) {
	req := testMachine(8)
	req.Definition.States[0].Action.Objective = "  Help.\n"
	if _, err := ValidateStateMachineVersion(req); err != nil {
		t.Fatal(err)
	}
	if got := req.Definition.States[0].Action.Objective; got != "Help." {
		t.Errorf("objective = %q, want it stripped", got)
	}
}

// TestValidateStateMachineVersionRoundTrip checks that a machine decoded
// from its body and encoded again in the wire shape is the same body.
func TestValidateStateMachineVersionRoundTrip(t *testing.T) {
	body := coretest.StateMachineJSON(8)
	req := decodeMachine(t, body)
	again, err := json.Marshal(shape.Convert[wire.StateMachineDefinition](req.Definition))
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(again) {
		t.Errorf("state machine does not round-trip:\n%s\n%s", body, again)
	}
}

func TestIsVersionSpecifierSet(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, ">=1.0": true, ">=1.0,<2": true, " ~= 2.2 , != 2.2.1": true, "==1.*": true, "==1.0+local.1": true,
		"===foo": true, "V1.0": false, ">=1.0a1.dev2": true, "<1.0.post1": true,
		"lolwat": false, "~=1": false, "<1.*": false, ">=1.0+local": false, "1.0": false, ">=": false,
	} {
		if got := isVersionSpecifierSet(s); got != want {
			t.Errorf("isVersionSpecifierSet(%q) = %v, want %v", s, got, want)
		}
	}
}

func BenchmarkValidateStateMachine200(b *testing.B) {
	req := testMachine(200)
	for b.Loop() {
		if _, err := ValidateStateMachineVersion(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValidateStateMachine200(b *testing.B) {
	body := coretest.StateMachineJSON(200)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ValidateStateMachineVersion(decodeMachine(b, body)); err != nil {
			b.Fatal(err)
		}
	}
}

// brokenMachine returns the body of a machine of n states, each with two
// rule violations (a blank objective, a next state that does not exist)
// and the decoding problem of a non-string action.
func brokenMachine(n int) []byte {
	return mutateMachine(n, func(_ map[string]any, states []any) {
		for _, s := range states {
			st := s.(map[string]any)
			st["objective"] = " "
			st["actions"] = []any{1}
			if ecs, ok := st["exit_conditions"].([]any); ok && len(ecs) > 0 {
				ecs[0].(map[string]any)["next_state"] = "nowhere"
			}
		}
	})
}

func mutateMachine(n int, edit func(body map[string]any, states []any)) []byte {
	var body map[string]any
	if err := json.Unmarshal(coretest.StateMachineJSON(n), &body); err != nil {
		panic(err)
	}
	edit(body, body["states"].([]any))
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkDecodeValidateBroken measures decoding and validating machines
// whose every state is broken: the time per state stays flat as the
// number of violations grows (it was quadratic), and the answer lists at
// most amigo.MaxFieldErrors of them.
func BenchmarkDecodeValidateBroken(b *testing.B) {
	for _, n := range []int{10, 100, 1_000, 10_000} {
		body := brokenMachine(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_, err := ValidateStateMachineVersion(decodeMachine(b, body))
				if e := amigo.ErrorFields(err); len(e) == 0 || len(e) > amigo.MaxFieldErrors {
					b.Fatalf("%d violations", len(e))
				}
			}
		})
	}
}
