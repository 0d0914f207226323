package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/client"
)

// testHistory runs on the organization TestGitOpsWorkflow built: amy has
// versions 1 to 3 (2 says "Twelve years"), support-flow version 1, and the
// service support a release set at revision 1 (agent latest, machine 1).
func testHistory(t *testing.T, amigo *cli) {
	// support-flow version 2 asks for a rating (a new state, survey, between
	// resolve and goodbye); the service gains a canary pinning the new
	// versions.
	dir := copyDir(t, examples)
	edit(t, filepath.Join(dir, "state-machines", "support-flow.yaml"),
		"          next_state: goodbye\n        - description: The caller has another question.",
		"          next_state: survey\n        - description: The caller has another question.",
		"    - type: annotation\n      name: handoff",
		"    - type: annotation\n      name: survey\n      inner_thought: Ask for a rating.\n      next_state: goodbye\n    - type: annotation\n      name: handoff")
	edit(t, filepath.Join(dir, "services", "support.yaml"),
		"      llm_model_preferences: {}\n",
		"      llm_model_preferences: {}\n    canary: {agent_version: 2, state_machine_version: 2, llm_model_preferences: {}}\n")
	r := amigo.expect(2, "apply", "-f", dir, "--detailed-exitcode")
	if got := changes(r.stdout); !slices.Equal(got, []string{"~ StateMachine support-flow: new version 2", "~ Service support: upsert version set canary"}) {
		t.Fatalf("apply of the edits:\n%s", r.stdout)
	}

	t.Run("diff agent", func(t *testing.T) {
		out := amigo.expect(0, "diff", "agent", "amy", "1", "2").stdout
		want := "Agent amy: version 1 → 2\n  background changed\npatch:\n  replace /background \"Twelve years of helping customers with their accounts.\"\n"
		if out != want {
			t.Errorf("diff agent amy 1 2:\n%s\nwant:\n%s", out, want)
		}
		if out := amigo.expect(0, "diff", "agent", "amy", "1", "latest").stdout; !strings.Contains(out, "version 1 → 3\n  no differences\n") {
			t.Errorf("diff of equal versions:\n%s", out)
		}
		var d client.VersionDiff
		if err := json.Unmarshal([]byte(amigo.expect(0, "diff", "agent", "amy", "2", "1", "-o", "json").stdout), &d); err != nil || d.From != 2 || d.To != 1 || len(patchOps(t, d.Patch)) != 1 {
			t.Errorf("diff -o json: %+v, %v", d, err)
		}
	})

	t.Run("diff state-machine", func(t *testing.T) {
		out := amigo.expect(0, "diff", "state-machine", "support-flow", "1", "latest").stdout
		for _, line := range []string{
			"StateMachine support-flow: version 1 → 2\n",
			"states added: survey\n",
			"states changed: resolve (exit_conditions)\n",
			`transitions added: resolve → survey ("The caller needs nothing else."), survey → goodbye` + "\n",
			`transitions removed: resolve → goodbye ("The caller needs nothing else.")` + "\n",
			"patch:\n",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		var d client.StateMachineDiff
		if err := json.Unmarshal([]byte(amigo.expect(0, "diff", "sm", "support-flow", "1", "2", "-o", "json").stdout), &d); err != nil ||
			!slices.Equal(d.StatesAdded, []string{"survey"}) || len(patchOps(t, d.Patch)) == 0 {
			t.Errorf("diff sm -o json: %+v, %v", d, err)
		}
	})

	t.Run("diff refuses what does not exist", func(t *testing.T) {
		if r := amigo.expect(1, "diff", "agent", "amy", "1", "9"); !strings.Contains(r.stderr, "get-agent-version-diff: 404: Agent") {
			t.Errorf("unknown version: %s", r.stderr)
		}
		if r := amigo.expect(1, "diff", "agent", "amy", "first", "2"); !strings.Contains(r.stderr, `version "first": a positive number or latest`) {
			t.Errorf("malformed version: %s", r.stderr)
		}
		if r := amigo.expect(1, "diff", "state-machine", "nobody", "1", "2"); !strings.Contains(r.stderr, `no state machine named "nobody"`) {
			t.Errorf("unknown machine: %s", r.stderr)
		}
	})

	t.Run("promote canary to release, then roll back", func(t *testing.T) {
		var revs []client.Revision
		if err := json.Unmarshal([]byte(amigo.expect(0, "rollback", "support", "--set", "release", "--list", "-o", "json").stdout), &revs); err != nil ||
			len(revs) != 1 || revs[0].Revision != 1 || revs[0].Operation != "upsert" {
			t.Fatalf("release's revisions before: %+v, %v", revs, err)
		}

		out := amigo.expect(0, "promote", "support", "--from", "canary", "--to", "release").stdout
		want := "support: promoted canary to release: now revision 2\n  release: agent version latest → 2\n  release: state machine version 1 → 2\n"
		if out != want {
			t.Errorf("promote:\n%s\nwant:\n%s", out, want)
		}

		// A stale --if-revision is refused and changes nothing.
		if r := amigo.expect(1, "rollback", "support", "--set", "release", "--to-revision", "1", "--if-revision", "1"); !strings.Contains(r.stderr, "412") {
			t.Errorf("stale --if-revision: %s", r.stderr)
		}
		out = amigo.expect(0, "rollback", "support", "--set", "release", "--to-revision", "1", "--if-revision", "2").stdout
		want = "support: rolled release back to revision 1: now revision 3\n  release: agent version 2 → latest\n  release: state machine version 2 → 1\n"
		if out != want {
			t.Errorf("rollback:\n%s\nwant:\n%s", out, want)
		}
		table := amigo.expect(0, "rollback", "support", "--set", "release", "--list").stdout
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "REVISION") || !strings.HasPrefix(lines[1], "3 ") || !strings.Contains(lines[1], "rollback") || !strings.Contains(lines[2], "promote") {
			t.Errorf("revisions:\n%s", table)
		}
		// Back where the examples say: nothing to apply.
		amigo.expect(0, "apply", "-f", dir, "--detailed-exitcode")
		if r := amigo.expect(1, "rollback", "support", "--set", "release", "--to-revision", "99"); !strings.Contains(r.stderr, "404") {
			t.Errorf("unknown revision: %s", r.stderr)
		}
		if r := amigo.expect(1, "promote", "support", "--from", "canary"); !strings.Contains(r.stderr, `"to" not set`) {
			t.Errorf("promote without --to: %s", r.stderr)
		}
	})

	t.Run("completion offers what the server holds", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"promote", ""}, "support"},
			{[]string{"promote", "support", "--from", ""}, "canary,edge,release"},
			{[]string{"rollback", "support", "--set", "r"}, "release"},
			{[]string{"diff", "agent", ""}, "amy"},
			{[]string{"diff", "agent", "amy", ""}, "1,2,3,latest"},
			{[]string{"diff", "sm", "support-flow", "1", ""}, "1,2,latest"},
		} {
			out := amigo.expect(0, append([]string{"__complete"}, c.args...)...).stdout
			// The last line is the directive; required flags come too.
			lines := strings.Split(strings.TrimSpace(out), "\n")
			lines = slices.DeleteFunc(lines[:len(lines)-1], func(l string) bool { return strings.HasPrefix(l, "-") })
			if got := strings.Join(lines, ","); got != c.want {
				t.Errorf("amigo %s<TAB>: %q, want %q", strings.Join(c.args, " "), got, c.want)
			}
		}
	})

	t.Run("get changes shows the operations", func(t *testing.T) {
		var records []client.Change
		if err := json.Unmarshal([]byte(amigo.expect(0, "get", "changes", "--resource-type", "version_set", "--since", "1h", "-o", "json").stdout), &records); err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, r := range records {
			ops = append(ops, r.Operation)
		}
		if want := []string{"rollback-service-version-set", "promote-service-version-set", "upsert-service-version-set"}; !slices.Equal(ops, want) {
			t.Errorf("version set changes %q, want %q", ops, want)
		}
		out := amigo.expect(0, "get", "changes", "--operation", "promote-service-version-set").stdout
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "TIME") ||
			!strings.Contains(lines[1], "Promoted version set canary to release") {
			t.Errorf("get changes --operation:\n%s", out)
		}
		if out := amigo.expect(0, "get", "changes", "--limit", "2").stdout; strings.Count(out, "\n") != 3 {
			t.Errorf("get changes --limit 2:\n%s", out)
		}
		if out := amigo.expect(0, "get", "changes", "--until", "2000-01-01T00:00:00Z", "-o", "yaml").stdout; strings.TrimSpace(out) != "[]" {
			t.Errorf("changes before 2000: %q", out)
		}
		amigo.expect(1, "get", "changes", "--since", "yesterday")
	})
}

// edit replaces old with new in a file, pair by pair; each old must occur.
func edit(t *testing.T, path string, pairs ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pairs); i += 2 {
		if !bytes.Contains(data, []byte(pairs[i])) {
			t.Fatalf("%s has no %q", path, pairs[i])
		}
		data = bytes.Replace(data, []byte(pairs[i]), []byte(pairs[i+1]), 1)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// patchOps decodes a diff's JSON Patch, failing the test if it cannot.
func patchOps(t *testing.T, p client.Patch) []client.PatchOperation {
	t.Helper()
	ops, err := p.Operations()
	if err != nil {
		t.Fatal(err)
	}
	return ops
}
