package client_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// proxy stands between the SDK and a real server. It records what passes
// and can answer a request itself (to inject a 429 or 503 the server would
// only give under load), but every other request reaches the real server.
type proxy struct {
	URL    string
	target atomic.Pointer[url.URL]

	mu     sync.Mutex
	seen   []string // "METHOD path" of every request
	bodies []string // the body of every request
	// fault, when set, may answer a request instead of the server.
	fault func(r *http.Request, n int) (status int, header http.Header, ok bool)
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{}
	p.retarget(target)
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// retarget sends later requests to another server.
func (p *proxy) retarget(target string) {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	p.target.Store(u)
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	p.mu.Lock()
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
	p.bodies = append(p.bodies, string(body))
	n := len(p.seen)
	fault := p.fault
	p.mu.Unlock()
	if fault != nil {
		if status, h, ok := fault(r, n); ok {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, `{"detail":"injected by the test proxy"}`)
			return
		}
	}
	httputil.NewSingleHostReverseProxy(p.target.Load()).ServeHTTP(w, r)
}

// count returns how many requests' "METHOD path" end with suffix.
func (p *proxy) count(method, suffix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.seen {
		if strings.HasPrefix(s, method+" ") && strings.HasSuffix(s, suffix) {
			n++
		}
	}
	return n
}

// bodiesOf returns the bodies of the requests whose path ends with suffix.
func (p *proxy) bodiesOf(suffix string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for i, s := range p.seen {
		if strings.HasSuffix(s, suffix) {
			out = append(out, p.bodies[i])
		}
	}
	return out
}
