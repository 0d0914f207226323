package api_test

import (
	"path/filepath"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/token"
)

// TestSigningKeyRotation restarts a server on a new signing key with the
// old one kept for verification: tokens signed before stay valid, and the
// old server refuses tokens signed with the new key.
func TestSigningKeyRotation(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		old := env.Admin

		cfg := env.Runtime.Config
		newKey := filepath.Join(t.TempDir(), "new.pem")
		if _, err := token.LoadOrCreateSigningKey(newKey); err != nil {
			t.Fatal(err)
		}
		cfg.VerifyKeyFiles = []string{cfg.SigningKeyFile}
		cfg.SigningKeyFile = newKey
		rotated := testenv.Serve(t, b, cfg)

		// The old token works against the rotated server.
		old.At(rotated.URL).Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
		// A token signed with the new key works there, but not on the old server.
		fresh := rotated.SignIn(t, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		fresh.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
		fresh.At(env.URL).Do(t, "GET", "/v1/platform/user/", nil).Expect(401)
	})
}
