package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/sqldb"
)

func connect(t *testing.T, url string) sqldb.Handle {
	t.Helper()
	h, err := postgres.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.SQL.Close(); h.Release() })
	return h
}

func setting(t *testing.T, r sqldb.Reader, name string) string {
	t.Helper()
	var v string
	if err := r.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPlanCacheMode: with the default exec mode, prepared statements are
// planned once (generic plans), on the pool's reads and in transactions
// alike; a URL that sets plan_cache_mode keeps its own, and the exec
// modes that suit PgBouncer, which prepare nothing, send no SET.
func TestPlanCacheMode(t *testing.T) {
	b := testenv.RequirePostgres(t)
	url := b.NewURL(t, "plans")
	for _, tt := range []struct{ extra, want string }{
		{"", "force_generic_plan"},
		{"&plan_cache_mode=force_custom_plan", "force_custom_plan"},
		{"&default_query_exec_mode=exec", "auto"},
		{"&default_query_exec_mode=simple_protocol", "auto"},
	} {
		h := connect(t, url+tt.extra)
		if got := setting(t, h.Reads, "plan_cache_mode"); got != tt.want {
			t.Errorf("%q: reads plan with %s, want %s", tt.extra, got, tt.want)
		}
		tx, err := h.SQL.Begin()
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := tx.QueryRow("SELECT current_setting('plan_cache_mode')").Scan(&got); err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		if got != tt.want {
			t.Errorf("%q: transactions plan with %s, want %s", tt.extra, got, tt.want)
		}
	}
}

// TestOneConnectionBudget: reads through pgx and transactions through
// database/sql draw on one pool, so a database never sees more than
// pool_max_conns connections of a server, however the load is mixed.
func TestOneConnectionBudget(t *testing.T) {
	b := testenv.RequirePostgres(t)
	app := fmt.Sprintf("amigo_budget_%d", time.Now().UnixNano())
	h := connect(t, b.NewURL(t, "budget")+"&pool_max_conns=3&application_name="+app)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			if i%2 == 0 {
				rows, err := h.Reads.Query(ctx, "SELECT pg_sleep(0.02)")
				if err == nil {
					for rows.Next() {
					}
					rows.Close()
					err = rows.Err()
				}
				errs <- err
				return
			}
			tx, err := h.SQL.BeginTx(ctx, nil)
			if err == nil {
				_, err = tx.Exec("SELECT pg_sleep(0.02)")
				tx.Rollback()
			}
			errs <- err
		})
	}
	most := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	admin, err := sql.Open("pgx", b.NewURL(t, "budget_admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for watching := true; watching; {
		select {
		case <-done:
			watching = false
		default:
			var n int
			if err := admin.QueryRow("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			most = max(most, n)
		}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if most == 0 || most > 3 {
		t.Fatalf("the database saw up to %d connections of a pool of 3", most)
	}
}
