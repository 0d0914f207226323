package core

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/jsonpatch"
)

// ListChanges returns one page of the organization's change log, newest
// first, for a caller who holds Organization:GetChangeLog on it.
func (a *App) ListChanges(ctx context.Context, t *Tenant, f amigo.ChangeFilter) ([]*amigo.Change, bool, error) {
	if err := amigo.CallerFromContext(ctx).Require(amigo.PermGetChangeLog, amigo.Attributes{"id": {t.Placement.OrgID}}); err != nil {
		return nil, false, err
	}
	return t.Store.ListChanges(ctx, t.Placement.OrgID, f)
}

// VersionDiff compares two versions of an agent or a state machine.
type VersionDiff struct {
	From, To int
	// Patch is the RFC 6902 JSON Patch from version From to version To.
	Patch json.RawMessage
	// Summary has one line per changed top-level field.
	Summary []string
	// Machine is the semantic comparison, for state machines only.
	Machine *MachineDiff
}

// MachineDiff is what changed in a state machine's graph.
type MachineDiff struct {
	StatesAdded, StatesRemoved []string
	// StatesChanged maps a state present in both versions to the fields
	// of it that differ.
	StatesChanged                        map[string][]string
	TransitionsAdded, TransitionsRemoved []Transition
	// ReferencesChanged names the references added, removed or re-pinned.
	ReferencesChanged []string
}

// Transition is one exit of a state: an exit condition or a fixed next
// state.
type Transition struct {
	From, To, Description string
}

// versionNumber resolves a version selector of a diff: a number, or
// "latest" (0 when the resource has no version yet).
func versionNumber(sel string, latest *int, param string) (int, error) {
	if sel == "latest" {
		if latest == nil {
			return 0, amigo.Errorf(amigo.ENOTFOUND, "There is no version yet.")
		}
		return *latest, nil
	}
	var n int
	if _, err := fmt.Sscan(sel, &n); err != nil || n < 1 || fmt.Sprint(n) != sel {
		return 0, amigo.Invalid(amigo.FieldError{In: "query", Loc: []any{param}, Type: "value_error",
			Msg: "Value error, a version is a positive integer or \"latest\""})
	}
	return n, nil
}

// AgentVersionDiff compares versions from and to ("latest" allowed) of an
// agent; from may be greater than to.
func (a *App) AgentVersionDiff(ctx context.Context, t *Tenant, agentID, from, to string) (*VersionDiff, error) {
	ag, err := a.findAgent(ctx, t, agentID, amigo.PermGetAgent)
	if err != nil {
		return nil, err
	}
	load := func(sel, param string) (int, *amigo.AgentDefinition, error) {
		n, err := versionNumber(sel, ag.LatestVersion, param)
		if err != nil {
			return 0, nil, err
		}
		vs, _, err := t.Store.ListAgentVersions(ctx, t.Placement.OrgID, agentID, amigo.VersionFilter{From: n, To: n, Limit: 1})
		if err != nil {
			return 0, nil, err
		} else if len(vs) == 0 {
			return 0, nil, amigo.Errorf(amigo.ENOTFOUND, "Agent %s has no version %d.", agentID, n)
		}
		return n, &vs[0].Definition, nil
	}
	return diffVersions(load, from, to, a.Document, nil)
}

// StateMachineVersionDiff compares versions from and to of a state
// machine, as JSON and as a graph.
func (a *App) StateMachineVersionDiff(ctx context.Context, t *Tenant, machineID, from, to string) (*VersionDiff, error) {
	m, err := a.findStateMachine(ctx, t, machineID, amigo.PermGetStateMachine)
	if err != nil {
		return nil, err
	}
	load := func(sel, param string) (int, *amigo.StateMachineDefinition, error) {
		n, err := versionNumber(sel, m.LatestVersion, param)
		if err != nil {
			return 0, nil, err
		}
		vs, _, err := t.Store.ListStateMachineVersions(ctx, t.Placement.OrgID, machineID, amigo.VersionFilter{From: n, To: n, Limit: 1})
		if err != nil {
			return 0, nil, err
		} else if len(vs) == 0 {
			return 0, nil, amigo.Errorf(amigo.ENOTFOUND, "State machine %s has no version %d.", machineID, n)
		}
		return n, &vs[0].Definition, nil
	}
	return diffVersions(load, from, to, a.Document, func(x, y *amigo.StateMachineDefinition) *MachineDiff { return machineDiff(x, y, a.Document) })
}

// diffVersions loads both versions and compares them in the shape API
// users see (shape: App.Document); semantic, if set,
// adds the type's own comparison.
func diffVersions[D any](load func(sel, param string) (int, *D, error), from, to string, shape func(any) any, semantic func(a, b *D) *MachineDiff) (*VersionDiff, error) {
	fromN, fromDef, err := load(from, "from")
	if err != nil {
		return nil, err
	}
	toN, toDef, err := load(to, "to")
	if err != nil {
		return nil, err
	}
	patch, err := jsonpatch.Diff(shape(fromDef), shape(toDef))
	if err != nil {
		return nil, err
	}
	d := &VersionDiff{From: fromN, To: toN, Patch: patch.JSON, Summary: patchSummary(patch.Ops)}
	if semantic != nil {
		d.Machine = semantic(fromDef, toDef)
	}
	return d, nil
}

