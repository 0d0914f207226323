package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the YAML configuration file. Its keys mirror the flags;
// keys it does not know are errors, so a typo never passes silently.
type fileConfig struct {
	Region            string            `yaml:"region"`
	BaseURL           string            `yaml:"base_url"`
	Listen            string            `yaml:"listen"`
	DataDir           string            `yaml:"data_dir"`
	DirectoryURL      string            `yaml:"directory_url"`
	Clusters          map[string]string `yaml:"clusters"`
	DefaultCluster    string            `yaml:"default_cluster"`
	SigningKeyFile    string            `yaml:"signing_key_file"`
	VerifyKeyFiles    []string          `yaml:"verify_key_files"`
	DirectoryCacheTTL *duration         `yaml:"directory_cache_ttl"`
	RateLimits        struct {
		Mode      string         `yaml:"mode"`
		Overrides map[string]int `yaml:"overrides"`
	} `yaml:"rate_limits"`
	RedisURL      string    `yaml:"redis_url"`
	VoiceIDs      []string  `yaml:"voice_ids"`
	VoiceCatalog  string    `yaml:"voice_catalog"`
	DBTimeout     *duration `yaml:"db_timeout"`
	MetricsListen string    `yaml:"metrics_listen"`
}

// duration is a time.Duration written as a Go duration string ("5s",
// "250ms"); a bare number is refused because its unit would be a guess.
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return fmt.Errorf("line %d: want a duration such as 5s or 250ms, got %q", n.Line, n.Value)
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: want a duration such as 5s or 250ms, got %q", n.Line, n.Value)
	}
	*d = duration(v)
	return nil
}

// LoadConfigFile reads the YAML configuration file at path. The result is
// not normalized: flags and environment variables are applied over it
// first, then Config.Normalize fills the defaults.
func LoadConfigFile(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config file: %w", err)
	}
	cfg, err := ParseConfigFile(data)
	if err != nil {
		return Config{}, fmt.Errorf("config file %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfigFile parses the YAML configuration in data.
func ParseConfigFile(data []byte) (Config, error) {
	var f fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	cfg := Config{
		Listen: f.Listen, DataDir: f.DataDir, Region: f.Region, BaseURL: f.BaseURL, DirectoryURL: f.DirectoryURL,
		Clusters: f.Clusters, DefaultCluster: f.DefaultCluster, SigningKeyFile: f.SigningKeyFile,
		VerifyKeyFiles: f.VerifyKeyFiles, RateLimits: f.RateLimits.Mode, RateLimitOverrides: f.RateLimits.Overrides,
		RedisURL: f.RedisURL, VoiceIDs: f.VoiceIDs, VoiceCatalogFile: f.VoiceCatalog, MetricsListen: f.MetricsListen,
	}
	if f.DBTimeout != nil {
		cfg.DBTimeout = time.Duration(*f.DBTimeout)
	}
	if f.DirectoryCacheTTL != nil {
		cfg.DirectoryCacheTTL = time.Duration(*f.DirectoryCacheTTL)
	}
	for op, rpm := range f.RateLimits.Overrides {
		if rpm <= 0 {
			return Config{}, fmt.Errorf("rate_limits.overrides.%s: want a positive number of requests per minute, got %d", op, rpm)
		}
	}
	if err := checkDatabaseURLs(cfg.DirectoryURL, cfg.Clusters); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// checkDatabaseURLs refuses any database URL that is neither PostgreSQL
// nor an absolute SQLite path, naming the cluster it belongs to.
func checkDatabaseURLs(directory string, clusters map[string]string) error {
	if directory != "" && !validDatabaseURL(directory) {
		return fmt.Errorf("directory URL %q: want postgres://… or sqlite:///absolute/path.db", redact(directory))
	}
	names := make([]string, 0, len(clusters))
	for name := range clusters {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "" {
			return errors.New("a cluster has an empty name")
		}
		if !validDatabaseURL(clusters[name]) {
			return fmt.Errorf("cluster %s: URL %q: want postgres://… or sqlite:///absolute/path.db", name, redact(clusters[name]))
		}
	}
	return nil
}

func validDatabaseURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") ||
		(strings.HasPrefix(u, "sqlite:///") && len(u) > len("sqlite:///"))
}
