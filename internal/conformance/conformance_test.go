package conformance

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi-validator/cache"
)

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

const (
	signin    = "/v1/myorg/user/signin_with_api_key"
	validSign = `{"id_token":"x","expires_at":"2026-01-01T00:00:00Z"}`
	validOrg  = `{"org_id":"myorg","org_name":"My Org","default_user_preferences":null,"tenant_id":null}`
)

// exchange is one fake request and response, and the problems Check must
// report: none when wantProblems is empty, otherwise one problem containing
// each string.
type exchange struct {
	name         string
	method       string
	target       string
	status       int
	header       http.Header
	body         string
	wantProblems []string
}

func TestCheck(t *testing.T) {
	v := Require(t)
	textHeader := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	utf8Header := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	tests := []exchange{
		{name: "sign-in 200", method: "POST", target: signin, status: 200, body: validSign},
		{name: "sign-in 200 charset", method: "POST", target: signin, status: 200, header: utf8Header, body: validSign},
		{name: "sign-in missing id_token", method: "POST", target: signin, status: 200,
			body: `{"expires_at":"2026-01-01T00:00:00Z"}`, wantProblems: []string{"id_token"}},
		{name: "sign-in bad date-time", method: "POST", target: signin, status: 200,
			body: `{"id_token":"x","expires_at":"yesterday"}`, wantProblems: []string{"$.expires_at", "date-time"}},
		{name: "sign-in every schema problem", method: "POST", target: signin, status: 200,
			body: `{"id_token":5,"expires_at":"yesterday"}`, wantProblems: []string{"$.id_token", "$.expires_at"}},
		{name: "sign-in empty 200", method: "POST", target: signin, status: 200, body: "",
			wantProblems: []string{"empty body"}},
		{name: "sign-in null 200", method: "POST", target: signin, status: 200, body: "null",
			wantProblems: []string{"null"}},
		{name: "sign-in not JSON", method: "POST", target: signin, status: 200, body: "{",
			wantProblems: []string{"cannot be decoded"}},
		{name: "sign-in text/plain", method: "POST", target: signin, status: 200, header: textHeader, body: validSign,
			wantProblems: []string{"Content-Type"}},
		{name: "sign-in undocumented 403", method: "POST", target: signin, status: 403, body: `{"detail":"no"}`,
			wantProblems: []string{"status 403 is not documented"}},
		{name: "sign-in 401", method: "POST", target: signin, status: 401, body: `{"detail":"Invalid API key."}`},
		{name: "sign-in trailing slash", method: "POST", target: signin + "/", status: 200, body: validSign,
			wantProblems: []string{"trailing slash"}},
		{name: "sign-in 413 extra", method: "POST", target: signin, status: 413, body: `{"detail":"Request body too large."}`},
		{name: "sign-in 500", method: "POST", target: signin, status: 500, body: `{"detail":"Internal Server Error"}`,
			wantProblems: []string{"500"}},

		{name: "422 detail list", method: "POST", target: signin, status: 422,
			body: `{"detail":[{"loc":["path","organization"],"msg":"too long","type":"string_too_long"},{"loc":["body","states",3],"msg":"m","type":"t","input":"x"}]}`},
		{name: "422 detail string", method: "POST", target: signin, status: 422, body: `{"detail":"Invalid organization."}`},
		{name: "422 detail number", method: "POST", target: signin, status: 422, body: `{"detail": 5}`,
			wantProblems: []string{`"detail" is the number 5`}},
		{name: "422 empty list", method: "POST", target: signin, status: 422, body: `{"detail":[]}`,
			wantProblems: []string{"empty list"}},
		{name: "422 bad items", method: "POST", target: signin, status: 422,
			body:         `{"detail":[{"loc":"body","msg":"m","type":"t"},{"loc":[1.5],"msg":2}]}`,
			wantProblems: []string{"detail[0].loc is a string", "detail[1].loc[0]", "detail[1].msg", "detail[1].type"}},
		{name: "422 text/plain", method: "POST", target: signin, status: 422, header: textHeader, body: `{"detail":"x"}`,
			wantProblems: []string{"want application/json"}},
		{name: "404 list detail", method: "POST", target: signin, status: 404,
			body: `{"detail":[{"loc":[],"msg":"m","type":"t"}]}`, wantProblems: []string{"only 422"}},
		{name: "404 empty detail", method: "POST", target: signin, status: 404, body: `{"detail":""}`,
			wantProblems: []string{"empty string"}},
		{name: "404 no body", method: "POST", target: signin, status: 404, body: ``,
			wantProblems: []string{"empty error body"}},
		{name: "404 array body", method: "POST", target: signin, status: 404, body: `["x"]`,
			wantProblems: []string{"error body is a list"}},

		{name: "get-organization 200", method: "GET", target: "/v1/myorg/organization/", status: 200, body: validOrg},
		{name: "get-organization preferences", method: "GET", target: "/v1/myorg/organization/", status: 200,
			body: `{"org_id":"o","org_name":"n","tenant_id":"t","default_user_preferences":{"preferred_language":null,"timezone":"UTC"}}`},
		{name: "get-organization anyOf null violated", method: "GET", target: "/v1/myorg/organization/", status: 200,
			body:         `{"org_id":"o","org_name":"n","default_user_preferences":null,"tenant_id":5}`,
			wantProblems: []string{"$.tenant_id"}},
		{name: "get-organization no slash", method: "GET", target: "/v1/myorg/organization", status: 200, body: validOrg,
			wantProblems: []string{"mind the trailing slash"}},
		{name: "get-organization 429 extra", method: "GET", target: "/v1/myorg/organization/", status: 429,
			body: `{"detail":"Rate limit exceeded."}`},
		{name: "modify-organization 429", method: "POST", target: "/v1/myorg/organization/", status: 429,
			body: `{"detail":"Rate limit exceeded."}`},
		{name: "get-agents 429 documented", method: "GET", target: "/v1/o/organization/agent", status: 429,
			body: `{"detail":"x"}`},

		{name: "204 empty", method: "DELETE", target: "/v1/myorg/organization/", status: 204},
		{name: "204 with body", method: "DELETE", target: "/v1/myorg/organization/", status: 204, body: `{}`,
			wantProblems: []string{"without a body"}},

		{name: "unknown path 404", method: "GET", target: "/v1/myorg/nothing", status: 404, body: `{"detail":"Not Found"}`},
		{name: "unknown path 405", method: "PATCH", target: "/v1/myorg/organization/", status: 405, body: `{"detail":"Method Not Allowed"}`},
		{name: "unknown path 404 bad shape", method: "GET", target: "/v1/myorg/nothing", status: 404, body: `{"error":"x"}`,
			wantProblems: []string{`"detail" is null or missing`}},
		{name: "unknown path 200", method: "GET", target: "/v1/myorg/nothing", status: 200, body: `{}`,
			wantProblems: []string{"no path of the spec matches"}},
		{name: "wrong method 200", method: "PATCH", target: "/v1/myorg/organization/", status: 200, body: `{}`,
			wantProblems: []string{"no PATCH on /v1/{organization}/organization/ (it has DELETE, GET, POST, PUT)"}},

		{name: "query string", method: "GET", target: "/v1/o/organization/agent?limit=5&id=a&id=b&continuation_token=3",
			status: 200, body: `{"agents":[],"has_more":false,"continuation_token":null}`},
		{name: "query string bad body", method: "GET", target: "/v1/o/organization/agent?limit=5", status: 200,
			body: `{"agents":[],"has_more":"no","continuation_token":null}`, wantProblems: []string{"$.has_more"}},

		// The two routes below differ only by parameter name; the library's
		// own router loses the first one.
		{name: "create state machine version", method: "POST",
			target: "/v1/o/organization/service_hierarchical_state_machine/abc/", status: 201, body: "null"},
		{name: "create state machine version bad", method: "POST",
			target: "/v1/o/organization/service_hierarchical_state_machine/abc/", status: 201, body: `{"id":1}`,
			wantProblems: []string{"body at"}},
		{name: "delete state machine", method: "DELETE",
			target: "/v1/o/organization/service_hierarchical_state_machine/abc/", status: 200, body: "null"},
		{name: "delete agent any JSON", method: "DELETE", target: "/v1/o/organization/agent/a1/", status: 200, body: `{"x":[1]}`},
		{name: "escaped parameter", method: "DELETE", target: "/v1/o/organization/agent/a%2Fb/", status: 200, body: "null"},
		{name: "empty parameter", method: "DELETE", target: "/v1/o/organization/agent//", status: 200, body: "null",
			wantProblems: []string{"no path of the spec matches"}},
		// The conversation operations come from conversations.json, the
		// companion document Load reads beside openapi.json.
		{name: "conversations 200", method: "GET", target: "/v1/o/conversation/", status: 200,
			body: `{"conversations":[],"has_more":false,"continuation_token":null}`},
		{name: "conversations missing field", method: "GET", target: "/v1/o/conversation/", status: 200,
			body: `{"conversations":[{"id":"x"}],"has_more":false,"continuation_token":null}`, wantProblems: []string{"user_id"}},
		{name: "finish 204", method: "POST", target: "/v1/o/conversation/abc/finish/", status: 204},
		{name: "finish undocumented 201", method: "POST", target: "/v1/o/conversation/abc/finish/", status: 201,
			wantProblems: []string{"status 201 is not documented"}},
		{name: "user model bad type", method: "GET", target: "/v1/o/user/u/user_model", status: 200,
			body: `{"user_models":{},"additional_context":[]}`, wantProblems: []string{"user_models"}},
		{name: "conversation wrong method", method: "DELETE", target: "/v1/o/conversation/", status: 200, body: `{}`,
			wantProblems: []string{"only 404 or 405"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil && tt.body != "" {
				header = jsonHeader
			}
			req := httptest.NewRequest(tt.method, tt.target, nil)
			err := v.Check(req, tt.status, header, []byte(tt.body))
			assertProblems(t, err, tt.wantProblems)
		})
	}
}

