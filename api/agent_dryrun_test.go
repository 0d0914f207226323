package api_test

import (
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestAgentVersionDryRun: ?dry_run=true on create-agent-version (an
// extension, as the spec has it on state machines) makes every check of a
// real version — a first version complete, the expected number the next,
// the body valid — answers 201 null when they pass, and stores nothing: no
// version, no number used, no change record.
func TestAgentVersionDryRun(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.Admin
		org := testenv.PlatformOrg
		id := createAgent(t, c, org, "amy")
		path := "/v1/" + org + "/organization/agent/" + id + "/"

		// A first version must set every field, dry or not.
		c.Do(t, "POST", path+"?dry_run=true", map[string]any{"background": "Only this."}).Expect(400)
		if r := c.Do(t, "POST", path+"?dry_run=true", agentVersionBody("AM")).Expect(201); strings.TrimSpace(string(r.Body)) != "null" {
			t.Errorf("dry run answered %s, want null", r.Body)
		}
		c.Do(t, "POST", path+"?dry_run=true&version=2", agentVersionBody("AM")).Expect(409)
		c.Do(t, "POST", path+"?dry_run=1&version=1", agentVersionBody("AM")).Expect(201)
		c.Do(t, "POST", path+"?dry_run=maybe", agentVersionBody("AM")).Expect(422)
		if vs := listAgentVersions(t, c, org, id, ""); len(vs) != 0 {
			t.Fatalf("dry runs stored %d versions", len(vs))
		}

		// The real version still gets number 1: dry runs used none.
		c.Do(t, "POST", path+"?version=1", agentVersionBody("AM")).Expect(201)
		c.Do(t, "POST", path+"?dry_run=true&version=2", map[string]any{"initials": "TOOLONG"}).Expect(422)
		c.Do(t, "POST", path+"?dry_run=true&version=2", map[string]any{"background": "Partial is fine now."}).Expect(201)
		if vs := listAgentVersions(t, c, org, id, ""); len(vs) != 1 || vs[0].Background != "Ten years of customer support." {
			t.Fatalf("versions after dry runs: %+v", vs)
		}
		var log struct {
			Changes []struct {
				Operation string `json:"operation"`
			} `json:"changes"`
		}
		c.Do(t, "GET", "/v1/"+org+"/changes/?resource_type=agent", nil).Expect(200).Decode(&log)
		n := 0
		for _, ch := range log.Changes {
			if ch.Operation == "create-agent-version" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d create-agent-version records, want 1 (dry runs record nothing)", n)
		}
	})
}
