package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// rewrite replaces old by new in a file of dir.
func rewrite(t *testing.T, dir, file, old, new string) {
	t.Helper()
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPlanCatchesPinnedVersions is the trap of docs/api.md's worked example: a service whose
// version sets pin agent Amy's version 2, and files that switch it to an
// agent amy that will have one version. The plan refuses what the server
// would refuse halfway, before anything changes; --prune, which deletes
// the set in the way, makes it work.
func TestPlanCatchesPinnedVersions(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		sdk, err := client.New(client.Config{BaseURL: env.URL, OrganizationID: testenv.PlatformOrg, APIKey: env.APIKey, APIKeyID: env.APIKeyID, UserID: env.UserID})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()

		// The organization as the worked example leaves it: agent Amy at
		// version 2, pinned by canary and release.
		amy := copyDir(t, examples)
		rewrite(t, amy, "agents/amy.yaml", "name: amy", "name: Amy")
		rewrite(t, amy, "services/support.yaml", "agent: amy", "agent: Amy")
		amigo.expect(0, "apply", "-f", amy)
		rewrite(t, amy, "agents/amy.yaml", "Ten years", "Twenty years")
		amigo.expect(0, "apply", "-f", amy)
		services, err := client.Collect(sdk.Services(ctx, client.ServiceListOptions{}))
		if err != nil || len(services) != 1 {
			t.Fatalf("services: %v, %v", services, err)
		}
		pinned := &client.VersionSet{AgentVersion: ptr(2), StateMachineVersion: ptr(1), LLMModelPreferences: map[string]client.LLMConfig{}}
		for _, set := range []string{"canary", "release"} {
			if err := sdk.UpsertVersionSet(ctx, services[0].ID, set, pinned); err != nil {
				t.Fatal(err)
			}
		}

		for _, args := range [][]string{{"apply", "-f", examples, "--dry-run"}, {"apply", "-f", examples}} {
			r := amigo.expect(1, args...)
			want := `services/support.yaml:14 (document 1): Service "support": spec.version_sets: the service's version set "canary", which the files do not list, pins agent version 2, which agent "amy" will not have (its latest: 1); list it, or apply with --prune to delete it`
			if !strings.Contains(r.stderr, want) {
				t.Errorf("amigo %s:\n%s%s\nwant %s", strings.Join(args, " "), r.stdout, r.stderr, want)
			}
		}
		if agents, _ := client.Collect(sdk.Agents(ctx, client.ListOptions{})); len(agents) != 1 {
			t.Fatalf("a refused plan changed the agents: %+v", agents)
		}

		// With --prune canary goes first, release (latest in the files)
		// suits both agents, and the switch comes after them.
		plan := amigo.expect(2, "apply", "-f", examples, "--prune", "--dry-run", "--detailed-exitcode")
		want := []string{
			"+ Agent amy: create", "~ Agent amy: new version 1",
			"- Service support: delete version set canary", "~ Service support: upsert version set release",
			"~ Service support: update agent", "- Agent Amy: deprecate",
		}
		if got := changes(plan.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		amigo.expect(2, "apply", "-f", examples, "--prune", "--detailed-exitcode")
		amigo.expect(0, "apply", "-f", examples, "--prune", "--detailed-exitcode")

		// A set of the files pinning a version the plan does not make.
		dir := copyDir(t, examples)
		rewrite(t, dir, "services/support.yaml", "agent_version: latest", "agent_version: 3")
		r := amigo.expect(1, "apply", "-f", dir, "--dry-run")
		if want := `spec.version_sets.release: pins agent version 3, which agent "amy" will not have (its latest: 1)`; !strings.Contains(r.stderr, want) {
			t.Errorf("plan of a pin too far:\n%s\nwant %s", r.stderr, want)
		}
	})
}

// TestDryRunAsksTheServer has apply --dry-run send each new agent version
// to the server with ?dry_run=true: what only the server knows (here its
// voice catalogue) is found, and nothing is created.
func TestDryRunAsksTheServer(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) { cfg.VoiceIDs = []string{"v1", "v2"} }})
		amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		amigo.expect(0, "apply", "-f", examples)

		dir := copyDir(t, examples)
		rewrite(t, dir, "agents/amy.yaml", "voice_id: v1", "voice_id: v9")
		r := amigo.expect(1, "apply", "-f", dir, "--dry-run")
		if !strings.Contains(r.stderr, `agents/amy.yaml`) || !strings.Contains(r.stderr, "v9") {
			t.Errorf("dry run of an unknown voice:\n%s%s", r.stdout, r.stderr)
		}
		rewrite(t, dir, "agents/amy.yaml", "voice_id: v9", "voice_id: v2")
		amigo.expect(2, "apply", "-f", dir, "--dry-run", "--detailed-exitcode")
		// The dry runs stored nothing: the examples are still applied.
		amigo.expect(0, "apply", "-f", examples, "--detailed-exitcode")
	})
}

