package api_test

import (
	"fmt"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestSignInLockoutNeedsTheSecret has an attacker who knows the owner's
// key id and user id, but not the secret, fail to sign in again and again
// behind the same trusted reverse proxy as the owner: the attacker is
// throttled, right guess included, while the owner, at another address,
// still signs in.
func TestSignInLockoutNeedsTheSecret(t *testing.T) {
	t.Parallel()
	env := limited(t, "on", func(cfg *server.Config) { cfg.TrustedProxies = []string{"127.0.0.1", "::1"} })
	signIn := func(addr, key, keyID string) *testenv.Response {
		return env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
			testenv.Header("x-api-key", key), testenv.Header("x-api-key-id", keyID), testenv.Header("x-user-id", env.UserID),
			testenv.Header("X-Forwarded-For", addr))
	}
	const attacker, owner = "203.0.113.7", "198.51.100.9"
	last := 0
	for range 12 {
		last = signIn(attacker, "guess", env.APIKeyID).Status
	}
	if last != 429 {
		t.Fatalf("the attacker's 12th failure: status %d, want 429", last)
	}
	signIn(attacker, env.APIKey, env.APIKeyID).Expect(429)
	signIn(owner, env.APIKey, env.APIKeyID).Expect(200)

	t.Run("guessing key ids from one address is throttled", func(t *testing.T) {
		const guesser = "203.0.113.8"
		for i := range 10 {
			signIn(guesser, "guess", fmt.Sprintf("00000000-0000-4000-8000-%012d", i)).Expect(401)
		}
		signIn(guesser, "guess", "00000000-0000-4000-8000-999999999999").Expect(429)
		signIn(owner, env.APIKey, env.APIKeyID).Expect(200)
	})
}

// TestForwardedForFromUntrustedPeers checks that a client who is not a
// trusted proxy cannot pick the address its failures count against.
func TestForwardedForFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	env := limited(t, "on") // no trusted proxies
	for i := range 10 {
		env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
			testenv.Header("x-api-key", "guess"), testenv.Header("x-api-key-id", fmt.Sprintf("00000000-0000-4000-8000-%012d", i)),
			testenv.Header("x-user-id", env.UserID), testenv.Header("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))).Expect(401)
	}
	env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
		testenv.Header("x-api-key", env.APIKey), testenv.Header("x-api-key-id", env.APIKeyID),
		testenv.Header("x-user-id", env.UserID), testenv.Header("X-Forwarded-For", "198.51.100.1")).Expect(429)
}
