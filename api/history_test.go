package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

type changeRecord struct {
	ID    string `json:"id"`
	Actor struct {
		OrgID    string `json:"org_id"`
		UserID   string `json:"user_id"`
		APIKeyID string `json:"api_key_id"`
		Operator bool   `json:"operator"`
	} `json:"actor"`
	Operation    string `json:"operation"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	Summary      string `json:"summary"`
	Diff         []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"diff"`
}

type changePage struct {
	Changes           []changeRecord `json:"changes"`
	HasMore           bool           `json:"has_more"`
	ContinuationToken *string        `json:"continuation_token"`
}

func changes(t *testing.T, c *testenv.Client, query string) changePage {
	t.Helper()
	var p changePage
	c.Do(t, "GET", "/v1/acme/changes/"+query, nil).Expect(200).Decode(&p)
	return p
}

func operations(p changePage) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.Operation)
	}
	return out
}

// TestChangeLog: every change through the API appends one record, newest
// first, with its actor and a JSON Patch; filters and pages narrow it; a
// refused change leaves none; API key secrets never appear.
func TestChangeLog(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin
		svc := f.create(t, f.body("support", true, map[string]any{"team": "a"}))
		c.Do(t, "POST", "/v1/acme/service/"+svc+"/", map[string]any{"description": "Helps everyone."}).Expect(200)

		// The same active name again fails inside the transaction, after
		// its record was attached: the log must not show it.
		c.Do(t, "POST", "/v1/acme/service/", f.body("support", true, map[string]any{})).Expect(409)
		// Refused by a rule inside the transaction: no record either.
		c.Do(t, "PUT", "/v1/acme/service/"+svc+"/version_sets/canary/", map[string]any{"version_set": map[string]any{
			"agent_version_number": 9, "service_hierarchical_state_machine_version_number": 1, "llm_model_preferences": map[string]any{}}}).Expect(400)

		var key struct {
			APIKey string `json:"api_key"`
		}
		c.Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{"duration": "P30D", "name": "ci"}).Expect(201).Decode(&key)

		all := changes(t, c, "")
		want := []string{"create-api-key", "update-service", "create-service",
			"create-service-hierarchical-state-machine-version", "create-service-hierarchical-state-machine-version",
			"create-service-hierarchical-state-machine", "create-agent-version", "create-agent",
			"create-agent-version", "create-agent-version", "create-agent",
			"create-api-key"} // the fixture's key, issued by the platform administrator
		if got := operations(all); !slices.Equal(got, want) {
			t.Fatalf("operations newest first:\n got %v\nwant %v", got, want)
		}
		for _, rec := range all.Changes[:len(all.Changes)-1] {
			if rec.Actor.UserID != f.org.UserID || rec.Actor.OrgID != "acme" || rec.Actor.APIKeyID == "" || rec.Actor.Operator {
				t.Fatalf("%s: actor %+v, want admin %s through its API key", rec.Operation, rec.Actor, f.org.UserID)
			}
		}
		raw := string(c.Do(t, "GET", "/v1/acme/changes/", nil).Body)
		if strings.Contains(raw, key.APIKey) || strings.Contains(raw, "hash") {
			t.Fatalf("the change log shows a secret: %s", raw)
		}

		update := all.Changes[1]
		if update.ResourceType != "service" || update.ResourceID != svc || len(update.Diff) != 1 ||
			update.Diff[0].Op != "replace" || update.Diff[0].Path != "/description" || string(update.Diff[0].Value) != `"Helps everyone."` {
			t.Fatalf("update-service record: %+v", update)
		}

		// Filters.
		if got := operations(changes(t, c, "?resource_type=service&resource_id="+svc)); !slices.Equal(got, []string{"update-service", "create-service"}) {
			t.Fatalf("by resource: %v", got)
		}
		if got := changes(t, c, "?operation=create-agent"); len(got.Changes) != 2 {
			t.Fatalf("by operation: %v", operations(got))
		}
		if got := changes(t, c, "?actor_user_id="+f.org.UserID); len(got.Changes) != len(want)-1 {
			t.Fatalf("by operation: %v", operations(got))
		}
		if got := changes(t, c, "?actor_user_id=nobody"); len(got.Changes) != 0 {
			t.Fatalf("by actor: %v", operations(got))
		}
		if got := changes(t, c, "?until=2000-01-01T00:00:00Z"); len(got.Changes) != 0 {
			t.Fatalf("until 2000: %v", operations(got))
		}
		if got := changes(t, c, "?since=2000-01-01T00:00:00Z"); len(got.Changes) != len(want) {
			t.Fatalf("since 2000: %v", operations(got))
		}

		// Pages of 4 cover the log exactly once, in order.
		var paged []string
		query := "?limit=4"
		for {
			p := changes(t, c, query)
			paged = append(paged, operations(p)...)
			if !p.HasMore {
				break
			}
			query = "?limit=4&continuation_token=" + *p.ContinuationToken
		}
		if !slices.Equal(paged, want) {
			t.Fatalf("paged: %v", paged)
		}

		for _, q := range []string{"?limit=0", "?limit=101", "?since=yesterday"} {
			c.Do(t, "GET", "/v1/acme/changes/"+q, nil).Expect(422)
		}

		// Users may read services but not the change log.
		user, _ := newRoster(env, f.org).member(t, "DefaultUserRole")
		if r := user.Do(t, "GET", "/v1/acme/changes/", nil); r.Status != 403 || !strings.Contains(r.Detail(), "Organization:GetChangeLog") {
			t.Fatalf("user reading the log: %d %s", r.Status, r.Body)
		}
	})
}

