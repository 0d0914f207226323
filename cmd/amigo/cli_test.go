package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// The tests drive the built binary, as a user or a CI job would.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

func amigoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "amigo-cli-test")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "amigo")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binary
}

// cli runs the binary as one user of one organization.
type cli struct {
	t   *testing.T
	bin string
	env []string
}

func newCLI(t *testing.T, base, org, key, keyID, userID string) *cli {
	env := []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
		"AMIGO_BASE_URL=" + base, "AMIGO_ORGANIZATION_ID=" + org,
		"AMIGO_API_KEY=" + key, "AMIGO_API_KEY_ID=" + keyID, "AMIGO_USER_ID=" + userID}
	return &cli{t: t, bin: amigoBinary(t), env: env}
}

type result struct {
	code           int
	stdout, stderr string
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// expect runs the command and fails unless it exits with code.
func (c *cli) expect(code int, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != code {
		c.t.Fatalf("amigo %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

// changes returns the plan's change lines ("+", "~" or "-").
func changes(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "~ ") || strings.HasPrefix(l, "- ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// copyDir copies the examples so a test can edit them.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

const examples = "../../examples"

func TestGitOpsWorkflow(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		sdk, err := client.New(client.Config{BaseURL: env.URL, OrganizationID: testenv.PlatformOrg, APIKey: env.APIKey, APIKeyID: env.APIKeyID, UserID: env.UserID})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()

		amigo.expect(0, "lint", examples)

		plan := amigo.expect(2, "apply", "-f", examples, "--dry-run", "--detailed-exitcode")
		want := []string{
			"+ StateMachine identity-check: create", "~ StateMachine identity-check: new version 1",
			"+ StateMachine support-flow: create", "~ StateMachine support-flow: new version 1",
			"+ Agent amy: create", "~ Agent amy: new version 1",
			"+ Service support: create",
		}
		if got := changes(plan.stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("dry-run plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if machines, _ := client.Collect(sdk.StateMachines(ctx, client.ListOptions{})); len(machines) != 0 {
			t.Fatalf("a dry run created %d state machines", len(machines))
		}

		amigo.expect(2, "apply", "-f", examples, "--detailed-exitcode")
		services, err := client.Collect(sdk.Services(ctx, client.ServiceListOptions{}))
		if err != nil || len(services) != 1 || services[0].Name != "support" || *services[0].VersionSets["release"].StateMachineVersion != 1 {
			t.Fatalf("services after apply: %+v, %v", services, err)
		}

		t.Run("a second apply is a no-op", func(t *testing.T) {
			r := amigo.expect(0, "apply", "-f", examples, "--detailed-exitcode")
			if !strings.Contains(r.stdout, "no changes") || len(changes(r.stdout)) != 0 {
				t.Errorf("second apply:\n%s", r.stdout)
			}
		})

		t.Run("changing one field plans exactly one new version", func(t *testing.T) {
			dir := copyDir(t, examples)
			amy := filepath.Join(dir, "agents", "amy.yaml")
			data, _ := os.ReadFile(amy)
			os.WriteFile(amy, bytes.Replace(data, []byte("Ten years"), []byte("Twelve years"), 1), 0o644)
			r := amigo.expect(2, "apply", "-f", dir, "--dry-run", "--detailed-exitcode")
			if got := changes(r.stdout); len(got) != 1 || got[0] != "~ Agent amy: new version 2" {
				t.Fatalf("plan after one edit:\n%s", r.stdout)
			}
			amigo.expect(2, "apply", "-f", dir, "--detailed-exitcode")
			amigo.expect(0, "apply", "-f", dir, "--detailed-exitcode")
			amigo.expect(2, "apply", "-f", examples, "--detailed-exitcode") // back to the examples: version 3
		})

		exported := t.TempDir()
		t.Run("export then apply is a no-op", func(t *testing.T) {
			amigo.expect(0, "export", "--dir", exported)
			for _, f := range []string{"state-machines/support-flow.yaml", "state-machines/identity-check.yaml", "agents/amy.yaml", "services/support.yaml"} {
				if _, err := os.Stat(filepath.Join(exported, f)); err != nil {
					t.Errorf("export wrote no %s", f)
				}
			}
			r := amigo.expect(0, "apply", "-f", exported, "--detailed-exitcode")
			if !strings.Contains(r.stdout, "no changes") {
				t.Errorf("apply of the export:\n%s", r.stdout)
			}
			amigo.expect(0, "lint", exported)
		})

		t.Run("the export recreates the organization elsewhere", func(t *testing.T) {
			mirror := env.CreateOrg(t, "mirror")
			other := newCLI(t, env.URL, mirror.ID, mirror.APIKey, mirror.APIKeyID, mirror.UserID)
			other.expect(2, "apply", "-f", exported, "--detailed-exitcode")
			other.expect(0, "apply", "-f", exported, "--detailed-exitcode")
			other.expect(0, "apply", "-f", examples, "--detailed-exitcode")
		})

		t.Run("graph svg has one node per state", func(t *testing.T) {
			r := amigo.expect(0, "graph", "support-flow", "-o", "svg")
			states := regexp.MustCompile(`data-state="([a-z_]+)"`).FindAllStringSubmatch(r.stdout, -1)
			var names []string
			for _, s := range states {
				names = append(names, s[1])
			}
			if strings.Join(names, ",") != "greet,triage,answer,resolve,handoff,goodbye" {
				t.Errorf("svg nodes %v", names)
			}
			var g client.Graph
			if err := json.Unmarshal([]byte(amigo.expect(0, "graph", "support-flow@1", "-o", "json").stdout), &g); err != nil || len(g.Lint) != 0 {
				t.Errorf("json graph: %v, lint %+v", err, g.Lint)
			}
			mmd := amigo.expect(0, "graph", "support-flow").stdout
			if !strings.HasPrefix(mmd, "flowchart TD") {
				t.Errorf("mermaid: %s", mmd)
			}
		})

		t.Run("get and whoami", func(t *testing.T) {
			var agents []client.Agent
			if err := json.Unmarshal([]byte(amigo.expect(0, "get", "agents", "-o", "json").stdout), &agents); err != nil || len(agents) != 1 || agents[0].Name != "amy" {
				t.Errorf("get agents -o json: %+v, %v", agents, err)
			}
			if out := amigo.expect(0, "get", "state-machines").stdout; !strings.Contains(out, "support-flow") || !strings.HasPrefix(out, "ID") {
				t.Errorf("get state-machines:\n%s", out)
			}
			if out := amigo.expect(0, "get", "services", "-o", "yaml").stdout; !strings.Contains(out, "name: support") {
				t.Errorf("get services -o yaml:\n%s", out)
			}
			for _, res := range []string{"orgs", "users", "api-keys"} {
				amigo.expect(0, "get", res)
			}
			if out := amigo.expect(0, "whoami").stdout; !strings.Contains(out, "admin@amigo.ai") {
				t.Errorf("whoami:\n%s", out)
			}
		})

		t.Run("validation errors name the file, document and field", func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(bad, []byte("kind: Agent\nname: ok\n---\nkind: Agent\nname: bob\nspec:\n  initials: TOOLONG\n"), 0o644)
			r := amigo.expect(1, "apply", "-f", bad)
			if !strings.Contains(r.stderr, bad+":7 (document 2): Agent \"bob\": spec.initials:") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})

		t.Run("refusals found locally or by the server name the file, document and field too", func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "svc.yaml")
			os.WriteFile(bad, []byte("kind: Service\nname: bad\nspec:\n  description: Bad.\n  agent: amy\n  state_machine: support-flow\n"+
				"  keyterms:\n    - ok\n    - NOT valid!\n"), 0o644)
			r := amigo.expect(1, "apply", "-f", bad)
			if !strings.Contains(r.stderr, bad+`:9 (document 1): Service "bad": spec.keyterms.1:`) {
				t.Errorf("invalid keyterm:\n%s", r.stderr)
			}
			os.WriteFile(bad, []byte("kind: Service\nname: bad\nspec:\n  description: Bad.\n  agent: amy\n  state_machine: support-flow\n"+
				"  version_sets: {release: {agent_version: 99, state_machine_version: latest}, canary: {llm_model_preferences: {x: {llm_name: gpt-0}}}}\n"), 0o644)
			r = amigo.expect(1, "apply", "-f", bad)
			if !strings.Contains(r.stderr, `Service "bad": spec: LLM preference "x" names unknown model "gpt-0".`) {
				t.Errorf("unknown model:\n%s", r.stderr)
			}
			os.WriteFile(bad, []byte("kind: Service\nname: bad\nspec:\n  description: Bad.\n  agent: amy\n  state_machine: support-flow\n"+
				"  version_sets: {release: {agent_version: 99, state_machine_version: latest}}\n"), 0o644)
			// The server would refuse it (400); the plan does first. A refusal
			// by the server is placed too (TestDryRunAsksTheServer).
			r = amigo.expect(1, "apply", "-f", bad)
			if !strings.Contains(r.stderr, bad+`:7 (document 1): Service "bad": spec.version_sets.release: pins agent version 99, which agent "amy" will not have`) {
				t.Errorf("a pin of a version amy will not have:\n%s", r.stderr)
			}
		})

		t.Run("prune deprecates what the files no longer name", func(t *testing.T) {
			extra := filepath.Join(t.TempDir(), "extra.yaml")
			os.WriteFile(extra, []byte("kind: Agent\nname: temp\n"), 0o644)
			amigo.expect(2, "apply", "-f", examples, "-f", extra, "--detailed-exitcode")
			r := amigo.expect(0, "apply", "-f", examples, "--detailed-exitcode")
			if len(changes(r.stdout)) != 0 {
				t.Errorf("without --prune:\n%s", r.stdout)
			}
			r = amigo.expect(2, "apply", "-f", examples, "--prune", "--detailed-exitcode")
			if got := changes(r.stdout); len(got) != 1 || got[0] != "- Agent temp: deprecate" {
				t.Errorf("with --prune:\n%s", r.stdout)
			}
		})

		// Last, as it leaves a canary set the examples do not name.
		t.Run("diff, promote, rollback and the change log", func(t *testing.T) {
			testHistory(t, amigo)
		})
	})
}

func TestLintFindsUnreachableStates(t *testing.T) {
	dir := copyDir(t, examples)
	flow := filepath.Join(dir, "state-machines", "support-flow.yaml")
	data, _ := os.ReadFile(flow)
	island := "    - type: annotation\n      name: island\n      inner_thought: Nobody comes here.\n      next_state: goodbye\n"
	data = bytes.Replace(data, []byte("  new_user_initial_state:"), []byte(island+"  new_user_initial_state:"), 1)
	os.WriteFile(flow, data, 0o644)
	amigo := newCLI(t, "http://127.0.0.1:1", "none", "k", "k", "u") // lint needs no server
	r := amigo.expect(1, "lint", dir)
	if !strings.Contains(r.stdout, `StateMachine "support-flow": state "island": unreachable`) {
		t.Errorf("lint output:\n%s", r.stdout)
	}
	if strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("lint found more than the island:\n%s", r.stdout)
	}
}

func TestHelpHasExamples(t *testing.T) {
	root := newRootCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" && c.Example == "" {
			t.Errorf("amigo %s --help has no example", c.Name())
		}
	}
}
