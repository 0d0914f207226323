package api_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestNoRedirectChangesARequest checks that paths with dot segments or
// doubled slashes are refused rather than redirected to their cleaned form,
// which for `DELETE …/agent/../` is the organization itself, and that a
// request with a body or an unsafe method is never redirected.
func TestNoRedirectChangesARequest(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		for _, tc := range []struct{ method, path string }{
			{"DELETE", "/v1/acme/organization/agent/../"},
			{"DELETE", "/v1/acme/organization/agent/%2e%2e/"},
			{"DELETE", "/v1/acme/organization/./"},
			{"DELETE", "/v1/acme//organization/"},
			{"DELETE", "/v1/acme/organization//"},
			{"POST", "/v1/acme/organization/agent/x/../../"},
			{"GET", "/v1/acme/organization/agent/../"},
			{"DELETE", "/v1/acme/organization"}, // the mux's trailing-slash redirect
			{"POST", "/v1/acme/organization/api_key"},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				req, err := http.NewRequest(tc.method, env.URL+tc.path, strings.NewReader(`{"title": "x"}`))
				if err != nil {
					t.Fatal(err)
				}
				req.URL.RawPath = tc.path // keep the dot segments as sent
				req.Header.Set("Authorization", "Bearer "+org.Admin.Token)
				resp, err := noRedirects.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 404 || resp.Header.Get("Location") != "" || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("status %d, Location %q, Content-Type %q; want a JSON 404 and no redirect",
						resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Content-Type"))
				}
			})
		}
		t.Run("the organization survives", func(t *testing.T) {
			org.Admin.Do(t, "GET", "/v1/acme/organization/", nil).Expect(200)
		})
	})
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestHardeningHeaders checks nosniff on every response and no-store on
// those that carry a token or a secret.
func TestHardeningHeaders(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	health, err := http.Get(env.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	health.Body.Close()
	if got := health.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("/healthz: X-Content-Type-Options %q, want nosniff", got)
	}
	for _, r := range []*testenv.Response{
		env.Anonymous(t).Do(t, "GET", "/v1/platform/organization/", nil),
		env.Anonymous(t).Do(t, "GET", "/v1/nowhere/organization/", nil),
		env.Admin.Do(t, "GET", "/v1/platform/user/", nil),
	} {
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("status %d: X-Content-Type-Options %q, want nosniff", r.Status, got)
		}
	}
	signIn := env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
		testenv.Header("x-api-key", env.APIKey), testenv.Header("x-api-key-id", env.APIKeyID), testenv.Header("x-user-id", env.UserID)).Expect(200)
	key := env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", map[string]any{"duration": "P1D"}).Expect(201)
	for name, r := range map[string]*testenv.Response{"sign-in": signIn, "create-api-key": key} {
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, got)
		}
	}
}

// TestMetricsListen checks that with a metrics address of its own, /metrics
// is not served on the API's address.
func TestMetricsListen(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: func(cfg *server.Config) { cfg.MetricsListen = "127.0.0.1:0" }})
	env.Anonymous(t).Do(t, "GET", "/metrics", nil).Expect(404)
}

// TestSlowBodyCutOff trickles a body a byte at a time: the server stops
// waiting for it after its grace period (about five seconds) instead of
// holding the connection for as long as the client keeps trickling.
func TestSlowBodyCutOff(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.SQLite())
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/platform/organization/agent HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", env.Admin.Token)
	status := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(conn).ReadString('\n')
		status <- line
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	// A minute of trickling is what the server's ReadTimeout alone allowed.
	giveUp := time.After(time.Minute)
	for {
		select {
		case line := <-status:
			if !strings.Contains(line, " 400 ") && line != "" {
				t.Fatalf("status line %q, want 400 or a closed connection", line)
			}
			return
		case <-tick.C:
			conn.Write([]byte(" "))
		case <-giveUp:
			t.Fatal("the server was still reading a trickled body after a minute")
		}
	}
}
