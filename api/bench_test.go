package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// Benchmarks go through HTTP like a client, against each backend:
//
//	go test ./api -run '^$' -bench . -benchtime 200x
//	AMIGO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./api -run '^$' -bench .
//
// Fixtures of 10,000 rows are written through the store, which is what the
// API would do 10,000 times, only faster.

// benchEach runs fn as a sub-benchmark per backend.
func benchEach(b *testing.B, fn func(b *testing.B, env *testenv.Env)) {
	for _, backend := range testenv.Backends(b) {
		b.Run(backend.Name, func(b *testing.B) { fn(b, testenv.Start(b, backend)) })
	}
}

// call sends one request with the platform admin's token and fails on an
// unexpected status. It bypasses the spec check, which would be measured too.
func call(b *testing.B, env *testenv.Env, method, path string, body []byte, want int) {
	req, _ := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkCreateAgentVersion(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		id := createAgent(b, env.Admin, "platform", "bench")
		call(b, env, "POST", "/v1/platform/organization/agent/"+id+"/", mustJSON(agentVersionBody("AM")), 201)
		body := mustJSON(map[string]any{"background": "A longer background."})
		b.ResetTimer()
		for b.Loop() {
			call(b, env, "POST", "/v1/platform/organization/agent/"+id+"/", body, 201)
		}
	})
}

func BenchmarkCreateStateMachineVersion200(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		lib := createMachine(b, env.Admin, "platform", "lib")
		call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+lib+"/", mustJSON(simpleMachine()), 201)
		id := createMachine(b, env.Admin, "platform", "bench")
		body := mustJSON(machineReferencing(200, lib))
		b.SetBytes(int64(len(body)))
		b.ResetTimer()
		for b.Loop() {
			call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+id+"/", body, 201)
		}
	})
}

// seedAgents writes n agents straight into the platform org's cluster.
func seedAgents(b *testing.B, env *testenv.Env, n int) {
	store := env.Runtime.Clusters["default"]
	now := time.Now()
	for i := range n {
		a := &amigo.Agent{ID: amigo.NewID(now), OrgID: testenv.PlatformOrg, Name: fmt.Sprintf("agent-%05d", i),
			CreatorOrgID: testenv.PlatformOrg, CreatorUserID: env.UserID, CreatedAt: now.Add(time.Duration(i)), UpdatedAt: now}
		if err := store.CreateAgent(context.Background(), a); err != nil {
			b.Fatal(err)
		}
	}
	analyze(b, env)
}

// analyze refreshes the planner's statistics after a bulk load, as
// PostgreSQL's autovacuum would a minute later (SQLite gets its first).
func analyze(b *testing.B, env *testenv.Env) {
	if _, err := env.Runtime.Clusters["default"].SQL().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkListAgents10k(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		seedAgents(b, env, 10_000)
		// The first page, and pages from all over the list (an offset
		// token costs the rows it skips).
		for _, deep := range []int{0, 1} {
			b.Run(map[int]string{0: "first-page", 1: "any-page"}[deep], func(b *testing.B) {
				i := 0
				for b.Loop() {
					call(b, env, "GET", fmt.Sprintf("/v1/platform/organization/agent?limit=20&deprecated=false&continuation_token=%d", (i*997)%9980*deep), nil, 200)
					i++
				}
			})
		}
	})
}

// noPrefs is a version set of the latest versions without LLM preferences.
var noPrefs = amigo.VersionSet{LLMModelPreferences: map[string]amigo.LLMConfig{}}

