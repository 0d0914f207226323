package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/sqldb"
	"github.com/amigo-oss/amigo-server/sqlite"
)

// OpenDirectory opens the directory database named by URL (see openURL).
// now stamps what the store writes; nil is the system clock.
func OpenDirectory(ctx context.Context, rawURL string, now amigo.Clock) (*sqldb.DirectoryStore, error) {
	return openURL(ctx, rawURL, now, postgres.OpenDirectory, sqlite.OpenDirectory)
}

// OpenCluster opens the cluster database named by URL (see openURL).
// now stamps what the store writes; nil is the system clock.
func OpenCluster(ctx context.Context, rawURL string, now amigo.Clock) (*sqldb.ClusterStore, error) {
	return openURL(ctx, rawURL, now, postgres.OpenCluster, sqlite.OpenCluster)
}

// openURL opens a database named by URL: postgres://… (or postgresql://…)
// for PostgreSQL, sqlite:///absolute/path.db for the embedded SQLite.
func openURL[S any](ctx context.Context, rawURL string, now amigo.Clock,
	pg, lite func(context.Context, string, amigo.Clock) (S, error)) (S, error) {
	var none S
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return pg(ctx, rawURL, now)
	case strings.HasPrefix(rawURL, "sqlite://"):
		u, err := url.Parse(rawURL)
		if err != nil || u.Path == "" || u.Host != "" {
			return none, fmt.Errorf("database URL %q: want sqlite:///absolute/path.db", rawURL)
		}
		return lite(ctx, u.Path, now)
	default:
		return none, fmt.Errorf("database URL %q: want postgres://… or sqlite:///absolute/path.db", redact(rawURL))
	}
}

// redact hides a password in a database URL for error messages and logs.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	return u.Redacted()
}
