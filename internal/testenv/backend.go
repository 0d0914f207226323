// Package testenv starts real amigo-servers for behavioural tests: each test
// gets its own databases (a temp dir for SQLite, a schema for PostgreSQL), a
// bootstrapped platform organization, and a client that validates every
// response against the reference OpenAPI spec.
package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/amigo-oss/amigo-server"
)

// Backend provides fresh databases for one test.
type Backend struct {
	Name string
	// NewURL returns the URL of a new, empty database named for label.
	NewURL func(t testing.TB, label string) string
}

// RequireServices reports whether unreachable test services fail the run
// (CI) rather than skip.
func RequireServices() bool { return os.Getenv("AMIGO_TEST_REQUIRE_SERVICES") == "1" }

// Backends returns SQLite always and PostgreSQL when AMIGO_TEST_POSTGRES_URL
// is set; under AMIGO_TEST_REQUIRE_SERVICES=1 a missing or unreachable
// PostgreSQL fails the test.
func Backends(t testing.TB) []Backend {
	bs := []Backend{SQLite()}
	if pg, ok := Postgres(t); ok {
		bs = append(bs, pg)
	}
	return bs
}

// SQLite returns the embedded backend: one file per database in a temp dir.
func SQLite() Backend {
	return Backend{Name: "sqlite", NewURL: func(t testing.TB, label string) string {
		return "sqlite://" + filepath.Join(t.TempDir(), label+".db")
	}}
}

// Postgres returns the PostgreSQL backend, or false (after logging why)
// when it is not configured. Each database is a fresh schema of the test
// database, dropped when the test ends.
func Postgres(t testing.TB) (Backend, bool) {
	base := os.Getenv("AMIGO_TEST_POSTGRES_URL")
	if base == "" {
		if RequireServices() {
			t.Fatal("AMIGO_TEST_REQUIRE_SERVICES=1 but AMIGO_TEST_POSTGRES_URL is not set")
		}
		t.Log("PostgreSQL suite skipped: set AMIGO_TEST_POSTGRES_URL to run it")
		return Backend{}, false
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if RequireServices() {
			t.Fatalf("PostgreSQL at AMIGO_TEST_POSTGRES_URL is unreachable: %v", err)
		}
		t.Logf("PostgreSQL suite skipped: %v", err)
		return Backend{}, false
	}
	t.Cleanup(func() { admin.Close() })
	return Backend{Name: "postgres", NewURL: func(t testing.TB, label string) string {
		schema := "t_" + strings.ReplaceAll(label, "-", "_") + "_" + amigo.NewID(time.Now())[8:]
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
		return withSearchPath(base, schema)
	}}, true
}

func withSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("AMIGO_TEST_POSTGRES_URL: %v", err))
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Run runs fn as a parallel subtest for every backend.
func Run(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}
