package conformance

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// extraStatuses lists the statuses the server may answer although the
// operation's responses omit them, because the server's brief requires them.
// An empty operationID stands for every operation. 500 is never allowed.
var extraStatuses = []struct {
	operationID string
	status      int
	why         string
}{
	{"", http.StatusRequestEntityTooLarge, "request bodies are capped; the spec documents no 413"},
	{"", http.StatusMethodNotAllowed, "the router answers a wrong method with 405; the spec documents none"},
	{"get-organization", http.StatusTooManyRequests, "the product issue demands a per-IP limit here; the spec omits 429"},
	{"create-organization", http.StatusNotFound, "an x-mongo-cluster-name that is not a cluster of this region is 404, as the regions issue demands"},
	{"get-conversations", http.StatusNotFound, "an unknown organization is 404 on every operation; conversations.json documents none here"},
	{"upsert-service-version-set", http.StatusPreconditionFailed, "a stale If-Match (an extension: README, Change history) is 412"},
	{"delete-service-version-set", http.StatusPreconditionFailed, "a stale If-Match (an extension: README, Change history) is 412"},
}

// allowedExtra reports whether status is in extraStatuses for operationID.
func allowedExtra(operationID string, status int) bool {
	for _, x := range extraStatuses {
		if x.status == status && (x.operationID == "" || x.operationID == operationID) {
			return true
		}
	}
	return false
}

// Error lists every way one exchange departs from the spec.
type Error struct {
	Method    string
	Path      string
	Status    int
	Operation string // operationId, empty when no operation matched
	Problems  []string
	body      []byte
}

// maxBodyInError bounds the excerpt of the response body in Error's text.
const maxBodyInError = 512

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conformance: %s %s -> %d", e.Method, e.Path, e.Status)
	if e.Operation != "" {
		fmt.Fprintf(&b, " (%s)", e.Operation)
	}
	b.WriteString(":")
	for _, p := range e.Problems {
		b.WriteString("\n\t- ")
		b.WriteString(p)
	}
	if len(e.body) > 0 {
		body := e.body
		if len(body) > maxBodyInError {
			body = append(body[:maxBodyInError:maxBodyInError], "..."...)
		}
		fmt.Fprintf(&b, "\n\tbody: %s", body)
	}
	return b.String()
}

func (e *Error) addf(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

// Check validates one exchange: req as it was sent, and the response's
// status, header and body. It returns nil, or an *Error listing every
// problem found.
func (v *Validator) Check(req *http.Request, status int, header http.Header, body []byte) error {
	if c := v.companionFor(req.Method, req.URL.EscapedPath()); c != nil {
		return c.Check(req, status, header, body)
	}
	e := &Error{Method: req.Method, Path: req.URL.Path, Status: status, body: body}
	if status == http.StatusInternalServerError {
		e.addf("status 500: the server must never answer 500")
	}
	r, op := v.find(req.Method, req.URL.EscapedPath())
	if op == nil && isExtension(req.Method, req.URL.EscapedPath()) {
		if status >= 400 {
			checkErrorBody(e, status, header, body)
		}
	} else if op == nil {
		v.checkUnrouted(e, r, req, status, header, body)
	} else {
		e.Operation = op.OperationId
		v.checkOperation(e, req, r, op, status, header, body)
	}
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// companionFor returns the companion document that has the operation of
// method and path when this one has none (nor the path): nil when this
// document answers for it.
func (v *Validator) companionFor(method, escapedPath string) *Validator {
	r, op := v.find(method, escapedPath)
	if op != nil {
		return nil
	}
	for _, c := range v.companions {
		if cr, cop := c.find(method, escapedPath); cop != nil || (r == nil && cr != nil) {
			return c
		}
	}
	return nil
}

// checkUnrouted accepts a request no operation matches only as a 404 or
// 405 with an error body.
func (v *Validator) checkUnrouted(e *Error, r *route, req *http.Request, status int, header http.Header, body []byte) {
	switch {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		checkErrorBody(e, status, header, body)
	case r != nil:
		e.addf("the spec has no %s on %s (it has %s), so only 404 or 405 may answer it",
			req.Method, r.template, strings.Join(slices.Sorted(maps.Keys(r.ops)), ", "))
	default:
		e.addf("no path of the spec matches %s%s, so only 404 or 405 may answer it",
			req.URL.Path, v.slashHint(req.Method, req.URL.EscapedPath()))
	}
}

// checkOperation checks the status and body of a response to op.
func (v *Validator) checkOperation(e *Error, req *http.Request, r *route, op *v3.Operation, status int, header http.Header, body []byte) {
	resp := documented(op, status)
	if resp == nil && status != http.StatusInternalServerError && !allowedExtra(op.OperationId, status) {
		e.addf("status %d is not documented (documented: %s)", status, documentedStatuses(op))
	}
	switch {
	case resp != nil && orderedmap.Len(resp.Content) > 0:
		v.checkBody(e, req, r, resp, status, header, body)
	case status >= 400:
		checkErrorBody(e, status, header, body)
	case (resp != nil || status == http.StatusNoContent) && len(body) > 0:
		e.addf("status %d is documented without a body, but got %d bytes", status, len(body))
	}
}

// documented returns op's response for status: the exact code, then a
// range like 4XX, then the default response; nil if none applies.
func documented(op *v3.Operation, status int) *v3.Response {
	if op.Responses == nil {
		return nil
	}
	if codes := op.Responses.Codes; codes != nil {
		for _, code := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100), fmt.Sprintf("%dxx", status/100)} {
			if resp, ok := codes.Get(code); ok {
				return resp
			}
		}
	}
	return op.Responses.Default
}

