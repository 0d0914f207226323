package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestInputBytes checks that no byte a client sends reaches a database it
// would break: NUL characters, text that is not UTF-8 and values too long
// to index get the spec's status with their location, on both databases
// alike, and never a 500.
func TestInputBytes(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		c := org.Admin
		agentID := createAgent(t, c, "acme", "amy")
		machineID := createMachine(t, c, "acme", "main")
		c.Do(t, "POST", "/v1/acme/organization/service_hierarchical_state_machine/"+machineID+"/", simpleMachine()).Expect(201)
		c.Do(t, "POST", "/v1/acme/organization/agent/"+agentID+"/", agentVersionBody("AM")).Expect(201)
		long := strings.Repeat("x", 3000)
		service := func(edit func(map[string]any)) map[string]any {
			body := map[string]any{"service_hierarchical_state_machine_id": machineID, "agent_id": agentID, "name": "support",
				"description": "Helps.", "is_active": false, "keyterms": []string{}, "tags": map[string]any{}}
			edit(body)
			return body
		}
		invite := func(email string) map[string]any {
			return map[string]any{"first_name": "A", "last_name": "B", "email": email, "role_name": "DefaultAdministratorRole"}
		}

		for _, tc := range []struct {
			name, method, path string
			body               any
			opts               []testenv.RequestOption
			status             int
			loc                string // the one location expected, for 422s
			msg                string // a part of its message
		}{
			{"NUL in the organization", "GET", "/v1/%00/organization/", nil, nil, 404, "", ""},
			{"invalid UTF-8 in the organization", "GET", "/v1/%ff%fe/organization/", nil, nil, 404, "", ""},
			{"NUL in a user id", "DELETE", "/v1/acme/user/a%00b", nil, nil, 422, "path.requested_user_id", ""},
			{"NUL in a version set name", "DELETE", "/v1/acme/service/0123456789abcdef01234567/version_sets/a%00b/", nil, nil, 422, "path.version_set_name", ""},
			{"NUL in a query value", "GET", "/v1/acme/user/?email=a%00b", nil, nil, 422, "query.email.0", ""},
			{"invalid UTF-8 in a sign-in header", "POST", "/v1/acme/user/signin_with_api_key", nil,
				[]testenv.RequestOption{testenv.Header("x-api-key-id", "caf\xe9"), testenv.Header("x-api-key", "k"), testenv.Header("x-user-id", "u")},
				422, "header.x-api-key-id", ""},
			{"invalid UTF-8 in X-ORG-ID", "GET", "/v1/acme/user/", nil, []testenv.RequestOption{testenv.Header("X-ORG-ID", "acm\xe9")},
				422, "header.x-org-id", ""},
			{"invalid UTF-8 in the cluster header", "GET", "/v1/acme/organization/", nil, []testenv.RequestOption{testenv.Header("x-mongo-cluster-name", "a\xffb")},
				422, "header.x-mongo-cluster-name", ""},
			{"NUL in a JSON string", "POST", "/v1/acme/organization/agent", map[string]any{"agent_name": "a\u0000b"}, nil, 422, "body.agent_name", "NUL"},
			{"NUL in a map key", "POST", "/v1/acme/service/", service(func(b map[string]any) { b["tags"] = map[string]any{"a\u0000b": "x"} }), nil,
				422, `body.tags.a\u0000b`, "NUL"},
			{"a 3,000-character service name", "POST", "/v1/acme/service/", service(func(b map[string]any) { b["name"] = long }), nil,
				422, "body.name", "at most 256 characters"},
			{"a 3,000-character tag key", "POST", "/v1/acme/service/", service(func(b map[string]any) { b["tags"] = map[string]any{long: "x"} }), nil,
				422, "body.tags." + long, "at most 128 characters"},
			{"a 3,000-character e-mail local part", "POST", "/v1/acme/user/", invite(long + "@example.com"), nil, 422, "body.email", "254"},
			{"a 65-character e-mail local part", "POST", "/v1/acme/user/", invite(strings.Repeat("x", 65) + "@example.com"), nil, 422, "body.email", "64"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Do(t, tc.method, tc.path, tc.body, tc.opts...).Expect(tc.status)
				if tc.status != 422 {
					return
				}
				if locs := r.Locs(); !slices.Equal(locs, []string{tc.loc}) {
					t.Fatalf("locations %q, want [%q]", locs, tc.loc)
				}
				if !strings.Contains(string(r.Body), tc.msg) {
					t.Fatalf("message lacks %q: %s", tc.msg, r.Body)
				}
			})
		}
		t.Run("the longest allowed values are stored", func(t *testing.T) {
			c.Do(t, "POST", "/v1/acme/service/", service(func(b map[string]any) {
				b["name"] = strings.Repeat("n", 256)
				b["tags"] = map[string]any{strings.Repeat("k", 128): strings.Repeat("v", 128)}
			}), nil...).Expect(201)
			c.Do(t, "POST", "/v1/acme/user/", invite(strings.Repeat("x", 64)+"@"+strings.Repeat("d", 180)+".example"), nil...).Expect(201)
		})
	})
}
