package api_test

import (
	"slices"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestMalformedParameters checks that path ids and query parameters the spec
// constrains are refused with 422 at their location, as FastAPI refuses
// them, rather than looked up (404) or ignored.
func TestMalformedParameters(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		const (
			agent = "/v1/acme/organization/agent/"
			sm    = "/v1/acme/organization/service_hierarchical_state_machine/"
			svc   = "/v1/acme/service/"
		)
		cases := []struct {
			method, path string
			body         any
			loc          string // the expected location, dotted
			typ          string
		}{
			{"POST", agent + "not-an-id/", agentVersionBody("AM"), "path.agent_id", "string_pattern_mismatch"},
			{"DELETE", agent + "not-an-id/", nil, "path.agent_id", "string_pattern_mismatch"},
			{"GET", agent + "AAAAAAAAAAAAAAAAAAAAAAAA/version", nil, "path.agent_id", "string_pattern_mismatch"},
			{"POST", sm + "not-an-id/", map[string]any{}, "path.service_hierarchical_state_machine_id", "string_pattern_mismatch"},
			{"DELETE", sm + "not-an-id/", nil, "path.state_machine_id", "string_pattern_mismatch"},
			{"GET", sm + "123/version", nil, "path.service_hierarchical_state_machine_id", "string_pattern_mismatch"},
			{"POST", svc + "not-an-id/", map[string]any{}, "path.service_id", "string_pattern_mismatch"},
			{"PUT", svc + "not-an-id/version_sets/release/", map[string]any{}, "path.service_id", "string_pattern_mismatch"},
			{"DELETE", svc + "not-an-id/version_sets/release/", nil, "path.service_id", "string_pattern_mismatch"},

			{"GET", "/v1/acme/organization/agent?limit=abc", nil, "query.limit", "int_parsing"},
			{"GET", "/v1/acme/organization/agent?limit=0", nil, "query.limit", "greater_than"},
			{"GET", "/v1/acme/organization/agent?limit=21", nil, "query.limit", "less_than_equal"},
			{"GET", "/v1/acme/organization/agent?continuation_token=-1", nil, "query.continuation_token", "greater_than_equal"},
			{"GET", "/v1/acme/organization/agent?deprecated=maybe", nil, "query.deprecated", "bool_parsing"},
			{"GET", "/v1/acme/organization/service_hierarchical_state_machine?limit=51", nil, "query.limit", "less_than_equal"},
			{"GET", svc + "?limit=0", nil, "query.limit", "greater_than"},
			{"GET", svc + "?sort_by=age", nil, "query.sort_by.0", "value_error"},
			{"GET", "/v1/acme/user/?limit=101", nil, "query.limit", "less_than_equal"},
			{"GET", "/v1/acme/user/?continuation_token=x", nil, "query.continuation_token", "int_parsing"},
			{"POST", agent + "aaaaaaaaaaaaaaaaaaaaaaaa/?version=0", agentVersionBody("AM"), "query.version", "greater_than"},
		}
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				r := org.Admin.Do(t, c.method, c.path, c.body).Expect(422)
				if !slices.Contains(r.Locs(), c.loc) {
					t.Fatalf("locs %v, want %s", r.Locs(), c.loc)
				}
				var body struct {
					Detail []struct {
						Type string `json:"type"`
					} `json:"detail"`
				}
				r.Decode(&body)
				if len(body.Detail) == 0 || body.Detail[0].Type != c.typ {
					t.Fatalf("detail %+v, want type %s", body.Detail, c.typ)
				}
			})
		}
	})
}
