package api_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/internal/testsvc"
	"github.com/amigo-oss/amigo-server/server"
)

// limited starts a server on SQLite with rate limits set to mode, after
// configure (if any) has changed the configuration further.
func limited(t *testing.T, mode string, configure ...func(*server.Config)) *testenv.Env {
	t.Helper()
	return testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: func(cfg *server.Config) {
		cfg.RateLimits = mode
		for _, c := range configure {
			c(cfg)
		}
	}})
}

// testRedisURL returns the URL of the tests' Redis (see testsvc); it skips
// the test when there is none, or fails it when
// AMIGO_TEST_REQUIRE_SERVICES=1.
func testRedisURL(t *testing.T) string {
	t.Helper()
	return testsvc.Redis.Get(t)
}

// quota is the X-RateLimit-* headers of a response.
type quota struct {
	limit, remaining int
	reset            time.Time
}

// quotaOf parses the headers, failing the test when one is missing.
func quotaOf(t *testing.T, r *testenv.Response) quota {
	t.Helper()
	var q quota
	var err error
	get := func(name string) int {
		v, convErr := strconv.Atoi(r.Header.Get(name))
		if convErr != nil && err == nil {
			err = convErr
		}
		return v
	}
	q.limit, q.remaining = get("X-RateLimit-Limit"), get("X-RateLimit-Remaining")
	q.reset = time.Unix(int64(get("X-RateLimit-Reset")), 0)
	if err != nil {
		t.Fatalf("status %d: X-RateLimit-* headers missing or malformed (%v): %v", r.Status, err, r.Header)
	}
	return q
}

// expectThrottled checks a 429 with a detail and a Retry-After of at most
// the time one request takes to replenish (window / limit).
func expectThrottled(t *testing.T, r *testenv.Response, limit int) {
	t.Helper()
	r.Expect(429)
	if r.Detail() == "" {
		t.Error("429 without detail")
	}
	after, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || after < 1 || after > 60/limit+1 {
		t.Errorf("Retry-After %q, want 1 to %d seconds", r.Header.Get("Retry-After"), 60/limit+1)
	}
	if q := quotaOf(t, r); q.limit != limit || q.remaining != 0 {
		t.Errorf("429 headers %+v", q)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	limiters := map[string]func(*testing.T) func(*server.Config){
		"memory": func(*testing.T) func(*server.Config) { return func(*server.Config) {} },
		"redis": func(t *testing.T) func(*server.Config) {
			url := testRedisURL(t)
			return func(cfg *server.Config) { cfg.RedisURL = url }
		},
	}
	for name, backend := range limiters {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := limited(t, "on", backend(t))
			org := env.CreateOrg(t, "acme")
			staff := newRoster(env, org)
			caller, _ := staff.member(t, "DefaultAdministratorRole")
			bystander, _ := staff.member(t, "DefaultAdministratorRole")
			reader, _ := staff.member(t, "DefaultUserRole")
			keys := "/v1/acme/organization/api_key/"
			newKey := map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultUserRole"}

			t.Run("create-api-key: 5 per user per minute, headers on every response", func(t *testing.T) {
				start := time.Now()
				// Failures count and carry the headers too.
				r := caller.Do(t, "POST", keys, map[string]any{"name": "k"}).Expect(422)
				if q := quotaOf(t, r); q.limit != 5 || q.remaining != 4 {
					t.Fatalf("first request: %+v", q)
				}
				for want := 3; want >= 0; want-- {
					q := quotaOf(t, caller.Do(t, "POST", keys, newKey).Expect(201))
					if q.limit != 5 || q.remaining != want {
						t.Fatalf("remaining %d, want %d", q.remaining, want)
					}
					// Reset is Unix seconds: when the quota is full again.
					if q.reset.Before(start.Truncate(time.Second)) || q.reset.After(start.Add(61*time.Second)) {
						t.Fatalf("reset %v is not within the next minute", q.reset)
					}
				}
				expectThrottled(t, caller.Do(t, "POST", keys, newKey), 5)
				// The limit is the caller's, not the operation's.
				bystander.Do(t, "POST", keys, newKey).Expect(201)
			})
			t.Run("a 403 carries the headers", func(t *testing.T) {
				r := reader.Do(t, "POST", keys, newKey).Expect(403)
				if q := quotaOf(t, r); q.limit != 5 {
					t.Fatalf("%+v", q)
				}
			})
			t.Run("sign-in: 5 per API key and user, before the credentials are checked", func(t *testing.T) {
				k := createKey(t, org.Admin, "acme", "DefaultSuperAdministratorRole", "P1D")
				signin := func(secret, user string) *testenv.Response {
					return env.Anonymous(t).Do(t, "POST", "/v1/acme/user/signin_with_api_key", nil,
						testenv.Header("x-api-key", secret), testenv.Header("x-api-key-id", k.APIKeyID), testenv.Header("x-user-id", user))
				}
				quotaOf(t, signin("wrong", org.UserID).Expect(401))
				for range 4 {
					signin(k.APIKey, org.UserID).Expect(200)
				}
				expectThrottled(t, signin(k.APIKey, org.UserID), 5)
				expectThrottled(t, signin("wrong", org.UserID), 5)
				// Another user with the same key has a quota of their own.
				_, other := staff.member(t, "DefaultUserRole")
				signin(k.APIKey, other).Expect(200)
			})
		})
	}
}

