package api_test

import (
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		anon := env.Anonymous(t)
		signin := func(org, key, keyID, user string) *testenv.Response {
			return anon.Do(t, "POST", "/v1/"+org+"/user/signin_with_api_key", nil,
				testenv.Header("x-api-key", key), testenv.Header("x-api-key-id", keyID), testenv.Header("x-user-id", user))
		}
		var ok struct {
			IDToken   string `json:"id_token"`
			ExpiresAt string `json:"expires_at"`
		}
		signin(testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID).Expect(200).Decode(&ok)
		if ok.IDToken == "" || ok.ExpiresAt == "" {
			t.Fatalf("sign-in returned %+v", ok)
		}

		for _, tc := range []struct {
			name                    string
			org, key, keyID, userID string
			want                    int
		}{
			{"wrong secret", testenv.PlatformOrg, env.APIKey + "x", env.APIKeyID, env.UserID, 401},
			{"unknown key id", testenv.PlatformOrg, env.APIKey, "00000000-0000-4000-8000-000000000000", env.UserID, 401},
			{"unknown user", testenv.PlatformOrg, env.APIKey, env.APIKeyID, "aaaaaaaaaaaaaaaaaaaaaaaa", 401},
			{"unknown organization", "nowhere", env.APIKey, env.APIKeyID, env.UserID, 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := signin(tc.org, tc.key, tc.keyID, tc.userID).Expect(tc.want)
				if r.Detail() == "" {
					t.Error("empty detail")
				}
			})
		}

		t.Run("missing headers are 422 naming each header", func(t *testing.T) {
			r := anon.Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil).Expect(422)
			if got := len(r.Locs()); got != 3 {
				t.Fatalf("locs %v, want the three headers", r.Locs())
			}
		})

		t.Run("deleted key can no longer sign in", func(t *testing.T) {
			key := createKey(t, env.Admin, testenv.PlatformOrg, "DefaultSuperAdministratorRole", "P1D")
			signin(testenv.PlatformOrg, key.APIKey, key.APIKeyID, env.UserID).Expect(200)
			env.Admin.Do(t, "DELETE", "/v1/platform/organization/api_key/"+key.APIKeyID+"/", nil).Expect(200)
			signin(testenv.PlatformOrg, key.APIKey, key.APIKeyID, env.UserID).Expect(401)
		})

		t.Run("a key cannot sign in a user more privileged than its role", func(t *testing.T) {
			key := createKey(t, env.Admin, testenv.PlatformOrg, "DefaultUserRole", "P1D")
			signin(testenv.PlatformOrg, key.APIKey, key.APIKeyID, env.UserID).Expect(401)
		})
	})
}

type apiKey struct {
	APIKey    string `json:"api_key"`
	APIKeyID  string `json:"api_key_id"`
	ExpiresAt string `json:"expires_at"`
}

func createKey(t *testing.T, c *testenv.Client, org, role, duration string) apiKey {
	t.Helper()
	var k apiKey
	c.Do(t, "POST", "/v1/"+org+"/organization/api_key/", map[string]any{"name": "k", "duration": duration, "role_name": role}).Expect(201).Decode(&k)
	return k
}
