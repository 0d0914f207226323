package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

func newAgent(t *testing.T, c amigo.ClusterStore, orgID, name string, at time.Time) *amigo.Agent {
	t.Helper()
	a := &amigo.Agent{ID: amigo.NewID(at), OrgID: orgID, Name: name, CreatorOrgID: orgID, CreatorUserID: "u", CreatedAt: at, UpdatedAt: at}
	must(t, "create agent "+name, c.CreateAgent(ctx, a))
	return a
}

func newMachine(t *testing.T, c amigo.ClusterStore, orgID, name string, at time.Time) *amigo.StateMachine {
	t.Helper()
	m := &amigo.StateMachine{ID: amigo.NewID(at), OrgID: orgID, Name: name, CreatorOrgID: orgID, CreatorUserID: "u", CreatedAt: at, UpdatedAt: at}
	must(t, "create state machine "+name, c.CreateStateMachine(ctx, m))
	return m
}

func agentVersion(c amigo.ClusterStore, orgID, id string, expected *int, initials string) (*amigo.AgentVersion, error) {
	return c.CreateAgentVersion(ctx, orgID, id, expected, func(*amigo.AgentVersion) (*amigo.AgentVersion, error) {
		return &amigo.AgentVersion{CreatorOrgID: orgID, CreatorUserID: "u", Definition: amigo.AgentDefinition{Initials: initials}}, nil
	})
}

func machineVersion(c amigo.ClusterStore, orgID, id string) (*amigo.StateMachineVersion, error) {
	return c.CreateStateMachineVersion(ctx, orgID, id, nil, func(*amigo.StateMachineVersion, amigo.StateMachineLookup) (*amigo.StateMachineVersion, error) {
		return &amigo.StateMachineVersion{CreatorOrgID: orgID, CreatorUserID: "u", Definition: amigo.StateMachineDefinition{Description: "d"}}, nil
	})
}

// testAgents checks names, lookups, filters and pagination of agents; state
// machines share the storage, and the services test covers their listing.
func testAgents(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	newOrg(t, c, "other")
	var all []string
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		all = append(all, newAgent(t, c, "acme", name, epoch.Add(time.Duration(i)*time.Second)).ID)
	}
	wantCode(t, "a live name twice", c.CreateAgent(ctx, &amigo.Agent{ID: amigo.NewID(epoch), OrgID: "acme", Name: "a", CreatedAt: epoch, UpdatedAt: epoch}), amigo.ECONFLICT)
	newAgent(t, c, "other", "a", epoch)
	newMachine(t, c, "acme", "a", epoch)

	got, err := c.FindAgent(ctx, "acme", all[1])
	must(t, "find", err)
	if got.Name != "b" || got.Deprecated || got.LatestVersion != nil || !got.CreatedAt.Equal(epoch.Add(time.Second)) {
		t.Fatalf("found %+v", got)
	}
	_, err = c.FindAgent(ctx, "other", all[1])
	wantCode(t, "find in another organization", err, amigo.ENOTFOUND)
	_, err = c.FindStateMachine(ctx, "acme", all[1])
	wantCode(t, "find an agent as a state machine", err, amigo.ENOTFOUND)

	var pages []string
	for offset := 0; ; offset += 2 {
		page, more, err := c.ListAgents(ctx, "acme", amigo.AgentFilter{Offset: offset, Limit: 2})
		must(t, "list", err)
		pages = append(pages, ids(page, func(a *amigo.Agent) string { return a.ID })...)
		if want := offset+2 < len(all); more != want {
			t.Fatalf("offset %d: has more %v, want %v", offset, more, want)
		}
		if !more {
			break
		}
	}
	if !slices.Equal(pages, all) {
		t.Fatalf("pages %v, want creation order %v", pages, all)
	}
	page, more, err := c.ListAgents(ctx, "acme", amigo.AgentFilter{IDs: []string{all[3], all[0]}, Limit: 1})
	must(t, "by id", err)
	if len(page) != 1 || page[0].ID != all[0] || !more {
		t.Fatalf("by id: %v, more %v", ids(page, func(a *amigo.Agent) string { return a.ID }), more)
	}

	must(t, "deprecate", c.DeprecateAgent(ctx, "acme", all[0], func(*amigo.Agent, int) error { return nil }))
	page, _, err = c.ListAgents(ctx, "acme", amigo.AgentFilter{Deprecated: ptr(true), Limit: 10})
	must(t, "deprecated only", err)
	if len(page) != 1 || page[0].ID != all[0] || !page[0].Deprecated {
		t.Fatalf("deprecated agents: %v", ids(page, func(a *amigo.Agent) string { return a.ID }))
	}
	page, _, _ = c.ListAgents(ctx, "acme", amigo.AgentFilter{Deprecated: ptr(false), Limit: 10})
	if len(page) != 4 {
		t.Fatalf("%d live agents, want 4", len(page))
	}
	newAgent(t, c, "acme", "a", epoch.Add(time.Minute)) // a deprecated agent's name is free again
}

