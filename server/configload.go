package server

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// flagValue records a setting's flag values as given; LoadConfig applies
// them through the setting, like the variable's and the file's.
type flagValue struct {
	shape Shape
	def   string
	vals  []string
}

func (v *flagValue) String() string {
	if len(v.vals) == 0 {
		return v.def
	}
	return strings.Join(v.vals, ",")
}

func (v *flagValue) Set(s string) error {
	if v.shape == Scalar {
		v.vals = v.vals[:0]
	}
	v.vals = append(v.vals, s)
	return nil
}

func (v *flagValue) Type() string {
	switch v.shape {
	case List:
		return "value"
	case Mapping:
		return "NAME=VALUE"
	}
	return "string"
}

// RegisterFlags declares on fs a flag for every setting that has one.
func RegisterFlags(fs *pflag.FlagSet) {
	for _, s := range Settings {
		if s.Flag == "" {
			continue
		}
		help := s.Help
		if s.Env != "" {
			help += " (" + s.Env + ")"
		}
		fs.Var(&flagValue{shape: s.Shape, def: s.Default}, s.Flag, help)
	}
}

// LoadConfig builds the normalized configuration from the flags on fs
// (registered by RegisterFlags), the environment and the configuration
// file they name. A flag wins over its variable, which wins over the file;
// the defaults fill the rest. An empty variable counts as unset.
func LoadConfig(fs *pflag.FlagSet) (Config, error) {
	var cfg Config
	given := func(s *Setting) ([]string, string) {
		if f := fs.Lookup(s.Flag); s.Flag != "" && f != nil && f.Changed {
			return f.Value.(*flagValue).vals, "--" + s.Flag
		}
		if v := os.Getenv(s.Env); s.Env != "" && v != "" {
			if s.Shape == Scalar {
				return []string{v}, s.Env
			}
			return strings.Split(v, ","), s.Env
		}
		return nil, ""
	}
	if vals, _ := given(settingByFlag("config")); vals != nil {
		cfg.ConfigFile = vals[len(vals)-1]
	}
	if cfg.ConfigFile != "" {
		file, err := readConfigFile(cfg.ConfigFile)
		if err != nil {
			return Config{}, err
		}
		explicit := func(s *Setting) bool { vals, _ := given(s); return vals != nil }
		if err := applyFile(&cfg, file, "config file "+cfg.ConfigFile, explicit); err != nil {
			return Config{}, err
		}
	}
	for i := range Settings {
		s := &Settings[i]
		vals, source := given(s)
		if vals == nil {
			continue
		}
		if err := s.set(&cfg, vals); err != nil {
			return Config{}, fmt.Errorf("%s: %w", source, err)
		}
	}
	return cfg, cfg.Normalize()
}