type revisionRecord struct {
	Revision   int    `json:"revision"`
	Operation  string `json:"operation"`
	VersionSet *struct {
		Agent *int `json:"agent_version_number"`
		SM    *int `json:"service_hierarchical_state_machine_version_number"`
	} `json:"version_set"`
}

func revisions(t *testing.T, c *testenv.Client, svc, name string) []revisionRecord {
	t.Helper()
	var out struct {
		Revisions []revisionRecord `json:"revisions"`
	}
	c.Do(t, "GET", "/v1/acme/service/"+svc+"/version_sets/"+name+"/revisions/?limit=50", nil).Expect(200).Decode(&out)
	return out.Revisions
}

func pinned(agent, sm int) map[string]any {
	return map[string]any{"version_set": map[string]any{
		"agent_version_number": agent, "service_hierarchical_state_machine_version_number": sm, "llm_model_preferences": map[string]any{}}}
}

// TestVersionSetHistory: revisions, If-Match and ETag, promote and
// rollback.
func TestVersionSetHistory(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin
		svc := f.create(t, f.body("support", false, map[string]any{}))
		base := "/v1/acme/service/" + svc + "/version_sets/"
		ifMatch := func(rev string) testenv.RequestOption { return testenv.Header("If-Match", rev) }

		r := c.Do(t, "PUT", base+"canary/", pinned(1, 1)).Expect(204)
		if r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag of a new set: %q", r.Header.Get("ETag"))
		}
		c.Do(t, "PUT", base+"canary/", pinned(2, 1), ifMatch(`"2"`)).Expect(412)
		if r := c.Do(t, "PUT", base+"canary/", pinned(2, 1), ifMatch(`"1"`)).Expect(204); r.Header.Get("ETag") != `"2"` {
			t.Fatalf("ETag after an update: %q", r.Header.Get("ETag"))
		}
		c.Do(t, "PUT", base+"nosuch/", pinned(1, 1), ifMatch(`"1"`)).Expect(412)
		expectLocs(t, c.Do(t, "PUT", base+"canary/", pinned(1, 1), ifMatch("soon")).Expect(422), "header.If-Match")

		// Two writers with the same If-Match: exactly one wins.
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = c.Do(t, "PUT", base+"canary/", pinned(1+i, 2), ifMatch(`"2"`)).Status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{204, 412}) {
			t.Fatalf("racing writers got %v, want one 204 and one 412", statuses)
		}

		// Promote from edge pins what edge resolves to now: agent v2, machine v2.
		if r := c.Do(t, "POST", base+"release/promote", map[string]any{"from": "edge"}).Expect(204); r.Header.Get("ETag") != `"2"` {
			t.Fatalf("ETag of promoted release: %q", r.Header.Get("ETag"))
		}
		var got serviceInstance
		c.Do(t, "GET", "/v1/acme/service/?id="+svc, nil).Expect(200)
		var list struct {
			Services []serviceInstance `json:"services"`
		}
		c.Do(t, "GET", "/v1/acme/service/?id="+svc, nil).Decode(&list)
		got = list.Services[0]
		if rel := got.VersionSets["release"]; rel.AgentVersion == nil || *rel.AgentVersion != 2 || rel.StateMachineVersion == nil || *rel.StateMachineVersion != 2 {
			t.Fatalf("release after promote from edge: %+v", rel)
		}
		c.Do(t, "POST", base+"edge/promote", map[string]any{"from": "release"}).Expect(400)
		c.Do(t, "POST", base+"release/promote", map[string]any{"from": "nosuch"}).Expect(404)
		c.Do(t, "POST", base+"release/promote", map[string]any{"from": "canary"}, ifMatch(`"1"`)).Expect(412)
		c.Do(t, "POST", base+"release/promote", map[string]any{"from": "canary"}, ifMatch(`"2"`)).Expect(204)
		expectLocs(t, c.Do(t, "POST", base+"release/promote", map[string]any{}).Expect(422), "body.from")
		expectLocs(t, c.Do(t, "POST", base+"release/rollback", map[string]any{}).Expect(422), "body.to_revision")
		expectLocs(t, c.Do(t, "POST", base+"release/rollback", map[string]any{"to_revision": 0}).Expect(422), "body.to_revision")

		revs := revisions(t, c, svc, "release")
		if len(revs) != 3 || revs[0].Revision != 3 || revs[0].Operation != "promote" || revs[2].Revision != 1 || revs[2].Operation != "upsert" {
			t.Fatalf("release revisions: %+v", revs)
		}

		// Roll release back to revision 2 (pinned to v2/v2): a new revision 4.
		if r := c.Do(t, "POST", base+"release/rollback", map[string]any{"to_revision": 2}).Expect(204); r.Header.Get("ETag") != `"4"` {
			t.Fatalf("ETag after rollback: %q", r.Header.Get("ETag"))
		}
		revs = revisions(t, c, svc, "release")
		if revs[0].Operation != "rollback" || revs[0].VersionSet == nil || *revs[0].VersionSet.Agent != 2 || *revs[0].VersionSet.SM != 2 {
			t.Fatalf("release after rollback: %+v", revs[0])
		}
		c.Do(t, "POST", base+"release/rollback", map[string]any{"to_revision": 99}).Expect(404)
		c.Do(t, "GET", base+"nosuch/revisions/", nil).Expect(404)

		// Delete with a stale If-Match fails; with the current one it is a revision.
		c.Do(t, "DELETE", base+"canary/", nil, ifMatch(`"1"`)).Expect(412)
		c.Do(t, "DELETE", base+"canary/", nil, ifMatch(`"3"`)).Expect(204)
		if revs := revisions(t, c, svc, "canary"); revs[0].Revision != 4 || revs[0].Operation != "delete" || revs[0].VersionSet != nil {
			t.Fatalf("canary after delete: %+v", revs[0])
		}

		// A revision pinning a deprecated agent cannot come back.
		c.Do(t, "DELETE", "/v1/acme/organization/agent/"+f.agent+"/", nil).Expect(200)
		r = c.Do(t, "POST", base+"release/rollback", map[string]any{"to_revision": 2}).Expect(400)
		if !strings.Contains(r.Detail(), f.agent) || !strings.Contains(r.Detail(), "deprecated") {
			t.Fatalf("rollback to a deprecated agent: %s", r.Detail())
		}

		// Each of these writes is in the change log.
		var ops []string
		for _, rec := range changes(t, c, "?resource_type=version_set&limit=100").Changes {
			ops = append(ops, rec.Operation)
		}
		want := []string{"delete-service-version-set", "rollback-service-version-set", "promote-service-version-set",
			"promote-service-version-set", "upsert-service-version-set", "upsert-service-version-set", "upsert-service-version-set"}
		if !slices.Equal(ops, want) {
			t.Fatalf("version set changes: %v", ops)
		}
	})
}

