package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/amigo-oss/amigo-server/sqldb"
)

// Writable checks that every database can be written: a read-only data
// directory or database would otherwise pass every read and answer 500 on
// the first write. PostgreSQL is asked whether the session may write (a
// read-only replica or default_transaction_read_only may not); SQLite is
// checked on the file system, as writableSQLite says. Open calls it before
// serving and /readyz on every probe. It takes no lock: a probe that
// queued behind writers would fail under load for no fault of the server.
func (rt *Runtime) Writable(ctx context.Context) error {
	if err := writableDB(ctx, "directory", rt.Config.DirectoryURL, rt.Directory.DB); err != nil {
		return err
	}
	for name, db := range rt.Clusters {
		if err := writableDB(ctx, "cluster "+name, rt.Config.Clusters[name], db.DB); err != nil {
			return err
		}
	}
	return nil
}

// writableFiles is Writable's file-system half, which Open runs before
// opening anything: SQLite cannot even open a database it cannot write,
// and would say only "unable to open database file".
func writableFiles(cfg Config) error {
	if err := writableSQLite("directory", cfg.DirectoryURL); err != nil {
		return err
	}
	for name, url := range cfg.Clusters {
		if err := writableSQLite("cluster "+name, url); err != nil {
			return err
		}
	}
	return nil
}

// writableSQLite checks an SQLite database that exists, with its WAL and
// shared-memory files, and their directory if that exists; anything
// missing is created on open.
//
// It must never open a descriptor on those files. SQLite's locks are POSIX
// advisory locks, which belong to the process, and closing any descriptor
// of a file drops all of the process's locks on it, SQLite's included
// (https://sqlite.org/howtocorrupt.html, section 2.2). A server without
// its locks looks gone to the next SQLite client, whose close then
// checkpoints and deletes the WAL the server still writes to: from then on
// the server's writes are lost on a crash, and other processes no longer
// see them, nor the server theirs. So the files are checked by path with
// access(2), which opens nothing, and the directory by creating and
// removing a file of our own in it.
func writableSQLite(what, rawURL string) error {
	path, ok := sqlitePath(rawURL)
	if !ok {
		return nil
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return nil
	}
	if err := writableDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := canWrite(f); errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return fmt.Errorf("%s: database %s cannot be written: %w", what, f, err)
		}
	}
	return nil
}

// writableTx begins a write transaction through SQLite itself and rolls it
// back: SQLite refuses it if it opened the database read-only, which the
// checks by path cannot see. Open runs it once before serving; it waits
// for the write lock behind other writers, which a probe must not.
func writableTx(ctx context.Context, what, rawURL string, db *sqldb.DB) error {
	if _, ok := sqlitePath(rawURL); !ok {
		return nil
	}
	// The SQLite handle begins every transaction IMMEDIATE: with the
	// write lock.
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: database cannot be written: %w", what, err)
	}
	return tx.Rollback()
}

// writableTxs is writableTx for the directory and every cluster.
func (rt *Runtime) writableTxs(ctx context.Context) error {
	if err := writableTx(ctx, "directory", rt.Config.DirectoryURL, rt.Directory.DB); err != nil {
		return err
	}
	for name, db := range rt.Clusters {
		if err := writableTx(ctx, "cluster "+name, rt.Config.Clusters[name], db.DB); err != nil {
			return err
		}
	}
	return nil
}

func writableDB(ctx context.Context, what, rawURL string, db *sqldb.DB) error {
	if _, ok := sqlitePath(rawURL); ok {
		return writableSQLite(what, rawURL)
	}
	var writable bool
	err := db.SQL().QueryRowContext(ctx,
		"SELECT current_setting('transaction_read_only') = 'off' AND NOT pg_is_in_recovery()").Scan(&writable)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !writable {
		return fmt.Errorf("%s: database %s is read-only (a replica, or default_transaction_read_only is on)", what, redact(rawURL))
	}
	return nil
}

// writableDir checks that a file can be created in dir. The file is our
// own, never one SQLite holds open.
func writableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".amigo-write-check-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func sqlitePath(rawURL string) (string, bool) {
	if !strings.HasPrefix(rawURL, "sqlite://") {
		return "", false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false
	}
	return u.Path, true
}
