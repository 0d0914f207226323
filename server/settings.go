package server

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/forwarded"
	"github.com/amigo-oss/amigo-server/internal/usage"
	"github.com/amigo-oss/amigo-server/ratelimit"
)

// Setting is one configuration setting under all its names. Settings is
// the one declaration that the flags, the AMIGO_* environment variables,
// the configuration file's keys and docs/configuration.md's settings table come
// from: adding a setting is adding one line there.
type Setting struct {
	Flag    string // the flag's name without dashes; empty: no flag
	Env     string // the environment variable; empty: none
	Key     string // the file's key, dots for nesting; empty: not in the file
	Default string // the default as help and docs/configuration.md show it
	Help    string
	Shape   Shape
	// set stores the setting's values into a Config, refusing values that
	// cannot work with a message that says what would.
	set func(c *Config, vals []string) error
}

// Shape is how a setting's value is written.
type Shape int

const (
	// Scalar: one value; a repeated flag keeps the last.
	Scalar Shape = iota
	// List: a repeatable flag, a comma-separated variable, a YAML sequence.
	List
	// Mapping: NAME=VALUE flags or variable items, a YAML mapping.
	Mapping
)

// Settings lists every setting, in the order help and docs/configuration.md show them.
var Settings = []Setting{
	{Flag: "config", Env: "AMIGO_CONFIG", Help: "YAML configuration file; flags and AMIGO_* variables override its values",
		set: text(func(c *Config) *string { return &c.ConfigFile }, nil)},
	{Flag: "listen", Env: "AMIGO_LISTEN", Key: "listen", Default: DefaultListen, Help: "address to listen on, host:port (:port for every interface)",
		set: text(func(c *Config) *string { return &c.Listen }, checkListen)},
	{Flag: "data-dir", Env: "AMIGO_DATA_DIR", Key: "data_dir", Default: DefaultDataDir, Help: "directory of the embedded databases and the generated signing key",
		set: text(func(c *Config) *string { return &c.DataDir }, nil)},
	{Flag: "region", Env: "AMIGO_REGION", Key: "region", Default: DefaultRegion, Help: "name of this region",
		set: text(func(c *Config) *string { return &c.Region }, nil)},
	{Flag: "base-url", Env: "AMIGO_PUBLIC_BASE_URL", Key: "base_url", Default: "http://LISTEN", Help: "this region's public base URL",
		set: text(func(c *Config) *string { return &c.BaseURL }, checkBaseURL)},
	{Flag: "directory-url", Env: "AMIGO_DIRECTORY_URL", Key: "directory_url", Default: "sqlite://DATA_DIR/directory.db", Help: "the directory database: postgres://… or sqlite:///absolute/path.db",
		set: text(func(c *Config) *string { return &c.DirectoryURL }, nil)},
	{Flag: "cluster", Env: "AMIGO_CLUSTERS", Key: "clusters", Shape: Mapping, Default: "default=sqlite://DATA_DIR/default.db", Help: "this region's clusters, NAME=URL",
		set: setClusters},
	{Flag: "default-cluster", Env: "AMIGO_DEFAULT_CLUSTER", Key: "default_cluster", Default: DefaultClusterName, Help: "cluster for new organizations (the only one, if there is one)",
		set: text(func(c *Config) *string { return &c.DefaultCluster }, nil)},
	{Flag: "signing-key-file", Env: "AMIGO_SIGNING_KEY_FILE", Key: "signing_key_file", Default: "generated in the data dir", Help: "Ed25519 PKCS#8 PEM key that signs tokens; must exist when given",
		set: text(func(c *Config) *string { return &c.SigningKeyFile }, nil)},
	{Flag: "verify-key-file", Env: "AMIGO_VERIFY_KEY_FILES", Key: "verify_key_files", Shape: List, Help: "retired keys whose tokens stay valid",
		set: texts(func(c *Config) *[]string { return &c.VerifyKeyFiles })},
	{Flag: "directory-cache-ttl", Env: "AMIGO_DIRECTORY_CACHE_TTL", Key: "directory_cache_ttl", Default: DefaultDirectoryTTL.String(), Help: "how long directory answers and the callers behind tokens are cached",
		set: setDuration(func(c *Config) *time.Duration { return &c.DirectoryCacheTTL })},
	{Flag: "change-log-retention", Env: "AMIGO_CHANGE_LOG_RETENTION", Key: "change_log_retention", Default: "keep", Help: "how long change log records are kept, e.g. 2160h (90 days); keep: as long as their organization",
		set: setRetention},
	{Flag: "rate-limits", Env: "AMIGO_RATE_LIMITS", Key: "rate_limits.mode", Default: "on", Help: "on (the spec's limits), off, or a multiplier such as 10x",
		set: text(func(c *Config) *string { return &c.RateLimits }, checkRateLimitMode)},
	{Key: "rate_limits.overrides", Shape: Mapping, Help: "requests per minute by operation id, replacing the spec's (file only)",
		set: setOverrides},
	{Flag: "trusted-proxy", Env: "AMIGO_TRUSTED_PROXIES", Key: "trusted_proxies", Shape: List, Default: "none", Help: "reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For and X-Forwarded-Proto are believed, for client addresses and Secure cookies",
		set: setTrustedProxies},
	{Flag: "redis-url", Env: "AMIGO_REDIS_URL", Key: "redis_url", Help: "Redis shared by replicas for rate limits, e.g. redis://127.0.0.1:6379/0",
		set: text(func(c *Config) *string { return &c.RedisURL }, checkRedisURL)},
	{Flag: "voice-ids", Env: "AMIGO_VOICE_IDS", Key: "voice_ids", Shape: List, Default: "any id accepted", Help: "voice ids agent versions may use (also comma-separated)",
		set: setVoiceIDs},
	{Flag: "voice-catalog", Env: "AMIGO_VOICE_CATALOG", Key: "voice_catalog", Help: "file of voice ids, one per line, # comments",
		set: text(func(c *Config) *string { return &c.VoiceCatalogFile }, nil)},
	{Flag: "db-timeout", Env: "AMIGO_DB_TIMEOUT", Key: "db_timeout", Default: api.DefaultDBTimeout.String(), Help: "how long a request's database work may take before it is answered 503",
		set: setDuration(func(c *Config) *time.Duration { return &c.DBTimeout })},
	{Flag: "metrics-listen", Env: "AMIGO_METRICS_LISTEN", Key: "metrics_listen", Help: "serve /metrics on this address instead of on --listen",
		set: text(func(c *Config) *string { return &c.MetricsListen }, checkListen)},
	{Flag: "log-format", Env: "AMIGO_LOG_FORMAT", Key: "log_format", Default: "auto", Help: "json, text, or auto: text on a terminal",
		set: text(func(c *Config) *string { return &c.LogFormat }, checkLogFormat)},
}

