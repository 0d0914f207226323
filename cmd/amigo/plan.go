package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server/client"
)

// Verbs of plan steps.
const (
	verbCreate     = "create"
	verbNewVersion = "new version"
	verbUpdate     = "update"
	verbUpsertSet  = "upsert version set"
	verbDeleteSet  = "delete version set"
	verbDeprecate  = "deprecate"
	verbDeactivate = "deactivate"
)

// step is one change of a plan.
type step struct {
	kind, name string
	verb       string
	detail     string
	m          *manifest // nil for pruned resources
	run        func(ctx context.Context) error
	// check, when set, asks the server to validate the step without
	// making it (a dry run).
	check func(ctx context.Context) error
}

func (s *step) String() string {
	sign := "~"
	switch s.verb {
	case verbCreate:
		sign = "+"
	case verbDeprecate, verbDeactivate, verbDeleteSet:
		sign = "-"
	}
	line := fmt.Sprintf("%s %s %s: %s", sign, s.kind, s.name, s.verb)
	if s.detail != "" {
		line += " " + s.detail
	}
	return line
}

// plan is what apply would do, in order.
type plan struct {
	steps     []*step
	unchanged []string // "Kind name" of the resources already as declared
}

// planner computes a plan. The steps' run functions read ids and versions
// from it when they run, since earlier steps create what later ones use.
type planner struct {
	c      *client.Client
	remote *remote
	prune  bool

	machineIDs map[string]string // by name; "" until created
	agentIDs   map[string]string
	// latest is the latest version each machine will have after the
	// steps so far, by name; agentLatest the same for agents.
	latest      map[string]int
	agentLatest map[string]int
	// dryRun asks the server to check the new agent versions (apply
	// --dry-run), as far as it can without the steps before them.
	dryRun bool
	plan   plan
	errs   []error
}

func newPlan(ctx context.Context, c *client.Client, ms []*manifest, prune, dryRun bool) (*plan, error) {
	if err := checkUnique(ms); err != nil {
		return nil, err
	}
	r, err := loadRemote(ctx, c)
	if err != nil {
		return nil, err
	}
	p := &planner{c: c, remote: r, prune: prune, dryRun: dryRun, machineIDs: map[string]string{}, agentIDs: map[string]string{},
		latest: map[string]int{}, agentLatest: map[string]int{}}
	machines, err := machineOrder(byKind(ms, KindStateMachine))
	if err != nil {
		return nil, err
	}
	for _, d := range machines {
		p.errs = append(p.errs, p.machine(ctx, d))
	}
	for _, m := range byKind(ms, KindAgent) {
		p.errs = append(p.errs, p.agent(ctx, m))
	}
	for _, m := range byKind(ms, KindService) {
		p.errs = append(p.errs, p.service(m))
	}
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	if prune {
		p.pruneUnnamed(ms)
	}
	if dryRun {
		if err := p.checkOnServer(ctx); err != nil {
			return nil, err
		}
	}
	return &p.plan, nil
}

