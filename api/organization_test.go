package api_test

import (
	"slices"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestOrganizationLifecycle(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")

		t.Run("get without a token hides the details", func(t *testing.T) {
			got := env.Anonymous(t).Do(t, "GET", "/v1/acme/organization/", nil).Expect(200).JSON()
			if got["org_id"] != "acme" || got["org_name"] != "acme" {
				t.Fatalf("got %v", got)
			}
			if got["default_user_preferences"] != nil || got["tenant_id"] != nil {
				t.Fatalf("details visible anonymously: %v", got)
			}
		})
		t.Run("get with permission shows the details", func(t *testing.T) {
			got := org.Admin.Do(t, "GET", "/v1/acme/organization/", nil).Expect(200).JSON()
			prefs, _ := got["default_user_preferences"].(map[string]any)
			if prefs["preferred_language"] != "eng" || got["tenant_id"] == nil {
				t.Fatalf("got %v", got)
			}
		})
		t.Run("user dimensions", func(t *testing.T) {
			var got struct {
				UserDimensions []struct {
					Description string   `json:"description"`
					Tags        []string `json:"tags"`
				} `json:"user_dimensions"`
			}
			org.Admin.Do(t, "GET", "/v1/acme/organization/user_dimensions/", nil).Expect(200).Decode(&got)
			if len(got.UserDimensions) != 1 || got.UserDimensions[0].Description != "Age group" {
				t.Fatalf("got %+v", got)
			}
		})
		t.Run("modify updates only the given fields", func(t *testing.T) {
			org.Admin.Do(t, "POST", "/v1/acme/organization/", map[string]any{"title": "New title", "logo": nil}).Expect(204)
			got := org.Admin.Do(t, "GET", "/v1/acme/organization/", nil).Expect(200).JSON()
			if got["title"] != "New title" || got["logo"] == nil || got["main_description"] != "Intelligent assistants" {
				t.Fatalf("got title=%v logo set=%v main=%v", got["title"], got["logo"] != nil, got["main_description"])
			}
		})
		t.Run("modify validates images and names the field", func(t *testing.T) {
			r := org.Admin.Do(t, "POST", "/v1/acme/organization/", map[string]any{
				"logo": testenv.PNG(400, 400), "favicon": testenv.PNG(48, 48), "azure_devops_team_name": "Bad Name",
			}).Expect(422)
			want := []string{"body.logo", "body.favicon", "body.azure_devops_team_name"}
			if got := r.Locs(); !sameSet(got, want) {
				t.Fatalf("locs %v, want %v", got, want)
			}
		})
		t.Run("the org's own admin cannot create organizations", func(t *testing.T) {
			org.Admin.With("X-ORG-ID", "acme").Do(t, "PUT", "/v1/other/organization/", testenv.OrgBody("other"),
				testenv.Header("x-mongo-cluster-name", "default")).Expect(403)
		})
		t.Run("delete erases the organization", func(t *testing.T) {
			org.Admin.Do(t, "DELETE", "/v1/acme/organization/", nil).Expect(204)
			env.Anonymous(t).Do(t, "GET", "/v1/acme/organization/", nil).Expect(404)
			org.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(404)
			env.Admin.With("X-ORG-ID", "platform").Do(t, "DELETE", "/v1/acme/organization/", nil).Expect(404)
			// The id can be provisioned again, from scratch.
			again := env.CreateOrg(t, "acme")
			var users struct {
				Users []any `json:"users"`
			}
			again.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(200).Decode(&users)
			if len(users.Users) != 1 {
				t.Fatalf("recreated org has %d users, want 1", len(users.Users))
			}
		})
		t.Run("the platform organization cannot be deleted", func(t *testing.T) {
			env.Admin.Do(t, "DELETE", "/v1/platform/organization/", nil).Expect(400)
		})
	})
}

func TestCreateOrganizationValidation(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		env.CreateOrg(t, "taken")
		cross := env.Admin.With("X-ORG-ID", testenv.PlatformOrg)
		put := func(id string, body any, cluster string) *testenv.Response {
			var opts []testenv.RequestOption
			if cluster != "" {
				opts = append(opts, testenv.Header("x-mongo-cluster-name", cluster))
			}
			return cross.Do(t, "PUT", "/v1/"+id+"/organization/", body, opts...)
		}
		with := func(field string, v any) map[string]any {
			body := testenv.OrgBody("x")
			if v == nil {
				delete(body, field)
			} else {
				body[field] = v
			}
			return body
		}
		for _, tc := range []struct {
			name    string
			id      string
			body    any
			cluster string
			want    int
			locs    []string
		}{
			{"missing cluster header", "neworg", testenv.OrgBody("x"), "", 422, []string{"header.x-mongo-cluster-name"}},
			{"unknown cluster", "neworg", testenv.OrgBody("x"), "nope", 404, nil},
			{"reserved id", "admin", testenv.OrgBody("x"), "default", 400, nil},
			{"existing id", "taken", testenv.OrgBody("x"), "default", 409, nil},
			{"bad id", "Not_Valid", testenv.OrgBody("x"), "default", 422, []string{"path.organization"}},
			{"missing required fields", "neworg", map[string]any{"org_name": "x"}, "default", 422,
				[]string{"body.user_dimensions", "body.logo", "body.square_logo", "body.favicon", "body.azure_devops_team_name"}},
			{"logo aspect", "neworg", with("logo", testenv.PNG(400, 400)), "default", 422, []string{"body.logo"}},
			{"logo too small", "neworg", with("logo", testenv.PNG(200, 80)), "default", 422, []string{"body.logo"}},
			{"square logo not square", "neworg", with("square_logo", testenv.PNG(60, 40)), "default", 422, []string{"body.square_logo"}},
			{"favicon must be ICO", "neworg", with("favicon", testenv.PNG(48, 48)), "default", 422, []string{"body.favicon"}},
			{"favicon too small", "neworg", with("favicon", testenv.ICO(32, 32)), "default", 422, []string{"body.favicon"}},
			{"headshot aspect", "neworg", with("signup_page_headshot", testenv.PNG(400, 400)), "default", 422, []string{"body.signup_page_headshot"}},
			{"not base64", "neworg", with("logo", "***"), "default", 422, []string{"body.logo"}},
			{"azure team pattern", "neworg", with("azure_devops_team_name", "Team_1"), "default", 422, []string{"body.azure_devops_team_name"}},
			{"bad timezone", "neworg", with("default_user_preferences", map[string]any{"timezone": "Mars/Base"}), "default", 422,
				[]string{"body.default_user_preferences.timezone"}},
			{"wrong type", "neworg", with("org_name", 5), "default", 422, []string{"body.org_name"}},
			{"malformed JSON", "neworg", testenv.RawBody(`{"org_name": `), "default", 422, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := put(tc.id, tc.body, tc.cluster).Expect(tc.want)
				if tc.locs != nil && !sameSet(r.Locs(), tc.locs) {
					t.Fatalf("locs %v, want %v", r.Locs(), tc.locs)
				}
			})
		}
		t.Run("nothing half-written after failures", func(t *testing.T) {
			env.Anonymous(t).Do(t, "GET", "/v1/neworg/organization/", nil).Expect(404)
		})
		t.Run("anonymous create is 401", func(t *testing.T) {
			env.Anonymous(t).Do(t, "PUT", "/v1/neworg/organization/", testenv.OrgBody("x"), testenv.Header("x-mongo-cluster-name", "default")).Expect(401)
		})
	})
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
