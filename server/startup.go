package server

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// logStartup writes the line that tells an operator what this process is
// and where its state lives, and the next step when nothing is set up yet.
func (rt *Runtime) logStartup(ctx context.Context, addr string) {
	cfg := rt.Config
	key := "loaded"
	if rt.SigningKey.Generated {
		key = "generated"
	}
	names := make([]string, 0, len(cfg.Clusters))
	for name := range cfg.Clusters {
		names = append(names, name)
	}
	slices.Sort(names)
	clusters := make([]string, len(names))
	for i, name := range names {
		clusters[i] = name + "=" + redact(cfg.Clusters[name])
	}
	rt.Logger.InfoContext(ctx, "listening",
		slog.String("addr", addr), slog.String("version", Version().String()),
		slog.String("region", cfg.Region), slog.String("base_url", cfg.BaseURL),
		slog.String("data_dir", cfg.DataDir), slog.String("config_file", cfg.ConfigFile),
		slog.String("signing_key", key+" "+rt.SigningKey.File), slog.String("kid", rt.SigningKey.KID),
		slog.String("directory", redact(cfg.DirectoryURL)), slog.String("clusters", strings.Join(clusters, ",")))
	if platform, err := rt.App.Directory.PlatformOrg(ctx); err == nil && platform == "" {
		rt.Logger.InfoContext(ctx, "no organization yet; next step, in another terminal: "+
			"amigo-server bootstrap --org ORG_ID"+OperatorFlags(cfg)+" (prints the first API key)")
	}
}

// OperatorFlags returns the flags, with a leading space, that make an
// operator command use the same databases as this configuration: the
// configuration file if there is one, else the data directory unless it
// is the default.
func OperatorFlags(cfg Config) string {
	if cfg.ConfigFile != "" {
		if abs, err := filepath.Abs(cfg.ConfigFile); err == nil {
			return " --config " + abs
		}
		return " --config " + cfg.ConfigFile
	}
	if def, err := absDataDir(DefaultDataDir); err == nil && def == cfg.DataDir {
		return ""
	}
	return " --data-dir " + cfg.DataDir
}

// FreshSetup reports whether cfg's directory is an embedded database that
// does not exist yet, and where it would be created: an operator command
// would start a new, empty setup there rather than work on the server's.
func FreshSetup(cfg Config) (string, bool) {
	path, ok := sqlitePath(cfg.DirectoryURL)
	if !ok {
		return "", false
	}
	_, err := os.Stat(path)
	return path, errors.Is(err, os.ErrNotExist)
}
