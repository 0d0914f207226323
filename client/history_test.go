package client_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// history is an organization with two versions of an agent and of a state
// machine, and a service whose release pins the first ones and whose
// canary pins the second.
type history struct {
	agent, machine, service string
}

func newHistory(t *testing.T, c *client.Client) history {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	lib, err := c.CreateStateMachine(ctx, "library")
	must(err)
	libSpec := machineSpec(t, 1)
	libSpec.References = map[string]client.Reference{}
	_, err = c.CreateStateMachineVersion(ctx, lib, nil, false, libSpec)
	must(err)
	var h history
	h.machine, err = c.CreateStateMachine(ctx, "main")
	must(err)
	// Version 2 has one state more, s2, between s1 and end.
	for _, n := range []int{3, 4} {
		spec := machineSpec(t, n)
		spec.References = map[string]client.Reference{"lib": {MachineID: lib, Version: 1}}
		_, err = c.CreateStateMachineVersion(ctx, h.machine, nil, false, spec)
		must(err)
	}
	h.agent, err = c.CreateAgent(ctx, "amy")
	must(err)
	_, err = c.CreateAgentVersion(ctx, h.agent, nil, agentVersion("AM"))
	must(err)
	_, err = c.CreateAgentVersion(ctx, h.agent, ptr(2), &client.AgentVersionRequest{Background: ptr("Twenty years.")})
	must(err)
	h.service, err = c.CreateService(ctx, &client.CreateServiceRequest{StateMachineID: new(h.machine), AgentID: new(h.agent), Name: new("support"),
		Description: new("Support."), IsActive: new(true), Keyterms: new([]string{}), Tags: new(map[string]*string{}),
		ReleaseVersionSet: &client.VersionSet{AgentVersion: ptr(1), StateMachineVersion: ptr(1)}})
	must(err)
	must(c.UpsertVersionSet(ctx, h.service, "canary", &client.VersionSet{AgentVersion: ptr(2), StateMachineVersion: ptr(2)}))
	return h
}

// withHistory runs fn on every backend, against a new server holding
// newHistory's organization.
func withHistory(t *testing.T, fn func(t *testing.T, env *testenv.Env, c *client.Client, h history)) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := newClient(t, env, env.URL)
		fn(t, env, c, newHistory(t, c))
	})
}

// versionSet returns a service's version set as get-services shows it.
func versionSet(t *testing.T, c *client.Client, serviceID, name string) client.VersionSet {
	t.Helper()
	p, err := c.ListServices(context.Background(), client.ServiceListOptions{IDs: []string{serviceID}}, 0)
	if err != nil || len(p.Services) != 1 {
		t.Fatalf("get-services: %+v, %v", p, err)
	}
	return p.Services[0].VersionSets[name]
}

// pins prints what a version set pins, e.g. "2/1".
func pins(vs *client.VersionSet) string {
	if vs == nil {
		return "deleted"
	}
	n := func(p *int) string {
		if p == nil {
			return "latest"
		}
		return strconv.Itoa(*p)
	}
	return n(vs.AgentVersion) + "/" + n(vs.StateMachineVersion)
}

