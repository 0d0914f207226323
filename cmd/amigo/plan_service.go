package main

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server/client"
)

// wireSet is a manifest's version set as the API takes it.
func wireSet(s versionSetSpec) *client.VersionSet {
	prefs := s.LLMModelPreferences
	if prefs == nil {
		prefs = map[string]client.LLMConfig{}
	}
	return &client.VersionSet{AgentVersion: s.AgentVersion.N, StateMachineVersion: s.StateMachineVersion.N, LLMModelPreferences: prefs}
}

// tagMap turns a listing's tags into the map create and update take.
func tagMap(tags []client.Tag) map[string]*string {
	out := make(map[string]*string, len(tags))
	for _, t := range tags {
		out[t.Key] = t.Value
	}
	return out
}

func (p *planner) service(m *manifest) error {
	spec, err := parseService(m)
	if err != nil {
		return err
	}
	var errs []fieldError
	if _, ok := p.agentIDs[spec.Agent]; !ok && p.remote.agent(spec.Agent) == nil {
		errs = append(errs, fieldError{"spec.agent", "no agent " + quote(spec.Agent) + " in the files or the organization"})
	}
	if _, ok := p.machineIDs[spec.StateMachine]; !ok && p.remote.machine(spec.StateMachine) == nil {
		errs = append(errs, fieldError{"spec.state_machine", "no state machine " + quote(spec.StateMachine) + " in the files or the organization"})
	}
	if len(errs) > 0 {
		return &specErrors{m, errs}
	}
	names := slices.Sorted(maps.Keys(spec.VersionSets))
	existing := p.remote.service(m.Name)
	if existing == nil {
		id := new(string)
		p.add(&step{kind: m.Kind, name: m.Name, verb: verbCreate, m: m, run: func(ctx context.Context) error {
			in := &client.CreateServiceRequest{
				StateMachineID: p.machineID(spec.StateMachine), AgentID: p.agentID(spec.Agent), Name: m.Name,
				Description: spec.Description, IsActive: *spec.IsActive, Keyterms: spec.Keyterms, Tags: spec.Tags,
			}
			if rel, ok := spec.VersionSets["release"]; ok {
				in.ReleaseVersionSet = wireSet(rel)
			}
			var err error
			*id, err = p.c.CreateService(ctx, in)
			return err
		}})
		for _, name := range names {
			if name != "release" {
				p.upsertSet(m, func() string { return *id }, name, wireSet(spec.VersionSets[name]))
			}
		}
		return nil
	}

	changed := false
	var fields []string
	upd := &client.UpdateServiceRequest{}
	if spec.Description != existing.Description {
		fields, upd.Description = append(fields, "description"), &spec.Description
	}
	if *spec.IsActive != existing.IsActive {
		fields, upd.IsActive = append(fields, "is_active"), spec.IsActive
	}
	if id, ok := p.agentIDs[spec.Agent]; (ok && id != existing.AgentID) || (!ok && p.remote.agent(spec.Agent).ID != existing.AgentID) {
		fields = append(fields, "agent")
	}
	if id, ok := p.machineIDs[spec.StateMachine]; (ok && id != existing.StateMachineID) || (!ok && p.remote.machine(spec.StateMachine).ID != existing.StateMachineID) {
		fields = append(fields, "state_machine")
	}
	if !sameJSON(spec.Tags, tagMap(existing.Tags)) {
		fields, upd.Tags = append(fields, "tags"), &spec.Tags
	}
	if !sameJSON(spec.Keyterms, existing.Keyterms) {
		fields, upd.Keyterms = append(fields, "keyterms"), &spec.Keyterms
	}
	serviceID := func() string { return existing.ID }
	if len(fields) > 0 {
		changed = true
		p.add(&step{kind: m.Kind, name: m.Name, verb: verbUpdate, detail: strings.Join(fields, ", "), m: m, run: func(ctx context.Context) error {
			if slices.Contains(fields, "agent") {
				upd.AgentID = ptr(p.agentID(spec.Agent))
			}
			if slices.Contains(fields, "state_machine") {
				upd.StateMachineID = ptr(p.machineID(spec.StateMachine))
			}
			return p.c.UpdateService(ctx, existing.ID, upd)
		}})
	}
	for _, name := range names {
		want := wireSet(spec.VersionSets[name])
		if have, ok := existing.VersionSets[name]; ok && sameJSON(want, have) {
			continue
		}
		changed = true
		p.upsertSet(m, serviceID, name, want)
	}
	if p.prune {
		for _, name := range slices.Sorted(maps.Keys(existing.VersionSets)) {
			if _, named := spec.VersionSets[name]; named || name == "edge" || name == "release" {
				continue
			}
			changed = true
			p.add(&step{kind: m.Kind, name: m.Name, verb: verbDeleteSet, detail: name, m: m, run: func(ctx context.Context) error {
				return p.c.DeleteVersionSet(ctx, existing.ID, name)
			}})
		}
	}
	if !changed {
		p.same(m)
	}
	return nil
}

func (p *planner) upsertSet(m *manifest, serviceID func() string, name string, vs *client.VersionSet) {
	p.add(&step{kind: m.Kind, name: m.Name, verb: verbUpsertSet, detail: name, m: m, run: func(ctx context.Context) error {
		return p.c.UpsertVersionSet(ctx, serviceID(), name, vs)
	}})
}

// pruneUnnamed deprecates what the files do not name: services first
// (deactivated, as the API deletes none), then agents, then machines.
func (p *planner) pruneUnnamed(ms []*manifest) {
	named := map[string]bool{}
	for _, m := range ms {
		named[m.Kind+"/"+m.Name] = true
	}
	for _, s := range p.remote.services {
		if s.IsActive && !named[KindService+"/"+s.Name] {
			p.add(&step{kind: KindService, name: s.Name, verb: verbDeactivate, run: func(ctx context.Context) error {
				return p.c.UpdateService(ctx, s.ID, &client.UpdateServiceRequest{IsActive: ptr(false)})
			}})
		}
	}
	for _, a := range p.remote.agents {
		if !a.Deprecated && !named[KindAgent+"/"+a.Name] {
			p.add(&step{kind: KindAgent, name: a.Name, verb: verbDeprecate, run: func(ctx context.Context) error { return p.c.DeleteAgent(ctx, a.ID) }})
		}
	}
	for _, sm := range p.remote.machines {
		if !sm.Deprecated && !named[KindStateMachine+"/"+sm.Name] {
			p.add(&step{kind: KindStateMachine, name: sm.Name, verb: verbDeprecate, run: func(ctx context.Context) error { return p.c.DeleteStateMachine(ctx, sm.ID) }})
		}
	}
}

func ptr[T any](v T) *T { return &v }

func quote(s string) string { return `"` + s + `"` }
