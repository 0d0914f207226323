package client

import (
	"net/http"
	"os"
	"time"
)

// DefaultBaseURL is the API's address when neither the configuration nor
// AMIGO_BASE_URL gives one, as in the official SDKs.
const DefaultBaseURL = "https://api.amigo.ai"

// Config says where the server is and who signs in. The zero value of every
// field but the credentials has a sensible default.
type Config struct {
	// APIKey, APIKeyID and UserID are the sign-in-with-api-key credentials:
	// the key's secret, its id, and the user the key signs in as.
	APIKey   string
	APIKeyID string
	UserID   string
	// Token, when set, is a token obtained elsewhere (a browser session
	// holds one): the client sends it and never signs in, so the key
	// fields may be empty. Once the server refuses it, requests fail with
	// ErrUnauthorized.
	Token string
	// OrganizationID is the organization of every request's path.
	OrganizationID string
	// CallerOrganizationID is the organization the user belongs to, when
	// it is not OrganizationID: a platform administrator working on
	// another organization. The client signs in there and sends it as
	// X-ORG-ID with every request.
	CallerOrganizationID string
	// BaseURL is the server's address, e.g. "https://api.amigo.ai".
	BaseURL string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of one request after a 429 or 503
	// (default 3; negative disables retries).
	MaxRetries int
	// MaxRetryWait is the longest the client waits before one retry; a
	// Retry-After beyond it fails the request at once with the server's
	// error, so a long maintenance window does not stall a pipeline
	// (default 30s).
	MaxRetryWait time.Duration
	// RefreshBefore is how long before its expiry a token is renewed
	// (default one minute).
	RefreshBefore time.Duration
	// TokenCache, when set, keeps the token between processes: the client
	// starts with the cached token if it is still valid, and stores every
	// token it signs in for. A cached token the server refuses is replaced
	// by a new sign-in, as any token is. Not used with Token.
	TokenCache TokenCache
}

// TokenCache stores one client's token outside the process (a command-line
// tool run many times in a row signs in once). Implementations decide
// where; they must keep it private to the user, since the token acts as
// them.
type TokenCache interface {
	// Load returns the cached token and its expiry; ok is false when
	// there is none.
	Load() (token string, expires time.Time, ok bool)
	// Store replaces the cached token. A failure is not the request's: the
	// client has its token and goes on.
	Store(token string, expires time.Time)
}

// Environment variables read by FromEnv, the names the official SDKs use.
const (
	EnvAPIKey         = "AMIGO_API_KEY"
	EnvAPIKeyID       = "AMIGO_API_KEY_ID"
	EnvUserID         = "AMIGO_USER_ID"
	EnvOrganizationID = "AMIGO_ORGANIZATION_ID"
	EnvBaseURL        = "AMIGO_BASE_URL"
)

// FromEnv returns a Config read from the AMIGO_* environment variables;
// change its fields to override them in code.
func FromEnv() Config {
	return Config{
		APIKey:         os.Getenv(EnvAPIKey),
		APIKeyID:       os.Getenv(EnvAPIKeyID),
		UserID:         os.Getenv(EnvUserID),
		OrganizationID: os.Getenv(EnvOrganizationID),
		BaseURL:        os.Getenv(EnvBaseURL),
	}
}

// withDefaults fills the unset optional fields.
func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 3
	}
	if c.MaxRetryWait == 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	if c.RefreshBefore == 0 {
		c.RefreshBefore = time.Minute
	}
	return c
}
