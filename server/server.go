package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/console"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/forwarded"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/ratelimit"
	"github.com/amigo-oss/amigo-server/sqldb"
	"github.com/amigo-oss/amigo-server/token"
)

// mustWrite ends the message of a start refused for want of write access.
const mustWrite = "the server must be able to write its databases (check the data directory's owner, permissions and mounts)"

// Runtime is an assembled server: its databases, app and HTTP handler.
type Runtime struct {
	Config    Config
	App       *core.App
	API       *api.Server
	Directory *sqldb.DirectoryStore
	Clusters  map[string]*sqldb.ClusterStore
	Logger    *slog.Logger
	// SigningKey is the key tokens are signed with (Open only).
	SigningKey SigningKey
	// Console is the web console, served under /console/ by Handler.
	Console *console.Console
	// Conversations runs interactions (Open only).
	Conversations *core.Conversations
	// PostConversation runs the jobs finished conversations leave; Serve
	// starts it. Its user-model function is the conversations' model's
	// unless WithUserModel gives another.
	PostConversation *core.PostConversationRunner
	redis            *redis.Client
}

// Option changes how Open assembles a runtime.
type Option func(*options)

type options struct {
	clock     amigo.Clock
	model     engine.Model
	userModel core.UserModelFunc
}

// WithModel makes m the model of every conversation, whatever the model
// settings say: tests use it to script a model's timing and failures.
func WithModel(m engine.Model) Option {
	return func(o *options) { o.model = m }
}

// WithUserModel gives the post-conversation runner the function that
// computes a user's model from a finished conversation, instead of the
// conversations' model's.
func WithUserModel(fn core.UserModelFunc) Option {
	return func(o *options) { o.userModel = fn }
}

// WithClock makes clock the server's one clock: core's rules, tokens,
// API-key expiry and the stores' timestamps all read it. Tests use it to
// move time; the default is the system clock.
func WithClock(clock amigo.Clock) Option {
	return func(o *options) { o.clock = clock }
}

