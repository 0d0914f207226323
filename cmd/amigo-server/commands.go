package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/server"
)

// configFlags binds the configuration shared by serve and the operator
// commands to flags, each defaulting to its AMIGO_* environment variable.
type configFlags struct {
	cfg       server.Config
	clusters  []string
	logFormat string
	fileFlags // --config: the YAML file under the flags
}

func (f *configFlags) register(fs *pflag.FlagSet) {
	f.registerConfigFile(fs)
	fs.StringVar(&f.cfg.Listen, "listen", env("AMIGO_LISTEN", server.DefaultListen), "address to listen on (AMIGO_LISTEN)")
	fs.StringVar(&f.cfg.DataDir, "data-dir", env("AMIGO_DATA_DIR", server.DefaultDataDir), "directory of the embedded databases and generated keys (AMIGO_DATA_DIR)")
	fs.StringVar(&f.cfg.Region, "region", env("AMIGO_REGION", server.DefaultRegion), "name of this region (AMIGO_REGION)")
	fs.StringVar(&f.cfg.BaseURL, "base-url", env("AMIGO_PUBLIC_BASE_URL", ""), "this region's public base URL (AMIGO_PUBLIC_BASE_URL; default http://LISTEN)")
	fs.StringVar(&f.cfg.DirectoryURL, "directory-url", env("AMIGO_DIRECTORY_URL", ""), "directory database URL (AMIGO_DIRECTORY_URL; default sqlite in the data dir)")
	fs.StringArrayVar(&f.clusters, "cluster", envList("AMIGO_CLUSTERS"), "cluster NAME=URL, repeatable (AMIGO_CLUSTERS, comma-separated; default default=sqlite in the data dir)")
	fs.StringVar(&f.cfg.DefaultCluster, "default-cluster", env("AMIGO_DEFAULT_CLUSTER", ""), "cluster for new organizations (AMIGO_DEFAULT_CLUSTER)")
	fs.StringVar(&f.cfg.SigningKeyFile, "signing-key-file", env("AMIGO_SIGNING_KEY_FILE", ""), "Ed25519 PKCS#8 PEM signing key (AMIGO_SIGNING_KEY_FILE; default generated in the data dir)")
	fs.StringArrayVar(&f.cfg.VerifyKeyFiles, "verify-key-file", envList("AMIGO_VERIFY_KEY_FILES"), "extra key whose tokens stay valid, repeatable (AMIGO_VERIFY_KEY_FILES)")
	fs.DurationVar(&f.cfg.DirectoryCacheTTL, "directory-cache-ttl", envDuration("AMIGO_DIRECTORY_CACHE_TTL", server.DefaultDirectoryTTL), "how long directory answers are cached (AMIGO_DIRECTORY_CACHE_TTL)")
	fs.StringVar(&f.cfg.RateLimits, "rate-limits", env("AMIGO_RATE_LIMITS", "on"), "on (the spec's limits), off, or a multiplier such as 10x (AMIGO_RATE_LIMITS)")
	fs.StringVar(&f.cfg.RedisURL, "redis-url", env("AMIGO_REDIS_URL", ""), "Redis shared by replicas for rate limits, e.g. redis://127.0.0.1:6379/0 (AMIGO_REDIS_URL)")
	fs.StringSliceVar(&f.cfg.VoiceIDs, "voice-ids", envList("AMIGO_VOICE_IDS"), "voice ids agents may use, comma-separated (AMIGO_VOICE_IDS; with no catalogue any id is accepted)")
	fs.StringVar(&f.cfg.VoiceCatalogFile, "voice-catalog", env("AMIGO_VOICE_CATALOG", ""), "file of voice ids, one per line (AMIGO_VOICE_CATALOG)")
	fs.DurationVar(&f.cfg.DBTimeout, "db-timeout", envDuration("AMIGO_DB_TIMEOUT", api.DefaultDBTimeout), "how long a request's database work may take before it is answered 503 (AMIGO_DB_TIMEOUT)")
	fs.StringVar(&f.cfg.MetricsListen, "metrics-listen", env("AMIGO_METRICS_LISTEN", ""), "serve /metrics on this address instead of on --listen (AMIGO_METRICS_LISTEN)")
	fs.StringVar(&f.logFormat, "log-format", env("AMIGO_LOG_FORMAT", "auto"), "json, text, or auto: text on a terminal (AMIGO_LOG_FORMAT)")
}

