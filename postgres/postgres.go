// Package postgres is the production storage backend: PostgreSQL through
// pgx. It only opens databases and supplies the dialect; the queries live in
// package sqldb.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/sqldb"
)

// OpenDirectory connects to the PostgreSQL database at url (postgres://…)
// as the directory, applying its migrations. now stamps what the store
// writes.
func OpenDirectory(ctx context.Context, url string, now amigo.Clock) (*sqldb.DirectoryStore, error) {
	return open(ctx, url, now, sqldb.OpenDirectory)
}

// OpenCluster connects to the PostgreSQL database at url (postgres://…) as
// a cluster, applying its migrations. now stamps what the store writes.
func OpenCluster(ctx context.Context, url string, now amigo.Clock) (*sqldb.ClusterStore, error) {
	return open(ctx, url, now, sqldb.OpenCluster)
}

func open[S any](ctx context.Context, url string, now amigo.Clock,
	store func(context.Context, sqldb.Handle, amigo.Clock) (S, error)) (S, error) {
	var none S
	h, err := Connect(ctx, url)
	if err != nil {
		return none, err
	}
	s, err := store(ctx, h, now)
	if err != nil {
		h.SQL.Close()
		h.Release()
		return none, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// Connect opens the database at url (postgres://…) as the stores use it:
// one pgx pool, which serves reads through pgx's own interface, and
// database/sql on top of the same pool for migrations and transactions,
// so the two share one connection budget. The pool opens connections
// lazily; see pgxConfig for its settings.
func Connect(ctx context.Context, url string) (sqldb.Handle, error) {
	cfg, err := pgxConfig(url)
	if err != nil {
		return sqldb.Handle{}, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return sqldb.Handle{}, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return sqldb.Handle{}, fmt.Errorf("postgres: %w", err)
	}
	handle := stdlib.OpenDBFromPool(pool)
	handle.SetMaxOpenConns(int(cfg.MaxConns))
	direct := onPool{pool}
	return sqldb.Handle{SQL: handle, Reads: direct, Batches: direct, Release: pool.Close, Dialect: Dialect{}}, nil
}

// onPool runs a store's reads and batches on the pool through pgx's own
// interface, outside database/sql.
type onPool struct{ pool *pgxpool.Pool }

// RunBatch implements sqldb.Batcher: the statements go to the server at
// once, as one implicit transaction (the extended protocol's messages up
// to one Sync, or one simple query of them all), and their results are
// read as they come back, all in one round trip. An early batch begins
// with SET LOCAL synchronous_commit = off (EarlyCommit). A statement that
// fails rolls back the whole batch.
func (r onPool) RunBatch(ctx context.Context, early bool, stmts []sqldb.Statement) error {
	var b pgx.Batch
	if early {
		b.Queue(earlyCommit)
	}
	for _, s := range stmts {
		q := b.Queue(s.Query, s.Args...)
		switch {
		case s.Scan != nil:
			q.QueryRow(func(row pgx.Row) error { return s.Scan(row) })
		case s.ScanRows != nil:
			q.Query(func(rows pgx.Rows) error { return s.ScanRows(rows) })
		}
	}
	return r.pool.SendBatch(ctx, &b).Close()
}

func (r onPool) Query(ctx context.Context, query string, args ...any) (sqldb.Rows, error) {
	rows, err := r.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (r onPool) QueryRow(ctx context.Context, query string, args ...any) sqldb.Row {
	return r.pool.QueryRow(ctx, query, args...)
}

// Dialect recognises PostgreSQL's SQLSTATE codes.
type Dialect struct{}

// Name implements sqldb.Dialect.
func (Dialect) Name() string { return "postgres" }

// IsUniqueViolation implements sqldb.Dialect: SQLSTATE 23505.
func (Dialect) IsUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// blob matches the BLOB type name in a migration.
var blob = regexp.MustCompile(`\bBLOB\b`)

// JSONArrayAgg implements sqldb.Dialect.
func (Dialect) JSONArrayAgg(expr, orderBy string) string {
	return "json_agg(" + expr + " ORDER BY " + orderBy + ")"
}

// Rewrite implements sqldb.Dialect: BLOB columns are BYTEA.
func (Dialect) Rewrite(migration string) string { return blob.ReplaceAllString(migration, "BYTEA") }

// EarlyCommit implements sqldb.Dialect: the transaction commits without
// waiting for its WAL to reach the disk (synchronous_commit off for it
// alone). PostgreSQL may lose it in a crash, never half of it, and the
// next durable commit flushes it with its own.
func (Dialect) EarlyCommit(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, earlyCommit)
	return err
}

const earlyCommit = `SET LOCAL synchronous_commit = off`

// LockMigrations takes a transaction-scoped advisory lock so that several
// servers starting at once apply each migration exactly once.
func (Dialect) LockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7240917)`)
	return err
}
