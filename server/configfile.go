package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/amigo-oss/amigo-server/internal/usage"
)

// fileValue is one setting's values as the configuration file gives them,
// with the line they are on for messages.
type fileValue struct {
	line int
	vals []string
}

// LoadConfigFile reads the YAML configuration file at path. The result is
// not normalized: LoadConfig lays flags and environment variables over it,
// then Config.Normalize fills the defaults.
func LoadConfigFile(path string) (Config, error) {
	file, err := readConfigFile(path)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := applyFile(&cfg, file, "config file "+path, nil); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ParseConfigFile parses YAML configuration, as LoadConfigFile reads it.
func ParseConfigFile(data []byte) (Config, error) {
	file, err := parseFileValues(data)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := applyFile(&cfg, file, "config file", nil); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// applyFile sets cfg from the file's values, except the settings that skip
// reports given elsewhere (a flag or variable wins over the file).
func applyFile(cfg *Config, file map[string]fileValue, where string, skip func(*Setting) bool) error {
	for i := range Settings {
		s := &Settings[i]
		v, ok := file[s.Key]
		if s.Key == "" || !ok || skip != nil && skip(s) {
			continue
		}
		if err := s.set(cfg, v.vals); err != nil {
			return fmt.Errorf("%s, line %d, %s: %w", where, v.line, s.Key, err)
		}
	}
	if err := checkDatabaseURLs(cfg.DirectoryURL, cfg.Clusters); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// readConfigFile reads the file's values by setting key.
func readConfigFile(path string) (map[string]fileValue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	file, err := parseFileValues(data)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return file, nil
}

// parseFileValues walks the YAML document by key, so that an unknown key
// is reported with its line and the nearest valid key rather than as a Go
// type the reader never wrote.
func parseFileValues(data []byte) (map[string]fileValue, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	out := map[string]fileValue{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	return out, walkFile(doc.Content[0], "", out)
}

func walkFile(n *yaml.Node, prefix string, out map[string]fileValue) error {
	if n.Kind != yaml.MappingNode {
		if prefix == "" {
			return fmt.Errorf("line %d: want a mapping of settings such as \"listen: 127.0.0.1:8080\"", n.Line)
		}
		return fmt.Errorf("line %d, %s: want a mapping of %s", n.Line, prefix, strings.Join(keysUnder(prefix), ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		if seen[key] {
			return fmt.Errorf("line %d: %s is given twice", k.Line, key)
		}
		seen[key] = true
		if s := settingByKey(key); s != nil {
			vals, err := nodeValues(s.Shape, v)
			if err != nil {
				return fmt.Errorf("line %d, %s: %w", v.Line, key, err)
			}
			if vals != nil {
				out[key] = fileValue{line: v.Line, vals: vals}
			}
			continue
		}
		if len(keysUnder(key)) > 0 {
			if err := walkFile(v, key, out); err != nil {
				return err
			}
			continue
		}
		return unknownKey(k.Line, key)
	}
	return nil
}

// nodeValues turns a YAML value into a setting's values: nil for a null
// (the setting is left unset).
func nodeValues(shape Shape, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	switch shape {
	case List:
		if v.Kind == yaml.ScalarNode {
			return []string{v.Value}, nil
		}
		if v.Kind != yaml.SequenceNode {
			return nil, errors.New("want a list, e.g. [a, b]")
		}
		vals := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: want a plain value in the list", item.Line)
			}
			vals = append(vals, item.Value)
		}
		return vals, nil
	case Mapping:
		if v.Kind != yaml.MappingNode {
			return nil, errors.New("want a mapping of NAME: VALUE lines")
		}
		vals := make([]string, 0, len(v.Content)/2)
		for i := 0; i+1 < len(v.Content); i += 2 {
			name, val := v.Content[i], v.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d, %s: want a plain value", val.Line, name.Value)
			}
			vals = append(vals, name.Value+"="+val.Value)
		}
		return vals, nil
	default:
		if v.Kind != yaml.ScalarNode {
			return nil, errors.New("want a single value, not a list or mapping")
		}
		return []string{v.Value}, nil
	}
}

// keysUnder lists the file keys nested under prefix, without it.
func keysUnder(prefix string) []string {
	var out []string
	for _, s := range Settings {
		if rest, ok := strings.CutPrefix(s.Key, prefix+"."); ok {
			out = append(out, rest)
		}
	}
	return out
}

// unknownKey names the key, its line and the nearest valid key.
func unknownKey(line int, key string) error {
	var valid []string
	for _, s := range Settings {
		if s.Key != "" {
			valid = append(valid, s.Key)
		}
	}
	if best, ok := usage.Nearest(key, valid); ok {
		return fmt.Errorf("line %d: unknown key %s; did you mean %s?", line, key, best)
	}
	return fmt.Errorf("line %d: unknown key %s; the keys are %s", line, key, strings.Join(valid, ", "))
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
