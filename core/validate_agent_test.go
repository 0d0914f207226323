package core

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// testAgentJSON is a complete create-agent-version body.
const testAgentJSON = `{
	"initials": "AM",
	"identity": {
		"name": "Amy", "role": "Coach", "developed_by": "Amigo", "default_spoken_language": "eng",
		"relationship_to_developer": {"ownership": "Amigo", "type": "assistant", "conversation_visibility": "visible", "thought_visibility": "hidden"}
	},
	"background": "Ten years of coaching.",
	"behaviors": ["Listens first."],
	"communication_patterns": ["Short sentences."],
	"voice_config": {"voice_id": "voice-1"}
}`

// agentRequest decodes testAgentJSON changed by edit.
func agentRequest(t *testing.T, edit func(body map[string]any)) *AgentVersionInput {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal([]byte(testAgentJSON), &body); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(body)
	}
	b, _ := json.Marshal(body)
	var req wire.AgentVersionRequest
	bad, err := wire.Decode(b, &req)
	if err != nil {
		t.Fatal(err)
	}
	return &AgentVersionInput{AgentVersionPatch: req.Patch(), Malformed: bad}
}

func TestValidateAgentVersion(t *testing.T) {
	identity := func(body map[string]any) map[string]any { return body["identity"].(map[string]any) }
	tests := []struct {
		name  string
		edit  func(body map[string]any)
		first bool
		want  []wantViolation
	}{
		{"complete first version", nil, true, nil},
		{"partial later version", func(body map[string]any) { delete(body, "identity"); body["background"] = nil }, false, nil},
		{"unknown fields are ignored", func(body map[string]any) { body["mood"] = "happy" }, true, nil},
		{"initials too long", func(body map[string]any) { body["initials"] = "ABCD" }, false,
			[]wantViolation{{bodyLoc("initials"), "string_too_long", ""}}},
		{"initials blank", func(body map[string]any) { body["initials"] = "  " }, false,
			[]wantViolation{{bodyLoc("initials"), "string_too_short", ""}}},
		{"language not ISO 639-3", func(body map[string]any) { identity(body)["default_spoken_language"] = "en" }, false,
			[]wantViolation{{bodyLoc("identity", "default_spoken_language"), "literal_error", ""}}},
		{"identity incomplete", func(body map[string]any) { delete(identity(body), "relationship_to_developer") }, false,
			[]wantViolation{{bodyLoc("identity", "relationship_to_developer"), "missing", ""}}},
		{"identity field blank", func(body map[string]any) {
			identity(body)["relationship_to_developer"].(map[string]any)["ownership"] = " "
		}, false, []wantViolation{{bodyLoc("identity", "relationship_to_developer", "ownership"), "string_too_short", ""}}},
		{"behavior blank", func(body map[string]any) { body["behaviors"] = []any{"ok", ""} }, false,
			[]wantViolation{{bodyLoc("behaviors", 1), "string_too_short", ""}}},
		{"behaviors not a list", func(body map[string]any) { body["behaviors"] = "kind" }, false,
			[]wantViolation{{bodyLoc("behaviors"), "list_type", ""}}},
		{"voice id blank", func(body map[string]any) { body["voice_config"] = map[string]any{"voice_id": ""} }, false,
			[]wantViolation{{bodyLoc("voice_config", "voice_id"), "string_too_short", ""}}},
		{"every violation at once", func(body map[string]any) {
			body["initials"] = 7
			body["background"] = ""
			identity(body)["name"] = nil
			body["communication_patterns"] = []any{" "}
		}, true, []wantViolation{
			{bodyLoc("initials"), "string_type", ""},
			{bodyLoc("identity", "name"), "string_type", ""},
			{bodyLoc("background"), "string_too_short", ""},
			{bodyLoc("communication_patterns", 0), "string_too_short", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAgentVersion(agentRequest(t, tt.edit), tt.first, nil)
			checkViolations(t, err, tt.want)
		})
	}
}

func TestValidateAgentVersionFirstNeedsEveryField(t *testing.T) {
	req := agentRequest(t, func(body map[string]any) { delete(body, "background"); body["voice_config"] = nil })
	err := ValidateAgentVersion(req, true, nil)
	if amigo.ErrorCode(err) != amigo.EBADREQUEST || !strings.Contains(amigo.ErrorMessage(err), "missing: background, voice_config") {
		t.Fatalf("got %v", err)
	}
	// A schema violation is reported first, as 422.
	req = agentRequest(t, func(body map[string]any) { delete(body, "background"); body["initials"] = "" })
	if err := ValidateAgentVersion(req, true, nil); amigo.ErrorCode(err) != amigo.EINVALID {
		t.Fatalf("got %v, want %s", err, amigo.EINVALID)
	}
}

func TestValidateAgentVersionVoices(t *testing.T) {
	voices := NewVoiceCatalog("voice-1", "voice-2")
	if err := ValidateAgentVersion(agentRequest(t, nil), true, voices); err != nil {
		t.Fatal(err)
	}
	req := agentRequest(t, func(body map[string]any) { body["voice_config"] = map[string]any{"voice_id": "voice-9"} })
	if err := ValidateAgentVersion(req, false, voices); amigo.ErrorCode(err) != amigo.EBADREQUEST {
		t.Fatalf("unknown voice: got %v, want %s", err, amigo.EBADREQUEST)
	}
	if err := ValidateAgentVersion(req, false, nil); err != nil {
		t.Fatalf("empty catalogue: %v", err)
	}
}

func TestAgentVersionRequestMerge(t *testing.T) {
	latest := agentRequest(t, nil)
	if err := ValidateAgentVersion(latest, true, nil); err != nil {
		t.Fatal(err)
	}
	base := latest.Merge(nil)
	next := agentRequest(t, func(body map[string]any) {
		clear(body)
		body["initials"] = " AB "
		body["behaviors"] = []any{}
	})
	if err := ValidateAgentVersion(next, false, nil); err != nil {
		t.Fatal(err)
	}
	got := next.Merge(&base)
	if got.Initials != "AB" || len(got.Behaviors) != 0 || got.Background != base.Background || got.VoiceConfig.VoiceID != "voice-1" {
		t.Errorf("merged = %+v", got)
	}
}
