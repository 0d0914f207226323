// Package testsvc finds the PostgreSQL and Redis the tests use: the URL in
// AMIGO_TEST_POSTGRES_URL or AMIGO_TEST_REDIS_URL, or, when the variable is
// unset, the server on its default local address if one answers there. A
// variable set to "off" leaves the service out. Under
// AMIGO_TEST_REQUIRE_SERVICES=1 (CI) a service that cannot be used fails
// the test instead of skipping it.
//
// Every skip says why and names the variable that enables the test, in the
// same words in every package, so that a summary of the run
// (internal/cmd/testall) can group them.
//
// The package imports nothing of the project, so that any package's own
// tests (ratelimit's among them) can use it.
package testsvc

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
)

// RequireEnv, when "1", turns every unavailable service into a failure.
const RequireEnv = "AMIGO_TEST_REQUIRE_SERVICES"

// Off, as the value of a service's variable, leaves the service out.
const Off = "off"

// Require reports whether unavailable services fail the run rather than
// skip (AMIGO_TEST_REQUIRE_SERVICES=1).
func Require() bool { return os.Getenv(RequireEnv) == "1" }

// Service is a server the tests share: never stopped nor flushed by them.
// Each test works in a namespace of its own (a PostgreSQL schema, a Redis
// key prefix) and removes it at the end.
type Service struct {
	// Name is the product, as the messages say it.
	Name string
	// Env names the variable holding the URL.
	Env string
	// DefaultURL is the address tried when Env is unset.
	DefaultURL string

	ping func(ctx context.Context, url string) error

	once sync.Once
	url  string
	err  error
}

// Postgres is the PostgreSQL whose database the tests make schemas in. The
// default is the local server's database test, as user postgres.
var Postgres = &Service{
	Name:       "PostgreSQL",
	Env:        "AMIGO_TEST_POSTGRES_URL",
	DefaultURL: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	ping:       pingPostgres,
}

// Redis is the Redis the rate-limit tests share, each under key prefixes
// of its own. The default is the local server's database 0.
var Redis = &Service{
	Name:       "Redis",
	Env:        "AMIGO_TEST_REDIS_URL",
	DefaultURL: "redis://127.0.0.1:6379/0",
	ping:       pingRedis,
}

// probeTimeout bounds the check that a service answers: a local server
// answers in milliseconds, and an absent one refuses at once.
const probeTimeout = 3 * time.Second

// URL returns the service's URL, or an error that says why there is none
// and which variable enables it (see Unavailable). It checks once per process that the
// service answers.
func (s *Service) URL() (string, error) {
	s.once.Do(func() { s.url, s.err = s.find() })
	return s.url, s.err
}

func (s *Service) find() (string, error) {
	u, set := os.LookupEnv(s.Env)
	switch {
	case u == Off:
		return "", fmt.Errorf("%s=%s", s.Env, Off)
	case !set || u == "":
		if err := s.check(s.DefaultURL); err != nil {
			return "", fmt.Errorf("none at %s (%v); set %s to run them", redacted(s.DefaultURL), err, s.Env)
		}
		return s.DefaultURL, nil
	}
	if err := s.check(u); err != nil {
		return "", fmt.Errorf("%s at %s=%s is unreachable: %v", s.Name, s.Env, redacted(u), err)
	}
	return u, nil
}

func (s *Service) check(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return s.ping(ctx, u)
}

// Get returns the service's URL for t, or skips t saying why (fails it
// under AMIGO_TEST_REQUIRE_SERVICES=1).
func (s *Service) Get(t testing.TB) string {
	t.Helper()
	u, err := s.URL()
	if err != nil {
		s.Unavailable(t, err)
	}
	return u
}

// Unavailable skips t because of err, URL's error, or fails it when
// services are required.
func (s *Service) Unavailable(t testing.TB, err error) {
	t.Helper()
	if Require() {
		t.Fatalf("%s is required (%s=1): %v", s.Name, RequireEnv, err)
	}
	t.Skip(s.SkipReason(err))
}

// SkipReason is what a test skipped because of err, URL's error, says; the
// same words in every package.
func (s *Service) SkipReason(err error) string {
	return s.Name + " tests skipped: " + err.Error()
}

func pingPostgres(ctx context.Context, u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

func pingRedis(ctx context.Context, u string) error {
	opt, err := redis.ParseURL(u)
	if err != nil {
		return err
	}
	opt.MaxRetries, opt.DialerRetries = -1, 1
	c := redis.NewClient(opt)
	defer c.Close()
	return c.Ping(ctx).Err()
}

// redacted is u without its password, for messages.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}
