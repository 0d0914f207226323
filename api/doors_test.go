package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestDeleteAPIKeyRoleInclusion checks that delete-api-key applies
// create-api-key's rule: an administrator cannot revoke a key whose role
// has privileges they do not hold, in the platform organization too.
func TestDeleteAPIKeyRoleInclusion(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		platform := &testenv.Org{ID: testenv.PlatformOrg, Admin: env.Admin}
		for _, o := range []*testenv.Org{org, platform} {
			t.Run(o.ID, func(t *testing.T) {
				keys := "/v1/" + o.ID + "/organization/api_key/"
				super := createKey(t, o.Admin, o.ID, "DefaultSuperAdministratorRole", "P1D")
				admin := inviteAndSignIn(t, env, o, "DefaultAdministratorRole")
				r := admin.Do(t, "DELETE", keys+super.APIKeyID+"/", nil).Expect(403)
				if !strings.Contains(r.Detail(), "privileges you do not hold") {
					t.Errorf("detail %q", r.Detail())
				}
				// The key still works, and an administrator's key can go.
				env.Anonymous(t).Do(t, "POST", "/v1/"+o.ID+"/user/signin_with_api_key", nil,
					testenv.Header("x-api-key", super.APIKey), testenv.Header("x-api-key-id", super.APIKeyID),
					testenv.Header("x-user-id", userIDOf(t, o.Admin, o.ID, "admin@amigo.ai"))).Expect(200)
				own := createKey(t, o.Admin, o.ID, "DefaultAdministratorRole", "P1D")
				admin.Do(t, "DELETE", keys+own.APIKeyID+"/", nil).Expect(200)
				o.Admin.Do(t, "DELETE", keys+super.APIKeyID+"/", nil).Expect(200)
			})
		}
	})
}

// userIDOf returns the id of the user with email in org.
func userIDOf(t *testing.T, c *testenv.Client, org, email string) string {
	t.Helper()
	var users struct {
		Users []struct {
			UserID string `json:"user_id"`
		} `json:"users"`
	}
	c.Do(t, "GET", "/v1/"+org+"/user/?email="+email, nil).Expect(200).Decode(&users)
	if len(users.Users) != 1 {
		t.Fatalf("user %s of %s not found", email, org)
	}
	return users.Users[0].UserID
}

// TestCreateOrganizationMalformedID checks that create-organization
// refuses an organization id its path cannot hold with a 422 at
// ["path", "organization"], encoded dot segments included, and that the
// other operations still answer 404 for them.
func TestCreateOrganizationMalformedID(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	for _, id := range []string{"%00", "%ff", "a%00b", "%2e%2e", "%2E%2E", "%2e", "Bad_Id"} {
		t.Run(id, func(t *testing.T) {
			r := env.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "PUT", "/v1/"+id+"/organization/", testenv.OrgBody("x"),
				testenv.Header("x-mongo-cluster-name", "default")).Expect(422)
			if locs := r.Locs(); !slices.Equal(locs, []string{"path.organization"}) {
				t.Errorf("locs %v, want path.organization", locs)
			}
		})
	}
	for _, id := range []string{"%00", "%2e%2e"} {
		env.Anonymous(t).Do(t, "GET", "/v1/"+id+"/organization/", nil).Expect(404)
	}
}

// TestConsoleRefusesDotSegments checks that a console path with dot
// segments, literal or encoded, is refused rather than cleaned and
// redirected, which for /console/../v1/… leads into the API.
func TestConsoleRefusesDotSegments(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	for _, path := range []string{
		"/console/../v1/platform/user/",
		"/console/%2e%2e/v1/platform/user/",
		"/console/%2E%2E/v1/platform/organization/",
		"/console/platform/../../v1/platform/user/",
		"/console/./platform/",
		"/console//platform/",
	} {
		t.Run(path, func(t *testing.T) {
			for _, method := range []string{"GET", "POST", "DELETE"} {
				req, err := http.NewRequest(method, env.URL+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.URL.RawPath = path
				req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
				resp, err := noRedirects.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 404 || resp.Header.Get("Location") != "" {
					t.Errorf("%s: status %d, Location %q; want 404 and no redirect", method, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		})
	}
}

// TestMermaidEscapesHTML checks that state machine text reaches Mermaid
// output as text: an exit condition with markup, quotes, entity codes and
// carriage returns cannot add markup or statements to the chart.
func TestMermaidEscapesHTML(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	c := env.CreateOrg(t, "acme").Admin
	base := "/v1/acme/organization/service_hierarchical_state_machine"
	id := createMachine(t, c, "acme", "main")
	body := machineBody(2)
	body["references"] = map[string]any{}
	const hostile = "<img src=x onerror=alert(1)> & \"q\" 'a' #lt; `md`\rclassDef x fill:#f00\r\n--> end"
	start := body["states"].([]any)[0].(map[string]any)
	conds := start["exit_conditions"].([]any)
	conds[0].(map[string]any)["description"] = hostile
	start["exit_conditions"] = conds[:1]
	c.Do(t, "POST", base+"/"+id+"/", body).Expect(201)
	mmd := string(c.Do(t, "GET", base+"/"+id+"/graph?format=mermaid", nil).Expect(200).Body)
	if strings.Contains(mmd, "\r") || strings.Contains(mmd, "<") || strings.Contains(mmd, "\n  classDef x") {
		t.Errorf("the exit condition's text got out of its label:\n%s", mmd)
	}
	want := `|"#lt;img src=x onerror=alert(1)#gt; #amp; #quot;q#quot; #39;a#39; #35;lt; #96;md#96; classDef x fill:#35;f00 --#gt; end"|`
	if !strings.Contains(mmd, want) {
		t.Errorf("mermaid output lacks the escaped label %s:\n%s", want, mmd)
	}
}