// documentedStatuses lists op's response codes for an error message.
func documentedStatuses(op *v3.Operation) string {
	var codes []string
	if op.Responses != nil {
		codes = slices.Sorted(op.Responses.Codes.KeysFromOldest())
		if op.Responses.Default != nil {
			codes = append(codes, "default")
		}
	}
	return strings.Join(codes, ", ")
}

// checkBody validates a body the spec documents with content: its media type
// must be declared, and the body must match that media type's schema.
func (v *Validator) checkBody(e *Error, req *http.Request, r *route, resp *v3.Response, status int, header http.Header, body []byte) {
	declared := slices.Collect(resp.Content.KeysFromOldest())
	got, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	mediaType, mt := got, resp.Content.GetOrZero(got)
	if mt == nil {
		e.addf("Content-Type %q is not documented for %d (documented: %s)",
			header.Get("Content-Type"), status, strings.Join(declared, ", "))
		// Still check the body against the JSON schema, if there is one.
		if mediaType, mt = "application/json", resp.Content.GetOrZero("application/json"); mt == nil {
			return
		}
	}
	if mt.Schema == nil {
		return
	}
	switch trimmed := bytes.TrimSpace(body); {
	case len(trimmed) == 0:
		e.addf("empty body, but the spec documents %s for %d", mediaType, status)
	case string(trimmed) == "null":
		// The library skips validation of a null body; ask the schema itself.
		if entry, ok := v.cache.Load(v.cacheKey(mt)); ok && entry.CompiledSchema != nil {
			if err := entry.CompiledSchema.Validate(nil); err != nil {
				e.addf("body is null, which the %d schema does not allow", status)
			}
		}
	default:
		h := header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Content-Type", mediaType)
		response := &http.Response{
			StatusCode: status,
			Header:     h,
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    req,
		}
		_, errs := v.bodies.ValidateResponseBodyWithPathItem(req, response, r.item, r.template)
		for _, ve := range errs {
			if len(ve.SchemaValidationErrors) == 0 {
				e.addf("body: %s: %s", ve.Message, ve.Reason)
				continue
			}
			for _, se := range ve.SchemaValidationErrors {
				at := se.FieldPath
				if at == "" {
					at = "$"
				}
				e.addf("body at %s: %s (schema %s)", at, se.Reason, se.KeywordLocation)
			}
		}
	}
}
