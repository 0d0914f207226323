package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// The four default roles, least privileged first.
var defaultRoles = []string{"DefaultUserRole", "DefaultAdministratorRole", "DefaultAmigoAdministratorRole", "DefaultSuperAdministratorRole"}

// roster signs in members of one organization, one API key per role.
type roster struct {
	env  *testenv.Env
	org  *testenv.Org
	keys map[string]apiKey
}

func newRoster(env *testenv.Env, org *testenv.Org) *roster {
	return &roster{env: env, org: org, keys: map[string]apiKey{}}
}

var memberSeq atomic.Int64

// member invites a new user with role and returns a client signed in as
// them, and their user id.
func (r *roster) member(t *testing.T, role string) (*testenv.Client, string) {
	t.Helper()
	var u struct {
		UserID string `json:"user_id"`
	}
	email := fmt.Sprintf("member%d@example.com", memberSeq.Add(1))
	r.org.Admin.Do(t, "POST", "/v1/"+r.org.ID+"/user/", map[string]any{
		"first_name": "Member", "last_name": role, "email": email, "role_name": role,
	}).Expect(201).Decode(&u)
	k, ok := r.keys[role]
	if !ok {
		k = createKey(t, r.org.Admin, r.org.ID, role, "P1D")
		r.keys[role] = k
	}
	return r.env.SignIn(t, r.org.ID, k.APIKey, k.APIKeyID, u.UserID), u.UserID
}

// putRole creates a custom role through the operator's path.
func putRole(t *testing.T, env *testenv.Env, org, name string, grants ...amigo.Grant) {
	t.Helper()
	if _, err := env.Runtime.App.PutRole(context.Background(), org, core.RoleInput{Name: name, Grants: grants}); err != nil {
		t.Fatal(err)
	}
}

// expectForbidden checks a 403 whose detail names perm.
func expectForbidden(t *testing.T, r *testenv.Response, perm string) {
	t.Helper()
	r.Expect(403)
	if d := r.Detail(); !strings.Contains(d, perm) {
		t.Fatalf("403 detail %q does not name %s", d, perm)
	}
}

func TestDefaultRolePermissions(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		staff := newRoster(env, org)
		clients := map[string]*testenv.Client{}
		for _, role := range defaultRoles {
			clients[role], _ = staff.member(t, role)
		}
		// Targets for the deleting operations, one per role.
		victims, keys := map[string]string{}, map[string]string{}
		for _, role := range defaultRoles {
			_, victims[role] = staff.member(t, "DefaultUserRole")
			keys[role] = createKey(t, org.Admin, "acme", "DefaultUserRole", "P1D").APIKeyID
		}
		var seq int
		admins := defaultRoles[1:]
		for _, tc := range []struct {
			op, method string
			path       func(role string) string
			body       func() any
			perm       string
			allowed    []string
			ok         int
		}{
			{"get-user-dimensions", "GET", fixed("/v1/acme/organization/user_dimensions/"), nil, amigo.PermGetOrganizationDetails, admins, 200},
			{"modify-organization", "POST", fixed("/v1/acme/organization/"), func() any { return map[string]any{"title": "Acme"} }, amigo.PermModifyOrganization, defaultRoles[2:], 204},
			{"create-api-key", "POST", fixed("/v1/acme/organization/api_key/"), func() any {
				return map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultUserRole"}
			}, amigo.PermCreateAPIKey, admins, 201},
			{"get-api-keys", "GET", fixed("/v1/acme/organization/api_key/"), nil, amigo.PermGetAPIKey, admins, 200},
			{"delete-api-key", "DELETE", func(role string) string { return "/v1/acme/organization/api_key/" + keys[role] + "/" }, nil, amigo.PermDeleteAPIKey, admins, 200},
			{"get-users", "GET", fixed("/v1/acme/user/"), nil, amigo.PermGetUserInfo, admins, 200},
			{"create-invited-user", "POST", fixed("/v1/acme/user/"), func() any {
				seq++
				return map[string]any{"first_name": "A", "last_name": "B", "email": fmt.Sprintf("invitee%d@example.com", seq), "role_name": "DefaultUserRole"}
			}, amigo.PermInviteUser, admins, 201},
			{"delete-user", "DELETE", func(role string) string { return "/v1/acme/user/" + victims[role] }, nil, amigo.PermDeleteUser, admins, 204},
		} {
			for _, role := range defaultRoles {
				t.Run(tc.op+"/"+role, func(t *testing.T) {
					var body any
					if tc.body != nil {
						body = tc.body()
					}
					r := clients[role].Do(t, tc.method, tc.path(role), body)
					if slices.Contains(tc.allowed, role) {
						r.Expect(tc.ok)
					} else {
						expectForbidden(t, r, tc.perm)
					}
				})
			}
		}
		t.Run("get-organization shows details only with Organization:GetOrganizationDetails", func(t *testing.T) {
			for _, role := range defaultRoles {
				got := clients[role].Do(t, "GET", "/v1/acme/organization/", nil).Expect(200).JSON()
				if visible := got["default_user_preferences"] != nil; visible != (role != "DefaultUserRole") {
					t.Errorf("%s: details visible = %v", role, visible)
				}
			}
		})
		t.Run("delete-organization needs Organization:DeleteOrganization", func(t *testing.T) {
			doomed := env.CreateOrg(t, "doomed")
			crew := newRoster(env, doomed)
			for _, role := range defaultRoles[:3] {
				c, _ := crew.member(t, role)
				expectForbidden(t, c.Do(t, "DELETE", "/v1/doomed/organization/", nil), amigo.PermDeleteOrganization)
			}
			c, _ := crew.member(t, "DefaultSuperAdministratorRole")
			c.Do(t, "DELETE", "/v1/doomed/organization/", nil).Expect(204)
		})
		t.Run("create-organization needs a platform super administrator", func(t *testing.T) {
			platform := newRoster(env, &testenv.Org{ID: testenv.PlatformOrg, Admin: env.Admin, UserID: env.UserID})
			for _, role := range defaultRoles[:3] {
				c, _ := platform.member(t, role)
				c.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "PUT", "/v1/newco/organization/", testenv.OrgBody("newco"),
					testenv.Header("x-mongo-cluster-name", "default")).Expect(403)
			}
			env.Anonymous(t).Do(t, "GET", "/v1/newco/organization/", nil).Expect(404)
		})
	})
}