// seedServices writes n services, a tenth of them tagged team:support.
func seedServices(b *testing.B, env *testenv.Env, n int) {
	agent := createAgent(b, env.Admin, "platform", "svc-agent")
	call(b, env, "POST", "/v1/platform/organization/agent/"+agent+"/", mustJSON(agentVersionBody("AM")), 201)
	machine := createMachine(b, env.Admin, "platform", "svc-machine")
	call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+machine+"/", mustJSON(simpleMachine()), 201)
	store := env.Runtime.Clusters["default"]
	now := time.Now()
	for i := range n {
		team := "sales"
		if i%10 == 0 {
			team = "support"
		}
		s := &amigo.Service{ID: amigo.NewID(now), OrgID: testenv.PlatformOrg, Name: fmt.Sprintf("service-%05d", (i*7919)%n),
			Description: "d", AgentID: agent, StateMachineID: machine, Tags: map[string]*string{"team": &team}, Keyterms: []string{},
			VersionSets: map[string]amigo.VersionSet{amigo.VersionSetEdge: noPrefs, amigo.VersionSetRelease: noPrefs},
			CreatedAt:   now, UpdatedAt: now}
		if err := store.CreateService(context.Background(), s, func(amigo.Pinned) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	analyze(b, env)
}

func BenchmarkListServices10kByTag(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		seedServices(b, env, 10_000)
		b.ResetTimer()
		i := 0
		for b.Loop() {
			call(b, env, "GET", fmt.Sprintf("/v1/platform/service/?tags=team:support&sort_by=%%2Bname&limit=20&continuation_token=%d", (i*97)%980), nil, 200)
			i++
		}
	})
}

func BenchmarkCreateService(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		agent := createAgent(b, env.Admin, "platform", "svc-agent")
		call(b, env, "POST", "/v1/platform/organization/agent/"+agent+"/", mustJSON(agentVersionBody("AM")), 201)
		machine := createMachine(b, env.Admin, "platform", "svc-machine")
		call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+machine+"/", mustJSON(simpleMachine()), 201)
		body := mustJSON(map[string]any{
			"service_hierarchical_state_machine_id": machine, "agent_id": agent, "name": "bench", "description": "d",
			"is_active": false, "keyterms": []string{}, "tags": map[string]any{"team": "support"},
		})
		b.ResetTimer()
		for b.Loop() {
			call(b, env, "POST", "/v1/platform/service/", body, 201)
		}
	})
}

// BenchmarkValidateStateMachine200 measures validation alone.
func BenchmarkValidateStateMachine200(b *testing.B) {
	body := mustJSON(machineReferencing(200, "0123456789abcdef01234567"))
	for b.Loop() {
		var req wire.StateMachineVersionRequest
		bad, err := wire.Decode(body, &req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := core.ValidateStateMachineVersion(&core.StateMachineVersionInput{Definition: req.Definition(), Malformed: bad}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpsertVersionSet rewrites one version set of a service again
// and again: the write path of a deployment pipeline.
func BenchmarkUpsertVersionSet(b *testing.B) {
	benchEach(b, func(b *testing.B, env *testenv.Env) {
		agent := createAgent(b, env.Admin, "platform", "vs-agent")
		call(b, env, "POST", "/v1/platform/organization/agent/"+agent+"/", mustJSON(agentVersionBody("AM")), 201)
		machine := createMachine(b, env.Admin, "platform", "vs-machine")
		call(b, env, "POST", "/v1/platform/organization/service_hierarchical_state_machine/"+machine+"/", mustJSON(simpleMachine()), 201)
		var svc struct {
			ID string `json:"id"`
		}
		env.Admin.Do(b, "POST", "/v1/platform/service/", map[string]any{
			"service_hierarchical_state_machine_id": machine, "agent_id": agent, "name": "vs", "description": "d",
			"is_active": false, "keyterms": []string{}, "tags": map[string]any{"team": "support"},
		}).Expect(201).Decode(&svc)
		body := mustJSON(map[string]any{"version_set": map[string]any{
			"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 1,
			"llm_model_preferences": map[string]any{"conversation": map[string]any{"llm_name": "openai_gpt-5.1-2025-11-13", "temperature": 0.3}}}})
		b.ResetTimer()
		for b.Loop() {
			call(b, env, "PUT", "/v1/platform/service/"+svc.ID+"/version_sets/canary/", body, 204)
		}
	})
}
