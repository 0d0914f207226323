package console

import (
	"bytes"
	"net/http"

	"github.com/amigo-oss/amigo-server"
)

// inProcess sends API requests to the API's handler without a network
// hop. The browser's address goes with them, so the API's per-address
// limits (sign-in guessing, get-organization) see the real client.
type inProcess struct {
	api          http.Handler
	remote       string
	forwardedFor []string
}

// prepare returns req as the API's handler is to see it: marked as the
// console's own call, from the browser's address.
func (t inProcess) prepare(req *http.Request) *http.Request {
	in := req.Clone(amigo.WithConsole(req.Context()))
	in.RemoteAddr = t.remote
	// The API finds the client's address as it would for the browser's
	// own request: from the peer, and past it only through a trusted proxy.
	if len(t.forwardedFor) > 0 {
		in.Header["X-Forwarded-For"] = t.forwardedFor
	}
	in.RequestURI = in.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	return in
}

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	in := t.prepare(req)
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	t.api.ServeHTTP(rec, in)
	return &http.Response{
		Status: http.StatusText(rec.status), StatusCode: rec.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: readCloser{bytes.NewReader(rec.body.Bytes())}, ContentLength: int64(rec.body.Len()), Request: req,
	}, nil
}

// recorder collects the API's response.
type recorder struct {
	header  http.Header
	status  int
	written bool
	body    bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.written {
		r.status, r.written = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	return r.body.Write(b)
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// apiBase is the base URL of in-process requests; only its path matters.
const apiBase = "http://amigo-console.internal"

// httpClient returns an HTTP client whose requests reach the API in
// process on behalf of the browser request r.
func (c *Console) httpClient(r *http.Request) *http.Client {
	return &http.Client{Transport: inProcess{api: c.api, remote: r.RemoteAddr, forwardedFor: r.Header.Values("X-Forwarded-For")}}
}
