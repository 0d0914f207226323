package server

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md's settings table from Settings")

const (
	tableBegin = "<!-- settings table: generated from server.Settings; go test ./server -run TestREADMESettingsTable -update -->\n"
	tableEnd   = "<!-- end of settings table -->\n"
)

// TestREADMESettingsTable fails when the settings table in
// docs/configuration.md (once the README's) is not the one Settings renders.
func TestREADMESettingsTable(t *testing.T) {
	const path = "../docs/configuration.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	before, rest, ok1 := strings.Cut(readme, tableBegin)
	got, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/configuration.md has no settings table between %q and %q", tableBegin, tableEnd)
	}
	want := SettingsTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+tableBegin+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/configuration.md's settings table differs from server.Settings; run go test ./server -run TestREADMESettingsTable -update\n got:\n%s\nwant:\n%s", got, want)
}

// TestEverySettingHasAName guards the declaration: every setting is
// reachable somehow, and no two share a name.
func TestEverySettingHasAName(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings {
		if s.Flag == "" && s.Env == "" && s.Key == "" || s.Help == "" || s.set == nil {
			t.Errorf("setting %+v lacks a name, help or setter", s)
		}
		for _, name := range []string{"--" + s.Flag, s.Env, s.Key} {
			if name != "--" && name != "" && seen[name] {
				t.Errorf("%s is declared twice", name)
			}
			seen[name] = true
		}
	}
}
