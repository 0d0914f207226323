package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultIdleTime is how long an idle connection stays open unless the URL
// sets pool_max_conn_idle_time: a server of many clusters gives back what a
// burst opened within a minute, instead of pgxpool's half hour.
const defaultIdleTime = time.Minute

// defaultMaxConns is the connection budget of a database per server unless
// the URL sets pool_max_conns. pgxpool's own, the greater of 4 and the
// number of CPUs, made 16 conversations whose interactions start together
// queue for connections: a one-row read before the model's call took 19 ms
// at the median, 0.5 ms with 16 connections (docs/conversations.md,
// Benchmark). Connections open only when needed and close after a minute
// idle, so the larger budget costs nothing when the load is light.
const defaultMaxConns = 16

// pgxConfig parses a postgres:// URL into the pool's settings. Extra
// runtime parameters in the URL, such as search_path, are passed to the
// server. The pool is sized by pgxpool's parameters, and pgx's own
// parameters choose how statements run:
//
//   - pool_max_conns: the connection budget of this database per server
//     (default 16, defaultMaxConns). Connections open
//     only when a request needs one and stay open, up to the budget, while
//     they are used.
//   - pool_max_conn_idle_time: an idle connection closes after this long
//     (default 1m); pool_max_conn_lifetime caps any connection's age (1h).
//   - default_query_exec_mode: cache_statement (default) prepares each
//     statement once per connection; behind PgBouncer in transaction mode,
//     where a connection changes between transactions, use exec or
//     simple_protocol. statement_cache_capacity sizes the cache (512).
//   - plan_cache_mode: force_generic_plan (default, with cache_statement);
//     see genericPlans.
func pgxConfig(url string) (*pgxpool.Config, error) {
	pool, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(url, "pool_max_conns") {
		pool.MaxConns = defaultMaxConns
	}
	if !strings.Contains(url, "pool_max_conn_idle_time") {
		pool.MaxConnIdleTime = defaultIdleTime
	}
	if _, set := pool.ConnConfig.RuntimeParams["plan_cache_mode"]; !set && pool.ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement {
		pool.AfterConnect = genericPlans
	}
	return pool, nil
}

// genericPlans has the connection plan a prepared statement once, for
// every execution. Left to choose, PostgreSQL planned the listing's
// statement again on every execution, which cost more than running it:
// with generic plans pgbench ran it 1.8 times as often. Every statement
// of the stores reads a few rows of one organization through an index,
// and their generic plans are the ones PostgreSQL picks for given
// values. It is a SET once per connection rather than a startup
// parameter, which PgBouncer would refuse; the exec modes PgBouncer
// needs prepare nothing and skip it.
func genericPlans(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan")
	return err
}
