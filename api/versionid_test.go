package api_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

var resourceID = regexp.MustCompile(`^[a-f0-9]{24}$`)

// TestVersionIDs checks what the official Python SDK's models require: the
// answers of create-agent-version and
// create-service-hierarchical-state-machine-version, and every item of the
// two version listings, carry the version's own id, the same in each.
func TestVersionIDs(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		type created struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		type listed struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		check := func(t *testing.T, base, listKey string, body func(i int) map[string]any) {
			var made []created
			for i := range 2 {
				var v created
				c.Do(t, "POST", base+"/", body(i)).Expect(201).Decode(&v)
				if !resourceID.MatchString(v.ID) {
					t.Fatalf("created version id %q", v.ID)
				}
				made = append(made, v)
			}
			if made[0].ID == made[1].ID {
				t.Fatalf("two versions share id %s", made[0].ID)
			}
			var list map[string]json.RawMessage
			c.Do(t, "GET", base+"/version", nil).Expect(200).Decode(&list)
			var items []listed
			if err := json.Unmarshal(list[listKey], &items); err != nil {
				t.Fatal(err)
			}
			if len(items) != 2 {
				t.Fatalf("%s: %d items", listKey, len(items))
			}
			for i, it := range items {
				if it.ID != made[i].ID || it.Version != made[i].Version {
					t.Errorf("listed %+v, created %+v", it, made[i])
				}
			}
		}
		t.Run("agent versions", func(t *testing.T) {
			id := createAgent(t, c, "acme", "amy")
			check(t, "/v1/acme/organization/agent/"+id, "agent_versions", func(i int) map[string]any {
				return agentVersionBody([]string{"AM", "AN"}[i])
			})
		})
		t.Run("state machine versions", func(t *testing.T) {
			id := createMachine(t, c, "acme", "main")
			check(t, "/v1/acme/organization/service_hierarchical_state_machine/"+id, "state_machine_versions", func(int) map[string]any {
				return simpleMachine()
			})
		})
	})
}
