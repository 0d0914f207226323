package console_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// httpBrowser is a cookie-keeping HTTP client that does not follow
// redirects, so a test sees where the console sends it.
type httpBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newHTTPBrowser(t *testing.T, base string) *httpBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &httpBrowser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; a non-nil form is POSTed with the browser's CSRF
// token.
func (b *httpBrowser) do(method, path string, form url.Values, header http.Header) *http.Response {
	b.t.Helper()
	var body *strings.Reader
	if form != nil {
		form.Set("csrf", b.cookie("/console/", "amigo_csrf"))
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// cookie returns the value of the jar's cookie name for path.
func (b *httpBrowser) cookie(path, name string) string {
	u, _ := url.Parse(b.base + path)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// signIn signs the browser in to org's console.
func (b *httpBrowser) signIn(org *testenv.Org) string {
	b.t.Helper()
	b.do("GET", "/console/"+org.ID+"/", nil, nil)
	resp := b.do("POST", "/console/"+org.ID+"/signin", url.Values{"api_key_id": {org.APIKeyID}, "api_key": {org.APIKey}, "user_id": {org.UserID}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in: status %d", resp.StatusCode)
	}
	session := b.cookie("/console/"+org.ID+"/", "amigo_session")
	if session == "" {
		b.t.Fatal("no session cookie after sign-in")
	}
	return session
}

// signedIn reports whether the session cookie opens a page of org's
// console on the server at base, rather than sending the browser to sign
// in.
func signedIn(t *testing.T, base, org, session string) bool {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/console/"+org+"/users", nil)
	req.AddCookie(&http.Cookie{Name: "amigo_session", Value: session})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestConsoleSessionIsNotAnAPIToken checks that the console's session
// cookie cannot be replayed as an API Bearer token, and that an API token
// is no console session.
func TestConsoleSessionIsNotAnAPIToken(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	org := env.CreateOrg(t, "acme")
	session := newHTTPBrowser(t, env.URL).signIn(org)
	if !signedIn(t, env.URL, "acme", session) {
		t.Fatal("the session does not open the console")
	}
	for _, path := range []string{"/v1/acme/user/", "/v1/acme/organization/api_key/"} {
		req, _ := http.NewRequest("GET", env.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+session)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with the session as Bearer token: status %d, want 401", path, resp.StatusCode)
		}
	}
	if signedIn(t, env.URL, "acme", org.Admin.Token) {
		t.Error("an API token opens the console as a session cookie")
	}
}

// TestConsoleSignOutRevokesTheSession signs out on one replica of a
// region: a copy of the session cookie is refused there at once and on the
// other replica within the directory cache TTL (1 s), on both databases.
func TestConsoleSignOutRevokesTheSession(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		cfg := env.Runtime.Config
		replica := testenv.Serve(t, b, server.Config{DataDir: t.TempDir(), Region: cfg.Region, DirectoryURL: cfg.DirectoryURL,
			Clusters: cfg.Clusters, SigningKeyFile: cfg.SigningKeyFile, RateLimits: "off"})
		browser := newHTTPBrowser(t, env.URL)
		session := browser.signIn(org)
		if !signedIn(t, env.URL, "acme", session) || !signedIn(t, replica.URL, "acme", session) {
			t.Fatal("the session does not open the console on both replicas")
		}
		resp := browser.do("POST", "/console/acme/signout", url.Values{}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out: status %d", resp.StatusCode)
		}
		if browser.cookie("/console/acme/", "amigo_session") != "" {
			t.Error("the browser kept its session cookie")
		}
		if signedIn(t, env.URL, "acme", session) {
			t.Fatal("a copy of the cookie still opens the console where it signed out")
		}
		start := time.Now()
		testenv.Eventually(t, 3*time.Second, "the replica refuses the signed-out session", func() bool {
			return !signedIn(t, replica.URL, "acme", session)
		})
		if waited := time.Since(start); waited > cfg.DirectoryCacheTTL+time.Second {
			t.Errorf("the replica took %v, beyond the cache TTL %v", waited, cfg.DirectoryCacheTTL)
		}
		// Signing in again works.
		if !signedIn(t, env.URL, "acme", browser.signIn(org)) {
			t.Error("a new session does not open the console")
		}
	})
}

// TestConsoleCookiesSecure checks when the session and CSRF cookies say
// Secure: behind an https public base URL, or when a trusted proxy says
// the browser came over HTTPS; never on a forwarded header from anyone
// else.
func TestConsoleCookiesSecure(t *testing.T) {
	start := func(configure func(*server.Config)) (*testenv.Env, *testenv.Org) {
		env := testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: configure})
		return env, env.CreateOrg(t, "acme")
	}
	// cookies signs in with the given request headers and returns the
	// Secure flag of each cookie set on the way.
	cookies := func(env *testenv.Env, org *testenv.Org, header http.Header) map[string]bool {
		t.Helper()
		secure := map[string]bool{}
		var csrf string
		send := func(req *http.Request) {
			for k, v := range header {
				req.Header[k] = v
			}
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for _, c := range resp.Cookies() {
				secure[c.Name] = c.Secure
				if c.Name == "amigo_csrf" && csrf == "" {
					csrf = c.Value
				}
			}
		}
		page, _ := http.NewRequest("GET", env.URL+"/console/acme/", nil)
		send(page)
		form := url.Values{"api_key_id": {org.APIKeyID}, "api_key": {org.APIKey}, "user_id": {org.UserID}, "csrf": {csrf}}
		signIn, _ := http.NewRequest("POST", env.URL+"/console/acme/signin", strings.NewReader(form.Encode()))
		signIn.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		signIn.AddCookie(&http.Cookie{Name: "amigo_csrf", Value: csrf})
		send(signIn)
		if _, ok := secure["amigo_session"]; !ok {
			t.Fatalf("sign-in set no session cookie (cookies %v)", secure)
		}
		return secure
	}
	https := http.Header{"X-Forwarded-Proto": {"https"}}

	t.Run("https base URL", func(t *testing.T) {
		env, org := start(func(cfg *server.Config) { cfg.BaseURL = "https://amigo.example.com" })
		if got := cookies(env, org, nil); !got["amigo_session"] || !got["amigo_csrf"] {
			t.Errorf("Secure flags %v, want both", got)
		}
	})
	t.Run("trusted proxy says https", func(t *testing.T) {
		env, org := start(func(cfg *server.Config) { cfg.TrustedProxies = []string{"127.0.0.0/8", "::1"} })
		if got := cookies(env, org, https); !got["amigo_session"] || !got["amigo_csrf"] {
			t.Errorf("Secure flags %v, want both", got)
		}
		if got := cookies(env, org, nil); got["amigo_session"] || got["amigo_csrf"] {
			t.Errorf("plain HTTP through the proxy: Secure flags %v, want neither", got)
		}
	})
	t.Run("untrusted peer says https", func(t *testing.T) {
		env, org := start(nil)
		if got := cookies(env, org, https); got["amigo_session"] || got["amigo_csrf"] {
			t.Errorf("Secure flags %v, want neither", got)
		}
	})
}