func fixed(path string) func(string) string { return func(string) string { return path } }

func TestConditionalGrantsFilterLists(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		staff := newRoster(env, org)
		var emails []string
		for i := range 9 {
			email := fmt.Sprintf("listed%d@example.com", i)
			emails = append(emails, email)
			org.Admin.Do(t, "POST", "/v1/acme/user/", map[string]any{
				"first_name": "L", "last_name": "U", "email": email, "role_name": "DefaultUserRole",
			}).Expect(201)
		}
		visible := []string{emails[1], emails[2], emails[6]}
		putRole(t, env, "acme", "SomeUsersReader", amigo.Grant{Permission: amigo.PermGetUserInfo, Conditions: map[string][]string{"email": visible}})
		reader, _ := staff.member(t, "SomeUsersReader")

		t.Run("get-users pages through the visible users only", func(t *testing.T) {
			for _, limit := range []int{1, 2, 3, 100} {
				var got []string
				token := 0
				for pages := 1; ; pages++ {
					var page struct {
						Users []struct {
							Email string `json:"email"`
						} `json:"users"`
						HasMore           bool `json:"has_more"`
						ContinuationToken *int `json:"continuation_token"`
					}
					reader.Do(t, "GET", fmt.Sprintf("/v1/acme/user/?limit=%d&continuation_token=%d", limit, token), nil).Expect(200).Decode(&page)
					for _, u := range page.Users {
						got = append(got, u.Email)
					}
					if !page.HasMore {
						if page.ContinuationToken != nil {
							t.Fatalf("limit %d: a token without has_more", limit)
						}
						break
					}
					if len(page.Users) != limit || page.ContinuationToken == nil || *page.ContinuationToken <= token {
						t.Fatalf("limit %d: has_more with %d users and token %v", limit, len(page.Users), page.ContinuationToken)
					}
					token = *page.ContinuationToken
					if pages > len(visible) {
						t.Fatalf("limit %d: too many pages", limit)
					}
				}
				if !slices.Equal(got, visible) {
					t.Fatalf("limit %d: listed %v, want %v", limit, got, visible)
				}
			}
		})
		t.Run("filters by id or email never reveal others", func(t *testing.T) {
			var page struct {
				Users []any `json:"users"`
			}
			reader.Do(t, "GET", "/v1/acme/user/?email="+emails[0], nil).Expect(200).Decode(&page)
			if len(page.Users) != 0 {
				t.Fatalf("a hidden user is listed: %v", page.Users)
			}
		})
		t.Run("get-api-keys lists only the keys of the granted role", func(t *testing.T) {
			putRole(t, env, "acme", "UserKeysReader",
				amigo.Grant{Permission: amigo.PermGetAPIKey, Conditions: map[string][]string{"role": {"DefaultUserRole"}}})
			userKey := createKey(t, org.Admin, "acme", "DefaultUserRole", "P1D")
			adminKey := createKey(t, org.Admin, "acme", "DefaultAdministratorRole", "P1D")
			c, _ := staff.member(t, "UserKeysReader")
			var list struct {
				APIKeys []struct {
					KeyID string `json:"key_id"`
				} `json:"api_keys"`
			}
			c.Do(t, "GET", "/v1/acme/organization/api_key/", nil).Expect(200).Decode(&list)
			var ids []string
			for _, k := range list.APIKeys {
				ids = append(ids, k.KeyID)
			}
			if !slices.Contains(ids, userKey.APIKeyID) || slices.Contains(ids, adminKey.APIKeyID) {
				t.Fatalf("listed %v; want %s and not %s", ids, userKey.APIKeyID, adminKey.APIKeyID)
			}
		})
		t.Run("a conditional delete applies to the resource", func(t *testing.T) {
			// It holds DefaultUserRole's grants: deleting a user, like inviting
			// one, requires every privilege of their role.
			userGrants, _ := amigo.BuiltinGrants(amigo.RoleUser)
			putRole(t, env, "acme", "UserRemover", append(slices.Clone(userGrants),
				amigo.Grant{Permission: amigo.PermDeleteUser, Conditions: map[string][]string{"role": {"DefaultUserRole"}}})...)
			c, _ := staff.member(t, "UserRemover")
			_, plain := staff.member(t, "DefaultUserRole")
			_, admin := staff.member(t, "DefaultAdministratorRole")
			expectForbidden(t, c.Do(t, "DELETE", "/v1/acme/user/"+admin, nil), amigo.PermDeleteUser)
			c.Do(t, "DELETE", "/v1/acme/user/"+plain, nil).Expect(204)
		})
		t.Run("an administrator cannot delete a super administrator", func(t *testing.T) {
			c, _ := staff.member(t, "DefaultAdministratorRole")
			_, super := staff.member(t, "DefaultSuperAdministratorRole")
			c.Do(t, "DELETE", "/v1/acme/user/"+super, nil).Expect(403)
		})
	})
}

