package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestSupportEditorRole is the example of a custom role: it may
// read and update only the services tagged team:support.
func TestSupportEditorRole(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		ids := map[string]string{}
		for _, s := range []struct {
			name string
			tags map[string]any
		}{
			{"alpha", map[string]any{"team": "sales"}},
			{"bravo", map[string]any{"team": "support"}},
			{"charlie", map[string]any{"team": "support", "tier": "gold"}},
			{"delta", map[string]any{}},
			{"echo", map[string]any{"tier": "gold", "team": "support"}},
			{"foxtrot", map[string]any{"team": nil}},
		} {
			ids[s.name] = f.create(t, f.body(s.name, false, s.tags))
		}
		support := map[string][]string{"tags": {"team:support"}}
		putRole(t, env, "acme", "SupportEditor",
			amigo.Grant{Permission: amigo.PermGetService, Conditions: support},
			amigo.Grant{Permission: amigo.PermUpdateService, Conditions: support})
		editor, _ := newRoster(env, f.org).member(t, "SupportEditor")
		supportServices := []string{"bravo", "charlie", "echo"}

		t.Run("get-services lists only support's services", func(t *testing.T) {
			l := listServices(t, editor, "?sort_by=%2Bname")
			if got := names(l); !slices.Equal(got, supportServices) || l.HasMore {
				t.Fatalf("listed %v (has_more %v), want %v", got, l.HasMore, supportServices)
			}
			if got := listServices(t, editor, "?id="+ids["alpha"]); len(got.Services) != 0 {
				t.Fatalf("a sales service is visible by id: %v", names(got))
			}
		})
		t.Run("pagination stays exact under the filter", func(t *testing.T) {
			for _, limit := range []int{1, 2} {
				var seen []string
				token := 0
				for page := 0; ; page++ {
					l := listServices(t, editor, fmt.Sprintf("?sort_by=%%2Bname&limit=%d&continuation_token=%d", limit, token))
					seen = append(seen, names(l)...)
					if !l.HasMore {
						break
					}
					if len(l.Services) != limit || page > len(supportServices) {
						t.Fatalf("limit %d: has_more after %d services", limit, len(l.Services))
					}
					token = *l.ContinuationToken
				}
				if !slices.Equal(seen, supportServices) {
					t.Fatalf("limit %d: pages %v", limit, seen)
				}
			}
		})
		t.Run("update-service on support's services only", func(t *testing.T) {
			editor.Do(t, "POST", "/v1/acme/service/"+ids["bravo"]+"/", map[string]any{"description": "Edited by support."}).Expect(200)
			for _, name := range []string{"alpha", "delta", "foxtrot"} {
				expectForbidden(t, editor.Do(t, "POST", "/v1/acme/service/"+ids[name]+"/", map[string]any{"description": "Nope."}), amigo.PermUpdateService)
			}
			// Re-tagging a service out of the role's reach is an update it may not make.
			expectForbidden(t, editor.Do(t, "POST", "/v1/acme/service/"+ids["bravo"]+"/", map[string]any{"tags": map[string]any{"team": "sales"}}), amigo.PermUpdateService)
		})
		t.Run("nothing else", func(t *testing.T) {
			expectForbidden(t, editor.Do(t, "POST", "/v1/acme/service/", f.body("new", false, map[string]any{"team": "support"})), amigo.PermCreateService)
			expectForbidden(t, editor.Do(t, "PUT", "/v1/acme/service/"+ids["bravo"]+"/version_sets/canary/", map[string]any{"version_set": map[string]any{
				"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 1, "llm_model_preferences": map[string]any{},
			}}), amigo.PermCreateVersionSet)
			expectForbidden(t, editor.Do(t, "GET", "/v1/acme/organization/agent", nil), amigo.PermGetAgent)
			expectForbidden(t, editor.Do(t, "GET", "/v1/acme/user/", nil), amigo.PermGetUserInfo)
		})
		t.Run("the update was applied", func(t *testing.T) {
			var l struct {
				Services []struct {
					Description string `json:"description"`
				} `json:"services"`
			}
			f.org.Admin.Do(t, "GET", "/v1/acme/service/?id="+ids["bravo"], nil).Expect(200).Decode(&l)
			if len(l.Services) != 1 || l.Services[0].Description != "Edited by support." {
				t.Fatalf("got %+v", l.Services)
			}
		})
	})
}