// testAgentVersions checks version numbering: consecutive from 1, the
// expected number, rollback of a refused version, and concurrent writers.
func testAgentVersions(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	a := newAgent(t, c, "acme", "a", epoch)

	v, err := c.CreateAgentVersion(ctx, "acme", a.ID, nil, func(latest *amigo.AgentVersion) (*amigo.AgentVersion, error) {
		if latest != nil {
			t.Errorf("the first version has a latest: %+v", latest)
		}
		return &amigo.AgentVersion{CreatorOrgID: "acme", CreatorUserID: "u", Definition: amigo.AgentDefinition{Initials: "A1"}}, nil
	})
	must(t, "first version", err)
	if v.Version != 1 || v.AgentID != a.ID || v.OrgID != "acme" || v.CreatedAt.IsZero() || v.Definition.Initials != "A1" || !amigo.IsID(v.ID) {
		t.Fatalf("first version %+v", v)
	}
	firstID := v.ID
	_, err = agentVersion(c, "acme", a.ID, ptr(3), "X")
	wantCode(t, "a version number that is not the next", err, amigo.ECONFLICT)
	_, err = c.CreateAgentVersion(ctx, "acme", a.ID, nil, func(latest *amigo.AgentVersion) (*amigo.AgentVersion, error) {
		if latest == nil || latest.Version != 1 || latest.Definition.Initials != "A1" {
			t.Errorf("latest %+v, want version 1", latest)
		}
		return nil, errRefused
	})
	wantRefused(t, "refused version", err)
	v, err = agentVersion(c, "acme", a.ID, ptr(2), "A2")
	must(t, "second version", err)
	if v.Version != 2 {
		t.Fatalf("after a conflict and a refusal the next version is %d, want 2", v.Version)
	}
	if !amigo.IsID(v.ID) || v.ID == firstID {
		t.Fatalf("second version id %q (first %q): want a new resource id", v.ID, firstID)
	}
	listed, _, err := c.ListAgentVersions(ctx, "acme", a.ID, amigo.VersionFilter{Limit: 10})
	must(t, "list versions", err)
	if got := ids(listed, func(v *amigo.AgentVersion) string { return v.ID }); !slices.Equal(got, []string{firstID, v.ID}) {
		t.Fatalf("listed version ids %v, want the ids the creations returned %v", got, []string{firstID, v.ID})
	}
	_, err = agentVersion(c, "acme", "missing", nil, "X")
	wantCode(t, "version of an unknown agent", err, amigo.ENOTFOUND)
	_, err = agentVersion(c, "other", a.ID, nil, "X")
	wantCode(t, "version through another organization", err, amigo.ENOTFOUND)

	t.Run("concurrent writers get consecutive numbers", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				_, err := agentVersion(c, "acme", a.ID, nil, "C")
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, "concurrent version", err)
		}
		got, err := c.FindAgent(ctx, "acme", a.ID)
		if err != nil || got.LatestVersion == nil || *got.LatestVersion != 10 {
			t.Fatalf("latest version %v, %v; want 10", got.LatestVersion, err)
		}
	})

	t.Run("listing selects, orders and pages versions", func(t *testing.T) {
		numbers := func(f amigo.VersionFilter) ([]int, bool) {
			t.Helper()
			vs, more, err := c.ListAgentVersions(ctx, "acme", a.ID, f)
			must(t, "list versions", err)
			return versionNumbers(vs), more
		}
		if got, more := numbers(amigo.VersionFilter{Limit: 3}); !slices.Equal(got, []int{1, 2, 3}) || !more {
			t.Fatalf("first page %v, more %v", got, more)
		}
		if got, more := numbers(amigo.VersionFilter{Offset: 8, Limit: 3}); !slices.Equal(got, []int{9, 10}) || more {
			t.Fatalf("last page %v, more %v", got, more)
		}
		if got, _ := numbers(amigo.VersionFilter{From: 2, To: 4, Descending: true, Limit: 10}); !slices.Equal(got, []int{4, 3, 2}) {
			t.Fatalf("2-4 descending %v", got)
		}
		if got, _ := numbers(amigo.VersionFilter{From: 9, Limit: 10}); !slices.Equal(got, []int{9, 10}) {
			t.Fatalf("9-latest %v", got)
		}
		if got, _ := numbers(amigo.VersionFilter{Latest: true, Limit: 10}); !slices.Equal(got, []int{10}) {
			t.Fatalf("latest %v", got)
		}
	})
}

