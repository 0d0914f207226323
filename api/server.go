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
		writable: opt.Writable}
	for _, op := range operations {
		s.mux.Handle(op.pattern(), s.route(op))
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", metricsHandler(reg))
	return s
}

// Handler returns the server's root handler with its middleware.
func (s *Server) Handler() http.Handler {
	return s.withRequestID(s.withRecover(s.withLogAndMetrics(http.HandlerFunc(s.dispatch))))
}

// dispatch routes a request, answering unknown routes (404) and wrong
// methods (405) with the same JSON body shape as every other error.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
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