// config returns the normalized configuration.
func (f *configFlags) config() (server.Config, error) {
	clusters, err := server.ParseClusters(f.clusters)
	if err != nil {
		return server.Config{}, err
	}
	cfg := f.cfg
	cfg.Clusters = clusters
	if cfg, err = f.withFile(cfg); err != nil {
		return server.Config{}, err
	}
	return cfg, cfg.Normalize()
}

func (f *configFlags) logger(w io.Writer) *slog.Logger {
	text := f.logFormat == "text"
	if f.logFormat == "auto" {
		file, ok := w.(*os.File)
		text = ok && isatty.IsTerminal(file.Fd())
	}
	if text {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	var flags configFlags
	serve := func(cmd *cobra.Command, _ []string) error {
		cfg, err := flags.config()
		if err != nil {
			return err
		}
		logger := flags.logger(stderr)
		rt, err := server.Open(cmd.Context(), cfg, logger)
		if err != nil {
			return err
		}
		defer rt.Close()
		return rt.Serve(cmd.Context())
	}
	root := &cobra.Command{
		Use:           "amigo-server",
		Short:         "A self-hostable server for the Amigo Classic API control plane",
		Args:          cobra.NoArgs,
		RunE:          serve,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	flags.register(root.PersistentFlags())
	root.AddCommand(&cobra.Command{Use: "serve", Short: "Serve the API (the default command)", Args: cobra.NoArgs, RunE: serve})
	root.AddCommand(newBootstrapCommand(&flags, stdout))
	root.AddCommand(newMaintenanceCommand(&flags, stdout))
	root.AddCommand(newMoveOrgCommand(&flags, stdout))
	root.AddCommand(newUsersCommand(&flags))
	root.AddCommand(newRolesCommand(&flags))
	return root
}

func newBootstrapCommand(flags *configFlags, stdout io.Writer) *cobra.Command {
	var orgID string
	var asEnv bool
	cmd := &cobra.Command{
		Use:   "bootstrap --org ORG_ID",
		Short: "Create an organization if missing and print a new super-administrator API key",
		Long: `bootstrap works directly on the databases, whether or not the server is running.
It creates ORG_ID with its default roles and admin@amigo.ai if it does not exist, and
issues a new API key for admin@amigo.ai. The first organization bootstrapped becomes
the platform organization, whose super administrators may create and delete others.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				res, err := app.Bootstrap(ctx, orgID)
				if err != nil {
					return err
				}
				return printBootstrap(stdout, res, app.BaseURL, asEnv)
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id to bootstrap (required)")
	cmd.Flags().BoolVar(&asEnv, "env", false, "print AMIGO_* environment variable lines instead of JSON")
	cmd.MarkFlagRequired("org")
	return cmd
}

// printBootstrap prints bootstrap's credentials as one JSON object, or as
// the AMIGO_* lines the official SDKs read.
func printBootstrap(w io.Writer, res *core.BootstrapResult, baseURL string, asEnv bool) error {
	if asEnv {
		_, err := fmt.Fprintf(w, "AMIGO_ORGANIZATION_ID=%s\nAMIGO_USER_ID=%s\nAMIGO_API_KEY_ID=%s\nAMIGO_API_KEY=%s\nAMIGO_BASE_URL=%s\n",
			res.OrgID, res.UserID, res.Key.Key.KeyID, res.Key.Secret, baseURL)
		return err
	}
	return json.NewEncoder(w).Encode(map[string]any{
		"organization_id": res.OrgID, "user_id": res.UserID, "api_key_id": res.Key.Key.KeyID,
		"api_key": res.Key.Secret, "expires_at": res.Key.Key.ExpiresAt.Format(time.RFC3339),
	})
}
