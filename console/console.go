package console

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// Authenticator says who a token's caller is in an organization, with the
// same check the API makes on every request.
type Authenticator func(ctx context.Context, token, org string) (*amigo.Caller, error)

// Options configure a Console.
type Options struct {
	// API is the API's handler, which every console action goes through.
	API          http.Handler
	Authenticate Authenticator
	// SignOut ends the session of a console token on every server, so
	// that a copy of the cookie is worthless after sign-out.
	SignOut func(ctx context.Context, token string) error
	// HTTPS reports whether a request's browser reached the server over
	// HTTPS (the public base URL is https, the connection is TLS, or a
	// trusted proxy says so): the console's cookies are Secure then. Nil:
	// only a TLS connection is.
	HTTPS  func(r *http.Request) bool
	Logger *slog.Logger
}

// Console serves the web console under /console/.
type Console struct {
	api          http.Handler
	authenticate Authenticator
	endSession   func(ctx context.Context, token string) error
	https        func(r *http.Request) bool
	logger       *slog.Logger
	mux          *http.ServeMux
	pages        map[string]*template.Template
	markdown     goldmark.Markdown
	sanitize     *bluemonday.Policy
}

// New returns a console acting through opt.API.
func New(opt Options) (*Console, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{api: opt.API, authenticate: opt.Authenticate, endSession: opt.SignOut, https: opt.HTTPS, logger: opt.Logger, mux: http.NewServeMux(), pages: pages,
		markdown: goldmark.New(), sanitize: bluemonday.UGCPolicy()}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.https == nil {
		c.https = func(r *http.Request) bool { return r.TLS != nil }
	}
	if c.endSession == nil {
		c.endSession = func(context.Context, string) error { return nil }
	}
	c.routes()
	return c, nil
}

// ServeHTTP serves a console request with the headers every console
// response carries: a Content-Security-Policy that allows only the
// console's own scripts, styles and images, so even markup that escaped
// escaping and sanitising could not run a script.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if !cleanPath(r.URL.Path) {
		// The mux would answer with a redirect to the cleaned path, and
		// /console/../v1/… cleans into the API: the API refuses such
		// paths, and so does the console.
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	c.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), httpsKey{}, c.https(r))))
}

// cleanPath reports whether p has no empty, "." or ".." segment (the
// trailing slash aside): a path the mux serves as it is.
func cleanPath(p string) bool {
	rest := strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return strings.HasPrefix(p, "/")
}

// handler is a console page or action. It returns an error for the one
// place that renders errors (fail).
type handler func(w http.ResponseWriter, r *http.Request, v *visit) error

// visit is what a handler knows about the request.
type visit struct {
	org     string
	csrf    string
	session *session // nil when signed out
	api     *client.Client
}

// orgURL returns the console path of the visit's organization plus rest.
func (v *visit) orgURL(rest string) string { return "/console/" + url.PathEscape(v.org) + "/" + rest }

// public wraps a handler that needs no session.
func (c *Console) public(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := &visit{org: r.PathValue("org")}
		v.csrf = csrfToken(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Console forms are a few short fields.
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := checkCSRF(r); err != nil {
				c.fail(w, r, v, err)
				return
			}
		}
		if err := h(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	}
}

// private wraps a handler that needs a signed-in user: without a valid
// session the browser goes to the sign-in page.
func (c *Console) private(h handler) http.HandlerFunc {
	return c.public(func(w http.ResponseWriter, r *http.Request, v *visit) error {
		s, err := c.currentSession(r, v.org)
		if err != nil {
			return err
		}
		if s == nil {
			clearSession(w, r, v.org)
			http.Redirect(w, r, v.orgURL(""), http.StatusSeeOther)
			return nil
		}
		v.session = s
		v.api, err = client.New(client.Config{Token: s.token, OrganizationID: v.org, BaseURL: apiBase,
			HTTPClient: c.httpClient(r), MaxRetries: -1})
		if err != nil {
			return err
		}
		return h(w, r, v)
	})
}

// fail renders err: an API error with its status and message, a refused
// session by sending the browser to sign in, anything else as a 500 whose
// cause is logged, never shown.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	var apiErr *client.APIError
	var pe *pageError
	status, msg := http.StatusInternalServerError, "Something went wrong."
	switch {
	case errors.As(err, &pe):
		status, msg = pe.status, pe.msg
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized && v.session != nil:
		clearSession(w, r, v.org)
		http.Redirect(w, r, v.orgURL(""), http.StatusSeeOther)
		return
	case errors.As(err, &apiErr):
		status, msg = apiErr.StatusCode, apiErr.Detail
		if len(apiErr.Items) > 0 {
			msg = apiErr.Error()
		}
	default:
		c.logger.Error("console", "path", r.URL.Path, "err", err)
	}
	c.render(w, v, status, "error.html", "Error", errorPage{Status: status, Message: msg})
}

// pageError is a refusal of the console itself (a bad form, a failed
// CSRF check).
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

type errorPage struct {
	Status  int
	Message string
}
