package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-Id"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestInfo is filled in by inner layers and read by the logging layer.
type requestInfo struct {
	id        string
	operation string
	caller    string // "org/user id" once authenticated; never a credential
}

type requestInfoKey struct{}

// setOperation records the operation id of the request being served.
func setOperation(ctx context.Context, id string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.operation = id
	}
}

// withCaller puts the authenticated caller in the context, and in the
// request's log line.
func withCaller(ctx context.Context, c *amigo.Caller) context.Context {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.caller = c.OrgID + "/" + c.UserID
	}
	return amigo.NewContextWithCaller(ctx, c)
}

// withRequestID assigns each request an id (or keeps a well-formed one the
// client sent), returns it in a header and adds it to every log line.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !requestIDPattern.MatchString(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set(RequestIDHeader, id)
		// No response of this API is meant to be rendered: a browser must
		// never guess a type for a served image or an error body.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		info := &requestInfo{id: id}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withNoSniff sets X-Content-Type-Options for handlers outside Handler.
func withNoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// withRecover turns a panic into a logged 500.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// withLogAndMetrics logs one line per request and records its count and
// latency by operation and status. Nothing secret is logged: headers and
// bodies never are.
func (s *Server) withLogAndMetrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.logRequest(r, sw, start)
	})
}

// logRequest counts and logs a served request. Its locals (the log line's
// attributes, 0.7 KiB) are kept out of the middleware's frame, which stays
// on the stack of a conversation stream for as long as it is open.
//
//go:noinline
func (s *Server) logRequest(r *http.Request, sw *statusWriter, start time.Time) {
	info, _ := r.Context().Value(requestInfoKey{}).(*requestInfo)
	op := info.operation
	if op == "" {
		op = "other"
	}
	elapsed := time.Since(start)
	status := strconv.Itoa(sw.status)
	s.metrics.requests.WithLabelValues(op, status).Inc()
	s.metrics.latency.WithLabelValues(op, status).Observe(elapsed.Seconds())
	// 503 is maintenance or a dependency that is down: expected, and
	// reported by /readyz and the unavailable error's own log line.
	level := slog.LevelInfo
	switch {
	case sw.status == http.StatusServiceUnavailable:
		level = slog.LevelWarn
	case sw.status >= 500:
		level = slog.LevelError
	}
	s.logger.LogAttrs(r.Context(), level, "request",
		slog.String("request_id", info.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("operation", op), slog.Int("status", sw.status), slog.Duration("elapsed", elapsed),
		slog.String("caller", info.caller))
}

// RequestID returns the id of the request being served, for log lines.
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}