func TestGetOrganizationRateLimit(t *testing.T) {
	t.Parallel()
	env := limited(t, "on")
	anon := env.Anonymous(t)
	const limit = 60 // getOrganizationLimit, documented in docs/permissions.md
	for i := range limit {
		q := quotaOf(t, anon.Do(t, "GET", "/v1/platform/organization/", nil).Expect(200))
		if q.limit != limit || q.remaining != limit-1-i {
			t.Fatalf("request %d: %+v", i, q)
		}
	}
	expectThrottled(t, anon.Do(t, "GET", "/v1/platform/organization/", nil), limit)
	// The quota is the client address's: a token does not escape it.
	expectThrottled(t, env.Admin.Do(t, "GET", "/v1/platform/organization/", nil), limit)
}

func TestRateLimitModes(t *testing.T) {
	t.Parallel()
	keys := "/v1/platform/organization/api_key/"
	newKey := map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultUserRole"}
	t.Run("10x multiplies the spec's numbers", func(t *testing.T) {
		t.Parallel()
		env := limited(t, "10x")
		for i := range 7 {
			q := quotaOf(t, env.Admin.Do(t, "POST", keys, newKey).Expect(201))
			if q.limit != 50 || q.remaining != 49-i {
				t.Fatalf("request %d: %+v", i, q)
			}
		}
		if q := quotaOf(t, env.Anonymous(t).Do(t, "GET", "/v1/platform/organization/", nil).Expect(200)); q.limit != 600 {
			t.Fatalf("get-organization: %+v", q)
		}
	})
	t.Run("off lifts every limit", func(t *testing.T) {
		t.Parallel()
		env := limited(t, "off")
		for range 7 {
			r := env.Admin.Do(t, "POST", keys, newKey).Expect(201)
			if h := r.Header.Get("X-RateLimit-Limit"); h != "" {
				t.Fatalf("X-RateLimit-Limit %q with limits off", h)
			}
		}
	})
	t.Run("per-operation overrides", func(t *testing.T) {
		t.Parallel()
		env := limited(t, "on", func(cfg *server.Config) {
			cfg.RateLimitOverrides = map[string]int{"get-users": 2, "create-api-key": 7}
		})
		for range 2 {
			if q := quotaOf(t, env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)); q.limit != 2 {
				t.Fatalf("%+v", q)
			}
		}
		expectThrottled(t, env.Admin.Do(t, "GET", "/v1/platform/user/", nil), 2)
		for range 7 {
			env.Admin.Do(t, "POST", keys, newKey).Expect(201)
		}
		expectThrottled(t, env.Admin.Do(t, "POST", keys, newKey), 7)
		// Other operations keep the spec's number.
		if q := quotaOf(t, env.Admin.Do(t, "GET", "/v1/platform/organization/user_dimensions/", nil).Expect(200)); q.limit != 20 {
			t.Fatalf("get-user-dimensions: %+v", q)
		}
	})
}

