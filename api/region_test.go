package api_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// shortTTL makes directory changes made elsewhere visible quickly; tests
// still poll for them rather than sleep.
const shortTTL = 100 * time.Millisecond

// withClusters configures extra clusters next to "default", and a short
// directory cache TTL.
func withClusters(t *testing.T, b testenv.Backend, names ...string) testenv.Options {
	return testenv.Options{Configure: func(cfg *server.Config) {
		for _, n := range names {
			cfg.Clusters[n] = b.NewURL(t, n)
		}
		cfg.DirectoryCacheTTL = shortTTL
	}}
}

// inRegion names the region of a server.
func inRegion(region string) testenv.Options {
	return testenv.Options{Configure: func(cfg *server.Config) { cfg.Region = region }}
}

// orgPath turns a spec path into a request path for org, with made-up ids.
func orgPath(path, org string) string {
	p := strings.Replace(path, "{organization}", org, 1)
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "0123456789abcdef01234567")
}

// TestCreateOrganizationPlacesOnCluster covers the create half of the
// regions issue: the named cluster must be one of this region's, the
// directory records region and cluster, and every row goes to that cluster.
func TestCreateOrganizationPlacesOnCluster(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, withClusters(t, b, "dedicated"), inRegion("eu-central-1"))
		cross := env.Admin.With("X-ORG-ID", testenv.PlatformOrg)
		rt := env.Runtime

		t.Run("missing cluster header", func(t *testing.T) {
			r := cross.Do(t, "PUT", "/v1/acme/organization/", testenv.OrgBody("acme")).Expect(422)
			if locs := r.Locs(); len(locs) != 1 || locs[0] != "header.x-mongo-cluster-name" {
				t.Fatalf("locs %v", locs)
			}
		})
		t.Run("a cluster of no region", func(t *testing.T) {
			r := cross.Do(t, "PUT", "/v1/acme/organization/", testenv.OrgBody("acme"), testenv.Header("x-mongo-cluster-name", "us-shared")).Expect(404)
			if d := r.Detail(); !strings.Contains(d, "us-shared") || !strings.Contains(d, "eu-central-1") {
				t.Fatalf("detail %q does not say which cluster and region", d)
			}
		})

		acme := env.CreateOrgOn(t, "acme", "dedicated")
		shared := env.CreateOrgOn(t, "shared", "default")
		for _, o := range []*testenv.Org{acme, shared} {
			o.Admin.Do(t, "POST", "/v1/"+o.ID+"/user/", map[string]any{
				"first_name": "Ann", "last_name": "Lee", "email": "ann@" + o.ID + ".example", "role_name": "DefaultUserRole",
			}).Expect(201)
		}

		for _, tc := range []struct {
			org, cluster, other string
		}{
			{"acme", "dedicated", "default"},
			{"shared", "default", "dedicated"},
		} {
			t.Run(tc.org+" lives on "+tc.cluster+" only", func(t *testing.T) {
				p, err := rt.Directory.Lookup(context.Background(), tc.org)
				if err != nil {
					t.Fatal(err)
				}
				if p.Region != "eu-central-1" || p.Cluster != tc.cluster || p.State != amigo.OrgActive || p.Maintenance {
					t.Fatalf("placement %+v", p)
				}
				home := testenv.OrgRows(t, rt.Clusters[tc.cluster].SQL(), tc.org)
				if home["organizations"] != 1 || home["users"] != 2 || home["roles"] == 0 || home["api_keys"] == 0 {
					t.Fatalf("rows on %s: %v", tc.cluster, home)
				}
				if away := testenv.OrgRows(t, rt.Clusters[tc.other].SQL(), tc.org); testenv.TotalRows(away) != 0 {
					t.Fatalf("rows on %s: %v", tc.other, away)
				}
			})
		}
		t.Run("organizations on different clusters do not see each other", func(t *testing.T) {
			var users struct {
				Users []struct {
					Email string `json:"email"`
				} `json:"users"`
			}
			acme.Admin.Do(t, "GET", "/v1/acme/user/", nil).Expect(200).Decode(&users)
			for _, u := range users.Users {
				if strings.HasSuffix(u.Email, "@shared.example") {
					t.Fatalf("acme lists %s", u.Email)
				}
			}
			acme.Admin.Do(t, "GET", "/v1/shared/user/", nil).Expect(401)
		})
	})
}

