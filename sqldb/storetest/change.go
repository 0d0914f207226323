package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// testChanges: a journal's records are written by the transaction of the
// change they ride with, and only if it commits; the log lists newest
// first with filters and a continuation token; revisions number a version
// set's states; retention prunes by age; the log goes with its organization.
func testChanges(t *testing.T, s Stores) {
	c := s.Cluster
	newOrg(t, c, "acme")
	a, m := newAgent(t, c, "acme", "a", epoch), newMachine(t, c, "acme", "m", epoch)
	_, err := agentVersion(c, "acme", a.ID, nil, "A")
	must(t, "agent version", err)

	record := func(id, op string, at time.Time) *amigo.Change {
		return &amigo.Change{ID: id, OrgID: "acme", Time: at, Actor: amigo.Actor{OrgID: "acme", UserID: "u1", APIKeyID: "k1"},
			Operation: op, ResourceType: "service", ResourceID: "s-" + id, Summary: "did " + op, Diff: []byte(`[{"op":"add","path":"/x","value":1}]`)}
	}
	// A change that commits writes its record; a refused one does not.
	jctx, j := amigo.WithJournal(ctx)
	j.Record(record("000000000000000000000001", "create-service", epoch))
	svc := newService("acme", "one", a, m, true, epoch, nil)
	j.RecordRevision(&amigo.VersionSetRevision{OrgID: "acme", ServiceID: svc.ID, Name: "release", Revision: 1, Time: epoch,
		Operation: amigo.RevisionUpsert, Set: &amigo.VersionSet{LLMModelPreferences: map[string]amigo.LLMConfig{}}})
	must(t, "create", c.CreateService(jctx, svc, accept))

	jctx, j = amigo.WithJournal(ctx)
	j.Record(record("000000000000000000000002", "create-service", epoch))
	wantRefused(t, "refused", c.CreateService(jctx, newService("acme", "two", a, m, true, epoch, nil), func(amigo.Pinned) error { return errRefused }))
	jctx, j = amigo.WithJournal(ctx)
	j.Record(record("000000000000000000000003", "create-service", epoch))
	wantCode(t, "name clash after the record", c.CreateService(jctx, newService("acme", "one", a, m, true, epoch, nil), accept), amigo.ECONFLICT)

	// Single-statement writes carry the journal too.
	jctx, j = amigo.WithJournal(ctx)
	j.Record(record("000000000000000000000004", "create-agent", epoch.Add(time.Second)))
	must(t, "agent with record", c.CreateAgent(jctx, &amigo.Agent{ID: amigo.NewID(epoch), OrgID: "acme", Name: "c", CreatedAt: epoch, UpdatedAt: epoch}))
	jctx, j = amigo.WithJournal(ctx)
	j.Record(record("000000000000000000000005", "delete-user", epoch.Add(2*time.Second)))
	wantCode(t, "delete a missing user", c.DeleteUser(jctx, "acme", "nobody", nil), amigo.ENOTFOUND)

	list := func(f amigo.ChangeFilter) ([]string, bool) {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 10
		}
		got, more, err := c.ListChanges(ctx, "acme", f)
		must(t, "list changes", err)
		return ids(got, func(c *amigo.Change) string { return c.ID }), more
	}
	if got, _ := list(amigo.ChangeFilter{}); !slices.Equal(got, []string{"000000000000000000000004", "000000000000000000000001"}) {
		t.Fatalf("log %v: only committed changes, newest first", got)
	}
	got, more, err := c.ListChanges(ctx, "acme", amigo.ChangeFilter{Limit: 1})
	must(t, "page", err)
	if len(got) != 1 || !more || got[0].Actor.APIKeyID != "k1" || string(got[0].Diff) != `[{"op":"add","path":"/x","value":1}]` || !got[0].Time.Equal(epoch.Add(time.Second)) {
		t.Fatalf("first page %+v more=%v", got, more)
	}
	if ids, more := list(amigo.ChangeFilter{After: got[0].ID, Limit: 1}); !slices.Equal(ids, []string{"000000000000000000000001"}) || more {
		t.Fatalf("second page %v more=%v", ids, more)
	}
	if ids, _ := list(amigo.ChangeFilter{Operation: "create-service"}); !slices.Equal(ids, []string{"000000000000000000000001"}) {
		t.Fatalf("by operation %v", ids)
	}
	if ids, _ := list(amigo.ChangeFilter{Since: epoch.Add(time.Second)}); !slices.Equal(ids, []string{"000000000000000000000004"}) {
		t.Fatalf("since %v", ids)
	}
	if ids, _ := list(amigo.ChangeFilter{Until: epoch, ResourceID: "s-000000000000000000000001", ResourceType: "service", ActorUserID: "u1"}); len(ids) != 1 {
		t.Fatalf("until and resource %v", ids)
	}

	revs, _, err := c.ListVersionSetRevisions(ctx, "acme", svc.ID, "release", 0, 10)
	must(t, "revisions", err)
	if len(revs) != 1 || revs[0].Revision != 1 || revs[0].Set == nil {
		t.Fatalf("revisions %+v", revs)
	}
	_, err = c.FindVersionSetRevision(ctx, "acme", svc.ID, "release", 2)
	wantCode(t, "unknown revision", err, amigo.ENOTFOUND)
	updated, err := c.UpdateService(ctx, "acme", svc.ID, func(s *amigo.Service, _ amigo.PinFunc) error { return nil })
	must(t, "update", err)
	if updated.Revisions["release"] != 1 {
		t.Fatalf("UpdateService loads the latest revisions: %v", updated.Revisions)
	}

	n, err := c.PruneChanges(ctx, epoch.Add(time.Second))
	must(t, "prune", err)
	if ids, _ := list(amigo.ChangeFilter{}); n != 1 || !slices.Equal(ids, []string{"000000000000000000000004"}) {
		t.Fatalf("after pruning %d: %v", n, ids)
	}
}
