// Package sqldb implements the storage interfaces of package amigo on top of
// database/sql, as two stores split by what they hold: DirectoryStore (the
// global map of organizations to regions and clusters) and ClusterStore
// (the tenant data of one cluster). Both sit on DB, the SQL plumbing they
// share: the handle, the dialect, migrations, transactions and the query
// helpers. Package sqlite and package postgres supply the driver and a
// Dialect that recognises their error codes. Queries use $N placeholders,
// which both accept.
//
// Every public method owns its transaction; helpers that take a *sql.Tx do
// the work. Storage reads, locks and writes; it answers with domain error
// codes (ENOTFOUND, ECONFLICT) and leaves every business rule, and every
// message about one, to package core, which it must not import.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Dialect is what differs between the backends.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// IsUniqueViolation recognises a unique-constraint error by its code.
	IsUniqueViolation(err error) bool
	// LockMigrations serialises concurrent migrators inside tx.
	LockMigrations(ctx context.Context, tx *sql.Tx) error
	// JSONArrayAgg is the aggregate of expr's values, in the order of
	// orderBy, as a JSON array of strings (NULL or "[]" for none).
	JSONArrayAgg(expr, orderBy string) string
	// Rewrite adapts a migration, written in SQL both databases accept
	// but for type names, to the dialect (PostgreSQL spells BLOB BYTEA).
	Rewrite(migration string) string
	// EarlyCommit lets tx's commit return before it is durable, for a
	// transaction that a crash of the database may lose harmlessly; a
	// later durable commit makes it durable too. Nothing where commits do
	// not wait for the disk anyway.
	EarlyCommit(ctx context.Context, tx *sql.Tx) error
}

//go:embed migrations/cluster/*.sql
var clusterMigrations embed.FS

//go:embed migrations/directory/*.sql
var directoryMigrations embed.FS

// OpenDirectory applies the directory's embedded migrations to handle and
// returns the directory store on it.
func OpenDirectory(ctx context.Context, h Handle, now amigo.Clock) (*DirectoryStore, error) {
	db := newDB(h, now)
	if err := db.migrateEmbedded(ctx, directoryMigrations, "migrations/directory", "amigo_directory_migrations"); err != nil {
		return nil, err
	}
	return &DirectoryStore{db}, nil
}

// OpenCluster applies a cluster's embedded migrations to handle and returns
// the cluster store on it.
func OpenCluster(ctx context.Context, h Handle, now amigo.Clock) (*ClusterStore, error) {
	db := newDB(h, now)
	if err := db.migrateEmbedded(ctx, clusterMigrations, "migrations/cluster", "amigo_migrations"); err != nil {
		return nil, err
	}
	db.journaled = true
	return &ClusterStore{DB: db, services: newServiceCache(db.Now)}, nil
}

// OpenClusterBefore is OpenCluster applying only the migrations whose names
// sort before stop: the database as an older release left it, for the
// tests of the migrations that follow.
func OpenClusterBefore(ctx context.Context, h Handle, now amigo.Clock, stop string) (*ClusterStore, error) {
	sub, err := fs.Sub(clusterMigrations, "migrations/cluster")
	if err != nil {
		return nil, err
	}
	db := newDB(h, now)
	if err := db.Migrate(ctx, before{sub, stop}, "amigo_migrations"); err != nil {
		return nil, err
	}
	return &ClusterStore{DB: db, services: newServiceCache(db.Now)}, nil
}

// before hides the files of an FS whose names sort at or after stop.
type before struct {
	fs.FS
	stop string
}

func (b before) Open(name string) (fs.File, error) {
	if name != "." && name >= b.stop {
		return nil, fs.ErrNotExist
	}
	return b.FS.Open(name)
}

func (b before) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(b.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() >= b.stop }), err
}

func (db *DB) migrateEmbedded(ctx context.Context, migrations embed.FS, dir, set string) error {
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	return db.Migrate(ctx, sub, set)
}

// DB is the plumbing of one database that both stores share.
type DB struct {
	db *sql.DB
	// read runs the statements read outside a transaction.
	read    Reader
	release func()
	dialect Dialect
	// Now is the clock that stamps what the store writes without being
	// told a time; it is the server's one clock (nil: the system clock).
	Now amigo.Clock
	// journaled is set on cluster databases, which hold the change log:
	// their transactions write the context's journal before committing.
	journaled bool
	// writers is Handle.Writers.
	writers *WriteGate
	// batches is Handle.Batches.
	batches Batcher
}

