package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestWrongPathsSayWhichIsRight: a path that misses or adds an operation's
// trailing slash is a JSON 404 naming the operation's path, never a
// redirect with an HTML body; other unknown paths stay a bare 404.
func TestWrongPathsSayWhichIsRight(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	org := "/v1/" + testenv.PlatformOrg
	tests := []struct {
		method, path, detail string
	}{
		{"GET", org + "/user", "Not Found. Did you mean GET " + org + "/user/ (with a trailing slash)?"},
		{"POST", org + "/user", "Not Found. Did you mean POST " + org + "/user/ (with a trailing slash)?"},
		{"GET", org + "/service", "Not Found. Did you mean GET " + org + "/service/ (with a trailing slash)?"},
		{"POST", org + "/organization/agent/", "Not Found. Did you mean POST " + org + "/organization/agent (without a trailing slash)?"},
		{"GET", org + "/organization/service_hierarchical_state_machine/", "Not Found. Did you mean GET " + org + "/organization/service_hierarchical_state_machine (without a trailing slash)?"},
		{"POST", org + "/user/signin_with_api_key/", "Not Found. Did you mean POST " + org + "/user/signin_with_api_key (without a trailing slash)?"},
		{"GET", org + "/nothing/here", "Not Found"},
	}
	for _, tt := range tests {
		r := env.Admin.Do(t, tt.method, tt.path, nil).Expect(404)
		if got := r.Detail(); got != tt.detail {
			t.Errorf("%s %s: detail %q, want %q", tt.method, tt.path, got, tt.detail)
		}
		if loc := r.Header.Get("Location"); loc != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: Location %q, Content-Type %q; want no redirect, JSON", tt.method, tt.path, loc, r.Header.Get("Content-Type"))
		}
	}
}

// TestRootPointsTheWay: GET / names the API reference and the console, as
// JSON for clients and a page of links for browsers.
func TestRootPointsTheWay(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	get := func(accept string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", env.URL+"/", nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	resp, body := get("application/json")
	var index map[string]string
	if err := json.Unmarshal([]byte(body), &index); resp.StatusCode != 200 || err != nil || index["docs"] != "/docs" ||
		index["console"] != "/console/{organization}/" || index["openapi"] != "/openapi.json" {
		t.Errorf("GET / (JSON): %d %s", resp.StatusCode, body)
	}
	resp, body = get("text/html,application/xhtml+xml")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, `href="/docs"`) || !strings.Contains(body, "/console/acme/") {
		t.Errorf("GET / (browser): %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// Only the root: other unknown paths are still 404.
	env.Anonymous(t).Do(t, "GET", "/v1", nil).Expect(404)
}

// TestAPIKeyAsBearerSaysToSignIn: a Bearer header holding an API key (or
// its id) is refused with the way to get a token.
func TestAPIKeyAsBearerSaysToSignIn(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	path := "/v1/" + testenv.PlatformOrg + "/user/"
	for _, bearer := range []string{env.APIKey, env.APIKeyID} {
		r := env.Anonymous(t).Do(t, "GET", path, nil, testenv.Header("Authorization", "Bearer "+bearer)).Expect(401)
		if d := r.Detail(); !strings.Contains(d, "API keys are exchanged for a token at sign-in: POST /v1/platform/user/signin_with_api_key") {
			t.Errorf("Bearer %s…: %q", bearer[:6], d)
		}
	}
	r := env.Anonymous(t).Do(t, "GET", path, nil, testenv.Header("Authorization", "Bearer a.b.c")).Expect(401)
	if d := r.Detail(); d != "Invalid authorization token." {
		t.Errorf("a malformed token: %q", d)
	}
}
