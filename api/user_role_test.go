package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestUpdateUserRole: the update-user-role extension changes a user's role
// at once (their next request already has it), is recorded in the change
// log, and cannot raise anyone, or touch anyone, above the caller's role.
func TestUpdateUserRole(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		staff := newRoster(env, org)
		user, userID := staff.member(t, "DefaultUserRole")
		admin, adminID := staff.member(t, "DefaultAdministratorRole")
		_, superID := staff.member(t, "DefaultSuperAdministratorRole")
		setRole := func(c *testenv.Client, id, role string) *testenv.Response {
			return c.Do(t, "PUT", "/v1/acme/user/"+id+"/role", map[string]any{"role_name": role})
		}
		// get-users shows a user's role by its id.
		roleOf := func(id string) string {
			var page struct {
				Users []struct {
					Role string `json:"role"`
				} `json:"users"`
			}
			org.Admin.Do(t, "GET", "/v1/acme/user/?user_id="+id, nil).Expect(200).Decode(&page)
			if len(page.Users) != 1 {
				t.Fatalf("user %s: got %d users", id, len(page.Users))
			}
			return page.Users[0].Role
		}

		t.Run("the user's next request has the new role", func(t *testing.T) {
			expectForbidden(t, user.Do(t, "GET", "/v1/acme/user/", nil), amigo.PermGetUserInfo)
			setRole(admin, userID, "DefaultAdministratorRole").Expect(204)
			if got, want := roleOf(userID), roleOf(adminID); got != want {
				t.Fatalf("role after the change: %q, want the administrators' %q", got, want)
			}
			user.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)
			setRole(admin, userID, "DefaultUserRole").Expect(204)
			expectForbidden(t, user.Do(t, "GET", "/v1/acme/user/", nil), amigo.PermGetUserInfo)
		})
		t.Run("each change is in the change log; giving the same role records nothing", func(t *testing.T) {
			before := changes(t, org.Admin, "?operation=update-user-role")
			setRole(admin, userID, "DefaultUserRole").Expect(204)
			log := changes(t, org.Admin, "?operation=update-user-role")
			if len(log.Changes) != 2 || len(before.Changes) != 2 {
				t.Fatalf("update-user-role records: %d, then %d, want 2 and 2", len(before.Changes), len(log.Changes))
			}
			last := log.Changes[0]
			if last.ResourceType != "user" || last.ResourceID != userID || !strings.Contains(last.Summary, "DefaultUserRole") {
				t.Errorf("record %+v", last)
			}
			if len(last.Diff) != 1 || last.Diff[0].Op != "replace" || last.Diff[0].Path != "/role_id" {
				t.Errorf("diff %+v, want one replace of /role_id", last.Diff)
			}
		})
		t.Run("no one is raised or touched above the caller's role", func(t *testing.T) {
			userRole, superRole := roleOf(userID), roleOf(superID)
			r := setRole(admin, userID, "DefaultSuperAdministratorRole").Expect(403)
			if !strings.Contains(r.Detail(), "privileges you do not hold") {
				t.Errorf("raising above the caller: %q", r.Detail())
			}
			r = setRole(admin, superID, "DefaultUserRole").Expect(403)
			if !strings.Contains(r.Detail(), "privileges you do not hold") {
				t.Errorf("demoting a super administrator: %q", r.Detail())
			}
			if roleOf(userID) != userRole || roleOf(superID) != superRole {
				t.Error("a refused change changed a role")
			}
			expectForbidden(t, setRole(user, userID, "DefaultUserRole"), amigo.PermUpdateUserRole)
			// The organization's super administrator may do both.
			setRole(org.Admin, userID, "DefaultSuperAdministratorRole").Expect(204)
			setRole(org.Admin, userID, "DefaultUserRole").Expect(204)
		})
		t.Run("unknown users and roles are 404, a missing role 422", func(t *testing.T) {
			setRole(admin, "aaaaaaaaaaaaaaaaaaaaaaaa", "DefaultUserRole").Expect(404)
			setRole(admin, userID, "NoSuchRole").Expect(404)
			r := admin.Do(t, "PUT", "/v1/acme/user/"+userID+"/role", map[string]any{}).Expect(422)
			if !slices.Equal(r.Locs(), []string{"body.role_name"}) {
				t.Errorf("422 at %q", r.Locs())
			}
			admin.Do(t, "PUT", "/v1/acme/user/"+userID+"/role", map[string]any{"role_name": 7}).Expect(422)
		})
	})
}
