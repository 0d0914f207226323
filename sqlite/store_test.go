package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/amigo-oss/amigo-server/sqldb"
	"github.com/amigo-oss/amigo-server/sqldb/storetest"
	"github.com/amigo-oss/amigo-server/sqlite"
)

// TestStoreContract runs the storage contract on SQLite files.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		ctx, dir := context.Background(), t.TempDir()
		d, err := sqlite.OpenDirectory(ctx, filepath.Join(dir, "directory.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		c, err := sqlite.OpenCluster(ctx, filepath.Join(dir, "cluster.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		r, err := sqlite.OpenCluster(ctx, filepath.Join(dir, "cluster.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return storetest.Stores{Directory: d, Cluster: c, Replica: r}
	})
}

// TestVersionIDBackfill runs the version-id migration on a SQLite file.
func TestVersionIDBackfill(t *testing.T) {
	handle, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "cluster.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { handle.Close() })
	storetest.VersionIDBackfill(t, sqldb.Handle{SQL: handle, Dialect: sqlite.Dialect{}})
}
