package postgres_test

import (
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestExecModes runs a server whose database URLs choose how pgx runs
// statements: exec and simple_protocol keep no prepared statement across
// transactions, which PgBouncer in transaction mode requires. Creating an
// organization (images as BYTEA, JSON, timestamps), users and a key, and
// listing them, must work the same in every mode.
func TestExecModes(t *testing.T) {
	b := testenv.RequirePostgres(t)
	for _, mode := range []string{"exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			withMode := func(url string) string { return url + "&default_query_exec_mode=" + mode + "&pool_max_conns=2" }
			env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) {
				cfg.DirectoryURL = withMode(cfg.DirectoryURL)
				for name, url := range cfg.Clusters {
					cfg.Clusters[name] = withMode(url)
				}
			}})
			org := env.CreateOrg(t, "acme")
			org.Admin.Do(t, "GET", "/v1/acme/organization/", nil).Expect(200)
			org.Admin.Do(t, "POST", "/v1/acme/user/", map[string]any{
				"first_name": "Sam", "last_name": "Lee", "email": "sam@example.com", "role_name": "DefaultUserRole",
			}).Expect(201)
			var users struct {
				Users []struct {
					Email string `json:"email"`
				} `json:"users"`
			}
			org.Admin.Do(t, "GET", "/v1/acme/user/?email=sam@example.com", nil).Expect(200).Decode(&users)
			if len(users.Users) != 1 || users.Users[0].Email != "sam@example.com" {
				t.Fatalf("users %+v", users.Users)
			}
			org.Admin.Do(t, "GET", "/v1/acme/service/?tags=prod:&sort_by=%2Bname", nil).Expect(200)
		})
	}
}