// TestRedisDownFallsBack points the limiter at a port where nothing
// listens: the limits still hold, counted in the server's memory, and the
// failures are counted in the metric; never a 500.
func TestRedisDownFallsBack(t *testing.T) {
	t.Parallel()
	env := limited(t, "on", func(cfg *server.Config) { cfg.RedisURL = "redis://127.0.0.1:1/0" })
	newKey := map[string]any{"name": "k", "duration": "P1D", "role_name": "DefaultUserRole"}
	for range 5 { // create-api-key allows 5 per minute
		env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", newKey).Expect(201)
	}
	env.Admin.Do(t, "POST", "/v1/platform/organization/api_key/", newKey).Expect(429)
	resp, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^amigo_ratelimit_backend_errors_total (\d+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("metric amigo_ratelimit_backend_errors_total missing:\n%s", body)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 1 {
		t.Fatalf("amigo_ratelimit_backend_errors_total = %d, want at least 1", n)
	}
}

// TestRedisOutageAndReturn runs the limiter on a Redis this test starts,
// stops and starts again: sign-in is limited in Redis, still limited (in
// memory) while Redis is down, and limited in Redis again once it is back.
func TestRedisOutageAndReturn(t *testing.T) {
	rds := testenv.StartRedis(t)
	env := limited(t, "on", func(cfg *server.Config) { cfg.RedisURL = rds.URL() })
	signIn := func() *testenv.Response {
		return env.Anonymous(t).Do(t, "POST", "/v1/platform/user/signin_with_api_key", nil,
			testenv.Header("x-api-key", env.APIKey), testenv.Header("x-api-key-id", env.APIKeyID), testenv.Header("x-user-id", env.UserID))
	}
	// untilLimited signs in until the first 429 and returns how many were
	// allowed before it.
	untilLimited := func(t *testing.T) int {
		t.Helper()
		for n := 0; n < 10; n++ {
			if r := signIn(); r.Status == 429 {
				return n
			} else if r.Status != 200 {
				t.Fatalf("sign-in: status %d, body %s", r.Status, r.Body)
			}
		}
		t.Fatal("10 sign-ins in a row were allowed; the limit is 5 a minute")
		return 0
	}
	ctx := context.Background()
	keys := func() []string {
		k, err := rds.Client().Keys(ctx, "amigo:rl:sign-in-with-api-key|*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	t.Run("counted in Redis", func(t *testing.T) {
		untilLimited(t) // Start already signed in once
		if len(keys()) != 1 {
			t.Fatalf("Redis holds %v, want the sign-in key", keys())
		}
	})
	t.Run("Redis down: counted in memory", func(t *testing.T) {
		rds.Stop()
		if n := untilLimited(t); n != 5 {
			t.Fatalf("%d sign-ins allowed with Redis down, want 5 (a fresh count in memory)", n)
		}
	})
	t.Run("Redis back: counted there again", func(t *testing.T) {
		rds.Start() // empty: nothing persisted
		// Memory's count is spent; Redis's is fresh. Within a second of the
		// last failure the server still counts in memory, then asks Redis.
		testenv.Eventually(t, 10*time.Second, "sign-in to be allowed by the restarted Redis", func() bool {
			return signIn().Status == 200
		})
		if len(keys()) != 1 {
			t.Fatalf("restarted Redis holds %v, want the sign-in key", keys())
		}
	})
}
