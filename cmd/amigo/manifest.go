package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Manifest kinds.
const (
	KindAgent        = "Agent"
	KindStateMachine = "StateMachine"
	KindService      = "Service"
)

// kindOrder is the order resources are applied in: what others refer to
// first.
var kindOrder = []string{KindStateMachine, KindAgent, KindService}

// manifest is one document of a manifest file: a resource by kind and
// name, and its desired content.
type manifest struct {
	Kind string          `json:"kind"`
	Name string          `json:"name"`
	Spec json.RawMessage `json:"spec,omitempty"`
	src  source
	id   string // the resource's id, for an exported manifest
}

// source says where a document came from, for messages.
type source struct {
	File string
	Doc  int // 1-based index of the document in its file
	Line int // line of the document's first key, 0 if unknown
	node *yaml.Node
}

// at returns the source narrowed to the line of a field, given as a
// dotted path ("spec.states.3.name"), when the document is YAML and the
// field is in it; else the document's own line.
func (s source) at(path string) source {
	n := s.node
	for _, part := range strings.Split(path, ".") {
		if n == nil {
			break
		}
		n = child(n, part)
	}
	if n != nil && n != s.node {
		s.Line = n.Line
	}
	return s
}

// child returns the value of key in a mapping or the element of a
// sequence, nil if absent.
func child(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return child(n.Content[0], key)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				if n.Content[i+1].Line == 0 {
					return n.Content[i]
				}
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

func (s source) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d (document %d)", s.File, s.Line, s.Doc)
	}
	return fmt.Sprintf("%s (document %d)", s.File, s.Doc)
}

// where names a manifest's resource and origin.
func (m *manifest) where() string { return fmt.Sprintf("%s: %s %q", m.src, m.Kind, m.Name) }

// hasSpec reports whether the document says anything of the content; a
// resource without spec is only created.
func (m *manifest) hasSpec() bool {
	s := bytes.TrimSpace(m.Spec)
	return len(s) > 0 && !bytes.Equal(s, []byte("null")) && !bytes.Equal(s, []byte("{}"))
}

// manifestExts are the file types read from directories.
var manifestExts = []string{".yaml", ".yml", ".json"}

// loadManifests reads every document of the given files and directories
// (directories recursively, in name order).
func loadManifests(paths []string) ([]*manifest, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(manifestExts, strings.ToLower(filepath.Ext(path))) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var out []*manifest
	var errs []error
	for _, f := range files {
		ms, err := loadFile(f)
		errs = append(errs, err)
		out = append(out, ms...)
	}
	return out, errors.Join(errs...)
}

// loadFile reads the documents of one file: YAML separated by "---", or
// JSON values one after another.
func loadFile(path string) ([]*manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*manifest
	var errs []error
	add := func(src source, raw []byte) {
		m, err := parseDocument(raw, src)
		var located *specErrors
		if errors.As(err, &located) {
			errs = append(errs, err) // already placed in the file, field by field
			return
		} else if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			return
		}
		if m != nil {
			out = append(out, m)
		}
	}
	if strings.ToLower(filepath.Ext(path)) == ".json" {
		dec := json.NewDecoder(bytes.NewReader(data))
		for doc := 1; ; doc++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				return out, fmt.Errorf("%s: document %d: %w", path, doc, err)
			}
			add(source{File: path, Doc: doc}, raw)
		}
		return out, errors.Join(errs...)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 1; ; doc++ {
		var node yaml.Node
		if err := dec.Decode(&node); err == io.EOF {
			break
		} else if err != nil {
			return out, fmt.Errorf("%s: document %d: %w", path, doc, err)
		}
		src := source{File: path, Doc: doc, node: &node}
		if len(node.Content) > 0 {
			src.Line = node.Content[0].Line
		}
		raw, err := yamlToJSON(&node)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			continue
		}
		add(src, raw)
	}
	return out, errors.Join(errs...)
}

// parseDocument checks a document's envelope; an empty document is
// skipped (nil).
func parseDocument(raw []byte, src source) (*manifest, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, fmt.Errorf("a manifest is an object of kind, name and spec: %w", err)
	}
	envelope := []string{"kind", "name", "spec"}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if slices.Contains(envelope, k) {
			continue
		}
		hint := ""
		if s := nearest(k, envelope); s != "" {
			hint = fmt.Sprintf(", did you mean %q?", s)
		}
		return nil, fmt.Errorf("unknown key %q%s (a manifest has exactly kind, name and spec)", k, hint)
	}
	m := &manifest{src: src}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("a manifest has exactly kind, name and spec: %w", err)
	}
	if !slices.Contains(kindOrder, m.Kind) {
		return nil, fmt.Errorf("kind %q: must be one of %s", m.Kind, strings.Join(kindOrder, ", "))
	}
	if strings.TrimSpace(m.Name) == "" {
		return nil, errors.New("name: a resource needs a name")
	}
	m.Name = strings.TrimSpace(m.Name)
	if fields := unknownKeys(m); len(fields) > 0 {
		return nil, &specErrors{m, fields}
	}
	return m, nil
}

// checkUnique refuses two documents for the same resource.
func checkUnique(ms []*manifest) error {
	seen := map[string]*manifest{}
	var errs []error
	for _, m := range ms {
		key := m.Kind + "/" + m.Name
		if first, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: already defined at %s", m.where(), first.src))
			continue
		}
		seen[key] = m
	}
	return errors.Join(errs...)
}

// byKind returns the manifests of one kind, in load order.
func byKind(ms []*manifest, kind string) []*manifest {
	var out []*manifest
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}
