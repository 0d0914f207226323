package wire_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// BenchmarkChangeListEncoding encodes a page of 50 change records, each
// with a 4 KB diff, as get-changes writes it: the diffs are written as
// stored, so the allocations do not depend on the diffs' operations.
func BenchmarkChangeListEncoding(b *testing.B) {
	diff := []byte(`[{"op":"replace","path":"/background","value":"` + strings.Repeat("x", 4000) + `"}]`)
	page := wire.ChangeList{Changes: make([]wire.Change, 50)}
	for i := range page.Changes {
		page.Changes[i] = wire.NewChange(&amigo.Change{ID: "c", Time: time.Unix(0, 0), Operation: "create-agent-version", Diff: diff})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(page); err != nil {
			b.Fatal(err)
		}
	}
}