func TestVersionDiffs(t *testing.T) {
	withHistory(t, func(t *testing.T, env *testenv.Env, c *client.Client, h history) {
		ctx := context.Background()

		d, err := c.AgentVersionDiff(ctx, h.agent, "1", client.LatestVersion)
		if err != nil || d.From != 1 || d.To != 2 || !slices.Equal(d.Summary, []string{"background changed"}) {
			t.Fatalf("agent diff 1..latest: %+v, %v", d, err)
		}
		if ops, err := d.Patch.Operations(); err != nil || len(ops) != 1 || ops[0].Op != "replace" || ops[0].Path != "/background" || string(ops[0].Value) != `"Twenty years."` {
			t.Errorf("agent patch %s: %+v, %v", d.Patch, ops, err)
		}
		back, err := c.AgentVersionDiff(ctx, h.agent, "2", "1")
		if err != nil || back.From != 2 || back.To != 1 {
			t.Fatalf("reverse agent diff: %+v, %v", back, err)
		}
		if ops, err := back.Patch.Operations(); err != nil || len(ops) != 1 || string(ops[0].Value) != `"Ten years of support."` {
			t.Errorf("reverse agent patch %s: %+v, %v", back.Patch, ops, err)
		}

		m, err := c.StateMachineVersionDiff(ctx, h.machine, "1", "2")
		if err != nil || m.From != 1 || m.To != 2 || len(m.Summary) == 0 {
			t.Fatalf("machine diff: %+v, %v", m, err)
		}
		if ops, err := m.Patch.Operations(); err != nil || len(ops) == 0 {
			t.Errorf("machine patch %s: %+v, %v", m.Patch, ops, err)
		}
		if !slices.Equal(m.StatesAdded, []string{"s2"}) || len(m.StatesRemoved) != 0 || len(m.ReferencesChanged) != 0 {
			t.Errorf("states added %v, removed %v, references %v", m.StatesAdded, m.StatesRemoved, m.ReferencesChanged)
		}
		if !slices.ContainsFunc(m.TransitionsAdded, func(tr client.Transition) bool { return tr.From == "s2" && tr.To == "end" }) ||
			!slices.ContainsFunc(m.TransitionsRemoved, func(tr client.Transition) bool { return tr.From == "s1" && tr.To == "end" }) {
			t.Errorf("transitions added %+v, removed %+v", m.TransitionsAdded, m.TransitionsRemoved)
		}
		if _, ok := m.StatesChanged["s1"]; !ok {
			t.Errorf("s1 (its exit changed) not among the changed states: %v", m.StatesChanged)
		}

		var apiErr *client.APIError
		if _, err := c.AgentVersionDiff(ctx, h.agent, "1", "9"); !errors.Is(err, client.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Detail == "" {
			t.Errorf("unknown agent version: %v, want ErrNotFound with a detail", err)
		}
		if _, err := c.StateMachineVersionDiff(ctx, h.machine, "3", "1"); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("unknown machine version: %v, want ErrNotFound", err)
		}
		if _, err := c.StateMachineVersionDiff(ctx, "aaaaaaaaaaaaaaaaaaaaaaaa", "1", "2"); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("unknown machine: %v, want ErrNotFound", err)
		}
		_, err = c.AgentVersionDiff(ctx, h.agent, "first", "2")
		if !errors.Is(err, client.ErrValidation) || !errors.As(err, &apiErr) || len(apiErr.Items) != 1 || apiErr.Items[0].Path() != "query.from" {
			t.Errorf("malformed version: %v, want ErrValidation at query.from", err)
		}
	})
}

func TestPromoteAndRollback(t *testing.T) {
	withHistory(t, func(t *testing.T, env *testenv.Env, c *client.Client, h history) {
		ctx := context.Background()

		revs, err := client.Collect(c.VersionSetRevisions(ctx, h.service, "release", client.RevisionListOptions{}))
		if err != nil || len(revs) != 1 || revs[0].Revision != 1 || pins(revs[0].VersionSet) != "1/1" {
			t.Fatalf("release's revisions before promote: %+v, %v", revs, err)
		}

		rev, err := c.PromoteVersionSet(ctx, h.service, "release", "canary", nil)
		if err != nil || rev != 2 {
			t.Fatalf("promote canary to release: revision %d, %v; want 2", rev, err)
		}
		if got := versionSet(t, c, h.service, "release"); pins(&got) != "2/2" {
			t.Errorf("release after promote pins %s, want canary's 2/2", pins(&got))
		}

		// A stale If-Match changes nothing.
		if _, err := c.RollbackVersionSet(ctx, h.service, "release", 1, ptr(1)); !errors.Is(err, client.ErrPrecondition) {
			t.Errorf("rollback with a stale If-Match: %v, want ErrPrecondition", err)
		}
		if _, err := c.PromoteVersionSet(ctx, h.service, "release", "canary", ptr(5)); !errors.Is(err, client.ErrPrecondition) {
			t.Errorf("promote with a stale If-Match: %v, want ErrPrecondition", err)
		}
		if got := versionSet(t, c, h.service, "release"); pins(&got) != "2/2" {
			t.Errorf("a refused write changed release to %s", pins(&got))
		}

		rev, err = c.RollbackVersionSet(ctx, h.service, "release", 1, ptr(2))
		if err != nil || rev != 3 {
			t.Fatalf("rollback to revision 1 at revision 2: revision %d, %v; want 3", rev, err)
		}
		if got := versionSet(t, c, h.service, "release"); pins(&got) != "1/1" {
			t.Errorf("release after rollback pins %s, want 1/1", pins(&got))
		}

		// Iterating one revision a page walks the whole history, newest first.
		var ops []string
		for r, err := range c.VersionSetRevisions(ctx, h.service, "release", client.RevisionListOptions{Limit: 1}) {
			if err != nil {
				t.Fatal(err)
			}
			ops = append(ops, r.Operation+" "+pins(r.VersionSet))
			if r.Actor.UserID != env.UserID || r.Time.IsZero() {
				t.Errorf("revision %d: actor %+v at %v", r.Revision, r.Actor, r.Time)
			}
		}
		if want := []string{"rollback 1/1", "promote 2/2", "upsert 1/1"}; !slices.Equal(ops, want) {
			t.Errorf("revisions %q, want %q", ops, want)
		}

		if _, err := c.RollbackVersionSet(ctx, h.service, "release", 99, nil); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("rollback to an unknown revision: %v, want ErrNotFound", err)
		}
		if _, err := c.PromoteVersionSet(ctx, h.service, "release", "nightly", nil); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("promote from an unknown set: %v, want ErrNotFound", err)
		}
		if _, err := c.PromoteVersionSet(ctx, h.service, "edge", "canary", nil); !errors.Is(err, client.ErrBadRequest) {
			t.Errorf("promote into edge: %v, want ErrBadRequest", err)
		}
		if _, err := c.ListVersionSetRevisions(ctx, h.service, "nightly", client.RevisionListOptions{}, 0); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("revisions of a set that never existed: %v, want ErrNotFound", err)
		}
	})
}

