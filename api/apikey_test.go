package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		const keys = "/v1/acme/organization/api_key/"

		t.Run("duration validation", func(t *testing.T) {
			for _, d := range []string{"PT23H", "P91D", "30 days", "P1M", ""} {
				r := org.Admin.Do(t, "POST", keys, map[string]any{"name": "k", "duration": d}).Expect(422)
				if got := r.Locs(); len(got) != 1 || got[0] != "body.duration" {
					t.Errorf("duration %q: locs %v", d, got)
				}
			}
			for _, d := range []string{"P1D", "PT36H", "P90D", "P2W"} {
				org.Admin.Do(t, "POST", keys, map[string]any{"name": "k", "duration": d}).Expect(201)
			}
		})
		t.Run("unknown role is 404", func(t *testing.T) {
			org.Admin.Do(t, "POST", keys, map[string]any{"name": "k", "duration": "P1D", "role_name": "NoSuchRole"}).Expect(404)
		})
		t.Run("list never shows secrets", func(t *testing.T) {
			created := createKey(t, org.Admin, "acme", "DefaultAdministratorRole", "P3D")
			r := org.Admin.Do(t, "GET", keys, nil).Expect(200)
			if strings.Contains(string(r.Body), created.APIKey) {
				t.Fatal("the list contains a secret")
			}
			var list struct {
				APIKeys []struct {
					KeyID string `json:"key_id"`
				} `json:"api_keys"`
			}
			r.Decode(&list)
			found := false
			for _, k := range list.APIKeys {
				found = found || k.KeyID == created.APIKeyID
			}
			if !found {
				t.Fatalf("created key %s not listed", created.APIKeyID)
			}
		})
		t.Run("delete unknown key is 404", func(t *testing.T) {
			org.Admin.Do(t, "DELETE", keys+"00000000-0000-4000-8000-000000000000/", nil).Expect(404)
		})
		t.Run("a caller cannot create a key more privileged than itself", func(t *testing.T) {
			user := inviteAndSignIn(t, env, org, "DefaultAdministratorRole")
			user.Do(t, "POST", keys, map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultSuperAdministratorRole"}).Expect(403)
			user.Do(t, "POST", keys, map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultAdministratorRole"}).Expect(201)
		})
	})
}

func TestAPIKeyLimit(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		// AdminOf used one key; fill the organization up to 20.
		for i := 1; i < 20; i++ {
			org.Admin.Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{"name": fmt.Sprint(i), "duration": "P1D"}).Expect(201)
		}
		r := org.Admin.Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{"name": "21st", "duration": "P1D"}).Expect(400)
		if !strings.Contains(r.Detail(), "maximum") {
			t.Fatalf("detail %q", r.Detail())
		}
	})
}

// inviteAndSignIn invites a user with role into org and returns a client
// signed in as that user, through a key of the same role.
func inviteAndSignIn(t *testing.T, env *testenv.Env, org *testenv.Org, role string) *testenv.Client {
	t.Helper()
	var u struct {
		UserID string `json:"user_id"`
	}
	email := strings.ToLower(role) + fmt.Sprint(len(t.Name())) + "@example.com"
	org.Admin.Do(t, "POST", "/v1/"+org.ID+"/user/", map[string]any{
		"first_name": "Test", "last_name": "User", "email": email, "role_name": role,
	}).Expect(201).Decode(&u)
	k := createKey(t, org.Admin, org.ID, role, "P1D")
	return env.SignIn(t, org.ID, k.APIKey, k.APIKeyID, u.UserID)
}
