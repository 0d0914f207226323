package api

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite the docs/ tables generated from the code (docs/api.md's endpoints, docs/roles.md's roles and permissions)")

const (
	endpointsBegin = "<!-- endpoint table: generated from api/operations.go; go test ./api -run TestREADMEEndpointTable -update -->\n"
	endpointsEnd   = "<!-- end of endpoint table -->\n"
)

// endpointTable renders the operations table as docs/api.md shows it.
func endpointTable() string {
	var b strings.Builder
	b.WriteString("| operation | method | path | permission | requests per minute, per |\n|---|---|---|---|---|\n")
	for _, op := range operations {
		per := "user"
		switch op.Auth {
		case authAPIKey:
			per = "organization, API key, user and client address"
		case authOptional:
			per = "client address"
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %d, %s |\n", op.ID, op.Method, op.Path, gateText(op), op.Limit, per)
	}
	return b.String()
}

// TestREADMEEndpointTable fails when the endpoint table in docs/api.md (once
// the README's) is not the one the operations table renders.
func TestREADMEEndpointTable(t *testing.T) {
	checkGenerated(t, "../docs/api.md", endpointsBegin, endpointsEnd, endpointTable(), "TestREADMEEndpointTable")
}
