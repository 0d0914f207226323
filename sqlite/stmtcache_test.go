package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
)

// openCached opens a scratch database through the caching connector, as
// Open does, with one connection so that every query shares its cache.
func openCached(t testing.TB) *sql.DB {
	db := sql.OpenDB(&connector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db"), driver: &sqlite.Driver{}})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO kv VALUES (1, 'a'), (2, 'b'), (3, 'c')`); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestStatementCache checks what the cache must not change: the same SQL
// text run again while its rows are still open (a nested query in a
// transaction) reads its own rows, and statements evicted from a full cache
// or failing keep later queries correct.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := openCached(t)
	const q = `SELECT v FROM kv WHERE k >= $1 ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var v string
		outer.Scan(&v)
		var inner []string
		rows, err := tx.QueryContext(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var w string
			rows.Scan(&w)
			inner = append(inner, w)
		}
		rows.Close()
		got = append(got, v+fmt.Sprint(inner))
	}
	outer.Close()
	tx.Commit()
	if want := "a[c] b[c] c[c]"; fmt.Sprint(got) != "["+want+"]" {
		t.Fatalf("nested reads %v, want [%s]", got, want)
	}

	for i := range stmtCacheSize + 10 {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) + %d FROM kv`, i)).Scan(&n); err != nil || n != 3+i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if _, err := db.Exec(`INSERT INTO kv VALUES ($1, $2)`, 1, "dup"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := db.Exec(`INSERT INTO kv VALUES ($1, $2)`, 4, "d"); err != nil {
		t.Fatalf("the statement after a failed one: %v", err)
	}
	var v string
	if err := db.QueryRow(q, 4).Scan(&v); err != nil || v != "d" {
		t.Fatalf("got %q, %v", v, err)
	}
}

// BenchmarkPointQuery compares a point query through the caching connector
// with the driver that parses and plans it on every call.
func BenchmarkPointQuery(b *testing.B) {
	plain, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "p.db"))
	if err != nil {
		b.Fatal(err)
	}
	plain.SetMaxOpenConns(1)
	plain.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO kv VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
	defer plain.Close()
	for name, db := range map[string]*sql.DB{"cached": openCached(b), "uncached": plain} {
		b.Run(name, func(b *testing.B) {
			var v string
			for b.Loop() {
				if err := db.QueryRow(`SELECT v FROM kv WHERE k = $1`, 2).Scan(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
