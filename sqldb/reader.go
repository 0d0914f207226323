package sqldb

import (
	"context"
	"database/sql"
)

// Handle is one database as the stores use it.
type Handle struct {
	// SQL runs migrations and transactions, and every other statement
	// unless Reads is set.
	SQL *sql.DB
	// Reads, if set, runs the statements a store reads outside a
	// transaction. Package postgres reads through pgx's own interface,
	// which costs half of what database/sql around it does per statement.
	Reads Reader
	// Release, if set, frees what closing SQL does not: the pool that SQL
	// and Reads share.
	Release func()
	Dialect Dialect
	// Writers, if set, admits the store's transactions one at a time, in
	// order, before they take a connection: for a database that takes one
	// writer at a time (SQLite).
	Writers *WriteGate
	// Batches, if set, runs a Batch in fewer round trips than a
	// transaction through SQL does: package postgres sends it whole.
	Batches Batcher
}

// Reader runs statements that read.
type Reader interface {
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Row is one row to scan: a *sql.Row, a *sql.Rows, or pgx's.
type Row interface{ Scan(dest ...any) error }

// Rows is the result of a Reader's Query. pgx.Rows is one.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close()
}

// sqlQuerier is a *sql.DB or a *sql.Tx.
type sqlQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlReader is a Reader through database/sql: a handle, or a transaction
// for the reads it shares with the statements outside one.
type sqlReader struct{ q sqlQuerier }

func (r sqlReader) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (r sqlReader) QueryRow(ctx context.Context, query string, args ...any) Row {
	return r.q.QueryRowContext(ctx, query, args...)
}

// sqlRows drops the error of (*sql.Rows).Close, which Err reports.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// inTxReader reads inside tx.
func inTxReader(tx *sql.Tx) Reader { return sqlReader{tx} }
