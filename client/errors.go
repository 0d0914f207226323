package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// Sentinel errors, one per kind of failure the server reports. Every
// *APIError matches exactly one of them with errors.Is, by its status.
var (
	ErrBadRequest   = errors.New("bad request")         // 400: refused by a business rule
	ErrUnauthorized = errors.New("unauthorized")        // 401: missing, bad or expired credentials
	ErrForbidden    = errors.New("forbidden")           // 403: not permitted
	ErrNotFound     = errors.New("not found")           // 404
	ErrConflict     = errors.New("conflict")            // 409: duplicate name, stale version
	ErrPrecondition = errors.New("precondition failed") // 412: If-Match names a stale revision
	ErrTooLarge     = errors.New("too large")           // 413
	ErrValidation   = errors.New("invalid")             // 422: see APIError.Items
	ErrRateLimited  = errors.New("rate limited")        // 429: see APIError.RetryAfter
	ErrUnavailable  = errors.New("unavailable")         // 503: see APIError.RetryAfter
	ErrServer       = errors.New("server error")        // any other status
)

// kinds maps statuses to their sentinel.
var kinds = map[int]error{
	http.StatusBadRequest:            ErrBadRequest,
	http.StatusUnauthorized:          ErrUnauthorized,
	http.StatusForbidden:             ErrForbidden,
	http.StatusNotFound:              ErrNotFound,
	http.StatusConflict:              ErrConflict,
	http.StatusPreconditionFailed:    ErrPrecondition,
	http.StatusRequestEntityTooLarge: ErrTooLarge,
	http.StatusUnprocessableEntity:   ErrValidation,
	http.StatusTooManyRequests:       ErrRateLimited,
	http.StatusServiceUnavailable:    ErrUnavailable,
}

// APIError is an error response of the server.
type APIError struct {
	// Operation is the operationId of the failed request.
	Operation  string
	StatusCode int
	// Detail is the server's message; for a 422 it summarises Items.
	Detail string
	// Items lists a 422's violations, each located in the request.
	Items []ValidationItem
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
}

// ValidationItem is one violation of a 422, shaped like FastAPI's, as the
// server declares it (package api/wire). Its Loc is the path to the
// offending element, e.g. ["body", "states", 3, "name"] (strings are field
// names, float64s list indexes), which Path joins with dots.
type ValidationItem = wire.Violation

func (e *APIError) Error() string {
	if len(e.Items) > 0 {
		msgs := make([]string, len(e.Items))
		for i, it := range e.Items {
			msgs[i] = it.Path() + ": " + it.Msg
		}
		return fmt.Sprintf("%s: %d: %s", e.Operation, e.StatusCode, strings.Join(msgs, "; "))
	}
	return fmt.Sprintf("%s: %d: %s", e.Operation, e.StatusCode, e.Detail)
}

// Is makes errors.Is(err, ErrNotFound) and the like work.
func (e *APIError) Is(target error) bool {
	kind, ok := kinds[e.StatusCode]
	if !ok {
		kind = ErrServer
	}
	return target == kind
}

// newAPIError decodes an error response: {"detail": "message"} or
// {"detail": [{"loc": ..., "msg": ..., "type": ...}]}. A body of another
// shape (a proxy's page) keeps its status and the status text.
func newAPIError(op string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Operation: op, StatusCode: resp.StatusCode, RetryAfter: retryAfter(resp.Header, time.Now())}
	// The detail is a string or a list of violations: decoding into the
	// pointer the body's Detail holds keeps it raw until we know which.
	var detail json.RawMessage
	if json.Unmarshal(body, &wire.ErrorBody{Detail: &detail}) == nil && len(detail) > 0 {
		if json.Unmarshal(detail, &e.Detail) != nil && json.Unmarshal(detail, &e.Items) == nil {
			e.Detail = fmt.Sprintf("%d validation errors", len(e.Items))
		}
	}
	if e.Detail == "" {
		e.Detail = http.StatusText(resp.StatusCode)
	}
	return e
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
