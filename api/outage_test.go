package api_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestPostgresOutage runs a server whose cluster is a PostgreSQL this test
// starts, then stops it and freezes it: clients get 503 with Retry-After
// and the maintenance body, never a 500 or a hang; the outage is logged
// once, not per request; and the server recovers on its own when the
// database is back.
func TestPostgresOutage(t *testing.T) {
	pg := testenv.StartPostgres(t)
	var logs syncBuffer
	env := testenv.Start(t, pg.Backend(), testenv.Options{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Configure: func(cfg *server.Config) {
			// The directory stays up: this is the cluster's outage.
			cfg.DirectoryURL = testenv.SQLite().NewURL(t, "directory")
			cfg.DBTimeout = 2 * time.Second
		},
	})
	// A client that would rather fail the test than hang with the database.
	patient := &http.Client{Timeout: 20 * time.Second}
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", env.URL+"/v1/platform/user/", nil)
		req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
		resp, err := patient.Do(req)
		if err != nil {
			t.Fatalf("GET users: %v", err)
		}
		resp.Body.Close()
		return resp
	}
	expectUnavailable := func(t *testing.T) {
		t.Helper()
		r := env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(503)
		if r.Header.Get("Retry-After") == "" || r.Detail() != amigo.MsgMaintenance {
			t.Fatalf("Retry-After %q, detail %q", r.Header.Get("Retry-After"), r.Detail())
		}
	}
	recovers := func(t *testing.T) {
		t.Helper()
		testenv.Eventually(t, 30*time.Second, "the server to answer 200 again", func() bool { return get().StatusCode == 200 })
	}
	env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)

	t.Run("stopped", func(t *testing.T) {
		pg.Stop()
		for range 5 {
			expectUnavailable(t)
		}
		if n := logs.count("database unavailable"); n != 1 {
			t.Fatalf("outage logged %d times for 5 refused requests, want once:\n%s", n, logs.buf.String())
		}
		pg.Start()
		recovers(t)
		if n := logs.count("database available again"); n != 1 {
			t.Fatalf("recovery logged %d times, want once", n)
		}
	})
	t.Run("frozen", func(t *testing.T) {
		pg.Freeze()
		expectUnavailable(t) // within the 2 s deadline, not when the database thaws
		expectUnavailable(t)
		pg.Thaw()
		recovers(t)
		if n := logs.count("database unavailable"); n != 2 {
			t.Fatalf("two outages logged %d times, want 2", n)
		}
	})
	if n := logs.count("level=ERROR msg=request"); n != 0 {
		t.Fatalf("%d requests logged as errors, want 0 (503s are warnings):\n%s", n, logs.buf.String())
	}
}
