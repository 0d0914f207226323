package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to one organization of one server as one user. It is safe
// for concurrent use.
type Client struct {
	cfg  Config
	auth *tokenSource

	// Whether the server documents create-agent-version's dry run, once
	// asked (CheckAgentVersion).
	dryRunMu    sync.Mutex
	dryRunKnown bool
	dryRunOK    bool
}

// New returns a client for cfg. It checks the configuration but does not
// sign in: the first request does.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	var missing []string
	for _, f := range []struct{ name, v string }{
		{EnvAPIKey, cfg.APIKey}, {EnvAPIKeyID, cfg.APIKeyID}, {EnvUserID, cfg.UserID}, {EnvOrganizationID, cfg.OrganizationID},
	} {
		// A client given a token needs no key, only its organization.
		if f.v == "" && (cfg.Token == "" || f.name == EnvOrganizationID) {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("client: missing configuration: %s", strings.Join(missing, ", "))
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	c := &Client{cfg: cfg}
	c.auth = &tokenSource{signIn: c.signIn, refreshBefore: cfg.RefreshBefore, now: time.Now}
	if cfg.TokenCache != nil && cfg.Token == "" {
		c.auth.store = cfg.TokenCache.Store
		if token, expires, ok := cfg.TokenCache.Load(); ok && token != "" {
			c.auth.set(token, expires)
		}
	}
	if cfg.Token != "" {
		c.auth = &tokenSource{signIn: refuseSignIn, now: time.Now}
		// A given token is used until the server refuses it: the client
		// cannot renew it, so it is taken as valid for good.
		c.auth.set(cfg.Token, time.Now().AddDate(100, 0, 0))
	}
	return c, nil
}

// OrganizationID returns the organization the client works in.
func (c *Client) OrganizationID() string { return c.cfg.OrganizationID }

// UserID returns the user the client signs in as.
func (c *Client) UserID() string { return c.cfg.UserID }

// request is one call of an operation.
type request struct {
	op     string // operationId, for errors
	method string
	path   string // below /v1/{organization}, already escaped
	query  url.Values
	body   any // encoded as JSON once, re-read on every attempt
	header http.Header
	// retry says whether the operation may be repeated after a 429 or 503:
	// true for reads, replacements and POSTs that are safe to repeat.
	retry bool
	// anonymous requests carry no token (sign-in).
	anonymous bool
	out       any          // decodes a JSON response when set
	raw       *[]byte      // receives the raw response body when set
	headers   *http.Header // receives a successful response's headers when set
}

// orgPath returns the escaped path of the client's organization.
func (c *Client) orgPath(format string, args ...string) string {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = url.PathEscape(a)
	}
	return "/v1/" + url.PathEscape(c.cfg.OrganizationID) + fmt.Sprintf(format, esc...)
}

// do sends r: it signs in first if needed, renews the token and repeats
// once after a 401, and retries a retryable request after a 429 or 503
// with backoff, honouring Retry-After.
func (c *Client) do(ctx context.Context, r *request) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("%s: encode request: %w", r.op, err)
		}
	}
	reauthed := false
	for attempt := 0; ; attempt++ {
		token := ""
		if !r.anonymous {
			var err error
			if token, err = c.auth.token(ctx); err != nil {
				return err
			}
		}
		err := c.send(ctx, r, body, token)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			return err
		}
		switch {
		case apiErr.StatusCode == http.StatusUnauthorized && !r.anonymous && !reauthed:
			// The token may have been revoked or the server's keys
			// rotated: sign in again, once.
			reauthed = true
			c.auth.invalidate(token)
			continue
		case (apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode == http.StatusServiceUnavailable) &&
			r.retry && attempt < c.cfg.MaxRetries:
			wait := backoff(attempt)
			if apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
			}
			if wait > c.cfg.MaxRetryWait {
				return err
			}
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// send makes one attempt with a fresh body reader.
func (c *Client) send(ctx context.Context, r *request, body []byte, token string) error {
	u := c.cfg.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.CallerOrganizationID != "" {
		req.Header.Set("X-ORG-ID", c.cfg.CallerOrganizationID)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: read response: %w", r.op, err)
	}
	if resp.StatusCode >= 300 {
		return newAPIError(r.op, resp, data)
	}
	if r.raw != nil {
		*r.raw = data
	}
	if r.headers != nil {
		*r.headers = resp.Header
	}
	if r.out != nil {
		if err := json.Unmarshal(data, r.out); err != nil {
			return fmt.Errorf("%s: decode response: %w", r.op, err)
		}
	}
	return nil
}

// backoff returns the wait before retry n (0-based) when the server gives
// no Retry-After: exponential from 250ms, with full jitter, at most 8s.
func backoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n, 5)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
