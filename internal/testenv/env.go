package testenv

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/server"
)

// PlatformOrg is the organization every Env bootstraps.
const PlatformOrg = "platform"

// Env is one running server with a signed-in platform super administrator.
type Env struct {
	Backend Backend
	Runtime *server.Runtime
	URL     string
	// Admin is a client signed in as admin@amigo.ai of PlatformOrg.
	Admin *Client
	// APIKey, APIKeyID and UserID are the bootstrap credentials.
	APIKey, APIKeyID, UserID string
}

// Options tune Start.
type Options struct {
	// Configure may change the configuration before the server opens.
	Configure func(cfg *server.Config)
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// Clock, if set, is the server's clock instead of the system's.
	Clock amigo.Clock
	// Model, if set, answers every conversation instead of the configured
	// models.
	Model engine.Model
}

// Start starts a server on b with a fresh directory and default cluster,
// bootstraps PlatformOrg and signs in as its super administrator.
func Start(t testing.TB, b Backend, opts ...Options) *Env {
	t.Helper()
	cfg := server.Config{
		DataDir:      t.TempDir(),
		DirectoryURL: b.NewURL(t, "directory"),
		Clusters:     map[string]string{server.DefaultClusterName: b.NewURL(t, "cluster")},
		// Scenario tests send bursts; the rate-limit tests turn limits on.
		RateLimits: "off",
		// Twenty writers queueing for SQLite's lock under the race detector
		// on a busy machine can outwait the 5 s default; the outage tests
		// set their own deadline.
		DBTimeout: 30 * time.Second,
	}
	env := Serve(t, b, cfg, opts...)
	res, err := env.Runtime.App.Bootstrap(context.Background(), PlatformOrg)
	if err != nil {
		t.Fatal(err)
	}
	env.APIKey, env.APIKeyID, env.UserID = res.Key.Secret, res.Key.Key.KeyID, res.UserID
	env.Admin = env.SignIn(t, PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
	return env
}

// Serve opens a server for cfg (after opts and defaults) on b and serves it
// over HTTP until the test ends; nothing is bootstrapped.
func Serve(t testing.TB, b Backend, cfg server.Config, opts ...Options) *Env {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var serverOpts []server.Option
	for _, o := range opts {
		if o.Configure != nil {
			o.Configure(&cfg)
		}
		if o.Logger != nil {
			logger = o.Logger
		}
		if o.Clock != nil {
			serverOpts = append(serverOpts, server.WithClock(o.Clock))
		}
		if o.Model != nil {
			serverOpts = append(serverOpts, server.WithModel(o.Model))
		}
	}
	if err := cfg.Normalize(); err != nil {
		t.Fatal(err)
	}
	rt, err := server.Open(context.Background(), cfg, logger, serverOpts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(func() {
		srv.Close()
		rt.Close()
	})
	return &Env{Backend: b, Runtime: rt, URL: srv.URL}
}

// Anonymous returns a client without credentials.
func (e *Env) Anonymous(t testing.TB) *Client {
	return newClient(t, e.URL, "")
}

// SignIn exchanges an API key for a token and returns a client using it.
func (e *Env) SignIn(t testing.TB, org, key, keyID, userID string) *Client {
	t.Helper()
	resp := e.Anonymous(t).Do(t, "POST", "/v1/"+org+"/user/signin_with_api_key", nil,
		Header("x-api-key", key), Header("x-api-key-id", keyID), Header("x-user-id", userID))
	resp.Expect(200)
	var out struct {
		IDToken   string    `json:"id_token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	resp.Decode(&out)
	return newClient(t, e.URL, out.IDToken)
}
