package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/sqldb"
	"github.com/amigo-oss/amigo-server/sqlite"
)

// OpenDB opens a database named by URL: postgres://… (or postgresql://…)
// for PostgreSQL, sqlite:///absolute/path.db for the embedded SQLite. The
// directory flag selects the directory's schema instead of a cluster's.
func OpenDB(ctx context.Context, rawURL string, directory bool) (*sqldb.DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return postgres.Open(ctx, rawURL, directory)
	case strings.HasPrefix(rawURL, "sqlite://"):
		u, err := url.Parse(rawURL)
		if err != nil || u.Path == "" || u.Host != "" {
			return nil, fmt.Errorf("database URL %q: want sqlite:///absolute/path.db", rawURL)
		}
		return sqlite.Open(ctx, u.Path, directory)
	default:
		return nil, fmt.Errorf("database URL %q: want postgres://… or sqlite:///absolute/path.db", redact(rawURL))
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
