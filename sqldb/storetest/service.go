package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

func newService(orgID, name string, a *amigo.Agent, m *amigo.StateMachine, active bool, at time.Time, tags map[string]*string) *amigo.Service {
	edge := amigo.VersionSet{LLMModelPreferences: map[string]amigo.LLMConfig{}}
	return &amigo.Service{ID: amigo.NewID(at), OrgID: orgID, Name: name, IsActive: active, AgentID: a.ID, StateMachineID: m.ID,
		Tags: tags, Keyterms: []string{"k"}, VersionSets: map[string]amigo.VersionSet{amigo.VersionSetEdge: edge, amigo.VersionSetRelease: edge},
		CreatorOrgID: orgID, CreatorUserID: "u", UpdatedByOrgID: orgID, UpdatedByUserID: "u", CreatedAt: at, UpdatedAt: at}
}

var accept = func(amigo.Pinned) error { return nil }

// testDeprecation checks that deprecating hands the caller the resource
// and the count of active services using it, and stores nothing on refusal.
func testDeprecation(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	a, m := newAgent(t, c, "acme", "a", epoch), newMachine(t, c, "acme", "m", epoch)
	for i, active := range []bool{true, true, false} {
		must(t, "create service", c.CreateService(ctx, newService("acme", string(rune('a'+i)), a, m, active, epoch, nil), accept))
	}
	var gotAgent *amigo.Agent
	var gotCount int
	err := c.DeprecateAgent(ctx, "acme", a.ID, func(ag *amigo.Agent, n int) error {
		gotAgent, gotCount = ag, n
		return errRefused
	})
	wantRefused(t, "refused", err)
	if gotAgent == nil || gotAgent.ID != a.ID || gotAgent.Deprecated || gotCount != 2 {
		t.Fatalf("check got %+v with %d active services, want 2", gotAgent, gotCount)
	}
	if got, _ := c.FindAgent(ctx, "acme", a.ID); got.Deprecated {
		t.Fatal("a refused deprecation was stored")
	}
	var counts []int
	countOnly := func(_ *amigo.StateMachine, n int) error { counts = append(counts, n); return nil }
	must(t, "deprecate machine", c.DeprecateStateMachine(ctx, "acme", m.ID, countOnly))
	var again *amigo.StateMachine
	must(t, "deprecate machine again", c.DeprecateStateMachine(ctx, "acme", m.ID, func(sm *amigo.StateMachine, _ int) error { again = sm; return nil }))
	if !slices.Equal(counts, []int{2}) || again == nil || !again.Deprecated {
		t.Fatalf("counts %v; the second call saw %+v, want it deprecated", counts, again)
	}
	wantCode(t, "deprecate unknown", c.DeprecateAgent(ctx, "acme", "missing", func(*amigo.Agent, int) error { return nil }), amigo.ENOTFOUND)
}

