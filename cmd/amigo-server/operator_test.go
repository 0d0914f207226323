package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// run runs the CLI with args as main does and returns its standard output,
// and what it printed on standard error as the error if it failed.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if execute(ctx, args, &stdout, &stderr) != 0 {
		return stdout.String(), errors.New(strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// flagsOf returns the command-line flags of a server's configuration.
func flagsOf(cfg server.Config) []string {
	args := []string{"--data-dir", cfg.DataDir, "--region", cfg.Region, "--directory-url", cfg.DirectoryURL,
		"--default-cluster", cfg.DefaultCluster, "--directory-cache-ttl", cfg.DirectoryCacheTTL.String(), "--log-format", "text"}
	names := make([]string, 0, len(cfg.Clusters))
	for name := range cfg.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		args = append(args, "--cluster", name+"="+cfg.Clusters[name])
	}
	return args
}

func TestOperatorCommands(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) {
			cfg.Region = "eu-central-1"
			cfg.Clusters["dedicated"] = b.NewURL(t, "dedicated")
			cfg.DirectoryCacheTTL = 100 * time.Millisecond
		}})
		acme := env.CreateOrg(t, "acme")
		flags := flagsOf(env.Runtime.Config)
		usersOf := func() int { return acme.Admin.Do(t, "GET", "/v1/acme/user/", nil).Status }

		t.Run("maintenance of one organization", func(t *testing.T) {
			if _, err := run(t, append([]string{"maintenance", "on", "--org", "acme"}, flags...)...); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 5*time.Second, "acme in maintenance", func() bool { return usersOf() == 503 })
			out, err := run(t, append([]string{"maintenance", "status"}, flags...)...)
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				Region        string `json:"region"`
				Maintenance   bool   `json:"maintenance"`
				Organizations []struct {
					OrgID       string `json:"org_id"`
					Maintenance bool   `json:"maintenance"`
				} `json:"organizations"`
			}
			if err := json.Unmarshal([]byte(out), &st); err != nil {
				t.Fatalf("status %q: %v", out, err)
			}
			if st.Region != "eu-central-1" || st.Maintenance || len(st.Organizations) != 1 || st.Organizations[0].OrgID != "acme" || !st.Organizations[0].Maintenance {
				t.Fatalf("status %+v", st)
			}
			if _, err := run(t, append([]string{"maintenance", "off", "--org", "acme"}, flags...)...); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 5*time.Second, "acme back", func() bool { return usersOf() == 200 })
		})
		t.Run("maintenance of the region, configured by file", func(t *testing.T) {
			cfg := env.Runtime.Config
			var yaml strings.Builder
			yaml.WriteString("region: " + cfg.Region + "\ndata_dir: " + cfg.DataDir + "\ndirectory_url: " + cfg.DirectoryURL + "\nclusters:\n")
			for name, url := range cfg.Clusters {
				yaml.WriteString("  " + name + ": " + url + "\n")
			}
			file := filepath.Join(t.TempDir(), "amigo.yaml")
			if err := os.WriteFile(file, []byte(yaml.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := run(t, "maintenance", "on", "--config", file); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 5*time.Second, "region in maintenance", func() bool { return usersOf() == 503 })
			if _, err := run(t, "maintenance", "off", "--config", file); err != nil {
				t.Fatal(err)
			}
			testenv.Eventually(t, 5*time.Second, "region back", func() bool { return usersOf() == 200 })
		})
		t.Run("bad invocations", func(t *testing.T) {
			for _, args := range [][]string{
				{"maintenance", "maybe"},
				{"maintenance", "on", "--org", "ghost"},
				{"move-org", "--org", "acme"},
				{"move-org", "--org", "acme", "--to", "nowhere"},
			} {
				if _, err := run(t, append(args, flags...)...); err == nil {
					t.Errorf("%v: no error", args)
				} else if strings.Contains(err.Error(), "code=") {
					t.Errorf("%v: error %q shows an internal code", args, err)
				}
			}
		})
		t.Run("move-org", func(t *testing.T) {
			out, err := run(t, append([]string{"move-org", "--org", "acme", "--to", "dedicated", "--settle", "200ms"}, flags...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "acme: done") {
				t.Fatalf("output %q", out)
			}
			p, err := env.Runtime.Directory.Lookup(context.Background(), "acme")
			if err != nil || p.Cluster != "dedicated" || p.State != amigo.OrgActive || p.Maintenance {
				t.Fatalf("placement %+v, %v", p, err)
			}
			testenv.Eventually(t, 5*time.Second, "acme served from dedicated", func() bool { return usersOf() == 200 })
		})
	})
}