// machineOrder parses the StateMachine manifests and orders them so that a
// machine comes after the machines of the files it references.
func machineOrder(ms []*manifest) ([]*machineDoc, error) {
	docs := map[string]*machineDoc{}
	var errs []error
	for _, m := range ms {
		d, err := parseMachine(m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		docs[m.Name] = d
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []*machineDoc
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(d *machineDoc, path []string) error
	visit = func(d *machineDoc, path []string) error {
		switch state[d.m.Name] {
		case 1:
			return fmt.Errorf("%s: references form a cycle: %s", d.m.where(), strings.Join(append(path, d.m.Name), " -> "))
		case 2:
			return nil
		}
		state[d.m.Name] = 1
		for _, k := range slices.Sorted(maps.Keys(d.refs)) {
			if dep, ok := docs[d.refs[k].Machine]; ok {
				if err := visit(dep, append(path, d.m.Name)); err != nil {
					return err
				}
			}
		}
		state[d.m.Name] = 2
		out = append(out, d)
		return nil
	}
	for _, m := range ms {
		if d, ok := docs[m.Name]; ok {
			if err := visit(d, nil); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// resolve finds a referenced machine: one of the files (as it will be
// after the steps so far), else one of the organization.
func (p *planner) resolve(r machineRef) (client.Reference, bool) {
	if id, ok := p.machineIDs[r.Machine]; ok {
		v := r.Version
		if v == 0 {
			v = p.latest[r.Machine]
		}
		return client.Reference{MachineID: id, Version: v}, true
	}
	if m := p.remote.machine(r.Machine); m != nil {
		v := r.Version
		if v == 0 && m.LatestVersion != nil {
			v = *m.LatestVersion
		}
		return client.Reference{MachineID: m.ID, Version: v}, true
	}
	return client.Reference{}, false
}

// resolveOrPlaceholder stands in for machines not created yet, so the spec
// can still be validated.
func (p *planner) resolveOrPlaceholder(r machineRef) client.Reference {
	ref, ok := p.resolve(r)
	if !ok || ref.MachineID == "" || ref.Version == 0 {
		return placeholderRefs(r)
	}
	return ref
}

func (p *planner) machine(ctx context.Context, d *machineDoc) error {
	m := d.m
	for _, k := range slices.Sorted(maps.Keys(d.refs)) {
		if _, ok := p.resolve(d.refs[k]); !ok {
			return &specErrors{m, []fieldError{{"spec.references." + k, fmt.Sprintf("no state machine %q in the files or the organization", d.refs[k].Machine)}}}
		}
	}
	existing := p.remote.machine(m.Name)
	if existing != nil && existing.Deprecated {
		existing = nil
	}
	latest := 0
	if existing != nil {
		p.machineIDs[m.Name] = existing.ID
		if existing.LatestVersion != nil {
			latest = *existing.LatestVersion
		}
	} else {
		p.machineIDs[m.Name] = ""
		p.add(&step{kind: m.Kind, name: m.Name, verb: verbCreate, m: m, run: func(ctx context.Context) error {
			id, err := p.c.CreateStateMachine(ctx, m.Name)
			p.machineIDs[m.Name] = id
			return err
		}})
	}
	p.latest[m.Name] = latest
	if !m.hasSpec() {
		if existing != nil {
			p.same(m)
		}
		return nil
	}
	def, err := validateMachine(d, p.resolveOrPlaceholder)
	if err != nil {
		return err
	}
	if existing != nil && latest > 0 {
		want, err := machineSpec(def)
		if err != nil {
			return err
		}
		have, err := latestMachineVersion(ctx, p.c, existing.ID)
		if err != nil {
			return err
		}
		if have != nil && sameJSON(want, have.StateMachineDefinition) {
			p.same(m)
			return nil
		}
	}
	next := latest + 1
	p.latest[m.Name] = next
	p.add(&step{kind: m.Kind, name: m.Name, verb: verbNewVersion, detail: fmt.Sprint(next), m: m, run: func(ctx context.Context) error {
		def, err := validateMachine(d, p.resolveOrPlaceholder)
		if err != nil {
			return err
		}
		spec, err := machineSpec(def)
		if err != nil {
			return err
		}
		_, err = p.c.CreateStateMachineVersion(ctx, p.machineIDs[m.Name], &next, false, spec)
		return err
	}})
	return nil
}

func (p *planner) agent(ctx context.Context, m *manifest) error {
	existing := p.remote.agent(m.Name)
	if existing != nil && existing.Deprecated {
		existing = nil
	}
	latest := 0
	if existing != nil {
		p.agentIDs[m.Name] = existing.ID
		if existing.LatestVersion != nil {
			latest = *existing.LatestVersion
		}
	} else {
		p.agentIDs[m.Name] = ""
		p.add(&step{kind: m.Kind, name: m.Name, verb: verbCreate, m: m, run: func(ctx context.Context) error {
			id, err := p.c.CreateAgent(ctx, m.Name)
			p.agentIDs[m.Name] = id
			return err
		}})
	}
	p.agentLatest[m.Name] = latest
	if !m.hasSpec() {
		if existing != nil {
			p.same(m)
		}
		return nil
	}
	req, err := validateAgent(m, latest == 0)
	if err != nil {
		return err
	}
	if latest > 0 {
		have, err := latestAgentVersion(ctx, p.c, existing.ID)
		if err != nil {
			return err
		}
		if have != nil && coversJSON(req, have) {
			p.same(m)
			return nil
		}
	}
	next := latest + 1
	p.agentLatest[m.Name] = next
	s := &step{kind: m.Kind, name: m.Name, verb: verbNewVersion, detail: fmt.Sprint(next), m: m, run: func(ctx context.Context) error {
		_, err := p.c.CreateAgentVersion(ctx, p.agentIDs[m.Name], &next, req)
		return err
	}}
	if existing != nil {
		s.check = func(ctx context.Context) error { return p.c.CheckAgentVersion(ctx, existing.ID, &next, req) }
	}
	p.add(s)
	return nil
}

// agentID and machineID find a service's resources by name when the step
// runs: from the files, else from the organization.
func (p *planner) agentID(name string) string {
	if id, ok := p.agentIDs[name]; ok {
		return id
	}
	if a := p.remote.agent(name); a != nil {
		return a.ID
	}
	return ""
}

func (p *planner) machineID(name string) string {
	if id, ok := p.machineIDs[name]; ok {
		return id
	}
	if m := p.remote.machine(name); m != nil {
		return m.ID
	}
	return ""
}

// checkOnServer has the server validate what it can of the plan without
// changing anything: new versions of agents that exist already (a server
// without the dry-run extension is not asked).
func (p *planner) checkOnServer(ctx context.Context) error {
	var errs []error
	for _, s := range p.plan.steps {
		if s.check == nil {
			continue
		}
		if err := s.check(ctx); err != nil && !errors.Is(err, client.ErrDryRunUnsupported) {
			errs = append(errs, explain(s, err))
		}
	}
	return errors.Join(errs...)
}

func (p *planner) add(s *step) { p.plan.steps = append(p.plan.steps, s) }

func (p *planner) same(m *manifest) { p.plan.unchanged = append(p.plan.unchanged, m.Kind+" "+m.Name) }
