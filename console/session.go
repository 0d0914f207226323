package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Cookie names. The session cookie holds the API's own token: HttpOnly so
// no script can read it, SameSite=Strict so no other site's page sends it,
// scoped to its organization's console path.
const (
	sessionCookie = "amigo_session"
	csrfCookie    = "amigo_csrf"
	csrfField     = "csrf"
)

// session is a signed-in user of one organization.
type session struct {
	token  string
	caller *amigo.Caller
}

// can reports whether the caller holds perm on at least some resource: the
// console offers an action only then (the API decides on the resource).
func (s *session) can(perm string) bool {
	return s != nil && s.caller != nil && s.caller.Role != nil && s.caller.Role.AllowsSome(perm)
}

// orgPath is the cookie path of an organization's console.
func orgPath(org string) string { return "/console/" + url.PathEscape(org) + "/" }

// secure reports whether cookies must say Secure: the browser reached us
// over HTTPS, as Console.ServeHTTP found out (Options.HTTPS).
func secure(r *http.Request) bool {
	on, _ := r.Context().Value(httpsKey{}).(bool)
	return on
}

type httpsKey struct{}

// currentSession returns the request's session, nil when there is none or
// the API no longer accepts its token (expired, key revoked, user deleted).
func (c *Console) currentSession(r *http.Request, org string) (*session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	caller, err := c.authenticate(r.Context(), ck.Value, org)
	switch amigo.ErrorCode(err) {
	case "":
		return &session{token: ck.Value, caller: caller}, nil
	case amigo.EUNAUTHORIZED, amigo.EFORBIDDEN, amigo.ENOTFOUND:
		return nil, nil
	default:
		return nil, err
	}
}

func setSession(w http.ResponseWriter, r *http.Request, org, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: orgPath(org), Expires: expires,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

func clearSession(w http.ResponseWriter, r *http.Request, org string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: orgPath(org), MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

// csrfToken returns the browser's CSRF token, issuing one when it has
// none. Every state-changing form carries it in a hidden field and the
// server compares the two (double submit): another site can make the
// browser post a form but can read neither the cookie nor our page.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	return newCSRFToken(w, r)
}

// newCSRFToken issues a new CSRF token; sign-in does, so a token planted
// before it is worthless after.
func newCSRFToken(w http.ResponseWriter, r *http.Request) string {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/console/", HttpOnly: true, Secure: secure(r),
		SameSite: http.SameSiteStrictMode})
	return tok
}

// checkCSRF refuses a state-changing request from another origin or
// without the browser's token. Browsers send Origin (or at least
// Sec-Fetch-Site) with every POST, so a cross-site one is recognised even
// before the token is compared.
func checkCSRF(r *http.Request) error {
	refuse := &pageError{status: http.StatusForbidden, msg: "This form has expired or came from another site. Reload the page and try again."}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return refuse
		}
	} else if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return refuse
	}
	ck, err := r.Cookie(csrfCookie)
	if err != nil {
		return refuse
	}
	if subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		return refuse
	}
	return nil
}
