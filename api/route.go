package api

import (
	"github.com/amigo-oss/amigo-server"

	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amigo-oss/amigo-server/core"
)

// authMode says how an operation authenticates.
type authMode int

const (
	authRequired authMode = iota // a Bearer token is mandatory
	authOptional                 // a valid token adds details; a missing or bad one is ignored
	authAPIKey                   // sign-in: the API key headers are the credentials
)

// orgMode says how an operation resolves the organization of its path.
type orgMode int

const (
	orgExisting orgMode = iota // the organization must exist here
	orgNew                     // create-organization: it must not
	orgDeleting                // delete-organization: it may be half-deleted
)

// route wraps an operation's handler with what every operation needs, in
// this order, all before any side effect: resolve the organization (404,
// 503), authenticate (401/403), rate-limit (429), and refuse a caller who
// holds the operation's permission on nothing (403, permissions.go).
func (s *Server) route(op *operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setOperation(r.Context(), op.ID)
		if op.Interaction {
			r = r.WithContext(amigo.NewContextWithPhases(r.Context(), amigo.NewPhases(time.Now())))
		}
		r, release := s.withDeadlines(w, r)
		defer release()
		if err := s.serveOperation(w, r, op); err != nil {
			s.writeError(w, r, err)
		} else {
			s.outage.recovered(r.Context(), s.logger)
		}
	})
}

// serveOperation runs op's handler. Its t is the resolved organization, nil
// for the operation that creates one.
func (s *Server) serveOperation(w http.ResponseWriter, r *http.Request, op *operation) error {
	if err := checkRequestText(r, op); err != nil {
		return err
	}
	if err := checkPathIDs(r, op); err != nil {
		return err
	}
	orgID := r.PathValue("organization")
	var t *core.Tenant
	if op.Org != orgNew {
		var err error
		t, err = s.app.Resolve(r.Context(), orgID, core.ResolveOptions{
			ClusterHeader: r.Header.Get("x-mongo-cluster-name"),
			AllowDeleting: op.Org == orgDeleting,
		})
		if err != nil {
			return err
		}
	} else if err := s.app.CheckRegionAvailable(r.Context()); err != nil {
		return err
	}
	ctx, limitKey, err := s.authenticate(r, op, orgID)
	if err != nil {
		return err
	}
	r = r.WithContext(ctx)
	if err := s.limits.check(r.Context(), w, op, limitKey); err != nil {
		return err
	}
	if err := checkGate(r.Context(), op); err != nil {
		return err
	}
	amigo.MarkPhase(r.Context(), amigo.PhaseRequest)
	return op.handler(s, w, r, t)
}

// authenticate puts the caller in the context and returns the key that the
// operation's rate limit counts against.
func (s *Server) authenticate(r *http.Request, op *operation, orgID string) (context.Context, string, error) {
	ctx := r.Context()
	creds := core.Credentials{Bearer: bearer(r), OrgID: r.Header.Get("X-ORG-ID"), Console: amigo.FromConsole(ctx)}
	switch op.Auth {
	case authAPIKey:
		// Per key, user and client address: an attacker elsewhere who
		// knows a key id and a user id cannot use up their owner's limit.
		return ctx, "key:" + orgID + ":" + r.Header.Get("x-api-key-id") + ":" + r.Header.Get("x-user-id") + "|ip:" + s.clientIP(r), nil
	case authOptional:
		if caller, err := s.app.Authenticate(ctx, creds, orgID); err == nil {
			ctx = withCaller(ctx, caller)
		}
		return ctx, "ip:" + s.clientIP(r), nil
	default:
		caller, err := s.app.Authenticate(ctx, creds, orgID)
		if err != nil {
			return ctx, "", err
		}
		return withCaller(ctx, caller), "user:" + caller.OrgID + ":" + caller.UserID, nil
	}
}

// bearer extracts the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// checkPathIDs validates the id parameters of op's path (those
// pathParamSchemas declares idParam) before anything else happens, as
// FastAPI validates path parameters: a malformed id is a 422 at ["path",
// name], never a lookup that answers 404.
func checkPathIDs(r *http.Request, op *operation) error {
	var errs []amigo.FieldError
	for _, name := range op.pathParams() {
		if v := r.PathValue(name); pathParamSchemas[name] == idParam && v != "" && !idPattern.MatchString(v) {
			errs = append(errs, amigo.FieldError{In: "path", Loc: []any{name}, Type: "string_pattern_mismatch",
				Msg: "String should match pattern '" + idPattern.String() + "'"})
		}
	}
	if errs != nil {
		return amigo.Invalid(errs...)
	}
	return nil
}

// checkRequestText refuses, before anything looks them up, the path
// parameters, query values and headers op reads that no database can store or
// compare alike: text holding a NUL character (PostgreSQL refuses it,
// SQLite would store it) or bytes that are not UTF-8 (PostgreSQL refuses
// them too). An organization id so written cannot exist: 404, as for any
// unknown organization, except for create-organization, whose path names
// an organization to be: a 422 at ["path", "organization"] there, as for
// any other malformed path parameter. Any other such value is a 422 at
// its location.
func checkRequestText(r *http.Request, op *operation) error {
	bad := func(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }
	if bad(r.PathValue("organization")) {
		if op.Org == orgNew {
			return errOrgIDPattern()
		}
		return amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound)
	}
	var errs []amigo.FieldError
	refuse := func(in string, loc ...any) {
		errs = append(errs, amigo.FieldError{In: in, Loc: loc, Type: "string_type",
			Msg: "Input should be a valid string: text without NUL characters, in UTF-8"})
	}
	for _, name := range op.pathParams() {
		if bad(r.PathValue(name)) {
			refuse("path", name)
		}
	}
	// The parameters are all good when the whole query, unescaped, is:
	// the separators between them are ASCII, never inside a character.
	var query url.Values // nil: nothing to look at
	if all, err := url.QueryUnescape(r.URL.RawQuery); err != nil || bad(all) {
		query = r.URL.Query()
	}
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if bad(name) {
			refuse("query", strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "\uFFFD"))
			continue
		}
		for i, v := range query[name] {
			if bad(v) {
				refuse("query", name, i)
			}
		}
	}
	for _, name := range readHeaders(op) {
		if bad(r.Header.Get(name)) {
			refuse("header", strings.ToLower(name))
		}
	}
	if errs != nil {
		return amigo.Invalid(errs...)
	}
	return nil
}
