package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func createMachine(t testing.TB, c *testenv.Client, org, name string) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/"+org+"/organization/service_hierarchical_state_machine", map[string]any{"state_machine_name": name}).Expect(201).Decode(&out)
	return out.ID
}

// simpleMachine is a valid one-state machine without references.
func simpleMachine() map[string]any {
	m := machineBody(1)
	m["references"] = map[string]any{}
	return m
}

// machineBody is the request body of coretest.StateMachine(n).
func machineBody(n int) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(coretest.StateMachineJSON(n), &m); err != nil {
		panic(err)
	}
	return m
}

// machineReferencing is a valid generated machine of n states whose "lib"
// reference points at libID version 1.
func machineReferencing(n int, libID string) map[string]any {
	body := machineBody(n)
	body["references"] = map[string]any{"lib": []any{libID, 1}}
	return body
}

func TestStateMachines(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		c := org.Admin
		base := "/v1/acme/organization/service_hierarchical_state_machine"
		lib := createMachine(t, c, "acme", "library")
		c.Do(t, "POST", base+"/"+lib+"/", simpleMachine()).Expect(201)
		id := createMachine(t, c, "acme", "main")

		t.Run("duplicate name is 409", func(t *testing.T) {
			c.Do(t, "POST", base, map[string]any{"state_machine_name": "main"}).Expect(409)
		})
		t.Run("a valid machine with a reference is stored", func(t *testing.T) {
			var v struct {
				Version int `json:"version"`
			}
			c.Do(t, "POST", base+"/"+id+"/", machineReferencing(12, lib)).Expect(201).Decode(&v)
			if v.Version != 1 {
				t.Fatalf("version %d", v.Version)
			}
			var list struct {
				Versions []struct {
					Version   int              `json:"version"`
					States    []map[string]any `json:"states"`
					MachineID string           `json:"service_hierarchical_state_machine_id"`
				} `json:"state_machine_versions"`
			}
			c.Do(t, "GET", base+"/"+id+"/version?version=latest", nil).Expect(200).Decode(&list)
			if len(list.Versions) != 1 || len(list.Versions[0].States) != 12 || list.Versions[0].MachineID != id {
				t.Fatalf("got %+v", list.Versions)
			}
		})
		t.Run("every violation is reported with its location", func(t *testing.T) {
			body := machineReferencing(6, lib)
			states := body["states"].([]any)
			s3 := states[3].(map[string]any)
			s3["name"] = states[2].(map[string]any)["name"] // duplicate name
			s1 := states[1].(map[string]any)
			if ecs, ok := s1["exit_conditions"].([]any); ok && len(ecs) > 0 {
				ecs[0].(map[string]any)["next_state"] = "nowhere"
			}
			body["terminal_state"] = "missing"
			r := c.Do(t, "POST", base+"/"+id+"/", body).Expect(422)
			locs := strings.Join(r.Locs(), " ")
			for _, want := range []string{"body.states.3.name", "body.states.1.exit_conditions.0.next_state", "body.terminal_state"} {
				if !strings.Contains(locs, want) {
					t.Errorf("locs %v lack %s", r.Locs(), want)
				}
			}
			if !strings.Contains(string(r.Body), `"`+s1["name"].(string)) {
				t.Errorf("messages do not name the state %s: %s", s1["name"], r.Body)
			}
		})
		t.Run("a failed dry run is a readable 422 and uses no number", func(t *testing.T) {
			bad := machineReferencing(4, lib)
			bad["new_user_initial_state"] = "ghost"
			c.Do(t, "POST", base+"/"+id+"/?dry_run=true", bad).Expect(422)
			r := c.Do(t, "POST", base+"/"+id+"/?dry_run=true", machineReferencing(4, lib)).Expect(201)
			if strings.TrimSpace(string(r.Body)) != "null" {
				t.Fatalf("dry-run body %s", r.Body)
			}
			var v struct {
				Version int `json:"version"`
			}
			c.Do(t, "POST", base+"/"+id+"/", machineReferencing(4, lib)).Expect(201).Decode(&v)
			if v.Version != 2 {
				t.Fatalf("version after dry runs %d, want 2", v.Version)
			}
		})
		t.Run("a missing or deprecated reference is 400", func(t *testing.T) {
			c.Do(t, "POST", base+"/"+id+"/", machineReferencing(4, "aaaaaaaaaaaaaaaaaaaaaaaa")).Expect(400)
			gone := createMachine(t, c, "acme", "gone")
			c.Do(t, "POST", base+"/"+gone+"/", simpleMachine()).Expect(201)
			c.Do(t, "DELETE", base+"/"+gone+"/", nil).Expect(200)
			c.Do(t, "POST", base+"/"+id+"/?dry_run=true", machineReferencing(4, gone)).Expect(400)
		})
		t.Run("list, delete and isolation", func(t *testing.T) {
			var list struct {
				Machines []struct {
					ID            string `json:"id"`
					LatestVersion *int   `json:"latest_version"`
				} `json:"service_hierarchical_state_machines"`
				HasMore bool `json:"has_more"`
			}
			c.Do(t, "GET", base+"?deprecated=false", nil).Expect(200).Decode(&list)
			if len(list.Machines) != 2 || list.HasMore {
				t.Fatalf("live machines %+v", list)
			}
			c.Do(t, "GET", base+"?limit=51", nil).Expect(422)
			c.Do(t, "DELETE", base+"/"+id+"/", nil).Expect(200)
			c.Do(t, "DELETE", base+"/"+id+"/", nil).Expect(409)
			other := env.CreateOrg(t, "other")
			other.Admin.Do(t, "GET", "/v1/other/organization/service_hierarchical_state_machine/"+lib+"/version", nil).Expect(404)
			other.Admin.Do(t, "POST", "/v1/other/organization/service_hierarchical_state_machine/"+lib+"/", simpleMachine()).Expect(404)
		})
	})
}
