// Package api is the HTTP layer: routing, authentication, rate limiting,
// decoding and encoding. Handlers return errors; writeError turns them into
// FastAPI-shaped bodies. It calls package core for every rule and never
// touches storage directly.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/forwarded"
)

// Server serves the Amigo Classic API for one region.
type Server struct {
	app     *core.App
	logger  *slog.Logger
	limits  *limiter
	metrics *metrics
	mux     *http.ServeMux
	// writable is Options.Writable.
	writable func(context.Context) error
	// metricsMux serves /metrics when it has an address of its own.
	metricsMux    *http.ServeMux
	dbTimeout     time.Duration
	isUnavailable func(error) bool
	outage        outage
	serviceJSON   serviceJSON
	proxies       forwarded.Proxies
	conversations *core.Conversations
	// streams is cancelled, with errShuttingDown as its cause, by
	// StopInteractions; every interaction's context follows it.
	streams     context.Context
	stopStreams context.CancelCauseFunc
}

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	// Registry receives the server's metrics; nil uses a private registry.
	Registry *prometheus.Registry
	// RateLimits enforces per-operation limits; nil disables them.
	RateLimits *RateLimits
	// Writable, if set, is part of /readyz: it fails while a database
	// cannot be written.
	Writable func(context.Context) error
	// DBTimeout bounds the database work of each request; past it the
	// client gets 503. Zero means DefaultDBTimeout, negative no deadline.
	DBTimeout time.Duration
	// IsUnavailable recognises the storage's connection failures (by type
	// and code), which are answered 503 rather than 500.
	IsUnavailable func(error) bool
	// SeparateMetrics leaves /metrics off the API's handler; serve
	// MetricsHandler on an address of its own.
	SeparateMetrics bool
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client address that per-address limits count.
	Proxies forwarded.Proxies
	// Conversations runs interactions; nil runs them on the built-in
	// model with the default lease.
	Conversations *core.Conversations
}

// NewServer returns a server for app.
func NewServer(app *core.App, opt Options) *Server {
	reg := opt.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{app: app, logger: logger, metrics: newMetrics(reg), mux: http.NewServeMux(), limits: newLimiter(opt.RateLimits),
		writable: opt.Writable, proxies: opt.Proxies, metricsMux: http.NewServeMux(), dbTimeout: opt.DBTimeout, isUnavailable: opt.IsUnavailable}
	if s.dbTimeout == 0 {
		s.dbTimeout = DefaultDBTimeout
	}
	s.streams, s.stopStreams = context.WithCancelCause(context.Background())
	s.conversations = opt.Conversations
	if s.conversations == nil {
		s.conversations = core.NewConversations(app, core.ConversationOptions{})
	}
	for _, op := range operations {
		s.mux.Handle(op.pattern(), s.route(op))
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /openapi.json", s.serveOpenAPI)
	s.mux.HandleFunc("GET /docs", s.serveDocs)
	s.mux.HandleFunc("GET /{$}", s.serveRoot)
	if opt.SeparateMetrics {
		s.metricsMux.Handle("GET /metrics", metricsHandler(reg))
	} else {
		s.mux.Handle("GET /metrics", metricsHandler(reg))
	}
	return s
}

// Handler returns the server's root handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.withRequestID(s.withRecover(s.withLogAndMetrics(http.HandlerFunc(s.dispatch))))
}

// MetricsHandler serves /metrics alone, for Options.SeparateMetrics.
func (s *Server) MetricsHandler() http.Handler {
	return withNoSniff(s.metricsMux)
}

// dispatch routes a request, answering unknown routes (404) and wrong
// methods (405) with the same JSON body shape as every other error.
//
// The standard mux redirects a path with dot segments or doubled slashes
// to its cleaned form and /x to /x/, both with 307 (same method). A client
// following `DELETE /v1/ORG/organization/agent/../` would delete the
// organization, so such paths are 404; and nothing is redirected: a path
// that misses or adds the trailing slash of an operation's is 404 with a
// detail naming the operation's path, in JSON like every other error.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if !cleanPath(r.URL.Path) {
		lit, ok := literalOrgSegment(r)
		if !ok {
			s.writeError(w, r, errNotFound(r))
			return
		}
		r = lit
	}
	// A pattern ending in "/{$}" matches only paths ending in "/": for any
	// other path it is the mux's trailing-slash redirect.
	h, pattern := s.mux.Handler(r)
	if strings.HasSuffix(pattern, "/{$}") && !strings.HasSuffix(r.URL.Path, "/") {
		// The mux would redirect to the path with its slash (for any
		// method), with an HTML body; an API client is told the path
		// instead, when it has the method.
		if s.serves(r, r.URL.Path+"/") {
			s.writeError(w, r, errWrongSlash(r, r.URL.Path+"/"))
		} else {
			s.writeError(w, r, errNotFound(r))
		}
		return
	} else if pattern != "" {
		s.mux.ServeHTTP(w, r) // sets the path values that Handler does not
		return
	}
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	if probe.status == http.StatusMethodNotAllowed {
		s.writeError(w, r, errNotAllowed(r))
		return
	}
	if other, ok := strings.CutSuffix(r.URL.Path, "/"); ok && other != "" && s.serves(r, other) {
		s.writeError(w, r, errWrongSlash(r, other))
		return
	}
	s.writeError(w, r, errNotFound(r))
}

// serves reports whether the mux has a route for r's method on path.
func (s *Server) serves(r *http.Request, path string) bool {
	u := *r.URL
	u.Path, u.RawPath = path, ""
	probe := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	_, pattern := s.mux.Handler(probe)
	redirect := strings.HasSuffix(pattern, "/{$}") && !strings.HasSuffix(path, "/")
	return pattern != "" && !redirect
}

// cleanPath reports whether p has no empty, "." or ".." segment (the
// trailing slash aside), so the mux would serve it as it is.
func cleanPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	rest := strings.TrimSuffix(p[1:], "/")
	if rest == "" {
		return p == "/"
	}
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// literalOrgSegment serves a path whose only dot segment is the
// organization's and was sent percent-encoded (/v1/%2e%2e/organization/):
// the segment is taken as the text it was sent as, which no organization
// id can be, so the operation answers as for any malformed id (a 422 for
// create-organization, a 404 for the others) rather than the path being
// cleaned into another one. ok is false for any other unclean path.
func literalOrgSegment(r *http.Request) (*http.Request, bool) {
	raw := r.URL.EscapedPath()
	if !cleanPath(raw) || !strings.HasPrefix(raw, "/v1/") {
		return nil, false
	}
	rawSegs, segs := strings.Split(raw, "/"), strings.Split(r.URL.Path, "/")
	if len(rawSegs) != len(segs) || len(segs) < 4 {
		return nil, false
	}
	for i, seg := range segs {
		if (seg == "." || seg == "..") != (i == 2) {
			return nil, false
		}
	}
	segs[2] = rawSegs[2]
	lit := r.Clone(r.Context())
	lit.URL.Path, lit.URL.RawPath = strings.Join(segs, "/"), ""
	return lit, true
}

// statusProbe captures the status the standard mux would have answered.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

// clientIP returns the client's address without the port: the peer's, or
// the one a trusted proxy forwarded for.
func (s *Server) clientIP(r *http.Request) string {
	return s.proxies.ClientAddr(r)
}
