package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/core"
)

// fieldError is a problem of one field of a manifest's spec.
type fieldError struct {
	Path string // e.g. "spec.states.3.name"
	Msg  string
}

// specErrors are the problems of one manifest.
type specErrors struct {
	m      *manifest
	fields []fieldError
}

func (e *specErrors) Error() string {
	lines := make([]string, len(e.fields))
	for i, f := range e.fields {
		lines[i] = fmt.Sprintf("%s: %s %q: %s: %s", e.m.src.at(f.Path), e.m.Kind, e.m.Name, f.Path, f.Msg)
	}
	return strings.Join(lines, "\n")
}

// locPath turns a server location (["body", "states", 3, "name"]) into the
// manifest's ("spec.states.3.name").
func locPath(loc []any) string {
	parts := []string{"spec"}
	for i, p := range loc {
		if i == 0 && p == "body" {
			continue
		}
		parts = append(parts, fmt.Sprint(p))
	}
	return strings.Join(parts, ".")
}

// fromDomainErr turns a validation error of package core into field errors;
// other errors become one error on the whole spec.
func fromDomainErr(err error) []fieldError {
	if err == nil {
		return nil
	}
	fields := amigo.ErrorFields(err)
	if len(fields) == 0 {
		return []fieldError{{"spec", amigo.ErrorMessage(err)}}
	}
	out := make([]fieldError, len(fields))
	for i, f := range fields {
		out[i] = fieldError{locPath(f.Loc), f.Msg}
	}
	return out
}

// machineRef is a reference of a StateMachine manifest: the referenced
// machine by name and a version number, or its latest version.
type machineRef struct {
	Machine string
	Version int // 0: latest
}

func (r *machineRef) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil || len(pair) != 2 {
		return errors.New(`a reference is [state machine name, version number or "latest"]`)
	}
	if err := json.Unmarshal(pair[0], &r.Machine); err != nil || r.Machine == "" {
		return errors.New("a reference names a state machine by its name")
	}
	return r.version(pair[1])
}

func (r *machineRef) version(raw json.RawMessage) error {
	var s string
	if json.Unmarshal(raw, &s) == nil && s == "latest" {
		r.Version = 0
		return nil
	}
	if err := json.Unmarshal(raw, &r.Version); err != nil || r.Version < 1 {
		return errors.New(`a version is a positive number or "latest"`)
	}
	return nil
}

func (r machineRef) MarshalJSON() ([]byte, error) {
	v := `"latest"`
	if r.Version > 0 {
		v = strconv.Itoa(r.Version)
	}
	name, _ := json.Marshal(r.Machine)
	return []byte("[" + string(name) + "," + v + "]"), nil
}

// machineDoc is a parsed StateMachine manifest.
type machineDoc struct {
	m    *manifest
	refs map[string]machineRef
	// fields are the spec's top-level fields, references left out.
	fields map[string]json.RawMessage
}

// parseMachine splits the references out of a StateMachine spec.
func parseMachine(m *manifest) (*machineDoc, error) {
	d := &machineDoc{m: m, refs: map[string]machineRef{}}
	if !m.hasSpec() {
		return d, nil
	}
	if err := json.Unmarshal(m.Spec, &d.fields); err != nil {
		return nil, &specErrors{m, []fieldError{{"spec", "must be an object"}}}
	}
	if raw, ok := d.fields["references"]; ok {
		delete(d.fields, "references")
		var refs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &refs); err != nil {
			return nil, &specErrors{m, []fieldError{{"spec.references", "must map reference names to [state machine name, version]"}}}
		}
		var errs []fieldError
		for _, k := range slices.Sorted(maps.Keys(refs)) {
			var r machineRef
			if err := json.Unmarshal(refs[k], &r); err != nil {
				errs = append(errs, fieldError{"spec.references." + k, err.Error()})
			}
			d.refs[k] = r
		}
		if len(errs) > 0 {
			return nil, &specErrors{m, errs}
		}
	}
	return d, nil
}

// body returns the spec as the API's body, each reference resolved by
// resolve to a machine id and version.
func (d *machineDoc) body(resolve func(machineRef) client.Reference) []byte {
	fields := maps.Clone(d.fields)
	refs := make(map[string]client.Reference, len(d.refs))
	for k, r := range d.refs {
		refs[k] = resolve(r)
	}
	fields["references"], _ = json.Marshal(refs)
	out, _ := json.Marshal(fields)
	return out
}

// placeholderRefs resolves references to well-formed ids for offline
// validation, which cannot know the real ones.
func placeholderRefs(r machineRef) client.Reference {
	return client.Reference{MachineID: "000000000000000000000001", Version: max(r.Version, 1)}
}

// validateMachine runs the server's own validation of a state-machine
// version on the spec, and returns the definition it accepted.
func validateMachine(d *machineDoc, resolve func(machineRef) client.Reference) (*amigo.StateMachineDefinition, error) {
	var w wire.StateMachineVersionRequest
	bad, err := wire.Decode(d.body(resolve), &w)
	if err != nil {
		return nil, &specErrors{d.m, fromDomainErr(err)}
	}
	req := core.StateMachineVersionInput{Definition: w.Definition(), Malformed: bad}
	if _, err := core.ValidateStateMachineVersion(&req); err != nil {
		return nil, &specErrors{d.m, fromDomainErr(err)}
	}
	return &req.Definition, nil
}

