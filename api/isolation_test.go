package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/token"
)

// TestIsolation attacks organization B with everything a user of
// organization A has: its own token, B's ids, spoofed headers and forged
// tokens. Nothing of B may be read or changed.
func TestIsolation(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		acme, globex := env.CreateOrg(t, "acme"), env.CreateOrg(t, "globex")
		attacker := acme.Admin // a super administrator, of the wrong organization
		victimKey := createKey(t, globex.Admin, "globex", "DefaultSuperAdministratorRole", "P1D")
		_, victimUser := newRoster(env, globex).member(t, "DefaultUserRole")
		globexToken := claimsOf(t, globex.Admin.Token)

		withToken := func(tok string) *testenv.Client {
			return env.Anonymous(t).With("Authorization", "Bearer "+tok)
		}
		otherKey := func() ed25519.PrivateKey {
			_, k, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		// Tokens for globex's super administrator that the attacker could mint.
		ownKeySet := token.NewKeySet(otherKey(), nil, "amigo-server/local", time.Now)
		resigned, _, err := ownKeySet.Issue("globex", globex.UserID, "k")
		if err != nil {
			t.Fatal(err)
		}
		forged := map[string]string{
			"re-signed with another key":                 resigned,
			"re-signed with another key, the server kid": sign(t, otherKey(), headerOf(t, globex.Admin.Token)["kid"], globexToken),
			"alg none":                         unsigned(globexToken),
			"acme token with org_id rewritten": rewriteClaims(t, attacker.Token, map[string]any{"org_id": "globex", "sub": globex.UserID}),
		}

		// Every route of globex, each must refuse the attacker.
		routes := []struct{ method, path string }{
			{"GET", "/v1/globex/user/"},
			{"POST", "/v1/globex/user/"},
			{"DELETE", "/v1/globex/user/" + victimUser},
			{"GET", "/v1/globex/organization/api_key/"},
			{"POST", "/v1/globex/organization/api_key/"},
			{"DELETE", "/v1/globex/organization/api_key/" + victimKey.APIKeyID + "/"},
			{"GET", "/v1/globex/organization/user_dimensions/"},
			{"POST", "/v1/globex/organization/"},
			{"DELETE", "/v1/globex/organization/"},
		}
		body := func(method string) any {
			if method == "POST" {
				return map[string]any{"name": "k", "duration": "P1D", "first_name": "E", "last_name": "Vil", "email": "evil@example.com", "role_name": "DefaultSuperAdministratorRole", "title": "Owned"}
			}
			return nil
		}
		attempts := map[string]*testenv.Client{
			"acme token":                       attacker,
			"acme token, X-ORG-ID acme":        attacker.With("X-ORG-ID", "acme"),
			"acme token, X-ORG-ID globex":      attacker.With("X-ORG-ID", "globex"),
			"acme token, X-ORG-ID platform":    attacker.With("X-ORG-ID", testenv.PlatformOrg),
			"acme token, x-mongo-cluster-name": attacker.With("x-mongo-cluster-name", "default"),
			"acme user-role token, X-ORG-ID acme": func() *testenv.Client {
				c, _ := newRoster(env, acme).member(t, "DefaultUserRole")
				return c.With("X-ORG-ID", "acme")
			}(),
		}
		for name, tok := range forged {
			attempts[name] = withToken(tok)
			attempts[name+", X-ORG-ID globex"] = withToken(tok).With("X-ORG-ID", "globex")
		}
		for name, c := range attempts {
			t.Run(name, func(t *testing.T) {
				for _, rt := range routes {
					r := c.Do(t, rt.method, rt.path, body(rt.method))
					if r.Status != 401 && r.Status != 403 {
						t.Errorf("%s %s: status %d, want 401 or 403; body %s", rt.method, rt.path, r.Status, r.Body)
					}
				}
				// get-organization needs no token: a refused token must not
				// reveal the details either.
				got := c.Do(t, "GET", "/v1/globex/organization/", nil).Expect(200).JSON()
				if got["default_user_preferences"] != nil || got["tenant_id"] != nil {
					t.Errorf("globex's details are visible: %v", got)
				}
			})
		}

		t.Run("globex's ids under acme's path", func(t *testing.T) {
			attacker.Do(t, "DELETE", "/v1/acme/user/"+victimUser, nil).Expect(404)
			attacker.Do(t, "DELETE", "/v1/acme/organization/api_key/"+victimKey.APIKeyID+"/", nil).Expect(404)
			var users struct {
				Users []any `json:"users"`
			}
			attacker.Do(t, "GET", "/v1/acme/user/?user_id="+victimUser, nil).Expect(200).Decode(&users)
			if len(users.Users) != 0 {
				t.Fatalf("globex's user listed under acme: %v", users.Users)
			}
			// globex's API key cannot sign in to acme, nor acme's user to globex.
			env.Anonymous(t).Do(t, "POST", "/v1/acme/user/signin_with_api_key", nil, testenv.Header("x-api-key", victimKey.APIKey),
				testenv.Header("x-api-key-id", victimKey.APIKeyID), testenv.Header("x-user-id", acme.UserID)).Expect(401)
			env.Anonymous(t).Do(t, "POST", "/v1/globex/user/signin_with_api_key", nil, testenv.Header("x-api-key", victimKey.APIKey),
				testenv.Header("x-api-key-id", victimKey.APIKeyID), testenv.Header("x-user-id", acme.UserID)).Expect(401)
		})

		t.Run("a deleted user's token", func(t *testing.T) {
			c, id := newRoster(env, acme).member(t, "DefaultAdministratorRole")
			c.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)
			acme.Admin.Do(t, "DELETE", "/v1/acme/user/"+id, nil).Expect(204)
			c.Do(t, "GET", "/v1/acme/user/", nil).Expect(401)
			c.Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{"name": "k", "duration": "P1D"}).Expect(401)
		})

		t.Run("globex is untouched", func(t *testing.T) {
			got := globex.Admin.Do(t, "GET", "/v1/globex/organization/", nil).Expect(200).JSON()
			if got["title"] == "Owned" {
				t.Fatal("globex was modified")
			}
			var users struct {
				Users []struct {
					UserID string `json:"user_id"`
					Email  string `json:"email"`
				} `json:"users"`
			}
			globex.Admin.Do(t, "GET", "/v1/globex/user/", nil).Expect(200).Decode(&users)
			found := false
			for _, u := range users.Users {
				found = found || u.UserID == victimUser
				if u.Email == "evil@example.com" {
					t.Fatal("the attacker invited a user into globex")
				}
			}
			if !found {
				t.Fatal("globex's user was deleted")
			}
			env.SignIn(t, "globex", victimKey.APIKey, victimKey.APIKeyID, globex.UserID)
		})
	})
}

// claimsOf decodes a token's claims without verifying it.
func claimsOf(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func headerOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Header
}

// sign signs claims with key under the given kid.
func sign(t *testing.T, key ed25519.PrivateKey, kid any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned returns claims as an alg "none" token.
func unsigned(claims jwt.MapClaims) string {
	payload, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(payload) + "."
}

// rewriteClaims changes a token's claims and keeps its signature.
func rewriteClaims(t *testing.T, tok string, set map[string]any) string {
	t.Helper()
	c := claimsOf(t, tok)
	for k, v := range set {
		c[k] = v
	}
	payload, _ := json.Marshal(c)
	parts := strings.Split(tok, ".")
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}
