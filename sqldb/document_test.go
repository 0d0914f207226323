package sqldb

import (
	"encoding/json"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core/coretest"
)

// TestStoredMachineMatchesStored checks that the state-by-state encoding
// of a state machine writes what the whole-document one does, for
// machines with every state type, none, and a description that needs
// escaping.
func TestStoredMachineMatchesStored(t *testing.T) {
	empty := amigo.StateMachineDefinition{Description: `"<states>" & \ more`}
	for _, d := range []amigo.StateMachineDefinition{*coretest.StateMachine(1), *coretest.StateMachine(40), empty} {
		if got, want := storedMachine(d), stored[storedStateMachineDefinition](d); got != want {
			t.Errorf("storedMachine of %d states:\n%s\nwant\n%s", len(d.States), got, want)
		}
	}
}

// TestStoredSetMatchesStored checks that the preference-by-preference
// encoding of a version set writes what the whole-document one does.
func TestStoredSetMatchesStored(t *testing.T) {
	one, topK := 1, 3
	temp := 0.5
	sets := []amigo.VersionSet{{}, {AgentVersion: &one, LLMModelPreferences: map[string]amigo.LLMConfig{}}, {
		StateMachineVersion: &one,
		LLMModelPreferences: map[string]amigo.LLMConfig{
			"b<&>": {LLMName: "m", TopK: &topK}, "a": {Temperature: &temp, Params: map[string]json.RawMessage{"x": json.RawMessage(`1`)}}, "é\"": {},
		},
	}}
	for _, vs := range sets {
		set, prefs := storedSet(vs)
		if want := stored[storedVersionSet](vs); set != want {
			t.Errorf("storedSet:\n%s\nwant\n%s", set, want)
		}
		if want := storedLLMPreferences(vs.LLMModelPreferences); prefs != want {
			t.Errorf("storedSet's preferences:\n%s\nwant\n%s", prefs, want)
		}
		if got, want := storedLLMPreferences(vs.LLMModelPreferences), stored[map[string]storedLLMConfig](vs.LLMModelPreferences); got != want {
			t.Errorf("storedLLMPreferences:\n%s\nwant\n%s", got, want)
		}
	}
}

// TestJSONStringsMatchesJSONText checks jsonStrings against jsonText.
func TestJSONStringsMatchesJSONText(t *testing.T) {
	for _, list := range [][]string{nil, {}, {"a"}, {"<b>", "\"q\"\n", "é\u2028", ""}} {
		if got, want := jsonStrings(list), jsonText(nonNil(list)); got != want {
			t.Errorf("jsonStrings(%q) = %s, want %s", list, got, want)
		}
	}
}