// patchSummary describes a patch in one line per top-level field.
func patchSummary(patch []jsonpatch.Op) []string {
	verbs := map[string]string{}
	var order []string
	for _, op := range patch {
		field, _, _ := strings.Cut(strings.TrimPrefix(op.Path, "/"), "/")
		field = strings.NewReplacer("~1", "/", "~0", "~").Replace(field)
		verb := "changed"
		if op.Path == "/"+field {
			switch op.Type {
			case jsonpatch.Add:
				verb = "added"
			case jsonpatch.Remove:
				verb = "removed"
			}
		}
		if _, seen := verbs[field]; !seen {
			order = append(order, field)
			verbs[field] = verb
		} else if verbs[field] != verb {
			verbs[field] = "changed"
		}
	}
	out := make([]string, len(order))
	for i, f := range order {
		out[i] = f + " " + verbs[f]
	}
	return out
}

// machineDiff compares two state machines as graphs: states by name,
// transitions by (from, to, description), references by name; shape gives
// the states the field names of the API.
func machineDiff(a, b *amigo.StateMachineDefinition, shape func(any) any) *MachineDiff {
	d := &MachineDiff{StatesAdded: []string{}, StatesRemoved: []string{}, StatesChanged: map[string][]string{},
		TransitionsAdded: []Transition{}, TransitionsRemoved: []Transition{}, ReferencesChanged: []string{}}
	as, bs := statesByName(a), statesByName(b)
	for _, name := range slices.Sorted(maps.Keys(bs)) {
		if _, ok := as[name]; !ok {
			d.StatesAdded = append(d.StatesAdded, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(as)) {
		sb, ok := bs[name]
		if !ok {
			d.StatesRemoved = append(d.StatesRemoved, name)
			continue
		}
		if fields := changedFields(shape(as[name]), shape(sb)); len(fields) > 0 {
			d.StatesChanged[name] = fields
		}
	}
	at, bt := transitions(a), transitions(b)
	d.TransitionsAdded = minus(bt, at)
	d.TransitionsRemoved = minus(at, bt)
	for _, name := range slices.Sorted(maps.Keys(b.References)) {
		if old, ok := a.References[name]; !ok || old != b.References[name] {
			d.ReferencesChanged = append(d.ReferencesChanged, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(a.References)) {
		if _, ok := b.References[name]; !ok {
			d.ReferencesChanged = append(d.ReferencesChanged, name)
		}
	}
	return d
}

func statesByName(m *amigo.StateMachineDefinition) map[string]*amigo.State {
	out := make(map[string]*amigo.State, len(m.States))
	for i := range m.States {
		out[m.States[i].Name()] = &m.States[i]
	}
	return out
}

// changedFields lists the top-level fields of two versions of a state that
// differ, "type" included when the state changed kind.
func changedFields(a, b any) []string {
	patch, err := jsonpatch.Diff(a, b)
	if err != nil {
		return []string{"type"}
	}
	var out []string
	for _, op := range patch.Ops {
		field, _, _ := strings.Cut(strings.TrimPrefix(op.Path, "/"), "/")
		if field == "" {
			field = "type"
		}
		if !slices.Contains(out, field) {
			out = append(out, field)
		}
	}
	slices.Sort(out)
	return out
}

// transitions lists every exit of every state of m.
func transitions(m *amigo.StateMachineDefinition) []Transition {
	var out []Transition
	exits := func(from string, ecs []amigo.ExitCondition) {
		for _, ec := range ecs {
			out = append(out, Transition{From: from, To: ec.NextState.Name, Description: ec.Description})
		}
	}
	for i := range m.States {
		s := &m.States[i]
		switch {
		case s.Action != nil:
			exits(s.Action.Name, s.Action.ExitConditions)
		case s.Decision != nil:
			exits(s.Decision.Name, s.Decision.ExitConditions)
		case s.Recall != nil:
			out = append(out, Transition{From: s.Recall.Name, To: s.Recall.NextState.Name})
		case s.Annotation != nil:
			out = append(out, Transition{From: s.Annotation.Name, To: s.Annotation.NextState.Name})
		case s.Reflection != nil:
			out = append(out, Transition{From: s.Reflection.Name, To: s.Reflection.NextState.Name})
		case s.ToolCall != nil:
			out = append(out, Transition{From: s.ToolCall.Name, To: s.ToolCall.NextState.Name})
		}
	}
	return out
}

// minus returns the transitions of a that b lacks, in a's order.
func minus(a, b []Transition) []Transition {
	out := []Transition{}
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}