func TestLessPermissiveRule(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		staff := newRoster(env, org)
		support := amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": {"team:support"}}}
		putRole(t, env, "acme", "SupportReader", support)
		putRole(t, env, "acme", "SupportKeyMaker", support, amigo.Grant{Permission: amigo.PermCreateAPIKey})
		maker, _ := staff.member(t, "SupportKeyMaker")
		keys := "/v1/acme/organization/api_key/"
		body := func(role string) map[string]any {
			return map[string]any{"name": "k", "duration": "P1D", "role_name": role}
		}

		t.Run("create-api-key for a role included in the caller's", func(t *testing.T) {
			maker.Do(t, "POST", keys, body("SupportReader")).Expect(201)
			maker.Do(t, "POST", keys, body("SupportKeyMaker")).Expect(201)
		})
		t.Run("create-api-key for a role with a privilege the caller lacks", func(t *testing.T) {
			// DefaultUserRole reads every service; the maker only support's.
			maker.Do(t, "POST", keys, body("DefaultUserRole")).Expect(403)
		})
		t.Run("sign-in: the key's role must include the user's", func(t *testing.T) {
			_, supportUser := staff.member(t, "SupportReader")
			_, plainUser := staff.member(t, "DefaultUserRole")
			narrow := createKey(t, org.Admin, "acme", "SupportReader", "P1D")
			wide := createKey(t, org.Admin, "acme", "DefaultUserRole", "P1D")
			signin := func(k apiKey, user string) *testenv.Response {
				return env.Anonymous(t).Do(t, "POST", "/v1/acme/user/signin_with_api_key", nil, testenv.Header("x-api-key", k.APIKey),
					testenv.Header("x-api-key-id", k.APIKeyID), testenv.Header("x-user-id", user))
			}
			signin(narrow, supportUser).Expect(200)
			signin(wide, plainUser).Expect(200)
			// A user-role key includes tag-restricted reading of services…
			signin(wide, supportUser).Expect(200)
			// …but a support-only key cannot sign in a user who reads everything.
			signin(narrow, plainUser).Expect(401)
		})
	})
}
