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

// TestPlanCatchesPinnedVersions is the README's trap: a service whose
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
