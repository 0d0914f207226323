package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestTokenCache runs commands back to back: the first signs in and keeps
// its token in the user's cache directory, private to the user; the next
// reuse it; a cached token the server refuses is replaced by a new sign-in.
func TestTokenCache(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		target, _ := url.Parse(env.URL)
		var signIns atomic.Int32
		proxy := httputil.NewSingleHostReverseProxy(target)
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/signin_with_api_key") {
				signIns.Add(1)
			}
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(front.Close)
		amigo := newCLI(t, front.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)

		for range 3 {
			amigo.expect(0, "get", "agents")
		}
		if n := signIns.Load(); n != 1 {
			t.Fatalf("three commands signed in %d times, want once", n)
		}

		home := strings.TrimPrefix(amigo.env[0], "HOME=")
		files, _ := filepath.Glob(filepath.Join(home, ".cache", "amigo", "token-*.json"))
		if len(files) != 1 {
			t.Fatalf("cache files %v, want one", files)
		}
		info, err := os.Stat(files[0])
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("cache file mode %v, %v; want 0600", info.Mode(), err)
		}
		if dir, _ := os.Stat(filepath.Dir(files[0])); dir.Mode().Perm() != 0o700 {
			t.Errorf("cache directory mode %v, want 0700", dir.Mode())
		}

		// A token the server no longer accepts (revoked, keys rotated).
		stale, _ := json.Marshal(map[string]any{"id_token": "not-a-token", "expires_at": time.Now().Add(time.Hour)})
		if err := os.WriteFile(files[0], stale, 0o600); err != nil {
			t.Fatal(err)
		}
		amigo.expect(0, "get", "agents")
		if n := signIns.Load(); n != 2 {
			t.Fatalf("after a refused cached token: %d sign-ins, want 2", n)
		}
		data, _ := os.ReadFile(files[0])
		if strings.Contains(string(data), "not-a-token") {
			t.Errorf("the refused token is still cached: %s", data)
		}
		amigo.expect(0, "get", "agents")
		if n := signIns.Load(); n != 2 {
			t.Errorf("the renewed token was not reused: %d sign-ins", n)
		}

		// Other credentials never pick up this token.
		org := env.CreateOrg(t, "other")
		other := newCLI(t, front.URL, org.ID, org.APIKey, org.APIKeyID, org.UserID)
		other.env[0] = amigo.env[0]
		other.expect(0, "get", "agents")
		if n := signIns.Load(); n != 3 {
			t.Errorf("another key's command: %d sign-ins, want 3", n)
		}
	})
}
