package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestsAreStrict misspells keys at several depths: lint and apply
// both refuse the files, naming each key's line and the key it resembles,
// before anything is sent.
func TestManifestsAreStrict(t *testing.T) {
	dir := copyDir(t, examples)
	edit := func(file, old, new string) {
		t.Helper()
		path := filepath.Join(dir, file)
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s has no %q", file, old)
		}
		os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
	}
	edit("agents/amy.yaml", "  background:", "  backgrund:")
	edit("agents/amy.yaml", "      ownership:", "      ownrship:")
	edit("state-machines/support-flow.yaml", "      objective: Decide", "      objectve: Decide")
	edit("services/support.yaml", "      agent_version:", "      agent_versoin:")
	edit("services/support.yaml", "kind: Service", "kind: Service\nspecs: {}")

	want := []string{
		`agents/amy.yaml:15 (document 1): Agent "amy": spec.backgrund: unknown key "backgrund", did you mean "background"?`,
		`agents/amy.yaml:11 (document 1): Agent "amy": spec.identity.relationship_to_developer.ownrship: unknown key "ownrship", did you mean "ownership"?`,
		`StateMachine "support-flow": spec.states.1.objectve: unknown key "objectve", did you mean "objective"?`,
		`services/support.yaml:4 (document 1): unknown key "specs", did you mean "spec"?`,
	}
	amigo := newCLI(t, "http://127.0.0.1:1", "none", "k", "k", "u") // refused before any request
	for _, args := range [][]string{{"lint", dir}, {"apply", "-f", dir, "--dry-run"}} {
		r := amigo.expect(1, args...)
		for _, w := range want {
			if !strings.Contains(r.stdout+r.stderr, w) {
				t.Errorf("amigo %s: no %q in\n%s%s", args[0], w, r.stdout, r.stderr)
			}
		}
	}

	// The envelope fixed, the version set's key is found too.
	edit("services/support.yaml", "specs: {}\n", "")
	r := amigo.expect(1, "lint", dir)
	if w := `spec.version_sets.release.agent_versoin: unknown key "agent_versoin", did you mean "agent_version"?`; !strings.Contains(r.stderr, w) {
		t.Errorf("lint: no %q in\n%s", w, r.stderr)
	}
}

// TestUsageMistakesSayWhatToType: a misspelt command or flag is refused
// with the spelling that works.
func TestUsageMistakesSayWhatToType(t *testing.T) {
	amigo := newCLI(t, "http://127.0.0.1:1", "none", "k", "k", "u")
	for args, want := range map[string][]string{
		"Error: unknown command \"aply\" for \"amigo\", did you mean \"apply\"?\n":  {"aply", "-f", "examples/"},
		"Error: unknown command \"aply\" for \"amigo\", did you mean \"apply\"?\n ": {"--org", "acme", "aply", "--dry-run"},
		"Error: unknown flag: --bas-url, did you mean --base-url?\n":                {"--bas-url", "http://x", "whoami"},
		"Error: unknown flag: --outptu, did you mean --output?\n":                   {"get", "agents", "--outptu", "json"},
		"Error: unknown flag: --organization, did you mean --org?\n":                {"whoami", "--organization", "acme"},
	} {
		r := amigo.expect(1, want...)
		if r.stderr != strings.TrimSuffix(args, " ") {
			t.Errorf("amigo %q: stderr %q, want %q", want, r.stderr, strings.TrimSuffix(args, " "))
		}
	}
}
