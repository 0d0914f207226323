package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// operatorApp opens env's directory the way the maintenance command does:
// a separate process as far as the server's directory cache is concerned.
func operatorApp(t *testing.T, env *testenv.Env) *core.App {
	t.Helper()
	rt, err := server.OpenOperator(context.Background(), env.Runtime.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt.App
}

// status returns the status of GET path.
func status(t *testing.T, c *testenv.Client, path string) func() int {
	return func() int { return c.Do(t, "GET", path, nil).Status }
}

// waitFor polls until get returns want; servers see directory changes
// within their cache TTL.
func waitFor(t *testing.T, what string, get func() int, want int) {
	t.Helper()
	testenv.Eventually(t, 5*time.Second, what, func() bool { return get() == want })
}

// expectMaintenance checks every operation of org for the maintenance 503.
// Creating an organization addresses no existing one, so only region
// maintenance stops it.
func expectMaintenance(t *testing.T, c *testenv.Client, org string, region bool) {
	t.Helper()
	for _, op := range api.Operations() {
		if op.ID == "create-organization" && !region {
			continue
		}
		r := c.Do(t, op.Method, orgPath(op.Path, org), nil, testenv.Header("x-mongo-cluster-name", "default"),
			testenv.Header("x-api-key", "k"), testenv.Header("x-api-key-id", "k"), testenv.Header("x-user-id", "u"))
		if r.Status != 503 || r.Detail() != amigo.MsgMaintenance {
			t.Errorf("%s %s: %d %s, want 503 %q", op.Method, op.Path, r.Status, r.Body, amigo.MsgMaintenance)
			continue
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s <= 0 {
			t.Errorf("%s %s: Retry-After %q", op.Method, op.Path, r.Header.Get("Retry-After"))
		}
	}
}

// expectHealthy checks that the health endpoints answer 200.
func expectHealthy(t *testing.T, env *testenv.Env) {
	t.Helper()
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d during maintenance", path, resp.StatusCode)
		}
	}
}

func TestMaintenance(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, withClusters(t, b), inRegion("us-east-1"))
		eu := testenv.StartPeer(t, env, "eu-central-1")
		acme, globex := env.CreateOrg(t, "acme"), env.CreateOrg(t, "globex")
		euOrg := eu.BootstrapOrg(t, "eu-org")
		op := operatorApp(t, env)
		ctx := context.Background()

		t.Run("one organization", func(t *testing.T) {
			if err := op.SetOrgMaintenance(ctx, "acme", true); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "acme in maintenance", status(t, acme.Admin, "/v1/acme/user/"), 503)
			expectMaintenance(t, acme.Admin, "acme", false)
			expectMaintenance(t, env.Anonymous(t), "acme", false)
			globex.Admin.Do(t, "GET", "/v1/globex/user/", nil).Expect(200)
			// The platform admin's own org is unaffected; acme is not.
			env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
			expectHealthy(t, env)

			if err := op.SetOrgMaintenance(ctx, "acme", false); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "acme back", status(t, acme.Admin, "/v1/acme/user/"), 200)
		})
		t.Run("another region's organization cannot be switched from here", func(t *testing.T) {
			if err := op.SetOrgMaintenance(ctx, "eu-org", true); amigo.ErrorCode(err) != amigo.ENOTFOUND {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("the whole region", func(t *testing.T) {
			if err := op.SetRegionMaintenance(ctx, true); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "region in maintenance", status(t, globex.Admin, "/v1/globex/user/"), 503)
			for _, org := range []string{"acme", "globex", testenv.PlatformOrg, "nowhere"} {
				expectMaintenance(t, env.Anonymous(t), org, true)
			}
			env.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "PUT", "/v1/newco/organization/", testenv.OrgBody("newco"),
				testenv.Header("x-mongo-cluster-name", "default")).Expect(503)
			expectHealthy(t, env)
			// The other region is unaffected.
			euOrg.Admin.Do(t, "GET", "/v1/eu-org/user/", nil).Expect(200)

			st, err := op.Maintenance(ctx)
			if err != nil || !st.Maintenance || st.Region != "us-east-1" {
				t.Fatalf("status %+v, %v", st, err)
			}
			if err := op.SetRegionMaintenance(ctx, false); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "region back", status(t, globex.Admin, "/v1/globex/user/"), 200)
			acme.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(200)
		})
	})
}
