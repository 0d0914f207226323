package client

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// SignInResult is the response of sign-in-with-api-key, as the server
// declares it (package api/wire).
type SignInResult = wire.SignIn

// SignIn exchanges the configured API key for a token
// (sign-in-with-api-key), which later calls use. Other methods sign in by
// themselves; call it to check the credentials.
func (c *Client) SignIn(ctx context.Context) (*SignInResult, error) {
	res, err := c.signInRequest(ctx)
	if err == nil {
		c.auth.set(res.IDToken, res.ExpiresAt)
		c.auth.keep(res.IDToken, res.ExpiresAt)
	}
	return res, err
}

func (c *Client) signInRequest(ctx context.Context) (*SignInResult, error) {
	var out SignInResult
	h := http.Header{}
	h.Set("x-api-key", c.cfg.APIKey)
	h.Set("x-api-key-id", c.cfg.APIKeyID)
	h.Set("x-user-id", c.cfg.UserID)
	org := c.cfg.OrganizationID
	if c.cfg.CallerOrganizationID != "" {
		org = c.cfg.CallerOrganizationID
	}
	// Signing in has no side effect, so it is repeated after a 429.
	err := c.do(ctx, &request{op: "sign-in-with-api-key", method: http.MethodPost, path: "/v1/" + url.PathEscape(org) + "/user/signin_with_api_key",
		header: h, anonymous: true, retry: true, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// refuseSignIn is the sign-in of a client given a token: without a key
// there is nothing to renew it with.
func refuseSignIn(context.Context) (string, time.Time, error) {
	return "", time.Time{}, &APIError{Operation: "sign-in-with-api-key", StatusCode: http.StatusUnauthorized,
		Detail: "The session's token was refused; sign in again."}
}

func (c *Client) signIn(ctx context.Context) (string, time.Time, error) {
	res, err := c.signInRequest(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	return res.IDToken, res.ExpiresAt, nil
}

// tokenSource holds the current token and renews it. Concurrent callers
// needing a new token share one sign-in; the mutex guards only the fields,
// never a network call.
type tokenSource struct {
	signIn        func(ctx context.Context) (string, time.Time, error)
	refreshBefore time.Duration
	now           func() time.Time
	// store, when set, keeps every new token beyond the process
	// (Config.TokenCache).
	store func(token string, expires time.Time)

	mu      sync.Mutex
	current string
	expires time.Time
	flight  *signInFlight // the sign-in in progress, if any
}

// signInFlight is one sign-in that several callers wait for.
type signInFlight struct {
	done    chan struct{}
	token   string
	expires time.Time
	err     error
}

// token returns a token valid for at least refreshBefore, signing in when
// needed. A caller whose ctx ends stops waiting; the sign-in itself goes on
// for the others, bounded by its own timeout.
func (s *tokenSource) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.current != "" && s.now().Add(s.refreshBefore).Before(s.expires) {
		t := s.current
		s.mu.Unlock()
		return t, nil
	}
	f := s.flight
	if f == nil {
		f = &signInFlight{done: make(chan struct{})}
		s.flight = f
		go s.run(context.WithoutCancel(ctx), f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// signInTimeout bounds one sign-in that no single caller owns.
const signInTimeout = 30 * time.Second

func (s *tokenSource) run(ctx context.Context, f *signInFlight) {
	ctx, cancel := context.WithTimeout(ctx, signInTimeout)
	defer cancel()
	f.token, f.expires, f.err = s.signIn(ctx)
	s.mu.Lock()
	if f.err == nil {
		s.current, s.expires = f.token, f.expires
	}
	s.flight = nil
	s.mu.Unlock()
	if f.err == nil {
		s.keep(f.token, f.expires)
	}
	close(f.done)
}

// keep hands a new token to the cache, if any.
func (s *tokenSource) keep(token string, expires time.Time) {
	if s.store != nil {
		s.store(token, expires)
	}
}

// set installs a token obtained outside a flight.
func (s *tokenSource) set(token string, expires time.Time) {
	s.mu.Lock()
	s.current, s.expires = token, expires
	s.mu.Unlock()
}

// invalidate forgets token after the server refused it, unless another
// caller has already replaced it.
func (s *tokenSource) invalidate(token string) {
	s.mu.Lock()
	if s.current == token {
		s.current = ""
	}
	s.mu.Unlock()
}