// testServices checks pinning, active-name conflicts, tags, updates,
// filters and version-set removal.
func testServices(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	a, m := newAgent(t, c, "acme", "a", epoch), newMachine(t, c, "acme", "m", epoch)
	_, err := agentVersion(c, "acme", a.ID, nil, "A")
	must(t, "agent version", err)

	support, none := "support", (*string)(nil)
	first := newService("acme", "one", a, m, true, epoch, map[string]*string{"team": &support, "flag": none})
	var pinned amigo.Pinned
	must(t, "create", c.CreateService(ctx, first, func(p amigo.Pinned) error { pinned = p; return nil }))
	if pinned.Agent == nil || pinned.Agent.ID != a.ID || *pinned.Agent.LatestVersion != 1 || pinned.StateMachine.ID != m.ID {
		t.Fatalf("pinned %+v", pinned)
	}
	wantCode(t, "an active name twice", c.CreateService(ctx, newService("acme", "one", a, m, true, epoch, nil), accept), amigo.ECONFLICT)
	must(t, "an inactive service may share the name", c.CreateService(ctx, newService("acme", "one", a, m, false, epoch.Add(time.Second), nil), accept))
	wantRefused(t, "refused", c.CreateService(ctx, newService("acme", "two", a, m, true, epoch, nil), func(amigo.Pinned) error { return errRefused }))
	wantCode(t, "unknown agent", c.CreateService(ctx, newService("acme", "three", &amigo.Agent{ID: "missing"}, m, true, epoch, nil), accept), amigo.ENOTFOUND)

	got, err := c.FindService(ctx, "acme", first.ID)
	must(t, "find", err)
	if got.Name != "one" || !got.IsActive || *got.Tags["team"] != "support" || got.Tags["flag"] != nil || len(got.VersionSets) != 2 || !slices.Equal(got.Keyterms, []string{"k"}) {
		t.Fatalf("found %+v", got)
	}
	_, err = c.FindService(ctx, "other", first.ID)
	wantCode(t, "find in another organization", err, amigo.ENOTFOUND)

	t.Run("filters", func(t *testing.T) {
		list := func(f amigo.ServiceFilter) []string {
			f.Limit = 10
			p, err := c.ListServices(ctx, "acme", f)
			must(t, "list", err)
			return ids(p.Services, func(s *amigo.Service) string { return s.ID })
		}
		if got := list(amigo.ServiceFilter{IsActive: ptr(true)}); !slices.Equal(got, []string{first.ID}) {
			t.Fatalf("active: %v", got)
		}
		if got := list(amigo.ServiceFilter{Tags: []amigo.TagFilter{{Key: "team", Value: &support}, {Key: "flag"}}}); !slices.Equal(got, []string{first.ID}) {
			t.Fatalf("by tags: %v", got)
		}
		if got := list(amigo.ServiceFilter{Tags: []amigo.TagFilter{{Key: "team", Any: true}}}); len(got) != 1 {
			t.Fatalf("any team: %v", got)
		}
		tags, err := c.ServiceTags(ctx, "acme")
		must(t, "tags", err)
		if !slices.Equal(tags, []string{"flag:", "team:support"}) {
			t.Fatalf("tags %v", tags)
		}
		// A page read WithTags carries the same tags, from its own
		// statement, and so does an empty page, from ServiceTags.
		for _, f := range []amigo.ServiceFilter{
			{WithTags: true, Limit: 10},
			{WithTags: true, Limit: 10, Sort: []amigo.SortField{{Field: "name"}}, Tags: []amigo.TagFilter{{Key: "team", Value: &support}}},
			{WithTags: true, Limit: 10, Tags: []amigo.TagFilter{{Key: "nobody"}}},
		} {
			p, err := c.ListServices(ctx, "acme", f)
			must(t, "list with tags", err)
			if !slices.Equal(p.Tags, tags) {
				t.Fatalf("%+v: tags %v, want %v", f, p.Tags, tags)
			}
		}
		if p, err := c.ListServices(ctx, "acme", amigo.ServiceFilter{Limit: 10}); err != nil || p.Tags != nil {
			t.Fatalf("without WithTags: tags %v, %v", p.Tags, err)
		}
	})

	t.Run("updates run in one transaction with the pin", func(t *testing.T) {
		updated, err := c.UpdateService(ctx, "acme", first.ID, func(s *amigo.Service, pin amigo.PinFunc) error {
			p, err := pin(s.AgentID, s.StateMachineID)
			if err != nil {
				return err
			}
			s.Description, s.Tags = "by "+p.Agent.Name, map[string]*string{}
			return nil
		})
		must(t, "update", err)
		if got, _ := c.FindService(ctx, "acme", first.ID); got.Description != "by a" || len(got.Tags) != 0 || updated.Description != "by a" {
			t.Fatalf("after update: %+v", got)
		}
		_, err = c.UpdateService(ctx, "acme", first.ID, func(s *amigo.Service, _ amigo.PinFunc) error {
			s.Description = "lost"
			return errRefused
		})
		wantRefused(t, "refused update", err)
		if got, _ := c.FindService(ctx, "acme", first.ID); got.Description != "by a" {
			t.Fatal("a refused update was stored")
		}
		_, err = c.UpdateService(ctx, "acme", "missing", func(*amigo.Service, amigo.PinFunc) error { return nil })
		wantCode(t, "update unknown", err, amigo.ENOTFOUND)
	})

	t.Run("a version set write reads only its sets and stores only through their revisions", func(t *testing.T) {
		testPartialUpdates(t, c, first.ID)
	})

	must(t, "delete version set", c.DeleteVersionSet(ctx, "acme", first.ID, amigo.VersionSetRelease))
	wantCode(t, "delete it again", c.DeleteVersionSet(ctx, "acme", first.ID, amigo.VersionSetRelease), amigo.ENOTFOUND)
	wantCode(t, "delete from an unknown service", c.DeleteVersionSet(ctx, "acme", "missing", amigo.VersionSetEdge), amigo.ENOTFOUND)
}

