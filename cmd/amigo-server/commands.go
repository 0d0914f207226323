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

	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/logbuf"
	"github.com/amigo-oss/amigo-server/internal/usage"
	"github.com/amigo-oss/amigo-server/server"
)

// configFlags holds the configuration flags shared by serve and the
// operator commands; server.Settings declares them.
type configFlags struct {
	flagSet *pflag.FlagSet
	cfg     server.Config // as last loaded, for the logger
}

func (f *configFlags) register(fs *pflag.FlagSet) {
	f.flagSet = fs
	server.RegisterFlags(fs)
}

// config returns the normalized configuration from flags, environment and
// the configuration file.
func (f *configFlags) config() (server.Config, error) {
	cfg, err := server.LoadConfig(f.flagSet)
	if err != nil {
		return server.Config{}, err
	}
	f.cfg = cfg
	return cfg, nil
}

// logger logs to w in the configured format.
func (f *configFlags) logger(w io.Writer) *slog.Logger { return slog.New(f.handler(w, w)) }

// handler writes to w, as text when the format says so or, by default,
// when out, where the lines end up, is a terminal.
func (f *configFlags) handler(out, w io.Writer) slog.Handler {
	text := f.cfg.LogFormat == "text"
	if f.cfg.LogFormat == "auto" || f.cfg.LogFormat == "" {
		file, ok := out.(*os.File)
		text = ok && isatty.IsTerminal(file.Fd())
	}
	if text {
		return slog.NewTextHandler(w, nil)
	}
	return slog.NewJSONHandler(w, nil)
}

// logFlushInterval bounds how long a served request's log line waits to
// be written with others.
const logFlushInterval = 100 * time.Millisecond

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	var flags configFlags
	serve := func(cmd *cobra.Command, _ []string) error {
		cfg, err := flags.config()
		if err != nil {
			return err
		}
		logs := logbuf.New(stderr, logFlushInterval)
		defer logs.Close()
		logger := slog.New(logbuf.Handler(flags.handler(stderr, logs), logs))
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
	root.Version = server.Version().String()
	root.SetVersionTemplate("amigo-server {{.Version}}\n")
	flags.register(root.PersistentFlags())
	root.AddCommand(&cobra.Command{Use: "serve", Short: "Serve the API (the default command)", Args: cobra.NoArgs, RunE: serve})
	root.AddCommand(&cobra.Command{Use: "version", Short: "Print the version, commit and Go version", Args: cobra.NoArgs,
		Run: func(*cobra.Command, []string) { fmt.Fprintln(stdout, "amigo-server", server.Version()) }})
	root.AddCommand(newBootstrapCommand(&flags, stdout))
	root.AddCommand(newMaintenanceCommand(&flags, stdout))
	root.AddCommand(newMoveOrgCommand(&flags, stdout))
	root.AddCommand(newUsersCommand(&flags))
	root.AddCommand(newRolesCommand(&flags))
	root.AddCommand(newBackupCommand(&flags, stdout))
	usage.FlagHints(root, flagAliases)
	return root
}

// flagAliases are the flags people type for amigo-server's, from other
// servers and tools.
var flagAliases = map[string]string{
	"port": "listen", "addr": "listen", "address": "listen", "bind": "listen", "host": "listen",
	"data": "data-dir", "datadir": "data-dir", "dir": "data-dir",
	"organization": "org", "org-id": "org", "redis": "redis-url",
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
			return withAppCreating(cmd, flags, func(ctx context.Context, app *core.App) error {
				res, err := app.Bootstrap(ctx, orgID)
				if err != nil {
					return err
				}
				return printBootstrap(stdout, res, servedBaseURL(cmd.ErrOrStderr(), flags.cfg, asEnv), asEnv)
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id to bootstrap (required)")
	cmd.Flags().BoolVar(&asEnv, "env", false, "print AMIGO_* environment variable lines instead of JSON")
	cmd.MarkFlagRequired("org")
	return cmd
}

// servedBaseURL is the address of the server that serves from cfg's data
// directory, as it recorded it; when no server has, it is cfg's own, and
// (for --env, which prints it) a warning on w says so.
func servedBaseURL(w io.Writer, cfg server.Config, warn bool) string {
	if url, ok := server.ServedBaseURL(cfg.DataDir); ok {
		return url
	}
	if warn {
		fmt.Fprintf(w, "amigo-server: no server has served from %s yet, so AMIGO_BASE_URL is this command's own address, %s; "+
			"if the server runs with another --listen or --base-url, give the same here, or start it and run bootstrap again\n", cfg.DataDir, cfg.BaseURL)
	}
	return cfg.BaseURL
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
