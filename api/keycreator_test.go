package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

type keyChange struct {
	Actor struct {
		UserID        string `json:"user_id"`
		APIKeyID      string `json:"api_key_id"`
		APIKeyCreator *struct {
			OrgID  string `json:"org_id"`
			UserID string `json:"user_id"`
		} `json:"api_key_creator"`
	} `json:"actor"`
	Operation  string `json:"operation"`
	ResourceID string `json:"resource_id"`
	Summary    string `json:"summary"`
}

// changesOf lists org's change records of one resource type.
func changesOf(t *testing.T, c *testenv.Client, org, resourceType string) []keyChange {
	t.Helper()
	var out struct {
		Changes []keyChange `json:"changes"`
	}
	c.Do(t, "GET", "/v1/"+org+"/changes/?resource_type="+resourceType+"&limit=100", nil).Expect(200).Decode(&out)
	return out.Changes
}

// TestKeysDieWithTheirCreatorsPrivileges demotes and then deletes an
// administrator: the keys they created whose role their new role does not
// include stop working at once, with a change record each, and the keys
// within their new role live until the user is deleted. The change
// records of a key's token name the key's creator.
func TestKeysDieWithTheirCreatorsPrivileges(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		signIn := func(k apiKey, userID string) *testenv.Response {
			return env.Anonymous(t).Do(t, "POST", "/v1/acme/user/signin_with_api_key", nil,
				testenv.Header("x-api-key", k.APIKey), testenv.Header("x-api-key-id", k.APIKeyID), testenv.Header("x-user-id", userID))
		}
		// Ada, an administrator, signs in with a key the super
		// administrator made for her, and makes two keys of her own.
		ada := inviteAndSignIn(t, env, org, "DefaultAdministratorRole")
		adaID := userIDOf(t, org.Admin, "acme", "defaultadministratorrole"+fmt.Sprint(len(t.Name()))+"@example.com")
		adminKey := createKey(t, ada, "acme", "DefaultAdministratorRole", "P1D")
		userKey := createKey(t, ada, "acme", "DefaultUserRole", "P1D")
		bob := inviteUser(t, org.Admin, "bob@example.com", "DefaultUserRole")
		adaAgain := env.SignIn(t, "acme", adminKey.APIKey, adminKey.APIKeyID, adaID)
		adaAgain.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)

		t.Run("a key's token names the key's creator in the change log", func(t *testing.T) {
			for _, ch := range changesOf(t, org.Admin, "acme", "api_key") {
				if ch.ResourceID != adminKey.APIKeyID {
					continue
				}
				if ch.Actor.UserID != adaID || ch.Actor.APIKeyCreator == nil || ch.Actor.APIKeyCreator.UserID != org.UserID ||
					ch.Actor.APIKeyCreator.OrgID != "acme" {
					t.Fatalf("record of the key's creation: %+v; want user %s through a key created by %s", ch.Actor, adaID, org.UserID)
				}
				return
			}
			t.Fatal("no record of the key's creation")
		})

		t.Run("demotion revokes the keys beyond the new role", func(t *testing.T) {
			org.Admin.Do(t, "PUT", "/v1/acme/user/"+adaID+"/role", map[string]any{"role_name": "DefaultUserRole"}).Expect(204)
			adaAgain.Do(t, "GET", "/v1/acme/user/", nil).Expect(401)
			signIn(adminKey, adaID).Expect(401)
			signIn(userKey, bob).Expect(200)
			var revoked []keyChange
			for _, ch := range changesOf(t, org.Admin, "acme", "api_key") {
				if ch.Operation == "update-user-role" {
					revoked = append(revoked, ch)
				}
			}
			if len(revoked) != 1 || revoked[0].ResourceID != adminKey.APIKeyID || !strings.Contains(revoked[0].Summary, "no longer included") {
				t.Fatalf("update-user-role records of API keys: %+v; want one for %s", revoked, adminKey.APIKeyID)
			}
		})

		t.Run("deletion revokes every key the user created", func(t *testing.T) {
			org.Admin.Do(t, "DELETE", "/v1/acme/user/"+adaID, nil).Expect(204)
			signIn(userKey, bob).Expect(401)
			found := false
			for _, ch := range changesOf(t, org.Admin, "acme", "api_key") {
				found = found || (ch.Operation == "delete-user" && ch.ResourceID == userKey.APIKeyID && strings.Contains(ch.Summary, "was deleted"))
			}
			if !found {
				t.Fatal("no delete-user record of the revoked key")
			}
			// The super administrator's own keys live on.
			org.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)
		})
	})
}

// TestPlatformAdministratorsKeysElsewhere demotes a platform super
// administrator who made a key in another organization: the key stops
// working there, at sign-in and for its tokens.
func TestPlatformAdministratorsKeysElsewhere(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		env.CreateOrg(t, "acme")
		platform := &testenv.Org{ID: testenv.PlatformOrg, Admin: env.Admin}
		// A second platform super administrator, Pat, makes acme a key.
		pat := inviteAndSignIn(t, env, platform, "DefaultSuperAdministratorRole")
		patID := userIDOf(t, env.Admin, testenv.PlatformOrg, "defaultsuperadministratorrole"+fmt.Sprint(len(t.Name()))+"@example.com")
		var key apiKey
		pat.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{
			"name": "pat's", "duration": "P1D", "role_name": "DefaultSuperAdministratorRole",
		}).Expect(201).Decode(&key)
		acmeAdmin := userIDOf(t, env.Admin.With("X-ORG-ID", testenv.PlatformOrg), "acme", "admin@amigo.ai")
		c := env.SignIn(t, "acme", key.APIKey, key.APIKeyID, acmeAdmin)
		c.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)

		env.Admin.Do(t, "PUT", "/v1/platform/user/"+patID+"/role", map[string]any{"role_name": "DefaultAdministratorRole"}).Expect(204)
		c.Do(t, "GET", "/v1/acme/user/", nil).Expect(401)
		env.Anonymous(t).Do(t, "POST", "/v1/acme/user/signin_with_api_key", nil, testenv.Header("x-api-key", key.APIKey),
			testenv.Header("x-api-key-id", key.APIKeyID), testenv.Header("x-user-id", acmeAdmin)).Expect(401)
	})
}

// inviteUser invites a user and returns their id.
func inviteUser(t *testing.T, c *testenv.Client, email, role string) string {
	t.Helper()
	var u struct {
		UserID string `json:"user_id"`
	}
	c.Do(t, "POST", "/v1/acme/user/", map[string]any{"first_name": "T", "last_name": "U", "email": email, "role_name": role}).Expect(201).Decode(&u)
	return u.UserID
}
