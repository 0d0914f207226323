// Package server assembles a running amigo-server from its configuration:
// it opens the directory and the clusters, loads the signing keys, builds
// the core.App and the api.Server, and serves HTTP with graceful shutdown.
// cmd/amigo-server and the end-to-end tests both use it.
package server

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/ratelimit"
)

// Config is the whole configuration of one server process.
type Config struct {
	// ConfigFile is the YAML file the configuration was read from, if any.
	ConfigFile string
	Listen     string // address to listen on
	DataDir    string // where the embedded defaults live
	Region     string
	BaseURL    string // this region's public base URL
	// DirectoryURL is the directory database; default: SQLite in DataDir.
	DirectoryURL string
	// Clusters maps cluster names to database URLs; default: one SQLite
	// cluster named "default" in DataDir.
	Clusters       map[string]string
	DefaultCluster string
	// SigningKeyFile is the Ed25519 private key tokens are signed with;
	// default: generated into DataDir on first start.
	SigningKeyFile string
	// VerifyKeyFiles are retired keys whose tokens are still accepted.
	VerifyKeyFiles    []string
	DirectoryCacheTTL time.Duration
	ShutdownTimeout   time.Duration
	// ChangeLogRetention is how long change log records are kept; zero
	// keeps them for the life of their organization.
	ChangeLogRetention time.Duration
	// RateLimits is "on" (the spec's numbers), "off", or a multiplier
	// such as "10x".
	RateLimits string
	// RateLimitOverrides replace the spec's requests per minute by
	// operation id.
	RateLimitOverrides map[string]int
	// RedisURL, when set, makes replicas share rate-limit counts.
	RedisURL string
	// VoiceIDs and VoiceCatalogFile (one id per line, # comments) list the
	// voice ids agent versions may use. With neither, any non-empty id is
	// accepted.
	VoiceIDs         []string
	VoiceCatalogFile string
	// LogFormat is json, text, or auto (text on a terminal).
	LogFormat string
	// DBTimeout bounds the database work of one request; past it the
	// client gets 503. Negative turns the deadline off.
	DBTimeout time.Duration
	// MetricsListen, when set, serves /metrics on this address instead of
	// on Listen.
	MetricsListen string
	// LLMs are the OpenAI-compatible models by Amigo LLM name; DefaultLLM
	// answers for the names not among them (BuiltinLLM by default).
	LLMs       map[string]*LLMEndpoint
	DefaultLLM string
	// InteractionLease is how long an interaction holds its conversation
	// between renewals.
	InteractionLease time.Duration
}

// Defaults of the embedded setup.
const (
	DefaultListen         = "127.0.0.1:8080"
	DefaultDataDir        = "./data"
	DefaultRegion         = "local"
	DefaultClusterName    = "default"
	DefaultDirectoryTTL   = time.Second
	DefaultShutdownPeriod = 20 * time.Second
)

// Normalize fills defaults and checks the configuration.
func (c *Config) Normalize() error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	dir, err := absDataDir(c.DataDir)
	if err != nil {
		return err
	}
	c.DataDir = dir
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
		// ":8080" listens on every interface; clients reach it on localhost.
		if host, port, err := net.SplitHostPort(c.Listen); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
			c.BaseURL = "http://" + net.JoinHostPort("localhost", port)
		}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.DirectoryURL == "" {
		c.DirectoryURL = "sqlite://" + filepath.Join(dir, "directory.db")
	}
	if len(c.Clusters) == 0 {
		c.Clusters = map[string]string{DefaultClusterName: "sqlite://" + filepath.Join(dir, DefaultClusterName+".db")}
	}
	if err := checkDatabaseURLs(c.DirectoryURL, c.Clusters); err != nil {
		return err
	}
	if c.DefaultCluster == "" {
		if _, ok := c.Clusters[DefaultClusterName]; ok || len(c.Clusters) != 1 {
			c.DefaultCluster = DefaultClusterName
		} else {
			for name := range c.Clusters {
				c.DefaultCluster = name
			}
		}
	}
	if _, ok := c.Clusters[c.DefaultCluster]; !ok {
		return fmt.Errorf("default cluster %q is not among the configured clusters", c.DefaultCluster)
	}
	if c.SigningKeyFile == "" {
		c.SigningKeyFile = defaultSigningKeyFile(dir)
	}
	if c.DirectoryCacheTTL == 0 {
		c.DirectoryCacheTTL = DefaultDirectoryTTL
	}
	if c.RateLimits == "" {
		c.RateLimits = "on"
	}
	if _, err := ratelimit.ParseMode(c.RateLimits); err != nil {
		return err
	}
	if c.LogFormat == "" {
		c.LogFormat = "auto"
	}
	if c.DBTimeout == 0 {
		c.DBTimeout = api.DefaultDBTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownPeriod
	}
	return c.normalizeLLMs()
}

// ParseClusters parses repeated NAME=URL values.
func ParseClusters(vals []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		name, url, ok := strings.Cut(v, "=")
		if !ok || name == "" || url == "" {
			return nil, fmt.Errorf("cluster %q: want NAME=URL", v)
		}
		out[name] = url
	}
	return out, nil
}

// defaultSigningKeyFile is where the signing key is generated when none is
// configured. Only a key there may be generated; one configured elsewhere
// must exist.
func defaultSigningKeyFile(dataDir string) string {
	return filepath.Join(dataDir, "signing-key.pem")
}

// absDataDir is the data directory as an absolute path, as the startup line
// and the operator commands show it.
func absDataDir(dir string) (string, error) {
	return filepath.Abs(dir)
}