// TestWorkedExampleComposesWithExamples does what docs/api.md does: its
// worked example through the API (agent amy at version 2, pinned with an
// LLM preference by canary and release), then amigo apply -f examples/.
// The dry run's plan is what apply does, and apply succeeds.
func TestWorkedExampleComposesWithExamples(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c, org := env.Admin, "/v1/"+testenv.PlatformOrg
		var agent, machine, service struct {
			ID string `json:"id"`
		}
		c.Do(t, "POST", org+"/organization/agent", map[string]any{"agent_name": "amy"}).Expect(201).Decode(&agent)
		c.Do(t, "POST", org+"/organization/agent/"+agent.ID+"/", map[string]any{
			"initials": "AM", "background": "Ten years of customer support.", "behaviors": []string{"Listens first."},
			"communication_patterns": []string{"Short sentences."}, "voice_config": map[string]any{"voice_id": "voice-1"},
			"identity": map[string]any{"name": "Amy", "role": "Support coach", "developed_by": "Acme", "default_spoken_language": "eng",
				"relationship_to_developer": map[string]any{"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden"}},
		}).Expect(201)
		c.Do(t, "POST", org+"/organization/agent/"+agent.ID+"/?version=2", map[string]any{"background": "Twenty years of customer support."}).Expect(201)
		c.Do(t, "POST", org+"/organization/service_hierarchical_state_machine", map[string]any{"state_machine_name": "support-flow"}).Expect(201).Decode(&machine)
		state := func(name, objective string, actions []string, exits []map[string]any) map[string]any {
			return map[string]any{"type": "action", "name": name, "objective": objective, "actions": actions,
				"intra_state_navigation_guidelines": []string{}, "action_guidelines": []string{}, "boundary_constraints": []string{},
				"exit_conditions": exits, "action_tool_call_specs": []string{}, "exit_condition_tool_call_specs": []string{}, "skip_active_memory_retrieval": false}
		}
		c.Do(t, "POST", org+"/organization/service_hierarchical_state_machine/"+machine.ID+"/", map[string]any{
			"description": "Greets the user, helps, says goodbye.",
			"states": []any{
				state("start", "Help the user.", []string{"Greet the user.", "Ask what they need."}, []map[string]any{{"description": "The user is helped.", "next_state": "end"}}),
				state("end", "Close politely.", []string{"Say goodbye."}, []map[string]any{}),
			},
			"new_user_initial_state": "start", "returning_user_initial_state": "start", "terminal_state": "end", "references": map[string]any{},
			"global_intra_state_navigation_guidelines": []string{}, "global_action_guidelines": []string{}, "global_boundary_constraints": []string{},
		}).Expect(201)
		c.Do(t, "POST", org+"/service/", map[string]any{"name": "support", "description": "Customer support.", "is_active": true,
			"agent_id": agent.ID, "service_hierarchical_state_machine_id": machine.ID, "keyterms": []string{"amigo"},
			"tags": map[string]any{"team": "support", "tier": nil}}).Expect(201).Decode(&service)
		pinned := map[string]any{"version_set": map[string]any{"agent_version_number": 2, "service_hierarchical_state_machine_version_number": 1,
			"llm_model_preferences": map[string]any{"conversation": map[string]any{"llm_name": "openai_gpt-5.1-2025-11-13", "temperature": 0.3}}}}
		c.Do(t, "PUT", org+"/service/"+service.ID+"/version_sets/canary/", pinned).Expect(204)
		c.Do(t, "PUT", org+"/service/"+service.ID+"/version_sets/release/", pinned).Expect(204)

		amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		plan := changes(amigo.expect(2, "apply", "-f", examples, "--dry-run", "--detailed-exitcode").stdout)
		applied := changes(amigo.expect(2, "apply", "-f", examples, "--detailed-exitcode").stdout)
		if strings.Join(plan, "\n") != strings.Join(applied, "\n") {
			t.Errorf("the dry run planned\n%s\nbut apply did\n%s", strings.Join(plan, "\n"), strings.Join(applied, "\n"))
		}
		amigo.expect(0, "apply", "-f", examples, "--detailed-exitcode")
		amigo.expect(2, "apply", "-f", examples, "--prune", "--detailed-exitcode") // canary, which the files do not list
		amigo.expect(0, "apply", "-f", examples, "--prune", "--detailed-exitcode")
	})
}
