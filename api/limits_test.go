package api

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/conformance"
)

// TestLimitsMatchSpec checks the operations table against the rate limit
// that each operation's 429 response states in the spec.
func TestLimitsMatchSpec(t *testing.T) {
	conformance.Require(t)
	path, err := conformance.SpecPath()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Description string `json:"description"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	stated := regexp.MustCompile(`rate limit of (\d+) requests per minute`)
	byID := map[string]*operation{}
	for _, op := range operations {
		byID[op.ID] = op
	}
	for path, methods := range spec.Paths {
		for method, sop := range methods {
			op, ok := byID[sop.OperationID]
			if !ok {
				t.Errorf("%s is not in the operations table", sop.OperationID)
				continue
			}
			if op.Method != strings.ToUpper(method) || op.Path != path {
				t.Errorf("%s: routed as %s %s, spec says %s %s", op.ID, op.Method, op.Path, strings.ToUpper(method), path)
			}
			want := getOrganizationLimit // the spec states none; documented default
			if m := stated.FindStringSubmatch(sop.Responses["429"].Description); m != nil {
				want, _ = strconv.Atoi(m[1])
			} else if op.ID != "get-organization" {
				t.Errorf("%s: the spec states no rate limit", op.ID)
			}
			if op.Limit != want {
				t.Errorf("%s: limit %d per minute, spec says %d", op.ID, op.Limit, want)
			}
		}
	}
}
