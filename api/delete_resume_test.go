package api_test

import (
	"context"
	"database/sql"
	"net/http"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// refuseDeletes makes every DELETE of an organization row fail in db, as
// a cluster failing midway through an erase would.
func refuseDeletes(t *testing.T, backend string, db *sql.DB) (undo func()) {
	t.Helper()
	stmts, drop := []string{
		`CREATE TRIGGER refuse_delete BEFORE DELETE ON organizations BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
	}, `DROP TRIGGER refuse_delete`
	if backend == "postgres" {
		stmts = []string{
			`CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
			`CREATE TRIGGER refuse_delete BEFORE DELETE ON organizations FOR EACH ROW EXECUTE FUNCTION refuse_delete()`,
		}
		drop = `DROP TRIGGER refuse_delete ON organizations`
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		if _, err := db.Exec(drop); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeleteOrganizationResumes shows that an organization counts as
// deleted from the first DELETE, that its directory entry outlives its data
// when the erase fails, and that repeating the DELETE finishes the job.
func TestDeleteOrganizationResumes(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, withClusters(t, b, "dedicated"))
		rt, ctx := env.Runtime, context.Background()
		platform := env.Admin.With("X-ORG-ID", testenv.PlatformOrg)

		t.Run("the cluster fails during the erase", func(t *testing.T) {
			acme := env.CreateOrgOn(t, "acme", "dedicated")
			cluster := rt.Clusters["dedicated"].SQL()
			undo := refuseDeletes(t, b.Name, cluster)

			// The conformance client would flag the 500: send this one raw.
			req, _ := http.NewRequest("DELETE", env.URL+"/v1/acme/organization/", nil)
			req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
			req.Header.Set("X-ORG-ID", testenv.PlatformOrg)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode < 500 {
				t.Fatalf("DELETE with a failing cluster: %d", resp.StatusCode)
			}

			// Deleted from the first call on, for every caller.
			env.Anonymous(t).Do(t, "GET", "/v1/acme/organization/", nil).Expect(404)
			acme.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(404)
			// The directory entry is kept until the data is gone.
			p, err := rt.Directory.Lookup(ctx, "acme")
			if err != nil || p.State != amigo.OrgDeleting {
				t.Fatalf("placement %+v, %v", p, err)
			}
			if n := testenv.TotalRows(testenv.OrgRows(t, cluster, "acme")); n == 0 {
				t.Fatal("rows vanished although the erase failed")
			}

			undo()
			platform.Do(t, "DELETE", "/v1/acme/organization/", nil).Expect(204)
			if _, err := rt.Directory.Lookup(ctx, "acme"); amigo.ErrorCode(err) != amigo.ENOTFOUND {
				t.Fatalf("placement still there: %v", err)
			}
			if rows := testenv.OrgRows(t, cluster, "acme"); testenv.TotalRows(rows) != 0 {
				t.Fatalf("rows left: %v", rows)
			}
			platform.Do(t, "DELETE", "/v1/acme/organization/", nil).Expect(404)
		})
		t.Run("the server stops after the erase, before removing the entry", func(t *testing.T) {
			env.CreateOrgOn(t, "globex", "default")
			if err := rt.Directory.SetState(ctx, "globex", amigo.OrgDeleting, ""); err != nil {
				t.Fatal(err)
			}
			if err := rt.Clusters["default"].EraseOrganizationRows(ctx, "globex"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "globex deleted", status(t, env.Anonymous(t), "/v1/globex/organization/"), 404)
			platform.Do(t, "DELETE", "/v1/globex/organization/", nil).Expect(204)
			if _, err := rt.Directory.Lookup(ctx, "globex"); amigo.ErrorCode(err) != amigo.ENOTFOUND {
				t.Fatalf("placement still there: %v", err)
			}
			// The id is free again.
			env.CreateOrgOn(t, "globex", "dedicated")
		})
	})
}
