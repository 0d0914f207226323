package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// healthz answers as long as the process serves HTTP, maintenance or not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the directory and every cluster answer and
// can be written.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Ready(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready", "err", err)
		s.writeError(w, r, amigo.Errorf(amigo.EUNAVAILABLE, "A database does not answer."))
		return
	}
	if s.writable != nil {
		if err := s.writable(ctx); err != nil {
			s.logger.WarnContext(ctx, "not ready", "err", err)
			s.writeError(w, r, amigo.Errorf(amigo.EUNAVAILABLE, "A database cannot be written."))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func errNotFound(r *http.Request) error {
	return amigo.Errorf(amigo.ENOTFOUND, "Not Found")
}

// errWrongSlash is the 404 of a path that an operation has with a trailing
// slash where r has none, or the other way round.
func errWrongSlash(r *http.Request, path string) error {
	slash := "with"
	if !strings.HasSuffix(path, "/") {
		slash = "without"
	}
	return amigo.Errorf(amigo.ENOTFOUND, "Not Found. Did you mean %s %s (%s a trailing slash)?", r.Method, path, slash)
}

func errNotAllowed(r *http.Request) error {
	return amigo.Errorf(amigo.ENOTALLOWED, "Method Not Allowed")
}
