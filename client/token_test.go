package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestGivenToken uses a token signed in elsewhere (as the web console
// does): the client sends it without signing in, and once the server
// refuses it the call fails with ErrUnauthorized instead of signing in.
func TestGivenToken(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		p := newProxy(t, env.URL)
		admin := newClient(t, env, env.URL)
		key, err := admin.CreateAPIKey(context.Background(), &client.CreateAPIKeyRequest{Duration: new("P1D"), RoleName: new("DefaultSuperAdministratorRole")})
		if err != nil {
			t.Fatal(err)
		}
		signedIn := newClient(t, env, env.URL, func(c *client.Config) { c.APIKey, c.APIKeyID = key.APIKey, key.APIKeyID })
		res, err := signedIn.SignIn(context.Background())
		if err != nil {
			t.Fatal(err)
		}

		if _, err := client.New(client.Config{Token: res.IDToken}); err == nil {
			t.Error("a token without an organization was accepted")
		}
		c, err := client.New(client.Config{Token: res.IDToken, OrganizationID: testenv.PlatformOrg, BaseURL: p.URL})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetOrganization(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := admin.DeleteAPIKey(context.Background(), key.APIKeyID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListAPIKeys(context.Background()); !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("after the key's deletion: %v, want ErrUnauthorized", err)
		}
		if n := p.count(http.MethodPost, "/signin_with_api_key"); n != 0 {
			t.Errorf("%d sign-ins with a given token, want 0", n)
		}
	})
}