// Open assembles a runtime from cfg, which must be normalized. It opens and
// migrates every database, and loads (or generates) the signing key.
func Open(ctx context.Context, cfg Config, logger *slog.Logger, opts ...Option) (*Runtime, error) {
	o := options{clock: amigo.SystemClock}
	for _, opt := range opts {
		opt(&o)
	}
	// The key first: a configured key that is missing must stop the start
	// before anything is created.
	keys, signing, err := loadKeys(cfg, o.clock)
	if err != nil {
		return nil, err
	}
	if err := writableFiles(cfg); err != nil {
		return nil, fmt.Errorf("%w; %s", err, mustWrite)
	}
	rt, err := openDatabases(ctx, cfg, logger, o.clock, true, false)
	if err != nil {
		return nil, err
	}
	err = rt.Writable(ctx)
	if err == nil {
		err = rt.writableTxs(ctx)
	}
	if err != nil {
		rt.Close()
		return nil, fmt.Errorf("%w; %s", err, mustWrite)
	}
	voices, err := loadVoices(cfg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.SigningKey = signing
	rt.App = core.NewApp(core.Config{
		Voices: voices,
		Region: cfg.Region, BaseURL: cfg.BaseURL, Directory: rt.Directory, Clusters: rt.stores(), DefaultCluster: cfg.DefaultCluster,
		Keys: keys, Logger: logger, DirectoryCacheTTL: cfg.DirectoryCacheTTL, Now: o.clock, Document: wire.Document,
	})
	rt.PostConversation = core.NewPostConversationRunner(rt.stores(), o.userModel, o.clock, logger)
	reg := prometheus.NewRegistry()
	limits, err := rt.rateLimits(reg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	proxies, err := forwarded.Parse(cfg.TrustedProxies)
	if err != nil {
		rt.Close()
		return nil, err
	}
	if rt.Conversations, err = newConversations(rt.App, cfg, o.model); err != nil {
		rt.Close()
		return nil, err
	}
	if rt.PostConversation.UserModel == nil {
		rt.PostConversation.UserModel = userModels(rt.Conversations.Walker())
	}
	rt.API = api.NewServer(rt.App, api.Options{Logger: logger, Registry: reg, RateLimits: limits, Writable: rt.Writable,
		DBTimeout: cfg.DBTimeout, IsUnavailable: postgres.IsUnavailable, SeparateMetrics: cfg.MetricsListen != "", Proxies: proxies, Conversations: rt.Conversations})
	if rt.Console, err = newConsole(rt); err != nil {
		rt.Close()
		return nil, err
	}
	return rt, nil
}

// rateLimits builds the limiter: in-process by default, Redis when RedisURL
// is set, falling back to the in-process one while Redis is unreachable.
func (rt *Runtime) rateLimits(reg *prometheus.Registry) (*api.RateLimits, error) {
	mode, err := ratelimit.ParseMode(rt.Config.RateLimits)
	if err != nil {
		return nil, err
	}
	cfg := &api.RateLimits{Mode: mode, Overrides: rt.Config.RateLimitOverrides, Limiter: ratelimit.NewMemory(nil)}
	if rt.Config.RedisURL != "" {
		opts, err := ratelimit.RedisOptions(rt.Config.RedisURL)
		if err != nil {
			return nil, err
		}
		quietRedisLogs(rt.Logger)
		rt.redis = redis.NewClient(opts)
		errs := ratelimit.NewErrorCounter()
		reg.MustRegister(errs)
		cfg.Limiter = ratelimit.Fallback(ratelimit.NewRedis(rt.redis), cfg.Limiter, rt.Logger, errs)
	}
	return cfg, nil
}

// loadVoices reads the voice catalogue from the list and the file.
func loadVoices(cfg Config) (core.VoiceCatalog, error) {
	ids := slices.Clone(cfg.VoiceIDs)
	if cfg.VoiceCatalogFile != "" {
		b, err := os.ReadFile(cfg.VoiceCatalogFile)
		if err != nil {
			return nil, fmt.Errorf("voice catalogue: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				ids = append(ids, line)
			}
		}
	}
	return core.NewVoiceCatalog(ids...), nil
}

// openDatabases opens and migrates the directory and, with clusters set,
// every cluster. A cluster that cannot be opened fails the whole call,
// unless skipUnavailable, when it is logged and left out (operator commands
// work on the clusters they can reach; core names a missing one).
func openDatabases(ctx context.Context, cfg Config, logger *slog.Logger, clock amigo.Clock, clusters, skipUnavailable bool) (*Runtime, error) {
	rt := &Runtime{Config: cfg, Logger: logger, Clusters: map[string]*sqldb.ClusterStore{}}
	dir, err := OpenDirectory(ctx, cfg.DirectoryURL, clock)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	rt.Directory = dir
	if !clusters {
		return rt, nil
	}
	for name, url := range cfg.Clusters {
		openCtx, cancel := context.WithTimeout(ctx, clusterOpenTimeout)
		db, err := OpenCluster(openCtx, url, clock)
		cancel()
		switch {
		case err != nil && skipUnavailable:
			logger.Warn("cluster unavailable", "cluster", name, "err", err)
		case err != nil:
			rt.Close()
			return nil, fmt.Errorf("cluster %s: %w", name, err)
		default:
			rt.Clusters[name] = db
		}
	}
	return rt, nil
}

// stores returns the open clusters as the stores core works with.
func (rt *Runtime) stores() map[string]amigo.ClusterStore {
	out := make(map[string]amigo.ClusterStore, len(rt.Clusters))
	for name, db := range rt.Clusters {
		out[name] = db
	}
	return out
}

// SigningKey says which key signs tokens, for the startup line.
type SigningKey struct {
	File      string
	KID       string
	Generated bool // generated on this start rather than loaded
}

// loadKeys loads the signing key, generating it only at the default path in
// the data directory: a configured key that is missing is refused, since a
// new key there would log everyone out without a word.
func loadKeys(cfg Config, clock amigo.Clock) (*token.KeySet, SigningKey, error) {
	info := SigningKey{File: cfg.SigningKeyFile}
	_, statErr := os.Stat(cfg.SigningKeyFile)
	var signer ed25519.PrivateKey
	var err error
	switch {
	case errors.Is(statErr, os.ErrNotExist) && cfg.SigningKeyFile != defaultSigningKeyFile(cfg.DataDir):
		return nil, info, fmt.Errorf("signing key %s does not exist: create it with `openssl genpkey -algorithm ed25519 -out %s`, "+
			"or leave --signing-key-file unset to use a key generated in the data directory", cfg.SigningKeyFile, cfg.SigningKeyFile)
	case errors.Is(statErr, os.ErrNotExist):
		info.Generated = true
		signer, err = token.LoadOrCreateSigningKey(cfg.SigningKeyFile)
	default:
		signer, err = token.LoadSigningKey(cfg.SigningKeyFile)
	}
	if err != nil {
		return nil, info, fmt.Errorf("signing key: %w", err)
	}
	info.KID = token.KeyID(signer.Public().(ed25519.PublicKey))
	var extra []ed25519.PublicKey
	for _, f := range cfg.VerifyKeyFiles {
		k, err := token.LoadVerificationKey(f)
		if err != nil {
			return nil, info, fmt.Errorf("verification key: %w", err)
		}
		extra = append(extra, k)
	}
	return token.NewKeySet(signer, extra, "amigo-server/"+cfg.Region, clock), info, nil
}

// Close closes every database.
func (rt *Runtime) Close() error {
	var errs []error
	if rt.Directory != nil {
		errs = append(errs, rt.Directory.Close())
	}
	for _, db := range rt.Clusters {
		errs = append(errs, db.Close())
	}
	if rt.redis != nil {
		errs = append(errs, rt.redis.Close())
	}
	return errors.Join(errs...)
}

// HTTPServer returns an http.Server for the runtime with timeouts that a
// slow client cannot exhaust.
func (rt *Runtime) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              rt.Config.Listen,
		Handler:           rt.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(rt.Logger.Handler(), slog.LevelWarn),
	}
}

