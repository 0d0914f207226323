package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// TestPatchIsWrittenAsStored checks that a change's diff goes out as the
// bytes the store holds, and that a client reading it back decodes its
// operations.
func TestPatchIsWrittenAsStored(t *testing.T) {
	const diff = `[{"op":"replace","path":"/background","value":"Twenty years."},{"op":"move","from":"/a","path":"/b"}]`
	b, err := json.Marshal(wire.NewChange(&amigo.Change{ID: "1", Diff: []byte(diff)}))
	if err != nil {
		t.Fatal(err)
	}
	var back wire.Change
	if err := json.Unmarshal(b, &back); err != nil || string(back.Diff) != diff {
		t.Fatalf("diff sent as %s (%v), want %s", back.Diff, err, diff)
	}
	ops, err := back.Diff.Operations()
	want := []wire.PatchOperation{{Op: "replace", Path: "/background", Value: json.RawMessage(`"Twenty years."`)}, {Op: "move", From: "/a", Path: "/b"}}
	if err != nil || len(ops) != 2 || ops[0].Op != want[0].Op || string(ops[0].Value) != string(want[0].Value) || ops[1].From != "/a" || ops[1].Value != nil {
		t.Errorf("operations %+v, %v; want %+v", ops, err, want)
	}
	for _, empty := range []string{`[]`, `null`, ``} {
		if ops, err := wire.Patch(empty).Operations(); err != nil || len(ops) != 0 {
			t.Errorf("%q: %+v, %v; want no operations", empty, ops, err)
		}
	}
	if _, err := wire.Patch(`{"op":"add"}`).Operations(); err == nil {
		t.Error("an object decoded as a patch")
	}
}
