package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		for _, tc := range []struct {
			name   string
			client *testenv.Client
			want   int
		}{
			{"missing token", env.Anonymous(t), 401},
			{"malformed token", env.Anonymous(t).With("Authorization", "Bearer not.a.jwt"), 401},
			{"forged token", env.Anonymous(t).With("Authorization", "Bearer "+forge(org.Admin.Token)), 401},
			{"alg none", env.Anonymous(t).With("Authorization", "Bearer "+algNone(org.Admin.Token)), 401},
			{"another org's token without X-ORG-ID", env.Admin, 401},
			{"another org's token with X-ORG-ID, not a platform admin", org.Admin.With("X-ORG-ID", "acme"), 403},
			{"platform admin with X-ORG-ID", env.Admin.With("X-ORG-ID", "platform"), 200},
			{"own token", org.Admin, 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				path := "/v1/acme/user/"
				if tc.want == 403 {
					path = "/v1/platform/user/"
				}
				tc.client.Do(t, "GET", path, nil).Expect(tc.want)
			})
		}
	})
}

// forge flips a character of the signature.
func forge(tok string) string {
	b := []byte(tok)
	i := strings.LastIndexByte(tok, '.') + 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// algNone rewrites a token's header to alg "none" and drops the signature.
func algNone(tok string) string {
	parts := strings.Split(tok, ".")
	return "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
}

func TestHTTPBasics(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	t.Run("unknown route is a JSON 404", func(t *testing.T) {
		r := env.Anonymous(t).Do(t, "GET", "/v1/platform/nothing-here", nil).Expect(404)
		if r.Detail() == "" || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("body %s", r.Body)
		}
	})
	t.Run("wrong method is a JSON 405", func(t *testing.T) {
		r := env.Admin.Do(t, "PATCH", "/v1/platform/user/", nil).Expect(405)
		if r.Header.Get("Allow") == "" || r.Detail() == "" {
			t.Fatalf("headers %v body %s", r.Header, r.Body)
		}
	})
	t.Run("body over the limit is 413", func(t *testing.T) {
		big := `{"name": "` + strings.Repeat("x", 5<<20) + `", "duration": "P1D"}`
		env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", testenv.RawBody(big)).Expect(413)
	})
	t.Run("malformed JSON is 422", func(t *testing.T) {
		r := env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", testenv.RawBody(`{"name": "k",`)).Expect(422)
		if len(r.Locs()) != 1 || !strings.HasPrefix(r.Locs()[0], "body") {
			t.Fatalf("locs %v", r.Locs())
		}
	})
	t.Run("request id is returned", func(t *testing.T) {
		r := env.Anonymous(t).Do(t, "GET", "/v1/platform/organization/", nil, testenv.Header("X-Request-Id", "abc-123")).Expect(200)
		if r.Header.Get("X-Request-Id") != "abc-123" {
			t.Fatalf("request id %q", r.Header.Get("X-Request-Id"))
		}
	})
	for _, path := range []string{"/healthz", "/readyz"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(env.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		})
	}
	t.Run("metrics count requests by operation", func(t *testing.T) {
		resp, err := http.Get(env.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), `amigo_http_requests_total{operation="sign-in-with-api-key",status="200"}`) {
			t.Fatalf("metrics lack the sign-in counter:\n%s", body)
		}
	})
}

func TestReadyzFailsWithoutDatabase(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	env.Runtime.Clusters["default"].Close()
	for path, want := range map[string]int{"/readyz": 503, "/healthz": 200} {
		resp, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
