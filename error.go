package amigo

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in package api.
const (
	ECONFLICT     = "conflict"     // 409: duplicate name, stale version, operation in progress
	EINTERNAL     = "internal"     // 500: a bug or an unreachable dependency
	EINVALID      = "invalid"      // 422: the request failed validation; see Error.Fields
	EBADREQUEST   = "bad_request"  // 400: well-formed but refused by a business rule
	ENOTFOUND     = "not_found"    // 404
	EUNAUTHORIZED = "unauthorized" // 401: missing or bad credentials
	EFORBIDDEN    = "forbidden"    // 403: authenticated but not permitted
	ERATELIMITED  = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // 503: maintenance
	ETOOLARGE     = "too_large"    // 413: body over the documented size limit
	ENOTALLOWED   = "not_allowed"  // 405: wrong method for a known path
	EPRECONDITION = "precondition" // 412: If-Match names a stale revision
)

// Error is the one error type of the domain. Message is shown to the client,
// so it must be a sentence a person can act on and must never contain secrets.
type Error struct {
	Code    string
	Message string
	// Fields lists the validation violations when Code is EINVALID: all of
	// them, or the first MaxFieldErrors when More counts others.
	Fields []FieldError
	More   int
}

// MaxFieldErrors is how many violations one error lists at most; the rest
// are only counted, so that the cost of an answer stays bounded whatever
// the size of the request.
const MaxFieldErrors = 100

// FieldError is one validation violation. Loc is the path to the offending
// element inside what was validated, e.g. ["states", 3, "name"]; In names
// the part of a request Loc is relative to when that is not the command
// itself (set only by the layer that receives requests). Type is the
// violation's kind in pydantic's vocabulary ("missing", "string_too_long").
type FieldError struct {
	In   string
	Loc  []any
	Msg  string
	Type string
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("amigo error: code=%s message=%s fields=%d", e.Code, e.Message, len(e.Fields))
	}
	return fmt.Sprintf("amigo error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying the given violations.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: "Request failed validation.", Fields: fields}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EINTERNAL otherwise. A nil error has no code.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-facing message of err. Errors that are not
// *Error are internal and get a generic message so nothing leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error."
}

// ErrorFields returns the validation violations carried by err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MsgOrgNotFound is the seed's wording for an organization that does not
// exist here, lives in another region, or is being deleted.
const MsgOrgNotFound = "Organization not found"

// MsgMaintenance is the body of every 503 answered during maintenance.
const MsgMaintenance = "The service is going through temporary maintenance."
