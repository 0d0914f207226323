package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

// Batch is a transaction whose statements are all known before the first
// runs: what one statement does depends on the ones before it only
// through the database (an UPDATE … WHERE that matches nothing makes the
// statements that test the same condition do nothing too). Such a
// transaction needs no round trip per statement: package postgres sends
// it whole and reads every result at once (Batcher), where a transaction
// through database/sql pays one for BEGIN, each statement and COMMIT. The
// hot transactions of a conversation are batches: they run while the
// user waits.
//
// A scan may see its statement's result only once the batch has
// committed (on PostgreSQL it does), so it reports and is never relied on
// to undo: a statement's condition, not a scan's error, decides what is
// written.
type Batch struct {
	// Early commits without waiting for the disk (Dialect.EarlyCommit).
	Early bool
	stmts []Statement
	// bytes counts the text and binary arguments.
	bytes int
}

// Statement is one statement of a batch. Scan, if set, reads its one row
// (sql.ErrNoRows when there is none), ScanRows, if set, all its rows;
// otherwise the statement is run for its effect.
type Statement struct {
	Query    string
	Args     []any
	Scan     func(Row) error
	ScanRows func(Rows) error
}

// Batcher runs a batch in one transaction, in as few round trips as the
// database allows.
type Batcher interface {
	RunBatch(ctx context.Context, early bool, stmts []Statement) error
}

// batchBytes bounds the text of a batch that a Batcher runs: a driver
// encodes a batch's arguments into buffers that grow by doubling and that
// its connection keeps, so a larger batch (an interaction of a few
// megabytes of external events) runs statement by statement, keeping
// only its largest statement's.
const batchBytes = 256 << 10

// Exec queues a statement run for its effect.
func (b *Batch) Exec(query string, args ...any) {
	b.add(Statement{Query: query, Args: args})
}

// QueryRow queues a statement whose one row scan reads.
func (b *Batch) QueryRow(scan func(Row) error, query string, args ...any) {
	b.add(Statement{Query: query, Args: args, Scan: scan})
}

// Query queues a statement whose rows scan reads, until Next is false.
func (b *Batch) Query(scan func(Rows) error, query string, args ...any) {
	b.add(Statement{Query: query, Args: args, ScanRows: scan})
}

func (b *Batch) add(s Statement) {
	for _, a := range s.Args {
		switch v := a.(type) {
		case string:
			b.bytes += len(v)
		case []byte:
			b.bytes += len(v)
		}
	}
	b.stmts = append(b.stmts, s)
}

// runBatch runs b in one transaction: through the handle's Batcher when it
// has one, or statement by statement in a transaction of inTx when it has
// none, when b is too large for one, or when the context's journal holds
// records to write with it.
func (db *DB) runBatch(ctx context.Context, b *Batch) error {
	if db.batches != nil && b.bytes <= batchBytes && !(db.journaled && amigo.JournalFrom(ctx).Pending()) {
		return db.batches.RunBatch(ctx, b.Early, b.stmts)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if b.Early {
			if err := db.dialect.EarlyCommit(ctx, tx); err != nil {
				return err
			}
		}
		for _, s := range b.stmts {
			if err := runStatement(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// readBatch runs b, whose statements only read: through the handle's
// Batcher when it has one, in one round trip (and one snapshot), or one
// by one outside any transaction (a reader need not queue with SQLite's
// writers).
func (db *DB) readBatch(ctx context.Context, b *Batch) error {
	if db.batches != nil && b.bytes <= batchBytes {
		return db.batches.RunBatch(ctx, false, b.stmts)
	}
	for _, s := range b.stmts {
		if err := readStatement(ctx, db.read, s); err != nil {
			return err
		}
	}
	return nil
}

// readStatement runs one statement of a read batch on r.
func readStatement(ctx context.Context, r Reader, s Statement) error {
	switch {
	case s.Scan != nil:
		return s.Scan(r.QueryRow(ctx, s.Query, s.Args...))
	case s.ScanRows != nil:
		rows, err := r.Query(ctx, s.Query, s.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := s.ScanRows(rows); err != nil {
			return err
		}
		return rows.Err()
	default:
		return amigo.Errorf(amigo.EINTERNAL, "a read batch holds a statement that reads nothing")
	}
}

// runStatement runs one statement of a batch inside tx.
func runStatement(ctx context.Context, tx *sql.Tx, s Statement) error {
	if s.Scan != nil || s.ScanRows != nil {
		return readStatement(ctx, inTxReader(tx), s)
	}
	_, err := tx.ExecContext(ctx, s.Query, s.Args...)
	return err
}
