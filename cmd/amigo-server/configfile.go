package main

import (
	"os"

	"github.com/spf13/pflag"

	"github.com/amigo-oss/amigo-server/server"
)

// fileFlags is the --config flag. The file gives the layout of larger
// deployments; a flag given on the command line or its environment
// variable wins over the file's value, and the built-in defaults fill what
// neither sets.
type fileFlags struct {
	configFile string
	flagSet    *pflag.FlagSet
}

func (f *fileFlags) registerConfigFile(fs *pflag.FlagSet) {
	f.flagSet = fs
	fs.StringVar(&f.configFile, "config", env("AMIGO_CONFIG", ""), "YAML configuration file; flags and AMIGO_* variables override its values (AMIGO_CONFIG)")
}

// fileSettings lists what the file may set, each with the flag and the
// environment variable that override it. Settings without a flag (such as
// the rate-limit overrides) come from the file alone.
var fileSettings = []struct {
	flag, env string
	apply     func(dst *server.Config, file *server.Config)
}{
	{"listen", "AMIGO_LISTEN", func(d, f *server.Config) { setString(&d.Listen, f.Listen) }},
	{"data-dir", "AMIGO_DATA_DIR", func(d, f *server.Config) { setString(&d.DataDir, f.DataDir) }},
	{"region", "AMIGO_REGION", func(d, f *server.Config) { setString(&d.Region, f.Region) }},
	{"base-url", "AMIGO_PUBLIC_BASE_URL", func(d, f *server.Config) { setString(&d.BaseURL, f.BaseURL) }},
	{"directory-url", "AMIGO_DIRECTORY_URL", func(d, f *server.Config) { setString(&d.DirectoryURL, f.DirectoryURL) }},
	{"cluster", "AMIGO_CLUSTERS", func(d, f *server.Config) {
		if len(f.Clusters) > 0 {
			d.Clusters = f.Clusters
		}
	}},
	{"default-cluster", "AMIGO_DEFAULT_CLUSTER", func(d, f *server.Config) { setString(&d.DefaultCluster, f.DefaultCluster) }},
	{"signing-key-file", "AMIGO_SIGNING_KEY_FILE", func(d, f *server.Config) { setString(&d.SigningKeyFile, f.SigningKeyFile) }},
	{"verify-key-file", "AMIGO_VERIFY_KEY_FILES", func(d, f *server.Config) {
		if len(f.VerifyKeyFiles) > 0 {
			d.VerifyKeyFiles = f.VerifyKeyFiles
		}
	}},
	{"directory-cache-ttl", "AMIGO_DIRECTORY_CACHE_TTL", func(d, f *server.Config) {
		if f.DirectoryCacheTTL > 0 {
			d.DirectoryCacheTTL = f.DirectoryCacheTTL
		}
	}},
	{"rate-limits", "AMIGO_RATE_LIMITS", func(d, f *server.Config) { setString(&d.RateLimits, f.RateLimits) }},
	{"", "", func(d, f *server.Config) {
		if len(f.RateLimitOverrides) > 0 {
			d.RateLimitOverrides = f.RateLimitOverrides
		}
	}},
	{"redis-url", "AMIGO_REDIS_URL", func(d, f *server.Config) { setString(&d.RedisURL, f.RedisURL) }},
	{"voice-ids", "AMIGO_VOICE_IDS", func(d, f *server.Config) {
		if len(f.VoiceIDs) > 0 {
			d.VoiceIDs = f.VoiceIDs
		}
	}},
	{"voice-catalog", "AMIGO_VOICE_CATALOG", func(d, f *server.Config) { setString(&d.VoiceCatalogFile, f.VoiceCatalogFile) }},
	{"db-timeout", "AMIGO_DB_TIMEOUT", func(d, f *server.Config) {
		if f.DBTimeout != 0 {
			d.DBTimeout = f.DBTimeout
		}
	}},
	{"metrics-listen", "AMIGO_METRICS_LISTEN", func(d, f *server.Config) { setString(&d.MetricsListen, f.MetricsListen) }},
}

// withFile lays cfg, the configuration from flags and environment, over the
// configuration file, if one is named.
func (f *fileFlags) withFile(cfg server.Config) (server.Config, error) {
	if f.configFile == "" {
		return cfg, nil
	}
	file, err := server.LoadConfigFile(f.configFile)
	if err != nil {
		return server.Config{}, err
	}
	for _, s := range fileSettings {
		if !f.explicit(s.flag, s.env) {
			s.apply(&cfg, &file)
		}
	}
	return cfg, nil
}

// explicit reports whether the flag was given or its environment variable
// is set, in which case it wins over the file.
func (f *fileFlags) explicit(flag, env string) bool {
	if flag == "" {
		return false
	}
	if fl := f.flagSet.Lookup(flag); fl != nil && fl.Changed {
		return true
	}
	return os.Getenv(env) != ""
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