// testListingsAcrossReplicas checks that a listing shows every change to a
// service at once, made through its own store or another one on the same
// database, whatever the store keeps between listings: each kind of write
// is followed by a listing on both stores.
func testListingsAcrossReplicas(t *testing.T, s Stores) {
	c, r := s.Cluster, s.Replica
	newOrg(t, c, "acme")
	a, m := newAgent(t, c, "acme", "a", epoch), newMachine(t, c, "acme", "m", epoch)
	prod := "prod"
	svc := newService("acme", "one", a, m, true, epoch, map[string]*string{"env": &prod})
	must(t, "create", c.CreateService(ctx, svc, accept))
	byTag := amigo.ServiceFilter{Limit: 10, WithTags: true, Sort: []amigo.SortField{{Field: "name"}}, Tags: []amigo.TagFilter{{Key: "env", Value: &prod}}}
	all := amigo.ServiceFilter{Limit: 10, WithTags: true}
	check := func(what string, want func(p amigo.ServicePage) bool) {
		t.Helper()
		for _, store := range []amigo.ClusterStore{c, r} {
			for _, f := range []amigo.ServiceFilter{byTag, all} {
				p, err := store.ListServices(ctx, "acme", f)
				must(t, what, err)
				if !want(p) {
					t.Fatalf("%s: listed %+v", what, p)
				}
			}
		}
	}
	one := func(p amigo.ServicePage) *amigo.Service {
		if len(p.Services) != 1 {
			return &amigo.Service{}
		}
		return p.Services[0]
	}
	check("created", func(p amigo.ServicePage) bool { return one(p).Name == "one" })
	update := func(store amigo.ClusterStore, change func(*amigo.Service)) {
		t.Helper()
		_, err := store.UpdateService(ctx, "acme", svc.ID, func(s *amigo.Service, _ amigo.PinFunc) error { change(s); return nil })
		must(t, "update", err)
	}
	update(r, func(s *amigo.Service) { s.Description = "from the replica" })
	check("description", func(p amigo.ServicePage) bool { return one(p).Description == "from the replica" })
	update(c, func(s *amigo.Service) { s.Tags["team"] = &prod })
	check("tag added", func(p amigo.ServicePage) bool {
		return one(p).Tags["team"] != nil && slices.Equal(p.Tags, []string{"env:prod", "team:prod"})
	})
	v := 1
	update(r, func(s *amigo.Service) { s.VersionSets["canary"] = amigo.VersionSet{AgentVersion: &v} })
	check("version set", func(p amigo.ServicePage) bool {
		vs, ok := one(p).VersionSets["canary"]
		return ok && *vs.AgentVersion == 1
	})
	must(t, "delete version set", r.DeleteVersionSet(ctx, "acme", svc.ID, "canary"))
	check("version set deleted", func(p amigo.ServicePage) bool {
		_, ok := one(p).VersionSets["canary"]
		return !ok && len(one(p).VersionSets) == 2
	})
	update(c, func(s *amigo.Service) { s.Name = "renamed" })
	check("renamed", func(p amigo.ServicePage) bool { return one(p).Name == "renamed" })
}

// testPartialUpdates checks UpdateVersionSets on a service with the sets
// edge and release: apply sees only the sets named, a write recorded as a
// revision of one of them stores it and leaves the others, and the store
// refuses, writing nothing, a service read in part that apply changed
// without a revision or with a revision of a set it did not read.
func testPartialUpdates(t *testing.T, c amigo.ClusterStore, id string) {
	v := 1
	// write sets name, reading the sets sets, of which apply must see
	// those that exist, seen.
	write := func(name string, sets, seen []string, revision bool) error {
		ctx, j := amigo.WithJournal(ctx)
		_, err := c.UpdateVersionSets(ctx, "acme", id, sets, func(s *amigo.Service, _ amigo.PinFunc) error {
			if got := slices.Sorted(maps.Keys(s.VersionSets)); !slices.Equal(got, seen) {
				t.Errorf("read with %v: apply sees the sets %v, want %v", sets, got, seen)
			}
			s.Description = "written with " + name
			s.VersionSets[name] = amigo.VersionSet{AgentVersion: &v, LLMModelPreferences: map[string]amigo.LLMConfig{}}
			if revision {
				set := s.VersionSets[name]
				j.RecordRevision(&amigo.VersionSetRevision{OrgID: "acme", ServiceID: id, Name: name, Revision: s.Revisions[name] + 1,
					Time: epoch, Operation: amigo.RevisionUpsert, Set: &set})
			}
			return nil
		})
		return err
	}
	must(t, "write canary", write("canary", []string{"canary", amigo.VersionSetEdge}, []string{amigo.VersionSetEdge}, true))
	got, err := c.FindService(ctx, "acme", id)
	must(t, "find", err)
	if names := slices.Sorted(maps.Keys(got.VersionSets)); !slices.Equal(names, []string{"canary", amigo.VersionSetEdge, amigo.VersionSetRelease}) || *got.VersionSets["canary"].AgentVersion != 1 {
		t.Fatalf("after a write of canary the service has the sets %v", names)
	}
	for _, refused := range []struct {
		name       string
		sets, seen []string
		revision   bool
	}{
		{"canary", []string{"canary"}, []string{"canary"}, false},
		{amigo.VersionSetRelease, []string{"canary"}, []string{"canary"}, true},
		{"canary", nil, []string{}, true},
	} {
		if err := write(refused.name, refused.sets, refused.seen, refused.revision); err == nil || amigo.ErrorCode(err) != amigo.EINTERNAL {
			t.Errorf("a write of %s read with %v (revision %v): %v, want an internal error", refused.name, refused.sets, refused.revision, err)
		}
	}
	after, err := c.FindService(ctx, "acme", id)
	must(t, "find", err)
	if after.Description != got.Description || len(after.VersionSets) != 3 || after.VersionSets[amigo.VersionSetRelease].AgentVersion != nil {
		t.Fatalf("a refused write was stored: %+v", after)
	}
	must(t, "delete canary", c.DeleteVersionSet(ctx, "acme", id, "canary"))
}
