// Package testenv starts real amigo-servers for behavioural tests: each test
// gets its own databases (a temp dir for SQLite, a schema for PostgreSQL), a
// bootstrapped platform organization, and a client that validates every
// response against the reference OpenAPI spec.
package testenv

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testsvc"
)

// Backend provides fresh databases for one test.
type Backend struct {
	Name string
	// NewURL returns the URL of a new, empty database named for label.
	NewURL func(t testing.TB, label string) string
}

// RequireServices reports whether unavailable test services fail the run
// (CI) rather than skip: AMIGO_TEST_REQUIRE_SERVICES=1.
func RequireServices() bool { return testsvc.Require() }

// Backends returns SQLite always and PostgreSQL when there is one (see
// Postgres); under AMIGO_TEST_REQUIRE_SERVICES=1 a missing or unreachable
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
// when there is none: the database at AMIGO_TEST_POSTGRES_URL or, when that
// is unset, the local server's database test if it answers (see testsvc).
// Each database is a fresh schema of that database, dropped when the test
// ends. Under AMIGO_TEST_REQUIRE_SERVICES=1 it fails t instead of returning
// false.
func Postgres(t testing.TB) (Backend, bool) {
	t.Helper()
	base, err := testsvc.Postgres.URL()
	if err != nil {
		if RequireServices() {
			testsvc.Postgres.Unavailable(t, err)
		}
		t.Log(testsvc.Postgres.SkipReason(err))
		return Backend{}, false
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
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

// RequirePostgres returns the PostgreSQL backend for a test that exists to
// exercise PostgreSQL, or skips t saying why there is none and which
// variable enables it (fails it under AMIGO_TEST_REQUIRE_SERVICES=1).
func RequirePostgres(t testing.TB) Backend {
	t.Helper()
	testsvc.Postgres.Get(t)
	b, _ := Postgres(t)
	return b
}

// withSearchPath is base with schema as the connections' search path.
// Their commits do not wait for the WAL to reach the disk
// (synchronous_commit=off, unless base sets it): what the tests see is the
// same, but a test's migrations and writes no longer queue for fsync
// behind everyone else's on a shared server. The durability tests use
// private servers and kill them; this shared one is never stopped.
func withSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("AMIGO_TEST_POSTGRES_URL: %v", err))
	}
	q := u.Query()
	q.Set("search_path", schema)
	if !q.Has("synchronous_commit") {
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Run runs fn as a parallel subtest for every backend. Without PostgreSQL
// its subtest is there all the same, skipped with the reason, so that the
// run's summary counts what was not tested.
func Run(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
	if _, err := testsvc.Postgres.URL(); err != nil {
		t.Run("postgres", func(t *testing.T) { t.Skip(testsvc.Postgres.SkipReason(err)) })
	}
}
