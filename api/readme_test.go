package api

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite docs/api.md's endpoint table from the operations table")

const (
	endpointsBegin = "<!-- endpoint table: generated from api/operations.go; go test ./api -run TestREADMEEndpointTable -update -->\n"
	endpointsEnd   = "<!-- end of endpoint table -->\n"
)

// endpointTable renders the operations table as docs/api.md shows it.
func endpointTable() string {
	var b strings.Builder
	b.WriteString("| operation | method | path | permission | requests per minute, per |\n|---|---|---|---|---|\n")
	for _, op := range operations {
		perm := "none"
		if len(op.Gate) > 0 {
			all := make([]string, len(op.Gate))
			for i, anyOf := range op.Gate {
				all[i] = "`" + strings.Join(anyOf, "` or `") + "`"
			}
			perm = strings.Join(all, " and ")
		}
		per := "user"
		switch op.Auth {
		case authAPIKey:
			per = "organization, API key, user and client address"
		case authOptional:
			per = "client address"
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %d, %s |\n", op.ID, op.Method, op.Path, perm, op.Limit, per)
	}
	return b.String()
}

// TestREADMEEndpointTable fails when the endpoint table in docs/api.md (once
// the README's) is not the one the operations table renders.
func TestREADMEEndpointTable(t *testing.T) {
	const path = "../docs/api.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), endpointsBegin)
	got, after, ok2 := strings.Cut(rest, endpointsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/api.md has no endpoint table between %q and %q", endpointsBegin, endpointsEnd)
	}
	want := endpointTable()
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, []byte(before+endpointsBegin+want+endpointsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/api.md's endpoint table differs from the operations table; run go test ./api -run TestREADMEEndpointTable -update\n got:\n%s\nwant:\n%s", got, want)
}
