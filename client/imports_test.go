package client_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandsAlone keeps the SDK light: it shares the server's wire shapes
// (package api/wire, the domain package amigo they convert to and
// internal/shape), but programs that only call a server must not link in
// the engine, its model clients, a database driver or any other
// dependency outside the standard library.
func TestStandsAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/amigo-oss/amigo-server"
	allowed := map[string]bool{
		module: true, module + "/api/wire": true, module + "/internal/shape": true,
		module + "/engine/event": true, module + "/client": true,
	}
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		if !strings.Contains(first, ".") || allowed[pkg] {
			continue // the standard library, or a package the SDK may use
		}
		t.Errorf("the SDK links %s; it may use the standard library and %v only", pkg, allowed)
	}
}
