package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// statuses maps each error code to its HTTP status; it is the only place
// that does.
var statuses = map[string]int{
	amigo.EBADREQUEST:   http.StatusBadRequest,
	amigo.EUNAUTHORIZED: http.StatusUnauthorized,
	amigo.EFORBIDDEN:    http.StatusForbidden,
	amigo.ENOTFOUND:     http.StatusNotFound,
	amigo.ENOTALLOWED:   http.StatusMethodNotAllowed,
	amigo.ECONFLICT:     http.StatusConflict,
	amigo.EPRECONDITION: http.StatusPreconditionFailed,
	amigo.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	amigo.EINVALID:      http.StatusUnprocessableEntity,
	amigo.ERATELIMITED:  http.StatusTooManyRequests,
	amigo.EINTERNAL:     http.StatusInternalServerError,
	amigo.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status for err.
func ErrorStatus(err error) int {
	if s, ok := statuses[amigo.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// writeError writes err in FastAPI's shape: {"detail": "message"}, or for
// validation errors {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
// Internal errors are logged with the request id and answered generically.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err, dbDown := s.asUnavailable(r.Context(), err)
	if dbDown {
		w.Header().Set("Retry-After", dbRetryAfter)
	}
	status := ErrorStatus(err)
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(r.Context(), "internal error", "request_id", RequestID(r.Context()), "err", err, "method", r.Method, "path", r.URL.Path)
	}
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", maintenanceRetryAfter)
	}
	var detail any = amigo.ErrorMessage(err)
	var e *amigo.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		detail = wire.Violations(e)
	}
	writeJSON(w, status, wire.ErrorBody{Detail: detail})
}

// maintenanceRetryAfter is the Retry-After, in seconds, of maintenance 503s.
const maintenanceRetryAfter = "120"

// maxPooledBody is the largest buffer kept for reuse; a rare large body
// (a big state machine) is left to the garbage collector.
const maxPooledBody = 64 << 10

// jsonBuffers hold response bodies while they are encoded.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v with the given status. The body is encoded whole
// first and sent with its Content-Length in one write: encoding straight
// into the response sent a page of services (over net/http's 4 KB buffer)
// chunked, in two writes to the socket.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, func(buf *bytes.Buffer) error { return json.NewEncoder(buf).Encode(v) })
}

// writeBody writes the JSON body that encode puts in a pooled buffer, with
// its Content-Length, in one write.
func writeBody(w http.ResponseWriter, status int, encode func(*bytes.Buffer) error) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBody {
			jsonBuffers.Put(buf)
		}
	}()
	w.Header().Set("Content-Type", "application/json")
	if err := encode(buf); err != nil {
		// Only values that cannot be encoded fail here: a bug, answered
		// as the 500 it is.
		buf.Reset()
		buf.WriteString(`{"detail":"Internal Server Error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
