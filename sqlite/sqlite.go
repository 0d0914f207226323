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
	"sync/atomic"
	"time"

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
	pragmas := []string{"journal_mode(WAL)", "busy_timeout(30000)", "foreign_keys(1)", "synchronous(NORMAL)",
		fmt.Sprintf("wal_autocheckpoint(%d)", autoCheckpointPages)}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	// Write transactions take the write lock at BEGIN, so two writers never
	// deadlock upgrading read locks; the busy timeout queues them instead.
	q.Set("_txlock", "immediate")
	handle := sql.OpenDB(&connector{dsn: "file:" + path + "?" + q.Encode(), driver: &sqlite.Driver{}})
	poolFor(handle)
	gate := sqldb.NewWriteGate()
	stop := checkpoints(handle, gate, time.Duration(checkpointInterval.Load()))
	s, err := store(ctx, sqldb.Handle{SQL: handle, Dialect: Dialect{}, Writers: gate, Release: stop}, now)
	if err != nil {
		stop()
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

// The WAL is copied back into the database (checkpointed) in the
// background, every checkpointInterval, rather than by SQLite's automatic
// checkpoint, which runs inside the commit that grows the WAL past 1,000
// pages: that commit waited for the copy and its two syncs, and with the
// write gate every writer queued behind it. SQLite's own checkpoint stays
// as a bound, at autoCheckpointPages, should the background one fall
// behind.
const (
	autoCheckpointPages = 16384 // 64 MiB of 4 KiB pages
	// restartFrames is the WAL's length past which a checkpoint finishes
	// with the writers held back: see checkpoints.
	restartFrames = 4096
)

// checkpointInterval is a time.Duration; the tests shorten it.
var checkpointInterval atomic.Int64

func init() { checkpointInterval.Store(int64(time.Second)) }

// checkpoints checkpoints handle's database every interval until the
// returned function is called, which waits for a checkpoint in progress.
//
// A passive checkpoint holds no lock that readers or writers wait on, so
// writers go on committing while it copies; but SQLite starts the WAL over
// only after a checkpoint copied every frame, and under steady writes one
// always commits during the copy: the WAL would grow for ever. So once
// the WAL is longer than restartFrames, the frames written during the
// copy, a few, are copied again with this process's writers held at the
// gate, and the next writer starts the WAL over.
func checkpoints(handle *sql.DB, gate *sqldb.WriteGate, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// Errors are left to the next tick, and to the automatic
			// checkpoint: a busy database or one being closed.
			frames, err := checkpoint(ctx, handle)
			if err != nil || frames < restartFrames {
				continue
			}
			if gate.Enter(ctx) != nil {
				return // stopped
			}
			checkpoint(ctx, handle)
			gate.Leave()
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// checkpoint runs a passive checkpoint and returns the WAL's length in
// frames as it began.
func checkpoint(ctx context.Context, handle *sql.DB) (frames int, err error) {
	var busy, copied int
	err = handle.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, err
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
