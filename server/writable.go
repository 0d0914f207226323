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
// the first write. SQLite is checked on the file system (the file, and its
// directory for the journal), PostgreSQL by asking whether the session may
// write (a read-only replica or default_transaction_read_only may not).
// Open calls it before serving and /readyz on every probe.
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

// writableSQLite checks an SQLite database that exists, and its directory
// if that exists; anything missing is created on open.
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
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: database %s cannot be written: %w", what, path, err)
	}
	return f.Close()
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

// writableDir checks that a file can be created in dir.
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
