package postgres

import (
	"database/sql"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultIdleTime is how long an idle connection stays open unless the URL
// sets pool_max_conn_idle_time: a server of many clusters gives back what a
// burst opened within a minute, instead of pgxpool's half hour.
const defaultIdleTime = time.Minute

// minPoolConns is the least connection budget per database unless the URL
// sets pool_max_conns. pgxpool's own default, the greater of 4 and the CPU
// count, left 32 concurrent listings on a 2-CPU server queueing in
// database/sql's pool, whose hand-offs between goroutines then cost a
// quarter of the server's time per request; 8 gave 30% more listings a
// second and 16 no more than 8.
const minPoolConns = 8

// pgxConfig parses a postgres:// URL into the connection's settings and the
// pool's. Extra runtime parameters in the URL, such as search_path, are
// passed to the server. The pool is sized by pgxpool's parameters, with
// pgxpool's defaults, and pgx's own parameters choose how statements run:
//
//   - pool_max_conns: the connection budget of this database per server
//     (default: the greater of 8 and the number of CPUs). Connections open
//     only when a request needs one and stay open, up to the budget, while
//     they are used.
//   - pool_max_conn_idle_time: an idle connection closes after this long
//     (default 1m); pool_max_conn_lifetime caps any connection's age (1h).
//   - default_query_exec_mode: cache_statement (default) prepares each
//     statement once per connection; behind PgBouncer in transaction mode,
//     where a connection changes between transactions, use exec or
//     simple_protocol. statement_cache_capacity sizes the cache (512).
func pgxConfig(url string) (*pgx.ConnConfig, *pgxpool.Config, error) {
	pool, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, nil, err
	}
	if !strings.Contains(url, "pool_max_conn_idle_time") {
		pool.MaxConnIdleTime = defaultIdleTime
	}
	if !strings.Contains(url, "pool_max_conns") {
		pool.MaxConns = int32(max(minPoolConns, runtime.NumCPU()))
	}
	return pool.ConnConfig, pool, nil
}

// sizePool applies the pool settings of the URL to database/sql's pool. The
// idle pool is as large as the open one: closing a connection that the next
// request reopens cost a twelfth of the list path's time under load.
func sizePool(handle *sql.DB, pool *pgxpool.Config) {
	handle.SetMaxOpenConns(int(pool.MaxConns))
	handle.SetMaxIdleConns(int(pool.MaxConns))
	handle.SetConnMaxIdleTime(pool.MaxConnIdleTime)
	handle.SetConnMaxLifetime(pool.MaxConnLifetime)
}