func newDB(h Handle, now amigo.Clock) *DB {
	if now == nil {
		now = amigo.SystemClock
	}
	db := &DB{db: h.SQL, read: h.Reads, release: h.Release, dialect: h.Dialect, writers: h.Writers, batches: h.Batches, Now: now}
	if db.read == nil {
		db.read = sqlReader{h.SQL}
	}
	return db
}

// SQL returns the underlying handle, for operator tools and tests.
func (db *DB) SQL() *sql.DB { return db.db }

// Dialect returns the backend's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the handle.
func (db *DB) Close() error {
	err := db.db.Close()
	if db.release != nil {
		db.release()
	}
	return err
}

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// Migrate applies, in name order, every *.sql file of migrations that the
// table named by set does not record yet. Each file runs in its own
// transaction together with its bookkeeping row.
func (db *DB) Migrate(ctx context.Context, migrations fs.FS, set string) error {
	// Under the migration lock: PostgreSQL's CREATE TABLE IF NOT EXISTS
	// fails when servers sharing a fresh database start at the same time.
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.dialect.LockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+set+` (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create %s: %w", set, err)
	}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, migrations, set, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, migrations fs.FS, set, name string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.dialect.LockMigrations(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+set+` WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return nil
		}
		body, err := fs.ReadFile(migrations, path.Clean(name))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.dialect.Rewrite(string(body))); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO `+set+` (name, applied_at) VALUES ($1, $2)`, name, ts(db.Now()))
		return err
	})
}

// inTx runs fn in a transaction, committing when it returns nil. On a
// cluster, the records of the context's journal (amigo.Journal) are written
// in the same transaction after fn succeeds, so a change and its record
// commit or fail together.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.writers != nil {
		if err := db.writers.Enter(ctx); err != nil {
			return err
		}
		defer db.writers.Leave()
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if db.journaled {
		if err := writeJournal(ctx, tx, amigo.JournalFrom(ctx)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// execOne runs a statement that must affect a row, returning missing
// otherwise. On a cluster it runs in a transaction, for the journal.
func (db *DB) execOne(ctx context.Context, missing error, stmt string, args ...any) error {
	if !db.journaled {
		return execOneTx(ctx, db.db, missing, stmt, args...)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error { return execOneTx(ctx, tx, missing, stmt, args...) })
}

// ts converts a time to the stored form: Unix microseconds.
func ts(t time.Time) int64 { return t.UnixMicro() }

// fromTS converts a stored timestamp back to UTC time.
func fromTS(us int64) time.Time { return time.UnixMicro(us).UTC() }

// notFound maps sql.ErrNoRows to ENOTFOUND with the given message.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return amigo.Errorf(amigo.ENOTFOUND, format, args...)
	}
	return err
}

// placeholders returns "$from, $from+1, ..." for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// query accumulates a WHERE clause and its arguments.
type query struct {
	where []string
	args  []any
}

// add appends a condition; each "?" in cond becomes the next $N.
func (q *query) add(cond string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(q.args)), 1)
	}
	q.where = append(q.where, cond)
}

// in appends "col IN (...)" for a non-empty list of values.
func (q *query) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	q.where = append(q.where, col+" IN ("+placeholders(len(q.args)+1, len(vals))+")")
	for _, v := range vals {
		q.args = append(q.args, v)
	}
}

// notIn appends "col NOT IN (...)" for a non-empty list of values.
func (q *query) notIn(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	q.where = append(q.where, col+" NOT IN ("+placeholders(len(q.args)+1, len(vals))+")")
	for _, v := range vals {
		q.args = append(q.args, v)
	}
}

// clause returns " WHERE a AND b" or "".
func (q *query) clause() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// page appends LIMIT/OFFSET asking for one extra row to learn has_more.
func (q *query) page(offset, limit int) string {
	q.args = append(q.args, limit+1, offset)
	return fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(q.args)-1, len(q.args))
}

// collect scans every row with scan and closes rows.
func collect[T any](rows Rows, err error, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// trimPage cuts a page fetched with one extra row and reports whether more follow.
func trimPage[T any](items []T, limit int) ([]T, bool) {
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}

// orderBy returns an ORDER BY clause for sort (the default columns when
// sort is empty), then id so that pages never overlap. Only id breaks ties,
// so (org_id, field, id) indexes serve the order without a sort.
func orderBy(sort []amigo.SortField, defaults ...string) string {
	cols := defaults
	if len(sort) > 0 {
		cols = nil
	}
	for _, s := range sort {
		dir := " ASC"
		if s.Desc {
			dir = " DESC"
		}
		cols = append(cols, s.Field+dir)
	}
	cols = append(cols, "id")
	return " ORDER BY " + strings.Join(cols, ", ")
}
