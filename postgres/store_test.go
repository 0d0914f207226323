package postgres_test

import (
	"context"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/postgres"
	"github.com/amigo-oss/amigo-server/sqldb/storetest"
)

// TestStoreContract runs the storage contract on PostgreSQL, one fresh
// schema per database. Without a PostgreSQL (see testsvc) it skips, saying
// so; under AMIGO_TEST_REQUIRE_SERVICES=1 it fails instead.
func TestStoreContract(t *testing.T) {
	b := testenv.RequirePostgres(t)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		ctx := context.Background()
		d, err := postgres.OpenDirectory(ctx, b.NewURL(t, "directory"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		url := b.NewURL(t, "cluster")
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
