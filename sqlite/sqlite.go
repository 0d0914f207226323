// Package sqlite is the embedded storage backend: a pure-Go SQLite
// (modernc.org/sqlite, no cgo) in WAL mode with foreign keys and a busy
// timeout, so a single binary needs nothing else. It only opens databases
// and supplies the dialect; the queries live in package sqldb.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/sqldb"
)

// OpenDirectory opens (creating if needed) the SQLite file at path as the
// directory, applying its migrations. now stamps what the store writes.
func OpenDirectory(ctx context.Context, path string, now amigo.Clock) (*sqldb.DirectoryStore, error) {
	return open(ctx, path, now, sqldb.OpenDirectory)
}

// OpenCluster opens (creating if needed) the SQLite file at path as a
// cluster, applying its migrations. now stamps what the store writes.
func OpenCluster(ctx context.Context, path string, now amigo.Clock) (*sqldb.ClusterStore, error) {
	return open(ctx, path, now, sqldb.OpenCluster)
}

func open[S any](ctx context.Context, path string, now amigo.Clock,
	store func(context.Context, sqldb.Handle, amigo.Clock) (S, error)) (S, error) {
	var none S
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return none, err
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(30000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock at BEGIN, so two writers never
	// deadlock upgrading read locks; the busy timeout queues them instead.
	q.Set("_txlock", "immediate")
	handle := sql.OpenDB(&connector{dsn: "file:" + path + "?" + q.Encode(), driver: &sqlite.Driver{}})
	poolFor(handle)
	s, err := store(ctx, sqldb.Handle{SQL: handle, Dialect: Dialect{}}, now)
	if err != nil {
		handle.Close()
		return none, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return s, nil
}

// maxConns bounds a database's connections. Readers run in parallel under
// WAL but there are only so many cores, each connection holds its own page
// cache and prepared statements, and writers queue on one lock anyway. All
// of them stay open: opening one means opening the file and applying the
// pragmas again, which under load cost a twelfth of the server's time when
// database/sql kept only its default two idle.
const maxConns = 8

func poolFor(handle *sql.DB) {
	handle.SetMaxOpenConns(maxConns)
	handle.SetMaxIdleConns(maxConns)
}

// Dialect recognises SQLite's extended result codes.
type Dialect struct{}

// Name implements sqldb.Dialect.
func (Dialect) Name() string { return "sqlite" }

// IsUniqueViolation implements sqldb.Dialect.
func (Dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// JSONArrayAgg implements sqldb.Dialect.
func (Dialect) JSONArrayAgg(expr, orderBy string) string {
	return "json_group_array(" + expr + " ORDER BY " + orderBy + ")"
}

// Rewrite implements sqldb.Dialect: the migrations are SQLite's own SQL.
func (Dialect) Rewrite(migration string) string { return migration }

// EarlyCommit implements sqldb.Dialect: nothing, for a commit in WAL mode
// with synchronous=NORMAL does not wait for the disk.
func (Dialect) EarlyCommit(context.Context, *sql.Tx) error { return nil }

// LockMigrations is a no-op: transactions begin IMMEDIATE, which already
// serialises writers.
func (Dialect) LockMigrations(context.Context, *sql.Tx) error { return nil }

// Backup writes a consistent copy of the database at path to dst, a file
// that must not exist, while servers go on using the database. It goes
// through SQLite, never around it: VACUUM INTO, on a connection of its own
// opened read-only, reads one snapshot in a read transaction (which under
// WAL blocks no writer) and writes a compact, self-contained database with
// no WAL beside it. Copying the files instead would tear them mid-write,
// and a descriptor opened on them outside SQLite would drop the server's
// locks (see server.writableSQLite). The copy is checked and synced
// before Backup returns.
func Backup(ctx context.Context, path, dst string) error {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(30000)")
	src := sql.OpenDB(&connector{dsn: "file:" + path + "?" + q.Encode(), driver: &sqlite.Driver{}})
	defer src.Close()
	if _, err := src.ExecContext(ctx, "VACUUM INTO $1", dst); err != nil {
		os.Remove(dst)
		return fmt.Errorf("sqlite %s: %w", path, err)
	}
	if err := src.Close(); err != nil {
		return err
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return err
	}
	if err := check(ctx, dst); err != nil {
		return fmt.Errorf("backup of %s: %w", path, err)
	}
	f, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// check runs SQLite's quick check on the database at path, read-only.
func check(ctx context.Context, path string) error {
	db := sql.OpenDB(&connector{dsn: "file:" + path + "?mode=ro", driver: &sqlite.Driver{}})
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("quick_check: %s", res)
	}
	return nil
}