// TestRoutingAcrossRegions runs two regions on one directory: an
// organization of the other region, or of none, is "Organization not found"
// on every endpoint, and a token is good only in the region that issued it.
func TestRoutingAcrossRegions(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		us := testenv.Start(t, b, withClusters(t, b, "dedicated"), inRegion("us-east-1"))
		// The EU server even shares the US signing key: the token's issuer
		// still names the region that issued it.
		eu := testenv.StartPeer(t, us, "eu-central-1", testenv.Options{Configure: func(cfg *server.Config) {
			cfg.SigningKeyFile = us.Runtime.Config.SigningKeyFile
		}})
		usAcme := us.CreateOrg(t, "us-acme")
		euAcme := eu.BootstrapOrg(t, "eu-acme")

		type call struct {
			name   string
			client *testenv.Client
			org    string
		}
		for _, c := range []call{
			{"US org at the EU server, with its own token", eu.Anonymous(t).With("Authorization", "Bearer "+usAcme.Admin.Token), "us-acme"},
			{"EU org at the US server, with its own token", us.Anonymous(t).With("Authorization", "Bearer "+euAcme.Admin.Token), "eu-acme"},
			{"unknown org at the US server", us.Admin.With("X-ORG-ID", testenv.PlatformOrg), "nowhere"},
			{"unknown org at the EU server", eu.Anonymous(t), "nowhere"},
		} {
			t.Run(c.name, func(t *testing.T) {
				for _, op := range api.Operations() {
					if op.ID == "create-organization" {
						continue // creates the org, or 409 if the id is taken in any region
					}
					r := c.client.Do(t, op.Method, orgPath(op.Path, c.org), nil,
						testenv.Header("x-api-key", "k"), testenv.Header("x-api-key-id", "k"), testenv.Header("x-user-id", "u"))
					if r.Status != 404 || r.Detail() != amigo.MsgOrgNotFound {
						t.Errorf("%s: %d %s, want 404 %q", op.ID, r.Status, r.Body, amigo.MsgOrgNotFound)
					}
				}
			})
		}
		t.Run("sign-in with real credentials in the wrong region", func(t *testing.T) {
			key := usAcme.Admin.Do(t, "POST", "/v1/us-acme/organization/api_key/", map[string]any{
				"name": "k", "duration": "P1D", "role_name": "DefaultSuperAdministratorRole",
			}).Expect(201).JSON()
			r := eu.Anonymous(t).Do(t, "POST", "/v1/us-acme/user/signin_with_api_key", nil,
				testenv.Header("x-api-key", key["api_key"].(string)), testenv.Header("x-api-key-id", key["api_key_id"].(string)),
				testenv.Header("x-user-id", usAcme.UserID)).Expect(404)
			if r.Detail() != amigo.MsgOrgNotFound {
				t.Fatalf("detail %q", r.Detail())
			}
		})
		t.Run("ids are global: creating an id taken in another region conflicts", func(t *testing.T) {
			us.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "PUT", "/v1/eu-acme/organization/", testenv.OrgBody("x"),
				testenv.Header("x-mongo-cluster-name", "default")).Expect(409)
		})
		t.Run("a token is useless in another region", func(t *testing.T) {
			// The US platform administrator may act on any US org, but not
			// on an EU org through the EU server.
			us.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "GET", "/v1/us-acme/user/", nil).Expect(200)
			eu.Anonymous(t).With("Authorization", "Bearer "+us.Admin.Token).With("X-ORG-ID", testenv.PlatformOrg).
				Do(t, "GET", "/v1/eu-acme/user/", nil).Expect(401)
			eu.Anonymous(t).With("Authorization", "Bearer "+usAcme.Admin.Token).With("X-ORG-ID", "us-acme").
				Do(t, "GET", "/v1/eu-acme/user/", nil).Expect(401)
			euAcme.Admin.Do(t, "GET", "/v1/eu-acme/user/", nil).Expect(200)
		})
		t.Run("x-mongo-cluster-name must name the org's cluster", func(t *testing.T) {
			for _, tc := range []struct {
				cluster string
				want    int
			}{
				{"default", 200},
				{"dedicated", 404}, // a cluster of this region, but not the org's
				{"nope", 404},
			} {
				r := usAcme.Admin.Do(t, "GET", "/v1/us-acme/user/", nil, testenv.Header("x-mongo-cluster-name", tc.cluster)).Expect(tc.want)
				if tc.want == 404 && !strings.HasPrefix(r.Detail(), amigo.MsgOrgNotFound) {
					t.Fatalf("%s: detail %q", tc.cluster, r.Detail())
				}
			}
			usAcme.Admin.Do(t, "POST", "/v1/us-acme/organization/", map[string]any{"title": "Wrong cluster"},
				testenv.Header("x-mongo-cluster-name", "dedicated")).Expect(404)
			got := usAcme.Admin.Do(t, "GET", "/v1/us-acme/organization/", nil).Expect(200).JSON()
			if got["title"] == "Wrong cluster" {
				t.Fatal("a request naming the wrong cluster changed the organization")
			}
		})
	})
}