type diffOut struct {
	From    int      `json:"from"`
	To      int      `json:"to"`
	Summary []string `json:"summary"`
	Patch   []struct {
		Op   string `json:"op"`
		Path string `json:"path"`
	} `json:"patch"`
	StatesAdded       []string            `json:"states_added"`
	StatesRemoved     []string            `json:"states_removed"`
	StatesChanged     map[string][]string `json:"states_changed"`
	TransitionsAdded  []map[string]string `json:"transitions_added"`
	ReferencesChanged []string            `json:"references_changed"`
}

// TestVersionDiffs compares agent and state machine versions.
func TestVersionDiffs(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		c := org.Admin
		agent := createAgent(t, c, "acme", "Amy")
		c.Do(t, "POST", "/v1/acme/organization/agent/"+agent+"/", agentVersionBody("AM")).Expect(201)
		c.Do(t, "POST", "/v1/acme/organization/agent/"+agent+"/", map[string]any{"initials": "AB"}).Expect(201)
		base := "/v1/acme/organization/agent/" + agent + "/version/diff"

		var d diffOut
		c.Do(t, "GET", base+"?from=1&to=latest", nil).Expect(200).Decode(&d)
		if d.From != 1 || d.To != 2 || len(d.Patch) != 1 || d.Patch[0].Op != "replace" || d.Patch[0].Path != "/initials" ||
			!slices.Equal(d.Summary, []string{"initials changed"}) {
			t.Fatalf("agent diff 1..latest: %+v", d)
		}
		c.Do(t, "GET", base+"?from=2&to=1", nil).Expect(200).Decode(&d)
		if d.From != 2 || d.To != 1 || len(d.Patch) != 1 {
			t.Fatalf("reverse diff: %+v", d)
		}
		c.Do(t, "GET", base+"?from=1&to=3", nil).Expect(404)
		expectLocs(t, c.Do(t, "GET", base+"?from=x&to=1", nil).Expect(422), "query.from")
		expectLocs(t, c.Do(t, "GET", base+"?from=1&to=0", nil).Expect(422), "query.to")
		expectLocs(t, c.Do(t, "GET", base+"?to=1", nil).Expect(422), "query.from")

		lib := createMachine(t, c, "acme", "lib")
		c.Do(t, "POST", "/v1/acme/organization/service_hierarchical_state_machine/"+lib+"/", simpleMachine()).Expect(201)
		sm := createMachine(t, c, "acme", "flow")
		smBase := "/v1/acme/organization/service_hierarchical_state_machine/" + sm + "/"
		c.Do(t, "POST", smBase, machineReferencing(2, lib)).Expect(201)
		c.Do(t, "POST", smBase, machineReferencing(4, lib)).Expect(201)
		var md diffOut
		c.Do(t, "GET", smBase+"version/diff?from=1&to=2", nil).Expect(200).Decode(&md)
		if len(md.StatesAdded) == 0 || len(md.TransitionsAdded) == 0 || md.StatesRemoved == nil || md.ReferencesChanged == nil {
			t.Fatalf("state machine diff 1..2: %+v", md)
		}
		var back diffOut
		c.Do(t, "GET", smBase+"version/diff?from=2&to=1", nil).Expect(200).Decode(&back)
		if !slices.Equal(back.StatesRemoved, md.StatesAdded) || len(back.StatesAdded) != 0 {
			t.Fatalf("reverse state machine diff: %+v", back)
		}
		var same diffOut
		c.Do(t, "GET", smBase+"version/diff?from=1&to=1", nil).Expect(200).Decode(&same)
		if len(same.Patch) != 0 || len(same.StatesAdded)+len(same.StatesRemoved)+len(same.StatesChanged)+len(same.TransitionsAdded) != 0 {
			t.Fatalf("a version against itself: %+v", same)
		}
	})
}

