package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"modernc.org/sqlite"
)

// stmtCacheSize is how many prepared statements each connection keeps. The
// server's SQL texts are a few dozen fixed strings plus the shapes of IN
// lists and filter combinations; the rest are evicted least-recently-used.
const stmtCacheSize = 256

// connector opens modernc connections that keep their prepared statements.
// Without it every query is parsed and planned again: a CPU profile of the
// list-services path put SQLite's parser at a sixth of the server's time.
// database/sql's own Stmt would need every call site to prepare, and
// PostgreSQL has pgx's statement cache already; a cache in the connection
// serves package sqldb's plain QueryContext/ExecContext calls unchanged.
type connector struct {
	dsn    string
	driver *sqlite.Driver
}

// Connect implements driver.Connector.
func (c *connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn.(modernConn), stmts: map[string]*list.Element{}, lru: list.New()}, nil
}

// Driver implements driver.Connector.
func (c *connector) Driver() driver.Driver { return c.driver }

// modernConn is what modernc's connection implements and cachingConn
// forwards.
type modernConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// modernStmt is what modernc's prepared statement implements.
type modernStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is one connection with its prepared statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	conn  modernConn
	stmts map[string]*list.Element // SQL text -> element of lru holding *cachedStmt
	lru   *list.List               // most recently used first
}

// cachedStmt is a prepared statement; busy while rows read from it are
// open, when the same SQL text (a nested query in a transaction) gets a
// statement of its own instead.
type cachedStmt struct {
	query string
	stmt  modernStmt
	busy  bool
}

// cacheable reports whether query is worth keeping: a script of several
// statements (a migration) is run once and cannot be kept prepared.
func cacheable(query string) bool {
	return !strings.Contains(query, ";")
}

// statement returns the idle cached statement of query, preparing it on a
// miss, or nil when query is not kept.
func (c *cachingConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	if el, ok := c.stmts[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(el)
		return cs, nil
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st.(modernStmt)}
	c.stmts[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		c.evict(c.lru.Back())
	}
	return cs, nil
}

// evict closes and forgets one statement; a busy one is closed by its rows.
func (c *cachingConn) evict(el *list.Element) {
	cs := el.Value.(*cachedStmt)
	c.lru.Remove(el)
	delete(c.stmts, cs.query)
	if !cs.busy {
		cs.stmt.Close()
	}
}

// forget drops a statement that failed, in case the failure left it unusable.
func (c *cachingConn) forget(cs *cachedStmt) {
	if el, ok := c.stmts[cs.query]; ok && el.Value == cs {
		c.evict(el)
	}
}

// ExecContext implements driver.ExecerContext through the cache.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	} else if cs == nil {
		return c.conn.ExecContext(ctx, query, args)
	}
	res, err := cs.stmt.ExecContext(ctx, args)
	if err != nil {
		c.forget(cs)
	}
	return res, err
}

// QueryContext implements driver.QueryerContext through the cache.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	} else if cs == nil {
		return c.conn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		c.forget(cs)
		return nil, err
	}
	cs.busy = true
	return &cachedRows{modernRows: rows.(modernRows), conn: c, stmt: cs}, nil
}

// Close implements driver.Conn, closing the kept statements first.
func (c *cachingConn) Close() error {
	for c.lru.Len() > 0 {
		c.evict(c.lru.Front())
	}
	return c.conn.Close()
}

// Prepare implements driver.Conn; explicit statements are not cached.
func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

// PrepareContext implements driver.ConnPrepareContext.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.PrepareContext(ctx, query)
}

// Begin implements driver.Conn.
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.conn.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.BeginTx(ctx, opts)
}

// Ping implements driver.Pinger.
func (c *cachingConn) Ping(ctx context.Context) error { return c.conn.Ping(ctx) }

// ResetSession implements driver.SessionResetter.
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.conn.ResetSession(ctx) }

// IsValid implements driver.Validator.
func (c *cachingConn) IsValid() bool { return c.conn.IsValid() }

// modernRows is what modernc's rows implement; database/sql reads the
// column types through these interfaces, so cachedRows keeps them.
type modernRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	modernRows
	conn *cachingConn
	stmt *cachedStmt
}

// Close implements driver.Rows: the statement is reset for reuse, or
// closed if it was evicted meanwhile.
func (r *cachedRows) Close() error {
	err := r.modernRows.Close()
	r.stmt.busy = false
	if el, ok := r.conn.stmts[r.stmt.query]; !ok || el.Value != r.stmt {
		err = errors.Join(err, r.stmt.stmt.Close())
	} else if err != nil {
		r.conn.forget(r.stmt)
	}
	return err
}
