package main

import (
	"context"
	"fmt"
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
	target := pinTarget{spec.Agent, spec.StateMachine}
	existing := p.remote.service(m.Name)
	if existing == nil {
		if err := p.checkCreate(m, spec, target, names); err != nil {
			return err
		}
		id := new(string)
		p.add(&step{kind: m.Kind, name: m.Name, verb: verbCreate, m: m, run: func(ctx context.Context) error {
			in := &client.CreateServiceRequest{
				StateMachineID: new(p.machineID(spec.StateMachine)), AgentID: new(p.agentID(spec.Agent)), Name: &m.Name,
				Description: &spec.Description, IsActive: spec.IsActive, Keyterms: &spec.Keyterms, Tags: &spec.Tags,
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
	var upserts, deletes []string
	for _, name := range names {
		if have, ok := existing.VersionSets[name]; !ok || !sameJSON(wireSet(spec.VersionSets[name]), have) {
			upserts = append(upserts, name)
		}
	}
	if p.prune {
		for _, name := range slices.Sorted(maps.Keys(existing.VersionSets)) {
			if _, named := spec.VersionSets[name]; !named && name != "edge" && name != "release" {
				deletes = append(deletes, name)
			}
		}
	}
	if len(fields)+len(upserts)+len(deletes) == 0 {
		p.same(m)
		return nil
	}
	serviceID := func() string { return existing.ID }
	update := func() {
		if len(fields) == 0 {
			return
		}
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
	upsert := func(names []string) {
		for _, name := range names {
			p.upsertSet(m, serviceID, name, wireSet(spec.VersionSets[name]))
		}
	}
	del := func() {
		for _, name := range deletes {
			p.add(&step{kind: m.Kind, name: m.Name, verb: verbDeleteSet, detail: name, m: m, run: func(ctx context.Context) error {
				return p.c.DeleteVersionSet(ctx, existing.ID, name)
			}})
		}
	}

	// Switching the agent or state machine, or activating the service,
	// makes the server check every version set the service has at that
	// moment against its resources. So the sets go first that the files
	// delete or that suit the old resources and the new; the rest follow
	// the switch; and a set that suits neither order is refused here,
	// before anything is changed.
	old := pinTarget{p.agentNameOf(existing.AgentID), p.machineNameOf(existing.StateMachineID)}
	recheck := slices.Contains(fields, "agent") || slices.Contains(fields, "state_machine") || (*spec.IsActive && !existing.IsActive)
	if !recheck {
		if err := p.checkSets(m, spec, target, upserts); err != nil {
			return err
		}
		update()
		upsert(upserts)
		del()
		return nil
	}
	var before, after []string
	for _, name := range upserts {
		if vs := *wireSet(spec.VersionSets[name]); p.misfit(vs, old) == "" && p.misfit(vs, target) == "" {
			before = append(before, name)
		} else {
			after = append(after, name)
		}
	}
	var blocked []fieldError
	for _, name := range slices.Sorted(maps.Keys(existing.VersionSets)) {
		if slices.Contains(deletes, name) || slices.Contains(before, name) {
			continue
		}
		why := p.misfit(existing.VersionSets[name], target)
		switch {
		case why == "":
		case slices.Contains(after, name):
			blocked = append(blocked, fieldError{"spec.version_sets." + name, fmt.Sprintf(
				"as it is now, the set %s, so the service cannot switch before the set changes, nor the set change before the switch", why)})
		case name == "release":
			blocked = append(blocked, fieldError{"spec.version_sets", fmt.Sprintf(
				"the service's release version set, which the files do not list, %s; list release in the files", why)})
		default:
			blocked = append(blocked, fieldError{"spec.version_sets", fmt.Sprintf(
				"the service's version set %q, which the files do not list, %s; list it, or apply with --prune to delete it", name, why)})
		}
	}
	if len(blocked) > 0 {
		return &specErrors{m, blocked}
	}
	if err := p.checkSets(m, spec, target, after); err != nil {
		return err
	}
	del()
	upsert(before)
	update()
	upsert(after)
	return nil
}

// pinTarget is the agent and state machine a service uses, by name.
type pinTarget struct{ agent, machine string }

// checkCreate refuses, as create-service would, a service whose agent or
// state machine will have no version, or whose sets pin versions they
// will not have.
func (p *planner) checkCreate(m *manifest, spec *serviceSpec, t pinTarget, names []string) error {
	var errs []fieldError
	if p.agentLatestOf(t.agent) == 0 {
		errs = append(errs, fieldError{"spec.agent", fmt.Sprintf("agent %q will have no version: give it a spec", t.agent)})
	}
	if p.machineLatestOf(t.machine) == 0 {
		errs = append(errs, fieldError{"spec.state_machine", fmt.Sprintf("state machine %q will have no version: give it a spec", t.machine)})
	}
	if len(errs) > 0 {
		return &specErrors{m, errs}
	}
	return p.checkSets(m, spec, t, names)
}

// checkSets refuses the named sets of spec that pin versions t will not
// have after the plan.
func (p *planner) checkSets(m *manifest, spec *serviceSpec, t pinTarget, names []string) error {
	var errs []fieldError
	for _, name := range names {
		if why := p.misfit(*wireSet(spec.VersionSets[name]), t); why != "" {
			errs = append(errs, fieldError{"spec.version_sets." + name, why})
		}
	}
	if len(errs) > 0 {
		return &specErrors{m, errs}
	}
	return nil
}

// misfit says why a service using t cannot have the set vs after the
// plan's earlier steps, "" if it can.
func (p *planner) misfit(vs client.VersionSet, t pinTarget) string {
	if v, have := vs.AgentVersion, p.agentLatestOf(t.agent); v != nil && *v > have {
		return fmt.Sprintf("pins agent version %d, which agent %q will not have (its latest: %d)", *v, t.agent, have)
	}
	if v, have := vs.StateMachineVersion, p.machineLatestOf(t.machine); v != nil && *v > have {
		return fmt.Sprintf("pins state machine version %d, which state machine %q will not have (its latest: %d)", *v, t.machine, have)
	}
	return ""
}

// agentLatestOf and machineLatestOf return the latest version a resource
// will have after the plan's steps for agents and machines, 0 for none.
func (p *planner) agentLatestOf(name string) int {
	if v, ok := p.agentLatest[name]; ok {
		return v
	}
	if a := p.remote.agent(name); a != nil && a.LatestVersion != nil {
		return *a.LatestVersion
	}
	return 0
}

func (p *planner) machineLatestOf(name string) int {
	if v, ok := p.latest[name]; ok {
		return v
	}
	if m := p.remote.machine(name); m != nil && m.LatestVersion != nil {
		return *m.LatestVersion
	}
	return 0
}

// agentNameOf and machineNameOf name the resources a service uses now.
func (p *planner) agentNameOf(id string) string {
	for _, a := range p.remote.agents {
		if a.ID == id {
			return a.Name
		}
	}
	return id
}

func (p *planner) machineNameOf(id string) string {
	for _, m := range p.remote.machines {
		if m.ID == id {
			return m.Name
		}
	}
	return id
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
