package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/amigo-oss/amigo-server/client"
)

// fileTokenCache keeps the token of one set of credentials in the user's
// cache directory, so commands run back to back sign in once (the server
// allows 5 sign-ins a minute). The file is the user's alone (0600 in a 0700
// directory): the token acts as them until it expires.
type fileTokenCache struct{ path string }

// cachedToken is the file's content.
type cachedToken struct {
	Token     string    `json:"id_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// newTokenCache returns the cache of cfg's credentials, or nil when the
// user has no cache directory. The file name is a hash of everything the
// token depends on, secret included, so another key, user, organization or
// server never finds this token.
func newTokenCache(cfg client.Config) client.TokenCache {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil
	}
	h := sha256.New()
	for _, part := range []string{cfg.BaseURL, cfg.OrganizationID, cfg.CallerOrganizationID, cfg.APIKeyID, cfg.UserID, cfg.APIKey} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return &fileTokenCache{path: filepath.Join(dir, "amigo", "token-"+hex.EncodeToString(h.Sum(nil)[:16])+".json")}
}

// Load returns the cached token unless it is missing, unreadable or expired.
func (c *fileTokenCache) Load() (string, time.Time, bool) {
	data, err := os.ReadFile(c.path)
	if err != nil {
		return "", time.Time{}, false
	}
	var t cachedToken
	if json.Unmarshal(data, &t) != nil || t.Token == "" || !time.Now().Before(t.ExpiresAt) {
		return "", time.Time{}, false
	}
	return t.Token, t.ExpiresAt, true
}

// Store writes the token to a temporary file and renames it into place, so
// a concurrent command reads the old token or the new one, never half of
// one. A failure leaves the cache as it was: the next command signs in.
func (c *fileTokenCache) Store(token string, expires time.Time) {
	data, err := json.Marshal(cachedToken{token, expires})
	if err != nil {
		return
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".token-*")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), c.path) != nil {
		os.Remove(f.Name())
	}
}
