package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestExportNamesDifferingInCase exports agents Amy and amy: on a file
// system that ignores case, agents/Amy.yaml and agents/amy.yaml would be
// one file, so the second is suffixed with its id, and the export still
// applies as it is.
func TestExportNamesDifferingInCase(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		dir := copyDir(t, examples)
		data, err := os.ReadFile(filepath.Join(dir, "agents", "amy.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		upper := strings.Replace(string(data), "name: amy", "name: Amy", 1)
		if err := os.WriteFile(filepath.Join(dir, "agents", "upper-amy.yaml"), []byte(upper), 0o644); err != nil {
			t.Fatal(err)
		}
		amigo.expect(0, "apply", "-f", dir)

		out := t.TempDir()
		amigo.expect(0, "export", "--dir", out)
		entries, err := os.ReadDir(filepath.Join(out, "agents"))
		if err != nil {
			t.Fatal(err)
		}
		var names, folded []string
		for _, e := range entries {
			names = append(names, e.Name())
			if slices.Contains(folded, strings.ToLower(e.Name())) {
				t.Errorf("two files differ only in case: %v", names)
			}
			folded = append(folded, strings.ToLower(e.Name()))
		}
		suffixed := regexp.MustCompile(`^(Amy|amy)-[0-9a-f]{24}\.yaml$`)
		if len(names) != 2 || !slices.ContainsFunc(names, suffixed.MatchString) ||
			!slices.ContainsFunc(names, func(n string) bool { return n == "Amy.yaml" || n == "amy.yaml" }) {
			t.Errorf("agents exported as %v, want Amy.yaml or amy.yaml and the other suffixed with its id", names)
		}
		amigo.expect(0, "apply", "-f", out, "--detailed-exitcode")
	})
}
