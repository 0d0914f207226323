package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/internal/conformance"
)

// Client sends requests as one caller and checks every response against
// the OpenAPI spec and against the server's own document (/openapi.json).
type Client struct {
	base    string
	Token   string
	headers http.Header
	spec    *conformance.Validator
	own     *conformance.Validator
}

// ownDocument validates against the document the server serves at
// /openapi.json, so that the document cannot drift from what the server
// answers. It needs no file and is never skipped.
var ownDocument = sync.OnceValues(func() (*conformance.Validator, error) {
	return conformance.FromDocument(api.OpenAPIDocument())
})

// extendOnce declares the server's extension operations to the
// conformance checks, once per test binary.
var extendOnce sync.Once

func newClient(t testing.TB, base, token string) *Client {
	extendOnce.Do(func() {
		for _, op := range api.Extensions() {
			method, path, _ := strings.Cut(op, " ")
			conformance.Extend(method, path)
		}
	})
	own, err := ownDocument()
	if err != nil {
		t.Fatalf("the server's own OpenAPI document does not load: %v", err)
	}
	return &Client{base: base, Token: token, headers: http.Header{}, spec: conformance.ForTest(t), own: own}
}

// With returns a copy of the client that sends an extra header.
func (c *Client) With(name, value string) *Client {
	cp := *c
	cp.headers = c.headers.Clone()
	cp.headers.Set(name, value)
	return &cp
}

// RequestOption changes one request.
type RequestOption func(*http.Request)

// Header sets a request header.
func Header(name, value string) RequestOption {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// RawBody sends body as it is instead of encoding it as JSON.
type RawBody string

// Response is a received response.
type Response struct {
	t      testing.TB
	req    *http.Request
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request on behalf of test t; body is encoded as JSON unless it
// is nil or a RawBody. The response is validated against the spec.
func (c *Client) Do(t testing.TB, method, path string, body any, opts ...RequestOption) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case RawBody:
		rd = strings.NewReader(string(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if c.spec != nil {
		if err := c.spec.Check(req, resp.StatusCode, resp.Header, data); err != nil {
			t.Errorf("%s %s: response does not conform to the spec: %v", method, path, err)
		}
	}
	if err := c.own.Check(req, resp.StatusCode, resp.Header, data); err != nil {
		t.Errorf("%s %s: response does not match the server's own document (/openapi.json): %v", method, path, err)
	}
	return &Response{t: t, req: req, Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Expect fails the test unless the status is want.
func (r *Response) Expect(want int) *Response {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("%s %s: status %d, want %d; body: %s", r.req.Method, r.req.URL.Path, r.Status, want, r.Body)
	}
	return r
}

// Decode decodes the JSON body into v.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s %s: decode %s: %v", r.req.Method, r.req.URL.Path, r.Body, err)
	}
}

// JSON decodes the body into a generic value for field assertions.
func (r *Response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}

// Detail returns the "detail" of an error body as a string (messages) or
// as the list of validation errors.
func (r *Response) Detail() string {
	r.t.Helper()
	var body struct {
		Detail json.RawMessage `json:"detail"`
	}
	r.Decode(&body)
	var s string
	if json.Unmarshal(body.Detail, &s) == nil {
		return s
	}
	return string(body.Detail)
}

// Locs returns the locations of a 422's validation errors, each joined with
// dots, e.g. "body.states.3.name".
func (r *Response) Locs() []string {
	r.t.Helper()
	var body struct {
		Detail []struct {
			Loc []any `json:"loc"`
		} `json:"detail"`
	}
	r.Decode(&body)
	var out []string
	for _, d := range body.Detail {
		parts := make([]string, len(d.Loc))
		for i, p := range d.Loc {
			b, _ := json.Marshal(p)
			parts[i] = strings.Trim(string(b), `"`)
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

// At returns a copy of the client that talks to another server.
func (c *Client) At(base string) *Client {
	cp := *c
	cp.base = base
	return &cp
}
