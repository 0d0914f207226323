package postgres_test

import (
	"context"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/sqldb/storetest"
)

// TestStoreContract runs the storage contract on PostgreSQL, one fresh
// schema per database, in each of pgx's ways of running statements: the
// default prepares them, and exec and simple_protocol, which PgBouncer in
// transaction mode requires, prepare nothing (batches are one simple
// query of all their statements in the last). Without a PostgreSQL (see
// testsvc) it skips, saying so; under AMIGO_TEST_REQUIRE_SERVICES=1 it
// fails instead.
func TestStoreContract(t *testing.T) {
	b := testenv.RequirePostgres(t)
	for _, mode := range []string{"cache_statement", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) storetest.Stores {
				ctx := context.Background()
				newURL := func(label string) string { return b.NewURL(t, label) + "&default_query_exec_mode=" + mode }
				d, err := postgres.OpenDirectory(ctx, newURL("directory"), nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				url := newURL("cluster")
				c, err := postgres.OpenCluster(ctx, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				r, err := postgres.OpenCluster(ctx, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { r.Close() })
				return storetest.Stores{Directory: d, Cluster: c, Replica: r}
			})
		})
	}
}

// TestVersionIDBackfill runs the version-id migration on a fresh
// PostgreSQL schema.
func TestVersionIDBackfill(t *testing.T) {
	b := testenv.RequirePostgres(t)
	h, err := postgres.Connect(context.Background(), b.NewURL(t, "backfill"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.SQL.Close(); h.Release() })
	storetest.VersionIDBackfill(t, h)
}
