package server

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfigFile(t *testing.T) {
	full := `
region: eu-central-1
base_url: https://api-eu-central-1.example.com/
listen: 127.0.0.1:9090
data_dir: /var/lib/amigo
directory_url: postgres://amigo@db.example.com/directory
clusters:
  shared: postgres://amigo@db.example.com/eu_shared
  acme: sqlite:///var/lib/amigo/acme.db
default_cluster: shared
signing_key_file: /etc/amigo/signing.pem
verify_key_files: [/etc/amigo/old1.pem, /etc/amigo/old2.pem]
directory_cache_ttl: 250ms
rate_limits:
  mode: 10x
  overrides:
    create-agent: 100
redis_url: redis://127.0.0.1:6379/0
`
	cfg, err := ParseConfigFile([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Region: "eu-central-1", BaseURL: "https://api-eu-central-1.example.com/", Listen: "127.0.0.1:9090",
		DataDir: "/var/lib/amigo", DirectoryURL: "postgres://amigo@db.example.com/directory",
		Clusters:       map[string]string{"shared": "postgres://amigo@db.example.com/eu_shared", "acme": "sqlite:///var/lib/amigo/acme.db"},
		DefaultCluster: "shared", SigningKeyFile: "/etc/amigo/signing.pem",
		VerifyKeyFiles:    []string{"/etc/amigo/old1.pem", "/etc/amigo/old2.pem"},
		DirectoryCacheTTL: 250 * time.Millisecond, RateLimits: "10x",
		RateLimitOverrides: map[string]int{"create-agent": 100}, RedisURL: "redis://127.0.0.1:6379/0",
	}
	if cfg.Region != want.Region || cfg.BaseURL != want.BaseURL || cfg.Listen != want.Listen || cfg.DataDir != want.DataDir ||
		cfg.DirectoryURL != want.DirectoryURL || !maps.Equal(cfg.Clusters, want.Clusters) || cfg.DefaultCluster != want.DefaultCluster ||
		cfg.SigningKeyFile != want.SigningKeyFile || strings.Join(cfg.VerifyKeyFiles, ",") != strings.Join(want.VerifyKeyFiles, ",") ||
		cfg.DirectoryCacheTTL != want.DirectoryCacheTTL || cfg.RateLimits != want.RateLimits ||
		!maps.Equal(cfg.RateLimitOverrides, want.RateLimitOverrides) || cfg.RedisURL != want.RedisURL {
		t.Fatalf("parsed\n%+v\nwant\n%+v", cfg, want)
	}

	t.Run("the rate-limit modes on and off stay strings", func(t *testing.T) {
		for _, mode := range []string{"on", "off"} {
			cfg, err := ParseConfigFile([]byte("rate_limits:\n  mode: " + mode + "\n"))
			if err != nil || cfg.RateLimits != mode {
				t.Fatalf("mode %s: got %q, %v", mode, cfg.RateLimits, err)
			}
		}
	})
	t.Run("an empty file is the defaults", func(t *testing.T) {
		cfg, err := ParseConfigFile(nil)
		if err != nil || cfg.Region != "" || cfg.Clusters != nil {
			t.Fatalf("got %+v, %v", cfg, err)
		}
	})

	for _, tc := range []struct {
		name, yaml string
		wantErr    []string // substrings of the error
	}{
		{"unknown key", "region: x\nclusterz: {}\n", []string{"line 2: unknown key clusterz; did you mean clusters?"}},
		{"unknown key far from any", "region: x\nzzz: 1\n", []string{"unknown key zzz; the keys are"}},
		{"unknown nested key", "rate_limits:\n  mode: on\n  burst: 3\n", []string{"burst"}},
		{"cluster URL of another scheme", "clusters:\n  good: sqlite:///tmp/a.db\n  legacy: mysql://db/x\n", []string{"cluster legacy", "mysql://db/x"}},
		{"relative sqlite path", "clusters:\n  rel: sqlite://data/x.db\n", []string{"cluster rel"}},
		{"password is not echoed", "clusters:\n  c: mongodb://u:secret@h/x\n", []string{"cluster c", "xxxxx"}},
		{"directory URL", "directory_url: ./directory.db\n", []string{"directory URL"}},
		{"bare number as a duration", "directory_cache_ttl: 5\n", []string{"duration"}},
		{"malformed duration", "directory_cache_ttl: soon\n", []string{"duration"}},
		{"non-positive override", "rate_limits:\n  overrides:\n    create-agent: 0\n", []string{"create-agent"}},
		{"not YAML", "region: [unclosed\n", []string{"yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfigFile([]byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows a password", err)
			}
		})
	}
}

func TestLoadConfigFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "amigo.yaml")
	if err := os.WriteFile(path, []byte("regin: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfigFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
	if _, err := LoadConfigFile(path + ".missing"); err == nil {
		t.Fatal("a missing file is not an error")
	}
}

func TestNormalizeChecksClusterURLs(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Clusters: map[string]string{"default": "file:/tmp/x.db"}}
	if err := cfg.Normalize(); err == nil || !strings.Contains(err.Error(), "cluster default") {
		t.Fatalf("Normalize: %v", err)
	}
}
