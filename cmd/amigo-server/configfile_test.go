package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/amigo-oss/amigo-server/server"
)

// parseConfig registers the configuration flags, parses args and returns
// the normalized configuration, as the commands do.
func parseConfig(t *testing.T, args ...string) (server.Config, error) {
	t.Helper()
	var f configFlags
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.config()
}

func TestConfigFileUnderFlagsAndEnvironment(t *testing.T) {
	for _, name := range []string{"AMIGO_CONFIG", "AMIGO_REGION", "AMIGO_LISTEN", "AMIGO_CLUSTERS", "AMIGO_DEFAULT_CLUSTER",
		"AMIGO_DIRECTORY_CACHE_TTL", "AMIGO_RATE_LIMITS", "AMIGO_DIRECTORY_URL", "AMIGO_DATA_DIR"} {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "amigo.yaml")
	yaml := "region: eu-central-1\nlisten: 127.0.0.1:9001\ndata_dir: " + dir + "\n" +
		"clusters:\n  shared: sqlite://" + dir + "/shared.db\n  acme: sqlite://" + dir + "/acme.db\n" +
		"default_cluster: shared\ndirectory_cache_ttl: 2s\nrate_limits:\n  mode: \"off\"\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("the file's values apply", func(t *testing.T) {
		cfg, err := parseConfig(t, "--config", file)
		if err != nil {
			t.Fatal(err)
		}
		region, listen, def, ttl, clusters, rl := cfg.Region, cfg.Listen, cfg.DefaultCluster, cfg.DirectoryCacheTTL, cfg.Clusters, cfg.RateLimits
		if region != "eu-central-1" || listen != "127.0.0.1:9001" || def != "shared" || ttl != 2*time.Second || len(clusters) != 2 || rl != "off" {
			t.Fatalf("got region=%s listen=%s default=%s ttl=%s clusters=%v rate_limits=%s", region, listen, def, ttl, clusters, rl)
		}
	})
	t.Run("flags win over the file", func(t *testing.T) {
		cfg, err := parseConfig(t, "--config", file, "--region", "ap-southeast-2", "--directory-cache-ttl", "100ms",
			"--cluster", "solo=sqlite://"+dir+"/solo.db", "--default-cluster", "solo")
		if err != nil {
			t.Fatal(err)
		}
		region, listen, def, ttl, clusters := cfg.Region, cfg.Listen, cfg.DefaultCluster, cfg.DirectoryCacheTTL, cfg.Clusters
		if region != "ap-southeast-2" || listen != "127.0.0.1:9001" || def != "solo" || ttl != 100*time.Millisecond || len(clusters) != 1 {
			t.Fatalf("got region=%s listen=%s default=%s ttl=%s clusters=%v", region, listen, def, ttl, clusters)
		}
	})
	t.Run("environment variables win over the file", func(t *testing.T) {
		t.Setenv("AMIGO_REGION", "us-east-1")
		t.Setenv("AMIGO_RATE_LIMITS", "10x")
		cfg, err := parseConfig(t, "--config", file)
		if err != nil {
			t.Fatal(err)
		}
		if region, rl := cfg.Region, cfg.RateLimits; region != "us-east-1" || rl != "10x" {
			t.Fatalf("got region=%s rate_limits=%s", region, rl)
		}
	})
	t.Run("AMIGO_CONFIG names the file", func(t *testing.T) {
		t.Setenv("AMIGO_CONFIG", file)
		cfg, err := parseConfig(t)
		if err != nil {
			t.Fatal(err)
		}
		if region := cfg.Region; region != "eu-central-1" {
			t.Fatalf("got region=%s", region)
		}
	})
	t.Run("a bad file is an error", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		os.WriteFile(bad, []byte("clusters:\n  legacy: mysql://db/x\n"), 0o600)
		if _, err := parseConfig(t, "--config", bad); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("without a file the defaults keep one embedded cluster", func(t *testing.T) {
		cfg, err := parseConfig(t, "--data-dir", dir)
		if err != nil {
			t.Fatal(err)
		}
		if region, def, ttl, clusters := cfg.Region, cfg.DefaultCluster, cfg.DirectoryCacheTTL, cfg.Clusters; region != "local" || def != "default" || ttl != server.DefaultDirectoryTTL || len(clusters) != 1 {
			t.Fatalf("got region=%s default=%s ttl=%s clusters=%v", region, def, ttl, clusters)
		}
	})
}
