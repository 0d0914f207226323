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
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/ratelimit"
	"github.com/amigo-oss/amigo-server/sqldb"
	"github.com/amigo-oss/amigo-server/token"
)

// Runtime is an assembled server: its databases, app and HTTP handler.
type Runtime struct {
	Config    Config
	App       *core.App
	API       *api.Server
	Directory *sqldb.DirectoryStore
	Clusters  map[string]*sqldb.ClusterStore
	Logger    *slog.Logger
	redis     *redis.Client
}

// Option changes how Open assembles a runtime.
type Option func(*options)

type options struct {
	clock amigo.Clock
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
	rt, err := openDatabases(ctx, cfg, logger, o.clock, true, false)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(cfg, o.clock)
	if err != nil {
		rt.Close()
		return nil, err
	}
	voices, err := loadVoices(cfg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.App = core.NewApp(core.Config{
		Voices: voices,
		Region: cfg.Region, BaseURL: cfg.BaseURL, Directory: rt.Directory, Clusters: rt.stores(), DefaultCluster: cfg.DefaultCluster,
		Keys: keys, Logger: logger, DirectoryCacheTTL: cfg.DirectoryCacheTTL, Now: o.clock,
	})
	reg := prometheus.NewRegistry()
	limits, err := rt.rateLimits(reg)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.API = api.NewServer(rt.App, api.Options{Logger: logger, Registry: reg, RateLimits: limits,
		DBTimeout: cfg.DBTimeout, IsUnavailable: postgres.IsUnavailable, SeparateMetrics: cfg.MetricsListen != ""})
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

func loadKeys(cfg Config, clock amigo.Clock) (*token.KeySet, error) {
	signer, err := token.LoadOrCreateSigningKey(cfg.SigningKeyFile)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	var extra []ed25519.PublicKey
	for _, f := range cfg.VerifyKeyFiles {
		k, err := token.LoadVerificationKey(f)
		if err != nil {
			return nil, fmt.Errorf("verification key: %w", err)
		}
		extra = append(extra, k)
	}
	return token.NewKeySet(signer, extra, "amigo-server/"+cfg.Region, clock), nil
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
		Handler:           rt.API.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(rt.Logger.Handler(), slog.LevelWarn),
	}
}

// Serve listens and serves until ctx is done, then shuts down gracefully:
// in-flight requests finish (up to the shutdown timeout).
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
	rt.Logger.Info("listening", "addr", ln.Addr().String(), "region", rt.Config.Region, "base_url", rt.Config.BaseURL)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		return err
	case <-ctx.Done():
	}
	rt.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), rt.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.Shutdown(shutdownCtx))
	}
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