// machineSpec converts a validated definition to the SDK's shape.
func machineSpec(def *amigo.StateMachineDefinition) (*client.StateMachineSpec, error) {
	data, err := json.Marshal(wire.NewStateMachineDefinition(*def))
	if err != nil {
		return nil, err
	}
	var spec client.StateMachineSpec
	return &spec, json.Unmarshal(data, &spec)
}

// validateAgent runs the server's validation of an agent version on the
// spec; first says the version must set every field.
func validateAgent(m *manifest, first bool) (*client.AgentVersionRequest, error) {
	var w wire.AgentVersionRequest
	bad, err := wire.Decode(m.Spec, &w)
	if err != nil {
		return nil, &specErrors{m, fromDomainErr(err)}
	}
	req := core.AgentVersionInput{AgentVersionPatch: w.Patch(), Malformed: bad}
	if err := core.ValidateAgentVersion(&req, first, nil); err != nil {
		return nil, &specErrors{m, fromDomainErr(err)}
	}
	data, err := json.Marshal(wire.NewAgentVersionRequest(req.AgentVersionPatch))
	if err != nil {
		return nil, err
	}
	var out client.AgentVersionRequest
	return &out, json.Unmarshal(data, &out)
}

// serviceSpec is the spec of a Service manifest: the service with its
// agent and state machine by name, and its version sets (edge is implicit).
type serviceSpec struct {
	Description  string                    `json:"description"`
	Agent        string                    `json:"agent"`
	StateMachine string                    `json:"state_machine"`
	IsActive     *bool                     `json:"is_active"`
	Tags         map[string]*string        `json:"tags"`
	Keyterms     []string                  `json:"keyterms"`
	VersionSets  map[string]versionSetSpec `json:"version_sets"`
}

// versionSetSpec pins versions by number, or "latest".
type versionSetSpec struct {
	AgentVersion        versionPin                  `json:"agent_version"`
	StateMachineVersion versionPin                  `json:"state_machine_version"`
	LLMModelPreferences map[string]client.LLMConfig `json:"llm_model_preferences"`
}

// versionPin is a version number, or nil for the latest.
type versionPin struct{ N *int }

func (p *versionPin) UnmarshalJSON(data []byte) error {
	var r machineRef
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return r.version([]byte(`"latest"`))
	}
	if err := r.version(data); err != nil {
		return err
	}
	if r.Version > 0 {
		p.N = &r.Version
	}
	return nil
}

func (p versionPin) MarshalJSON() ([]byte, error) {
	if p.N == nil {
		return []byte(`"latest"`), nil
	}
	return []byte(strconv.Itoa(*p.N)), nil
}

// parseService decodes and checks a Service spec.
func parseService(m *manifest) (*serviceSpec, error) {
	dec := json.NewDecoder(bytes.NewReader(m.Spec))
	dec.DisallowUnknownFields()
	var s serviceSpec
	if err := dec.Decode(&s); err != nil {
		return nil, &specErrors{m, []fieldError{{"spec", err.Error()}}}
	}
	var errs []fieldError
	for _, f := range []struct{ path, v string }{{"spec.description", s.Description}, {"spec.agent", s.Agent}, {"spec.state_machine", s.StateMachine}} {
		if strings.TrimSpace(f.v) == "" {
			errs = append(errs, fieldError{f.path, "Field required"})
		}
	}
	if _, ok := s.VersionSets["edge"]; ok {
		errs = append(errs, fieldError{"spec.version_sets.edge", "the edge version set always uses the latest versions and cannot be written"})
	}
	if len(errs) > 0 {
		return nil, &specErrors{m, errs}
	}
	if s.IsActive == nil {
		s.IsActive = new(bool)
		*s.IsActive = true
	}
	if s.Tags == nil {
		s.Tags = map[string]*string{}
	}
	if s.Keyterms == nil {
		s.Keyterms = []string{}
	}
	if errs := validateService(&s); len(errs) > 0 {
		return nil, &specErrors{m, errs}
	}
	return &s, nil
}

// validateService runs the server's checks of create-service and
// upsert-service-version-set on the spec, with stand-in ids for the agent
// and state machine it names, and places what they find in the manifest.
func validateService(s *serviceSpec) []fieldError {
	const standIn = "000000000000000000000001"
	in := core.ServiceInput{
		StateMachineID: ptr(standIn), AgentID: ptr(standIn), Name: ptr("manifest"),
		Description: &s.Description, IsActive: s.IsActive, Keyterms: &s.Keyterms, Tags: &s.Tags,
	}
	var errs []fieldError
	for _, f := range fromDomainErr(core.ValidateServiceInput(&in, true)) {
		errs = append(errs, fieldError{strings.Replace(f.Path, "spec.release_version_set", "spec.version_sets.release", 1), f.Msg})
	}
	for _, name := range slices.Sorted(maps.Keys(s.VersionSets)) {
		vs := s.VersionSets[name]
		data, err := json.Marshal(wireSet(vs))
		var w wire.VersionSet
		if err == nil {
			err = json.Unmarshal(data, &w)
		}
		dom := w.Domain()
		if err == nil {
			err = core.ValidateVersionSet(&dom)
		}
		for _, f := range fromDomainErr(err) {
			path := strings.Replace(f.Path, "spec.version_set", "spec.version_sets."+name, 1)
			path = strings.NewReplacer(".agent_version_number", ".agent_version",
				".service_hierarchical_state_machine_version_number", ".state_machine_version").Replace(path)
			errs = append(errs, fieldError{path, f.Msg})
		}
	}
	return errs
}