// versionNumbers returns the numbers of vs, in order.
func versionNumbers(vs []*amigo.AgentVersion) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out
}

// testStateMachineVersions checks that the lookup handed to build reads
// inside the version's transaction: it sees the machines of the
// organization as they are, and a refusal based on it stores nothing.
func testStateMachineVersions(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	newOrg(t, c, "other")
	m := newMachine(t, c, "acme", "main", epoch)
	lib := newMachine(t, c, "acme", "lib", epoch.Add(time.Second))
	foreign := newMachine(t, c, "other", "lib", epoch)
	_, err := machineVersion(c, "acme", lib.ID)
	must(t, "lib version", err)

	v, err := c.CreateStateMachineVersion(ctx, "acme", m.ID, nil, func(latest *amigo.StateMachineVersion, find amigo.StateMachineLookup) (*amigo.StateMachineVersion, error) {
		if latest != nil {
			t.Errorf("first version has a latest")
		}
		got, err := find(lib.ID)
		if err != nil || got.Name != "lib" || got.LatestVersion == nil || *got.LatestVersion != 1 {
			t.Errorf("lookup of lib: %+v, %v", got, err)
		}
		_, err = find(foreign.ID)
		wantCode(t, "lookup of another organization's machine", err, amigo.ENOTFOUND)
		_, err = find("missing")
		wantCode(t, "lookup of a missing machine", err, amigo.ENOTFOUND)
		def := amigo.StateMachineDefinition{Description: "refs", References: map[string]amigo.Reference{"lib": {MachineID: lib.ID, Version: 1}}}
		return &amigo.StateMachineVersion{CreatorOrgID: "acme", CreatorUserID: "u", Definition: def}, nil
	})
	must(t, "version with a reference", err)
	if v.Version != 1 || v.MachineID != m.ID || v.Definition.References["lib"].MachineID != lib.ID || !amigo.IsID(v.ID) {
		t.Fatalf("stored %+v", v)
	}

	must(t, "deprecate lib", c.DeprecateStateMachine(ctx, "acme", lib.ID, func(*amigo.StateMachine, int) error { return nil }))
	_, err = c.CreateStateMachineVersion(ctx, "acme", m.ID, nil, func(_ *amigo.StateMachineVersion, find amigo.StateMachineLookup) (*amigo.StateMachineVersion, error) {
		if got, err := find(lib.ID); err != nil || !got.Deprecated {
			t.Errorf("lookup after deprecation: %+v, %v", got, err)
		}
		return nil, errRefused
	})
	wantRefused(t, "refused on a deprecated reference", err)
	vs, _, err := c.ListStateMachineVersions(ctx, "acme", m.ID, amigo.VersionFilter{Limit: 10})
	must(t, "list", err)
	if len(vs) != 1 || vs[0].Definition.Description != "refs" || vs[0].ID != v.ID {
		t.Fatalf("after a refusal: %d versions", len(vs))
	}
	if got, _ := c.FindStateMachine(ctx, "acme", m.ID); got.LatestVersion == nil || *got.LatestVersion != 1 {
		t.Fatalf("a refused version moved latest_version to %v", got.LatestVersion)
	}
}
