package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/conformance"
)

// TestPathParamsDeclared keeps pathParamSchemas the one declaration of
// what path parameters accept: every parameter of the operations table is
// in it, nothing else is, and where the spec (openapi.json and
// conversations.json) gives a parameter a pattern, the declaration has that
// pattern, so checkPathIDs checks exactly the ids the spec constrains.
func TestPathParamsDeclared(t *testing.T) {
	used := map[string]bool{}
	for _, op := range operations {
		for _, name := range op.pathParams() {
			used[name] = true
			if pathParamSchemas[name] == nil {
				t.Errorf("%s: path parameter %s is not in pathParamSchemas", op.ID, name)
			}
		}
	}
	for name := range pathParamSchemas {
		if !used[name] {
			t.Errorf("pathParamSchemas declares %s, which no operation's path has", name)
		}
	}

	conformance.Require(t)
	openapi, err := conformance.SpecPath()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{openapi, filepath.Join(filepath.Dir(openapi), "conversations.json")} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(data, &spec); err != nil {
			t.Fatal(err)
		}
		for _, methods := range spec.Paths {
			for _, raw := range methods {
				var op struct {
					Parameters []struct {
						Name, In string
						Schema   struct{ Pattern string }
					}
				}
				if json.Unmarshal(raw, &op) != nil {
					continue // a path's own parameters list, not an operation
				}
				for _, p := range op.Parameters {
					if p.In != "path" || p.Name == "organization" || !used[p.Name] {
						continue
					}
					if got := pathParamSchemas[p.Name]; p.Schema.Pattern != "" && got.Pattern != p.Schema.Pattern ||
						p.Schema.Pattern == "" && got == idParam {
						t.Errorf("%s: path parameter %s has pattern %q, the spec's %q", filepath.Base(path), p.Name, got.Pattern, p.Schema.Pattern)
					}
				}
			}
		}
	}
}
