package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/token"
)

// TestExpiryFollowsTheServersClock moves the server's one clock instead of
// sleeping: a token is refused once past its exp, and an API key once past
// its expiry, to the second.
func TestExpiryFollowsTheServersClock(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		clock := testenv.NewClock()
		env := testenv.Start(t, b, testenv.Options{Clock: clock.Now})
		anon := env.Anonymous(t)
		const org = testenv.PlatformOrg
		key := createKey(t, env.Admin, org, "DefaultSuperAdministratorRole", "P1D")
		created := clock.Now()
		signin := func() *testenv.Response {
			return anon.Do(t, "POST", "/v1/"+org+"/user/signin_with_api_key", nil,
				testenv.Header("x-api-key", key.APIKey), testenv.Header("x-api-key-id", key.APIKeyID), testenv.Header("x-user-id", env.UserID))
		}
		var signedIn struct {
			IDToken   string    `json:"id_token"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		signin().Expect(200).Decode(&signedIn)
		if want := created.Add(token.DefaultTTL).Truncate(time.Second); !signedIn.ExpiresAt.Equal(want) {
			t.Fatalf("token expires at %v, want %v (the fake clock plus the TTL)", signedIn.ExpiresAt, want)
		}
		user := anon.With("Authorization", "Bearer "+signedIn.IDToken)

		t.Run("a token past its exp is 401", func(t *testing.T) {
			clock.Advance(signedIn.ExpiresAt.Sub(clock.Now()) - time.Second)
			user.Do(t, "GET", "/v1/"+org+"/organization/api_key/", nil).Expect(200)
			clock.Advance(time.Second)
			r := user.Do(t, "GET", "/v1/"+org+"/organization/api_key/", nil).Expect(401)
			if !strings.Contains(r.Detail(), "expired") {
				t.Fatalf("detail %q, want it to say the token expired", r.Detail())
			}
		})

		t.Run("an API key past its expiry cannot sign in", func(t *testing.T) {
			clock.Advance(created.Add(24*time.Hour - time.Second).Sub(clock.Now()))
			signin().Expect(200)
			clock.Advance(time.Second)
			signin().Expect(401)
		})

		t.Run("expired keys do not count toward the cap", func(t *testing.T) {
			// The bootstrap key is live and key has expired: 19 more fill the cap.
			admin := env.SignIn(t, org, env.APIKey, env.APIKeyID, env.UserID)
			create := func() *testenv.Response {
				return admin.Do(t, "POST", "/v1/"+org+"/organization/api_key/", map[string]any{"name": "k", "duration": "P1D"})
			}
			for range 19 {
				create().Expect(201)
			}
			create().Expect(400)
			clock.Advance(24 * time.Hour)
			admin = env.SignIn(t, org, env.APIKey, env.APIKeyID, env.UserID)
			admin.Do(t, "POST", "/v1/"+org+"/organization/api_key/", map[string]any{"name": "k", "duration": "P1D"}).Expect(201)
		})
	})
}
