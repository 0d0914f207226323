package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestFailedSignInLimit guesses API key ids from one address, each guess a
// new key id so the per-key limit never applies: after ten failures the
// address is refused, even with the right credentials.
func TestFailedSignInLimit(t *testing.T) {
	t.Parallel()
	env := limited(t, "on")
	signIn := func(key, keyID string) *testenv.Response {
		return env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
			testenv.Header("x-api-key", key), testenv.Header("x-api-key-id", keyID), testenv.Header("x-user-id", env.UserID))
	}
	// Successful sign-ins do not count against the address.
	for range 3 {
		signIn(env.APIKey, env.APIKeyID).Expect(200)
	}
	for i := range 10 {
		signIn("guess", fmt.Sprintf("00000000-0000-4000-8000-%012d", i)).Expect(401)
	}
	r := signIn("guess", "00000000-0000-4000-8000-999999999999").Expect(429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	signIn(env.APIKey, env.APIKeyID).Expect(429)
}

// TestTokenDiesWithItsKey signs in with an API key, then deletes it or lets
// it expire: the token is refused at once, not when its hour is up.
func TestTokenDiesWithItsKey(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		newToken := func(t *testing.T) (*testenv.Client, string) {
			var key struct {
				APIKey   string `json:"api_key"`
				APIKeyID string `json:"api_key_id"`
			}
			env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", map[string]any{
				"duration": "P1D", "role_name": "DefaultSuperAdministratorRole",
			}).Expect(201).Decode(&key)
			c := env.SignIn(t, testenv.PlatformOrg, key.APIKey, key.APIKeyID, env.UserID)
			c.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
			return c, key.APIKeyID
		}
		t.Run("deleted", func(t *testing.T) {
			c, keyID := newToken(t)
			env.Admin.Do(t, "DELETE", "/v1/platform/organization/api_key/"+keyID+"/", nil).Expect(200)
			c.Do(t, "GET", "/v1/platform/user/", nil).Expect(401)
		})
		t.Run("expired", func(t *testing.T) {
			c, keyID := newToken(t)
			// A day cannot pass in a test: move the key's expiry instead.
			// Written behind the server's back, like a change made by
			// another replica, it is seen within the auth cache's TTL (a
			// key that reaches its expiry is refused at once: the cache
			// keeps a key no longer than it lives).
			past := time.Now().Add(-time.Minute).UnixMicro()
			if _, err := env.Runtime.Clusters["default"].SQL().Exec(`UPDATE api_keys SET expires_at = $1 WHERE key_id = $2`, past, keyID); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 5*time.Second, "the expired key's token refused", func() bool {
				return c.Do(t, "GET", "/v1/platform/user/", nil).Status == 401
			})
		})
		t.Run("other keys' tokens live on", func(t *testing.T) {
			env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
		})
	})
}