func TestChangeLog(t *testing.T) {
	withHistory(t, func(t *testing.T, env *testenv.Env, c *client.Client, h history) {
		ctx := context.Background()
		if _, err := c.PromoteVersionSet(ctx, h.service, "release", "canary", nil); err != nil {
			t.Fatal(err)
		}

		changes, err := client.Collect(c.Changes(ctx, client.ChangeFilter{ResourceType: "version_set"}))
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, ch := range changes {
			ops = append(ops, ch.Operation)
			if ch.ResourceID != h.service+"/canary" && ch.ResourceID != h.service+"/release" {
				t.Errorf("version set change of %q", ch.ResourceID)
			}
		}
		if want := []string{"promote-service-version-set", "upsert-service-version-set"}; !slices.Equal(ops, want) {
			t.Fatalf("version set changes %q, want %q (newest first)", ops, want)
		}
		promote := changes[0]
		if promote.Actor.UserID != env.UserID || promote.Actor.APIKeyID != env.APIKeyID || promote.Actor.Operator || promote.Summary == "" {
			t.Errorf("promote record %+v", promote)
		}
		if ops, err := promote.Diff.Operations(); err != nil || len(ops) == 0 || ops[0].Path == "" && ops[0].Op == "" {
			t.Errorf("promote diff %s: %+v, %v", promote.Diff, ops, err)
		}

		// One record a page gives what one page of all gives.
		all, err := client.Collect(c.Changes(ctx, client.ChangeFilter{Limit: 100}))
		if err != nil {
			t.Fatal(err)
		}
		paged, err := client.Collect(c.Changes(ctx, client.ChangeFilter{Limit: 1}))
		if err != nil || len(paged) != len(all) || len(all) < 8 {
			t.Fatalf("paged %d records, all %d, %v", len(paged), len(all), err)
		}
		for i := range all {
			if paged[i].ID != all[i].ID {
				t.Fatalf("record %d: %s paged, %s at once", i, paged[i].ID, all[i].ID)
			}
		}

		byOp, err := client.Collect(c.Changes(ctx, client.ChangeFilter{Operation: "create-agent-version", ResourceID: h.agent, ActorUserID: env.UserID}))
		if err != nil || len(byOp) != 2 {
			t.Fatalf("amy's new versions: %d records, %v; want 2", len(byOp), err)
		}
		// The window from amy's creation to her second version holds the
		// records between them, both ends included.
		first, second := recordOf(t, all, "create-agent"), byOp[0]
		window, err := client.Collect(c.Changes(ctx, client.ChangeFilter{Since: first.Time, Until: second.Time}))
		if err != nil || len(window) < 3 || window[0].ID != second.ID || window[len(window)-1].ID != first.ID {
			t.Errorf("records from %v to %v: %d, %v", first.Time, second.Time, len(window), err)
		}
		if future, err := client.Collect(c.Changes(ctx, client.ChangeFilter{Since: time.Now().Add(time.Hour)})); err != nil || len(future) != 0 {
			t.Errorf("records of the future: %d, %v", len(future), err)
		}
		if _, err := c.ListChanges(ctx, client.ChangeFilter{Limit: 101}, ""); !errors.Is(err, client.ErrValidation) {
			t.Errorf("limit 101: %v, want ErrValidation", err)
		}
	})
}

// recordOf returns the only record of operation op.
func recordOf(t *testing.T, changes []client.Change, op string) client.Change {
	t.Helper()
	i := slices.IndexFunc(changes, func(c client.Change) bool { return c.Operation == op })
	if i < 0 {
		t.Fatalf("no %s record", op)
	}
	return changes[i]
}
