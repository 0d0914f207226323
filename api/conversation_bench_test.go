package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// BenchmarkInteract runs interactions of one conversation with the
// built-in model, over HTTP as a client would: what the server spends on
// an interaction besides the model (which here answers at once).
//
//	go test ./api -run '^$' -bench Interact -benchmem
//
// allocs/op counts the whole process, the client reading the stream
// included. AMIGO_SQLTRACE-style statement counts are in
// docs/performance.md.
func BenchmarkInteract(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		svc := chatService(b, env)
		conv := ""
		readEvents(b, env, "/v1/platform/conversation/?response_format=text", "application/json",
			mustJSON(map[string]any{"service_id": svc}), func(typ string, ev map[string]any) {
				if typ == "conversation-created" {
					conv = ev["conversation_id"].(string)
				}
			})
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("initial_message_type", "user-message")
		mw.WriteField("recorded_message", "What can you tell me?")
		mw.Close()
		path := "/v1/platform/conversation/" + conv + "/interact?request_format=text&response_format=text"
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			readEvents(b, env, path, mw.FormDataContentType(), buf.Bytes(), nil)
		}
	})
}

// chatService creates a service whose machine is one action state without
// exits (and an unreachable terminal state): every interaction engages.
func chatService(b *testing.B, env *testenv.Env) string {
	agent := createAgent(b, env.Admin, "platform", "chat-agent")
	call(b, env, "POST", "/v1/platform/organization/agent/"+agent+"/", mustJSON(agentVersionBody("CA")), 201)
	machine := createMachine(b, env.Admin, "platform", "chat")
	action := func(name string) map[string]any {
		return map[string]any{"type": "action", "name": name, "objective": "Help the user.", "actions": []string{"Answer the user."},
			"intra_state_navigation_guidelines": []string{}, "action_guidelines": []string{}, "boundary_constraints": []string{},
			"action_tool_call_specs": []string{}, "exit_condition_tool_call_specs": []string{}, "exit_conditions": []string{}, "skip_active_memory_retrieval": true}
	}
	call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+machine+"/", mustJSON(map[string]any{
		"description": "Chat.", "new_user_initial_state": "chat", "returning_user_initial_state": "chat", "terminal_state": "end",
		"references": map[string]any{}, "global_intra_state_navigation_guidelines": []string{}, "global_action_guidelines": []string{},
		"global_boundary_constraints": []string{}, "states": []any{action("chat"), action("end")},
	}), 201)
	var out struct {
		ID string `json:"id"`
	}
	env.Admin.Do(b, "POST", "/v1/platform/service/", map[string]any{
		"service_hierarchical_state_machine_id": machine, "agent_id": agent, "name": "chat", "description": "Chat.",
		"is_active": true, "keyterms": []string{}, "tags": map[string]any{},
	}).Expect(201).Decode(&out)
	return out.ID
}

// readEvents posts a streamed request as the platform admin and reads every
// event, failing unless the stream ends with interaction-complete.
func readEvents(b *testing.B, env *testenv.Env, path, contentType string, body []byte, each func(typ string, ev map[string]any)) {
	req, _ := http.NewRequest("POST", env.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Fatalf("POST %s: %d", path, resp.StatusCode)
	}
	last := ""
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			b.Fatal(err)
		}
		last, _ = ev["type"].(string)
		if each != nil {
			each(last, ev)
		}
	}
	if last != "interaction-complete" {
		b.Fatalf("POST %s: the stream ended with %q", path, last)
	}
}