// TestChangeLogRetention: records older than --change-log-retention go;
// newer ones stay. Bootstrap is recorded as the operator's.
func TestChangeLogRetention(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		clock := testenv.NewClock()
		env := testenv.Start(t, b, testenv.Options{Clock: clock.Now, Configure: func(cfg *server.Config) {
			cfg.ChangeLogRetention = 24 * time.Hour
		}})
		c := env.Admin
		var boot changePage
		c.Do(t, "GET", "/v1/platform/changes/?operation=bootstrap", nil).Expect(200).Decode(&boot)
		if len(boot.Changes) != 1 || !boot.Changes[0].Actor.Operator || boot.Changes[0].ResourceType != "api_key" {
			t.Fatalf("bootstrap record: %+v", boot.Changes)
		}
		createAgent(t, c, "platform", "old")
		clock.Advance(25 * time.Hour)
		c = env.SignIn(t, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
		createAgent(t, c, "platform", "new")
		env.Runtime.PruneChangeLog(context.Background())
		var p changePage
		c.Do(t, "GET", "/v1/platform/changes/", nil).Expect(200).Decode(&p)
		if got := operations(p); !slices.Equal(got, []string{"create-agent"}) || !strings.Contains(p.Changes[0].Summary, "new") {
			t.Fatalf("after pruning: %v", p.Changes)
		}
	})
}

// expectLocs fails unless the 422 locates its violations at want, in the
// part of the request they came from.
func expectLocs(t *testing.T, r *testenv.Response, want ...string) {
	t.Helper()
	if got := r.Locs(); !slices.Equal(got, want) {
		t.Errorf("violations at %v, want %v", got, want)
	}
}
