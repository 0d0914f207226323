package testenv

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/server"
	"github.com/amigo-oss/amigo-server/sqldb"
)

// StartPeer starts a second server that shares primary's directory but
// serves region, with a fresh default cluster of its own. The platform
// organization lives in primary's region, so the peer has no Admin: create
// its organizations with BootstrapOrg.
func StartPeer(t testing.TB, primary *Env, region string, opts ...Options) *Env {
	t.Helper()
	cfg := server.Config{
		DataDir:           t.TempDir(),
		Region:            region,
		DirectoryURL:      primary.Runtime.Config.DirectoryURL,
		Clusters:          map[string]string{server.DefaultClusterName: primary.Backend.NewURL(t, region+"-cluster")},
		DirectoryCacheTTL: primary.Runtime.Config.DirectoryCacheTTL,
		RateLimits:        "off",
	}
	return Serve(t, primary.Backend, cfg, opts...)
}

// BootstrapOrg creates id on the server's default cluster the way the
// bootstrap command does, and signs in as its admin@amigo.ai.
func (e *Env) BootstrapOrg(t testing.TB, id string) *Org {
	t.Helper()
	res, err := e.Runtime.App.Bootstrap(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return &Org{ID: id, UserID: res.UserID, Admin: e.SignIn(t, id, res.Key.Secret, res.Key.Key.KeyID, res.UserID)}
}

// CreateOrgOn creates an organization on the named cluster as the platform
// administrator and signs in as its admin@amigo.ai.
func (e *Env) CreateOrgOn(t testing.TB, id, cluster string) *Org {
	t.Helper()
	cross := e.Admin.With("X-ORG-ID", PlatformOrg)
	cross.Do(t, "PUT", "/v1/"+id+"/organization/", OrgBody(id), Header("x-mongo-cluster-name", cluster)).Expect(201)
	return e.AdminOf(t, id)
}

// OrgRows counts orgID's rows in every tenant table of a cluster database,
// read directly rather than through the API.
func OrgRows(t testing.TB, db *sql.DB, orgID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range sqldb.TenantTables {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE `+sqldb.OrgColumn(table)+` = $1`, orgID).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// TotalRows adds up the counts of OrgRows.
func TotalRows(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// Eventually polls cond every 20ms until it holds, failing the test after
// timeout. Directory changes made by another process reach a server within
// its cache TTL; tests wait for them this way rather than sleeping.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
