package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// command runs the command line as main does and returns what it printed and
// its exit code.
func command(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = execute(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// clearConfigEnv unsets every AMIGO_* setting a developer's shell may hold.
func clearConfigEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AMIGO_") && !strings.HasPrefix(name, "AMIGO_TEST_") && name != "AMIGO_SPEC_PATH" {
			t.Setenv(name, "")
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := command(t, args...)
		if code != 0 || !strings.HasPrefix(out, "amigo-server ") || !strings.Contains(out, "commit ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%v: exit %d, printed %q; want the version, commit and %s", args, code, out, runtime.Version())
		}
	}
}

// TestMessagesSayWhatToDo tries the natural mistakes: each is refused with
// one line that names what is wrong and what would work, and nothing is
// created on the way.
func TestMessagesSayWhatToDo(t *testing.T) {
	clearConfigEnv(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := func(name, yaml string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		want []string // substrings of standard error
	}{
		{"maintenance without an argument", []string{"maintenance"}, []string{"on, off or status", "Run 'amigo-server maintenance --help'"}},
		{"an unknown flag", []string{"--dta-dir", data}, []string{"unknown flag", "--help"}},
		{"a missing required flag", []string{"bootstrap"}, []string{`"org"`, "Run 'amigo-server bootstrap --help'"}},
		{"a port alone", []string{"--listen", "18085", "--data-dir", data}, []string{"use host:port", "127.0.0.1:18085", ":18085"}},
		{"an unknown log format", []string{"--log-format", "xml", "--data-dir", data}, []string{"--log-format", "json, text or auto"}},
		{"a Redis address without scheme", []string{"--redis-url", "127.0.0.1:6379", "--data-dir", data}, []string{"expected redis://host:port/db"}},
		{"a signing key that does not exist", []string{"--signing-key-file", filepath.Join(dir, "key.pem"), "--data-dir", data},
			[]string{"key.pem does not exist", "openssl genpkey"}},
		{"a typo in the config file", []string{"--config", file("typo.yaml", "region: x\nregoin: y\n"), "--data-dir", data},
			[]string{"line 2", "regoin", "did you mean region?"}},
		{"a nested typo in the config file", []string{"--config", file("nested.yaml", "rate_limits:\n  mdoe: \"on\"\n"), "--data-dir", data},
			[]string{"line 2", "rate_limits.mdoe", "did you mean rate_limits.mode?"}},
		{"an unknown operation id among the overrides", []string{"--config", file("ops.yaml", "rate_limits:\n  overrides:\n    create-agnet: 5\n"), "--data-dir", data},
			[]string{"rate_limits.overrides", "unknown operation id create-agnet", "did you mean create-agent?"}},
		{"a duration without unit", []string{"--directory-cache-ttl", "5", "--data-dir", data}, []string{"--directory-cache-ttl", "5s or 250ms"}},
		{"users on a data directory that does not exist", []string{"users", "list", "--org", "acme", "--data-dir", data},
			[]string{"no databases in " + data, "--data-dir or --config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := command(t, tt.args...)
			if code == 0 {
				t.Fatalf("accepted; stderr %q", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
			for _, leak := range []string{"fileConfig", "server.", "code=", "amigo error"} {
				if strings.Contains(stderr, leak) {
					t.Errorf("stderr %q shows %q", stderr, leak)
				}
			}
			if _, err := os.Stat(data); err == nil {
				t.Fatalf("the refused command created %s", data)
			}
		})
	}
}

// TestOperatorCommandsSayWhereTheyWork: bootstrap says it creates a new
// setup, later commands name the data directory they use, and domain
// errors read as sentences.
func TestOperatorCommandsSayWhereTheyWork(t *testing.T) {
	clearConfigEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	_, stderr, code := command(t, "bootstrap", "--org", "acme", "--data-dir", data)
	if code != 0 || !strings.Contains(stderr, "creating a new setup in "+data) {
		t.Fatalf("bootstrap: exit %d, stderr %q", code, stderr)
	}
	out, stderr, code := command(t, "users", "list", "--org", "acme", "--data-dir", data)
	if code != 0 || !strings.Contains(stderr, "data directory "+data) || !strings.Contains(out, "admin@amigo.ai") {
		t.Fatalf("users list: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	t.Run("a domain error is its message", func(t *testing.T) {
		_, stderr, code := command(t, "users", "set-role", "--org", "acme", "--email", "nobody@example.com", "--role", "DefaultUserRole", "--data-dir", data)
		if code == 0 || strings.Contains(stderr, "code=") || strings.Contains(stderr, "--help") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	for _, tt := range []struct{ name, org, to, want string }{
		{"move-org of an unknown organization", "nope", "default", "nope"},
		{"move-org to an unknown cluster", "acme", "nowhere", "Cluster nowhere is not configured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := command(t, "move-org", "--org", tt.org, "--to", tt.to, "--data-dir", data)
			if code == 0 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "nothing was changed") || strings.Contains(stderr, "resume") {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}