// interactionsCloseTimeout bounds the wait, after the shutdown timeout,
// for the interactions stopped then to record their failure and end their
// streams.
const interactionsCloseTimeout = 5 * time.Second

// Serve listens and serves until ctx is done, then shuts down gracefully
// (see shutdown).
func (rt *Runtime) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", rt.Config.Listen)
	if err != nil {
		return err
	}
	srv := rt.HTTPServer()
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	if rt.Config.MetricsListen != "" {
		mln, err := net.Listen("tcp", rt.Config.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		msrv := &http.Server{Handler: rt.API.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		servers = append(servers, msrv)
		rt.Logger.Info("serving metrics", "addr", mln.Addr().String())
		go func() { errc <- msrv.Serve(mln) }()
	}
	rt.recordAddress(ln.Addr())
	rt.logStartup(ctx, ln.Addr().String())
	go func() { errc <- srv.Serve(ln) }()
	if rt.Config.ChangeLogRetention > 0 {
		go rt.pruneChangeLog(ctx, time.Hour)
	}
	if rt.PostConversation.UserModel != nil {
		go rt.PostConversation.Run(ctx)
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		return err
	case <-ctx.Done():
	}
	rt.Logger.Info("shutting down")
	errs := rt.shutdown(servers)
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// shutdown stops servers gracefully. Requests in flight, interactions
// included, have the shutdown timeout to finish. Then the interactions
// still running are stopped: each is recorded failed, releases its
// conversation and ends its stream with one error event (503), within
// interactionsCloseTimeout. Connections still open after that are cut,
// and the interactions among them get as long again to record their
// failure.
func (rt *Runtime) shutdown(servers []*http.Server) []error {
	ctx, cancel := context.WithTimeout(context.Background(), rt.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	drain := func(ctx context.Context) bool {
		drained := true
		for _, s := range servers {
			if s.Shutdown(ctx) != nil {
				drained = false
			}
		}
		return drained
	}
	if drain(ctx) {
		return nil
	}
	rt.Logger.Warn("requests still running at the shutdown timeout; stopping the interactions among them", "shutdown_timeout", rt.Config.ShutdownTimeout)
	rt.API.StopInteractions()
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), interactionsCloseTimeout)
	defer cancelGrace()
	if drain(graceCtx) {
		return nil
	}
	for _, s := range servers {
		s.Close()
	}
	errs = append(errs, fmt.Errorf("requests still running %s after the shutdown timeout were cut", interactionsCloseTimeout))
	// Cut interactions still record their failure on the way out.
	waitCtx, cancelWait := context.WithTimeout(context.Background(), interactionsCloseTimeout)
	defer cancelWait()
	if err := rt.Conversations.Wait(waitCtx); err != nil {
		rt.Logger.Warn("interactions still running at exit; their leases will expire", "err", err)
	}
	return errs
}
