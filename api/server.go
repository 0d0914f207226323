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
	conversations *core.Conversations
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
		writable: opt.Writable, metricsMux: http.NewServeMux(), dbTimeout: opt.DBTimeout, isUnavailable: opt.IsUnavailable}
	if s.dbTimeout == 0 {
		s.dbTimeout = DefaultDBTimeout
	}
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
// organization, so such paths are 404, and only a safe request without a
// body is ever redirected.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if !cleanPath(r.URL.Path) {
		s.writeError(w, r, errNotFound(r))
		return
	}
	// A pattern ending in "/{$}" matches only paths ending in "/": for any
	// other path it is the mux's trailing-slash redirect.
	h, pattern := s.mux.Handler(r)
	redirect := strings.HasSuffix(pattern, "/{$}") && !strings.HasSuffix(r.URL.Path, "/")
	if redirect && !safeToRedirect(r) {
		s.writeError(w, r, errNotFound(r))
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
	s.writeError(w, r, errNotFound(r))
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

// safeToRedirect reports whether following a redirect of r cannot change
// what it does: a GET or HEAD without a body.
func safeToRedirect(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && (r.Body == nil || r.Body == http.NoBody)
}

// statusProbe captures the status the standard mux would have answered.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

// clientIP returns the client's address without the port.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