// text sets a string field, after check if there is one.
func text(field func(*Config) *string, check func(string) error) func(*Config, []string) error {
	return func(c *Config, vals []string) error {
		v := vals[len(vals)-1]
		if check != nil {
			if err := check(v); err != nil {
				return err
			}
		}
		*field(c) = v
		return nil
	}
}

func texts(field func(*Config) *[]string) func(*Config, []string) error {
	return func(c *Config, vals []string) error {
		*field(c) = vals
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, []string) error {
	return func(c *Config, vals []string) error {
		v := vals[len(vals)-1]
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration such as 5s or 250ms, got %q", v)
		}
		*field(c) = d
		return nil
	}
}

// setTrustedProxies reads addresses and CIDR ranges, also comma-separated.
func setTrustedProxies(c *Config, vals []string) error {
	var list []string
	for _, v := range vals {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
	}
	if _, err := forwarded.Parse(list); err != nil {
		return err
	}
	c.TrustedProxies = list
	return nil
}

// setRetention reads "keep" (zero: no pruning) or a positive duration.
func setRetention(c *Config, vals []string) error {
	if v := vals[len(vals)-1]; v == "keep" {
		c.ChangeLogRetention = 0
		return nil
	} else if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		return fmt.Errorf("want keep or a positive duration such as 2160h, got %q", v)
	} else {
		c.ChangeLogRetention = d
	}
	return nil
}

func setClusters(c *Config, vals []string) error {
	clusters, err := ParseClusters(vals)
	if err != nil {
		return err
	}
	c.Clusters = clusters
	return nil
}

func setOverrides(c *Config, vals []string) error {
	out := make(map[string]int, len(vals))
	for _, v := range vals {
		op, n, _ := strings.Cut(v, "=")
		rpm, err := strconv.Atoi(n)
		if err != nil || rpm <= 0 {
			return fmt.Errorf("%s: want a positive number of requests per minute, got %q", op, n)
		}
		if err := checkOperationID(op); err != nil {
			return err
		}
		out[op] = rpm
	}
	c.RateLimitOverrides = out
	return nil
}

func setVoiceIDs(c *Config, vals []string) error {
	var ids []string
	for _, v := range vals {
		for id := range strings.SplitSeq(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	c.VoiceIDs = ids
	return nil
}

// checkListen accepts host:port and :port. A bare port is the natural
// mistake, so it gets its own advice.
func checkListen(v string) error {
	if _, err := strconv.Atoi(v); err == nil {
		return fmt.Errorf("%q is a port alone: use host:port, e.g. 127.0.0.1:%s, or :%s for every interface", v, v, v)
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		return fmt.Errorf("%q: use host:port, e.g. 127.0.0.1:8080, or :8080 for every interface", v)
	}
	return nil
}

func checkBaseURL(v string) error {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return fmt.Errorf("%q: want an http:// or https:// URL, e.g. https://api.example.com", v)
	}
	return nil
}

func checkRateLimitMode(v string) error {
	_, err := ratelimit.ParseMode(v)
	return err
}

func checkRedisURL(v string) error {
	if !strings.HasPrefix(v, "redis://") && !strings.HasPrefix(v, "rediss://") && !strings.HasPrefix(v, "unix://") {
		return fmt.Errorf("%q: expected redis://host:port/db, e.g. redis://127.0.0.1:6379/0", v)
	}
	if _, err := ratelimit.RedisOptions(v); err != nil {
		return fmt.Errorf("%q: expected redis://host:port/db, e.g. redis://127.0.0.1:6379/0", v)
	}
	return nil
}

func checkLogFormat(v string) error {
	switch v {
	case "json", "text", "auto":
		return nil
	}
	return fmt.Errorf("%q: want json, text or auto", v)
}

// settingByFlag and settingByKey find a setting by one of its names.
func settingByFlag(flag string) *Setting {
	for i := range Settings {
		if Settings[i].Flag == flag {
			return &Settings[i]
		}
	}
	return nil
}

func settingByKey(key string) *Setting {
	for i := range Settings {
		if Settings[i].Key == key {
			return &Settings[i]
		}
	}
	return nil
}

// checkOperationID refuses an override for an operation the server does
// not have: a typo would otherwise leave the spec's limit in force unseen.
func checkOperationID(op string) error {
	ids := api.OperationIDs()
	if slices.Contains(ids, op) {
		return nil
	}
	if best, ok := usage.Nearest(op, ids); ok {
		return fmt.Errorf("unknown operation id %s; did you mean %s?", op, best)
	}
	return fmt.Errorf("unknown operation id %s; the operation ids are listed in the endpoint table of docs/api.md", op)
}