// assertProblems fails t unless err lists a problem containing each of want,
// or is nil when want is empty.
func assertProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want no problem, got\n%v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want problems %q, got %v", want, err)
	}
	for _, w := range want {
		found := false
		for _, p := range e.Problems {
			found = found || strings.Contains(p, w)
		}
		if !found {
			t.Errorf("want a problem containing %q, got\n%v", w, err)
		}
	}
}

func TestErrorText(t *testing.T) {
	v := Require(t)
	req := httptest.NewRequest("POST", signin, nil)
	err := v.Check(req, 403, jsonHeader, []byte(`{"detail":"`+strings.Repeat("x", 1000)+`"}`))
	msg := err.Error()
	for _, want := range []string{"POST " + signin + " -> 403 (sign-in-with-api-key)", "status 403", "body: {\"detail\"", "xxx..."} {
		if !strings.Contains(msg, want) {
			t.Errorf("error text lacks %q:\n%s", want, msg)
		}
	}
	if len(msg) > 2*maxBodyInError {
		t.Errorf("error text is %d bytes; the body excerpt should be cut", len(msg))
	}
}

// TestCheckUsesCompiledCache shows that Load compiled every response schema,
// so Check never compiles: the cache does not grow across a run of checks.
func TestCheckUsesCompiledCache(t *testing.T) {
	v := Require(t)
	before := cacheLen(v.cache)
	if before == 0 {
		t.Fatal("Load compiled no response schema")
	}
	for _, r := range v.routes {
		for method, op := range r.ops {
			for code := range op.Responses.Codes.KeysFromOldest() {
				target := strings.NewReplacer("{", "", "}", "").Replace(r.template)
				var status int
				fmt.Sscan(code, &status)
				_ = v.Check(httptest.NewRequest(method, target, nil), status, jsonHeader, []byte(`{"detail":"x"}`))
			}
		}
	}
	if after := cacheLen(v.cache); after != before {
		t.Errorf("schema cache grew from %d to %d entries during Check", before, after)
	}
}

