package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// region is one region of the residency test: a server process with its
// own data directory and clusters, sharing the directory with the others.
type region struct {
	name     string
	base     string // the region's base URL, on loopback
	flags    []string
	clusters map[string]string // name -> database URL
	env      *testenv.Env      // an API client factory bound to base
}

// TestThreeRegionResidency starts three regions as separate processes,
// each with two clusters, on one directory. It creates organizations in
// each, then reads every cluster database directly: an organization's
// rows are in its own cluster and nowhere else. A token, or an API key,
// of one region is useless in another.
func TestThreeRegionResidency(t *testing.T) {
	bin := serverBinary(t)
	b := testenv.SQLite()
	if pg, ok := testenv.Postgres(t); ok {
		b = pg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	directory := b.NewURL(t, "directory")
	var regions []*region
	for _, name := range []string{"us-east-1", "eu-central-1", "ap-southeast-2"} {
		port := freePort(t)
		r := &region{name: name, base: "http://127.0.0.1:" + port, clusters: map[string]string{}}
		r.flags = []string{"--region", name, "--base-url", r.base, "--listen", "127.0.0.1:" + port,
			"--data-dir", filepath.Join(tmp, name), "--directory-url", directory, "--default-cluster", "shared",
			"--rate-limits", "off", "--directory-cache-ttl", "100ms", "--log-format", "json"}
		for _, c := range []string{"shared", "dedicated"} {
			r.clusters[c] = b.NewURL(t, strings.ReplaceAll(name, "-", "")+"-"+c)
			r.flags = append(r.flags, "--cluster", c+"="+r.clusters[c])
		}
		r.env = &testenv.Env{URL: r.base}
		regions = append(regions, r)
	}
	exited := map[*region]<-chan struct{}{}
	for _, r := range regions {
		exited[r] = startRegion(t, ctx, bin, r)
	}
	for _, r := range regions {
		waitReady(t, ctx, r.base, exited[r])
	}

	us, eu, ap := regions[0], regions[1], regions[2]
	// The platform organization lives in us-east-1; its administrator
	// creates that region's organizations through the API.
	creds := bootstrap(t, ctx, bin, us, "platform", "shared")
	us.env.Admin = us.env.SignIn(t, "platform", creds.APIKey, creds.APIKeyID, creds.UserID)
	type placed struct {
		org     *testenv.Org
		region  *region
		cluster string
		key     bootstrapOutput
	}
	orgs := []placed{
		{us.env.CreateOrgOn(t, "us-acme", "shared"), us, "shared", bootstrapOutput{}},
		{us.env.CreateOrgOn(t, "us-bank", "dedicated"), us, "dedicated", bootstrapOutput{}},
	}
	// A token of us-east-1 is useless elsewhere, so the other regions'
	// organizations are provisioned with the bootstrap command of their
	// region, on the cluster it is told to use by default.
	for _, r := range []*region{eu, ap} {
		for _, c := range []string{"shared", "dedicated"} {
			id := strings.SplitN(r.name, "-", 2)[0] + "-" + c
			k := bootstrap(t, ctx, bin, r, id, c)
			org := &testenv.Org{ID: id, UserID: k.UserID, Admin: r.env.SignIn(t, id, k.APIKey, k.APIKeyID, k.UserID)}
			orgs = append(orgs, placed{org, r, c, k})
		}
	}
	for _, o := range orgs {
		o.org.Admin.Do(t, "POST", "/v1/"+o.org.ID+"/user/", map[string]any{
			"first_name": "Ann", "last_name": "Lee", "email": "ann@" + o.org.ID + ".example", "role_name": "DefaultUserRole",
		}).Expect(201)
	}

	t.Run("the directory places each organization", func(t *testing.T) {
		dir, err := server.OpenDirectory(ctx, directory, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer dir.Close()
		for _, o := range orgs {
			p, err := dir.Lookup(ctx, o.org.ID)
			if err != nil || p.Region != o.region.name || p.Cluster != o.cluster {
				t.Errorf("%s: placement %+v, %v; want %s/%s", o.org.ID, p, err, o.region.name, o.cluster)
			}
		}
	})
	t.Run("each organization's rows are in its cluster and nowhere else", func(t *testing.T) {
		for _, r := range regions {
			for name, u := range r.clusters {
				db := openCluster(t, u)
				for _, o := range orgs {
					rows := testenv.OrgRows(t, db, o.org.ID)
					home := o.region == r && o.cluster == name
					switch {
					case home && (rows["organizations"] != 1 || rows["users"] != 2 || rows["api_keys"] == 0):
						t.Errorf("%s on %s/%s, its home: %v", o.org.ID, r.name, name, rows)
					case !home && testenv.TotalRows(rows) != 0:
						t.Errorf("%s has rows on %s/%s: %v", o.org.ID, r.name, name, rows)
					}
				}
			}
		}
	})
	t.Run("other regions do not know the organization", func(t *testing.T) {
		for _, o := range orgs {
			for _, r := range regions {
				if r == o.region {
					continue
				}
				other := r.env.Anonymous(t)
				for _, c := range []*testenv.Client{other, other.With("Authorization", "Bearer "+o.org.Admin.Token)} {
					for _, path := range []string{"/organization/", "/user/"} {
						resp := c.Do(t, "GET", "/v1/"+o.org.ID+path, nil).Expect(404)
						if resp.Detail() != amigo.MsgOrgNotFound {
							t.Errorf("%s at %s: detail %q", o.org.ID, r.name, resp.Detail())
						}
					}
				}
				if o.key.APIKey != "" {
					other.Do(t, "POST", "/v1/"+o.org.ID+"/user/signin_with_api_key", nil, testenv.Header("x-api-key", o.key.APIKey),
						testenv.Header("x-api-key-id", o.key.APIKeyID), testenv.Header("x-user-id", o.key.UserID)).Expect(404)
				}
			}
		}
	})
	t.Run("a token is useless in another region", func(t *testing.T) {
		// The platform administrator of us-east-1 may act on us-east-1's
		// organizations only.
		us.env.Admin.With("X-ORG-ID", "platform").Do(t, "GET", "/v1/us-bank/user/", nil).Expect(200)
		for _, target := range []string{"eu-shared", "ap-dedicated"} {
			r := eu
			if strings.HasPrefix(target, "ap") {
				r = ap
			}
			r.env.Anonymous(t).With("Authorization", "Bearer "+us.env.Admin.Token).With("X-ORG-ID", "platform").
				Do(t, "GET", "/v1/"+target+"/user/", nil).Expect(401)
		}
	})
}

// bootstrapOutput is what the bootstrap command prints.
type bootstrapOutput struct {
	UserID   string `json:"user_id"`
	APIKeyID string `json:"api_key_id"`
	APIKey   string `json:"api_key"`
}

// bootstrap runs the bootstrap command of region r as its own process,
// placing a new organization on cluster.
func bootstrap(t *testing.T, ctx context.Context, bin string, r *region, org, cluster string) bootstrapOutput {
	t.Helper()
	args := append([]string{"bootstrap", "--org", org}, r.flags...)
	args = append(args, "--default-cluster", cluster)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "AMIGO_CONFIG=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bootstrap %s in %s: %v\n%s", org, r.name, err, stderr.String())
	}
	var out bootstrapOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("bootstrap output %q: %v", stdout.String(), err)
	}
	return out
}

// startRegion starts r's server process; it is killed when the test ends,
// and its log is shown if the test failed. The returned channel closes
// when the process exits.
func startRegion(t *testing.T, ctx context.Context, bin string, r *region) <-chan struct{} {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve"}, r.flags...)...)
	cmd.Env = append(os.Environ(), "AMIGO_CONFIG=")
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("log of %s:\n%s", r.name, logs.String())
		}
	})
	return exited
}

// waitReady polls /readyz until it answers 200, for at most 30 seconds,
// and gives up at once if the process exits.
func waitReady(t *testing.T, ctx context.Context, base string, exited <-chan struct{}) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("the server of %s exited", base)
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s did not become ready: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// openCluster opens a cluster database directly, bypassing amigo-server.
func openCluster(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if strings.HasPrefix(dbURL, "sqlite://") {
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		driver, dsn = "sqlite", u.Path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// lockedBuffer is a bytes.Buffer safe for a process's two output streams.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
