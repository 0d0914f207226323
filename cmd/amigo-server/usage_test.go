package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestUsageMistakesSayWhatToType: a flag of another server names the one
// that does its job; a misspelt command is reported as a command, with the
// right spelling, even when flags of the command follow it; nothing is
// created on the way.
func TestUsageMistakesSayWhatToType(t *testing.T) {
	clearConfigEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "9090"}, "amigo-server: unknown flag: --port, did you mean --listen?\nRun 'amigo-server --help' for usage.\n"},
		{[]string{"serve", "--port=9090"}, "amigo-server: unknown flag: --port, did you mean --listen?\nRun 'amigo-server serve --help' for usage.\n"},
		{[]string{"boostrap", "--org", "acme"}, "amigo-server: unknown command \"boostrap\" for \"amigo-server\", did you mean \"bootstrap\"?\nRun 'amigo-server --help' for usage.\n"},
		{[]string{"--data-dir", "elsewhere", "boostrap", "--org", "acme"}, "amigo-server: unknown command \"boostrap\" for \"amigo-server\", did you mean \"bootstrap\"?\nRun 'amigo-server --help' for usage.\n"},
		{[]string{"bootstrap", "--orgg", "acme"}, "amigo-server: unknown flag: --orgg, did you mean --org?\nRun 'amigo-server bootstrap --help' for usage.\n"},
		{[]string{"--listen-adress", ":9090"}, "amigo-server: unknown flag: --listen-adress, did you mean --listen?\nRun 'amigo-server --help' for usage.\n"},
		{[]string{"frobnicate"}, "amigo-server: unknown command \"frobnicate\" for \"amigo-server\"\nRun 'amigo-server --help' for usage.\n"},
	}
	for _, tt := range tests {
		_, stderr, code := command(t, tt.args...)
		if code != 1 || stderr != tt.want {
			t.Errorf("amigo-server %q: exit %d, stderr\n%s\nwant\n%s", tt.args, code, stderr, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command line created %s", filepath.Join(dir, entries[0].Name()))
	}
}