func cacheLen(c cache.SchemaCache) int {
	n := 0
	c.Range(func(uint64, *cache.SchemaCacheEntry) bool { n++; return true })
	return n
}

func TestCheckConcurrent(t *testing.T) {
	v := Require(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				req := httptest.NewRequest("GET", "/v1/myorg/organization/", nil)
				if err := v.Check(req, 200, jsonHeader, []byte(validOrg)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadIsShared(t *testing.T) {
	a := Require(t)
	b, err := Load()
	if err != nil || a != b {
		t.Fatalf("Load() = %p, %v; want the same validator %p", b, err, a)
	}
}

func TestSpecPath(t *testing.T) {
	t.Run("env overrides", func(t *testing.T) {
		t.Setenv(SpecPathEnv, "/somewhere/spec.json")
		if got, err := SpecPath(); err != nil || got != "/somewhere/spec.json" {
			t.Fatalf("SpecPath() = %q, %v", got, err)
		}
	})
	t.Run("beside the repo root", func(t *testing.T) {
		t.Setenv(SpecPathEnv, "")
		root := t.TempDir()
		repo := filepath.Join(root, "repo")
		deep := filepath.Join(repo, "internal", "x")
		if err := os.MkdirAll(deep, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(deep)
		want := filepath.Join(root, "shared", "spec", "openapi.json")
		if got, err := SpecPath(); err != nil || got != want {
			t.Fatalf("SpecPath() = %q, %v; want %q", got, err, want)
		}
		if _, err := loadFile(want); !errors.Is(err, ErrSpecNotFound) {
			t.Fatalf("loadFile(absent) = %v; want ErrSpecNotFound", err)
		}
	})
}

// recorder is a testing.TB that records Skip and Fatal instead of stopping.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = fmt.Sprintf(format, a...) }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = fmt.Sprintf(format, a...) }

func TestForTestWithoutSpec(t *testing.T) {
	absent := func() (*Validator, error) { return loadFile(filepath.Join(t.TempDir(), "openapi.json")) }
	broken := func() (*Validator, error) { return nil, errors.New("bad spec") }
	tests := []struct {
		name         string
		require      string
		load         func() (*Validator, error)
		skipIfAbsent bool
		wantSkip     bool
		wantFail     bool
	}{
		{"absent: behavioural tests run unvalidated", "", absent, false, false, false},
		{"absent: spec checks skip", "", absent, true, true, false},
		{"absent fails when services are required", "1", absent, false, false, true},
		{"absent fails spec checks when services are required", "1", absent, true, false, true},
		{"broken fails", "", broken, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(requireEnv, tt.require)
			r := &recorder{TB: t}
			if v := forTest(r, tt.load, tt.skipIfAbsent); v != nil {
				t.Fatal("forTest returned a validator")
			}
			if (r.skipped != "") != tt.wantSkip || (r.failed != "") != tt.wantFail {
				t.Fatalf("skipped %q, failed %q; want skip %v, fail %v", r.skipped, r.failed, tt.wantSkip, tt.wantFail)
			}
		})
	}
}

func TestNoticeSaysHowToPointAtTheSpec(t *testing.T) {
	var b strings.Builder
	writeNotice(&b, fmt.Errorf("%w at /x/openapi.json", ErrSpecNotFound))
	got := b.String()
	if strings.Count(got, "\n") != 1 || !strings.Contains(got, "/x/openapi.json") || !strings.Contains(got, SpecPathEnv+"=") ||
		!strings.Contains(got, "NOT validated") {
		t.Fatalf("notice = %q", got)
	}
}

func TestBrokenSpecFailsLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, []byte(`{"openapi": 3`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFile(path); err == nil || errors.Is(err, ErrSpecNotFound) {
		t.Fatalf("loadFile(broken) = %v; want a parse error", err)
	}
}

func BenchmarkCheck(b *testing.B) {
	v := Require(b)
	cases := []struct {
		name   string
		method string
		target string
		status int
		body   string
	}{
		{"sign-in 200", "POST", signin, 200, validSign},
		{"get-organization 200", "GET", "/v1/myorg/organization/", 200, validOrg},
		{"get-agents 200", "GET", "/v1/o/organization/agent?limit=5", 200, `{"agents":[],"has_more":false,"continuation_token":null}`},
		{"422 list", "POST", "/v1/o/organization/agent", 422, `{"detail":[{"loc":["body","name"],"msg":"Field required","type":"missing"}]}`},
		{"unknown 404", "GET", "/v1/o/nothing", 404, `{"detail":"Not Found"}`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(c.method, c.target, nil)
			body := []byte(c.body)
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Check(req, c.status, jsonHeader, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
