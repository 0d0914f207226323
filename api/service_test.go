package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// serviceFixture is an organization with an agent and a state machine that
// each have two versions.
type serviceFixture struct {
	org           *testenv.Org
	agent, agent2 string
	machine       string
}

func newServiceFixture(t *testing.T, env *testenv.Env) *serviceFixture {
	t.Helper()
	org := env.CreateOrg(t, "acme")
	f := &serviceFixture{org: org}
	c := org.Admin
	f.agent = createAgent(t, c, "acme", "Amy")
	c.Do(t, "POST", "/v1/acme/organization/agent/"+f.agent+"/", agentVersionBody("AM")).Expect(201)
	c.Do(t, "POST", "/v1/acme/organization/agent/"+f.agent+"/", map[string]any{"initials": "AB"}).Expect(201)
	f.agent2 = createAgent(t, c, "acme", "Bob")
	c.Do(t, "POST", "/v1/acme/organization/agent/"+f.agent2+"/", agentVersionBody("BO")).Expect(201)
	f.machine = createMachine(t, c, "acme", "flow")
	c.Do(t, "POST", "/v1/acme/organization/service_hierarchical_state_machine/"+f.machine+"/", simpleMachine()).Expect(201)
	c.Do(t, "POST", "/v1/acme/organization/service_hierarchical_state_machine/"+f.machine+"/", simpleMachine()).Expect(201)
	return f
}

func (f *serviceFixture) body(name string, active bool, tags map[string]any) map[string]any {
	return map[string]any{
		"service_hierarchical_state_machine_id": f.machine, "agent_id": f.agent,
		"name": name, "description": "Helps customers.", "is_active": active,
		"keyterms": []string{"amigo"}, "tags": tags,
	}
}

func (f *serviceFixture) create(t *testing.T, body map[string]any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	f.org.Admin.Do(t, "POST", "/v1/acme/service/", body).Expect(201).Decode(&out)
	return out.ID
}

type serviceInstance struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	IsActive    bool   `json:"is_active"`
	AgentID     string `json:"agent_id"`
	VersionSets map[string]struct {
		AgentVersion        *int                      `json:"agent_version_number"`
		StateMachineVersion *int                      `json:"service_hierarchical_state_machine_version_number"`
		LLM                 map[string]map[string]any `json:"llm_model_preferences"`
	} `json:"version_sets"`
	Tags []struct {
		Key   string  `json:"key"`
		Value *string `json:"value"`
	} `json:"tags"`
	UpdatedBy struct {
		UserID string `json:"user_id"`
	} `json:"updated_by"`
}

type serviceList struct {
	Services          []serviceInstance `json:"services"`
	HasMore           bool              `json:"has_more"`
	ContinuationToken *int              `json:"continuation_token"`
	FilterValues      struct {
		Tags []string `json:"tags"`
	} `json:"filter_values"`
}

func listServices(t *testing.T, c *testenv.Client, query string) serviceList {
	t.Helper()
	var l serviceList
	c.Do(t, "GET", "/v1/acme/service/"+query, nil).Expect(200).Decode(&l)
	return l
}

func names(l serviceList) []string {
	var out []string
	for _, s := range l.Services {
		out = append(out, s.Name)
	}
	return out
}

func TestServiceCreate(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin

		id := f.create(t, f.body("support", true, map[string]any{"team": "support"}))
		t.Run("edge and release version sets", func(t *testing.T) {
			s := listServices(t, c, "?id="+id).Services[0]
			edge, release := s.VersionSets["edge"], s.VersionSets["release"]
			if edge.AgentVersion != nil || edge.StateMachineVersion != nil || len(edge.LLM) != 0 {
				t.Fatalf("edge %+v", edge)
			}
			if release.AgentVersion != nil || len(s.VersionSets) != 2 {
				t.Fatalf("release %+v, sets %d", release, len(s.VersionSets))
			}
		})
		t.Run("a second active service with the name is 409, inactive ones are fine", func(t *testing.T) {
			c.Do(t, "POST", "/v1/acme/service/", f.body("support", true, map[string]any{})).Expect(409)
			f.create(t, f.body("support", false, map[string]any{}))
		})
		t.Run("a given release version set is kept", func(t *testing.T) {
			body := f.body("pinned", false, map[string]any{})
			body["release_version_set"] = map[string]any{
				"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 2,
				"llm_model_preferences": map[string]any{"conversation": map[string]any{"llm_name": "openai_gpt-5.1-2025-11-13", "temperature": 0.5}},
			}
			s := listServices(t, c, "?id="+f.create(t, body)).Services[0]
			rel := s.VersionSets["release"]
			if *rel.AgentVersion != 1 || *rel.StateMachineVersion != 2 || rel.LLM["conversation"]["llm_name"] != "openai_gpt-5.1-2025-11-13" {
				t.Fatalf("release %+v", rel)
			}
		})
		for _, tc := range []struct {
			name string
			edit func(map[string]any)
			want int
		}{
			{"unknown agent", func(b map[string]any) { b["agent_id"] = "aaaaaaaaaaaaaaaaaaaaaaaa" }, 404},
			{"unknown state machine", func(b map[string]any) { b["service_hierarchical_state_machine_id"] = "aaaaaaaaaaaaaaaaaaaaaaaa" }, 404},
			{"release agent version that does not exist", func(b map[string]any) {
				b["release_version_set"] = map[string]any{"agent_version_number": 9, "service_hierarchical_state_machine_version_number": nil, "llm_model_preferences": map[string]any{}}
			}, 400},
			{"unknown model", func(b map[string]any) {
				b["release_version_set"] = map[string]any{"agent_version_number": nil, "service_hierarchical_state_machine_version_number": nil,
					"llm_model_preferences": map[string]any{"x": map[string]any{"llm_name": "gpt-2"}}}
			}, 400},
			{"out-of-range parameter", func(b map[string]any) {
				b["release_version_set"] = map[string]any{"agent_version_number": nil, "service_hierarchical_state_machine_version_number": nil,
					"llm_model_preferences": map[string]any{"x": map[string]any{"llm_name": "google_gemini-2.5-pro", "top_p": 3}}}
			}, 400},
			{"bad tag and keyterm", func(b map[string]any) {
				b["tags"] = map[string]any{"bad:key": "v"}
				b["keyterms"] = []string{"UPPER"}
			}, 422},
			{"missing fields", func(b map[string]any) { delete(b, "name"); delete(b, "tags") }, 422},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := f.body("x-"+tc.name, false, map[string]any{})
				tc.edit(body)
				c.Do(t, "POST", "/v1/acme/service/", body).Expect(tc.want)
			})
		}
		t.Run("agent without versions is 400", func(t *testing.T) {
			body := f.body("empty", false, map[string]any{})
			body["agent_id"] = createAgent(t, c, "acme", "Empty")
			c.Do(t, "POST", "/v1/acme/service/", body).Expect(400)
		})
		t.Run("deprecated agent cannot be used", func(t *testing.T) {
			old := createAgent(t, c, "acme", "Old")
			c.Do(t, "POST", "/v1/acme/organization/agent/"+old+"/", agentVersionBody("OL")).Expect(201)
			c.Do(t, "DELETE", "/v1/acme/organization/agent/"+old+"/", nil).Expect(200)
			body := f.body("old", false, map[string]any{})
			body["agent_id"] = old
			c.Do(t, "POST", "/v1/acme/service/", body).Expect(400)
		})
	})
}

func TestServiceList(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin
		f.create(t, f.body("charlie", true, map[string]any{"team": "support", "tier": "gold"}))
		f.create(t, f.body("alpha", false, map[string]any{"team": "sales"}))
		f.create(t, f.body("bravo", true, map[string]any{"team": "support", "beta": nil}))
		f.create(t, f.body("delta", true, map[string]any{}))

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?sort_by=%2Bname", []string{"alpha", "bravo", "charlie", "delta"}},
			{"?sort_by=-name", []string{"delta", "charlie", "bravo", "alpha"}},
			{"?sort_by=-is_active&sort_by=%2Bname", []string{"bravo", "charlie", "delta", "alpha"}},
			{"?tags=team:support&sort_by=%2Bname", []string{"bravo", "charlie"}},
			{"?tags=team:*&sort_by=%2Bname", []string{"alpha", "bravo", "charlie"}},
			{"?tags=beta:", []string{"bravo"}},
			{"?tags=team:support&tags=tier:gold", []string{"charlie"}},
			{"?is_active=false", []string{"alpha"}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				if got := names(listServices(t, c, tc.query)); !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		t.Run("filter values list the tags present", func(t *testing.T) {
			got := listServices(t, c, "").FilterValues.Tags
			want := []string{"beta:", "team:sales", "team:support", "tier:gold"}
			if !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
		t.Run("tags come back as a list of key and value", func(t *testing.T) {
			s := listServices(t, c, "?tags=beta:").Services[0]
			if len(s.Tags) != 2 || s.Tags[0].Key != "beta" || s.Tags[0].Value != nil || *s.Tags[1].Value != "support" {
				t.Fatalf("tags %+v", s.Tags)
			}
		})
		t.Run("pagination", func(t *testing.T) {
			var seen []string
			token := 0
			for {
				l := listServices(t, c, fmt.Sprintf("?sort_by=%%2Bname&limit=3&continuation_token=%d", token))
				seen = append(seen, names(l)...)
				if !l.HasMore {
					break
				}
				token = *l.ContinuationToken
			}
			if !slices.Equal(seen, []string{"alpha", "bravo", "charlie", "delta"}) {
				t.Fatalf("pages %v", seen)
			}
		})
		for _, bad := range []string{"?limit=21", "?sort_by=created_at", "?tags=nocolon", "?id=xyz"} {
			c.Do(t, "GET", "/v1/acme/service/"+bad, nil).Expect(422)
		}
	})
}

func TestServiceUpdateAndVersionSets(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin
		id := f.create(t, f.body("support", true, map[string]any{"team": "support"}))
		vsPath := func(name string) string { return "/v1/acme/service/" + id + "/version_sets/" + name + "/" }
		vs := func(agent, machine any) map[string]any {
			return map[string]any{"version_set": map[string]any{
				"agent_version_number": agent, "service_hierarchical_state_machine_version_number": machine, "llm_model_preferences": map[string]any{},
			}}
		}
		get := func(t *testing.T) serviceInstance { return listServices(t, c, "?id="+id).Services[0] }

		t.Run("upsert a custom set and promote release", func(t *testing.T) {
			c.Do(t, "PUT", vsPath("canary"), vs(2, 2)).Expect(204)
			c.Do(t, "PUT", vsPath("release"), vs(2, 1)).Expect(204)
			s := get(t)
			if *s.VersionSets["canary"].AgentVersion != 2 || *s.VersionSets["release"].StateMachineVersion != 1 {
				t.Fatalf("sets %+v", s.VersionSets)
			}
		})
		t.Run("version set rules", func(t *testing.T) {
			c.Do(t, "PUT", vsPath("edge"), vs(1, 1)).Expect(400)
			c.Do(t, "PUT", vsPath("canary"), vs(7, 1)).Expect(400)
			c.Do(t, "PUT", vsPath("bad%20name"), vs(1, 1)).Expect(422)
			empty := c.Do(t, "PUT", vsPath("canary"), map[string]any{"version_set": map[string]any{}}).Expect(422)
			if want := []string{"body.version_set.agent_version_number", "body.version_set.service_hierarchical_state_machine_version_number",
				"body.version_set.llm_model_preferences"}; !sameSet(empty.Locs(), want) {
				t.Fatalf("empty version set: locs %v, want %v", empty.Locs(), want)
			}
			c.Do(t, "PUT", vsPath("x"+fmt.Sprintf("%041d", 0)), vs(1, 1)).Expect(422)
			c.Do(t, "DELETE", vsPath("edge"), nil).Expect(400)
			c.Do(t, "DELETE", vsPath("release"), nil).Expect(400)
			c.Do(t, "DELETE", vsPath("nope"), nil).Expect(404)
			c.Do(t, "DELETE", "/v1/acme/service/aaaaaaaaaaaaaaaaaaaaaaaa/version_sets/canary/", nil).Expect(404)
			c.Do(t, "DELETE", vsPath("canary"), nil).Expect(204)
		})
		t.Run("update changes only what is given", func(t *testing.T) {
			c.Do(t, "POST", "/v1/acme/service/"+id+"/", map[string]any{"description": "New.", "name": nil}).Expect(200)
			if s := get(t); s.Name != "support" || s.UpdatedBy.UserID != f.org.UserID {
				t.Fatalf("service %+v", s)
			}
		})
		t.Run("switching the agent re-checks version sets", func(t *testing.T) {
			// release pins agent version 2, which Bob does not have.
			c.Do(t, "POST", "/v1/acme/service/"+id+"/", map[string]any{"agent_id": f.agent2}).Expect(400)
			c.Do(t, "PUT", vsPath("release"), vs(1, 1)).Expect(204)
			c.Do(t, "POST", "/v1/acme/service/"+id+"/", map[string]any{"agent_id": f.agent2}).Expect(200)
			if s := get(t); s.AgentID != f.agent2 {
				t.Fatalf("agent %s", s.AgentID)
			}
		})
		t.Run("activating a second service of the same name is 409", func(t *testing.T) {
			other := f.create(t, f.body("support", false, map[string]any{}))
			c.Do(t, "POST", "/v1/acme/service/"+other+"/", map[string]any{"is_active": true}).Expect(409)
		})
		t.Run("resources used by an active service cannot be deleted", func(t *testing.T) {
			c.Do(t, "DELETE", "/v1/acme/organization/agent/"+f.agent2+"/", nil).Expect(400)
			c.Do(t, "DELETE", "/v1/acme/organization/service_hierarchical_state_machine/"+f.machine+"/", nil).Expect(400)
			c.Do(t, "POST", "/v1/acme/service/"+id+"/", map[string]any{"is_active": false}).Expect(200)
			c.Do(t, "DELETE", "/v1/acme/organization/agent/"+f.agent2+"/", nil).Expect(200)
			// The service cannot come back to life on a deprecated agent.
			c.Do(t, "POST", "/v1/acme/service/"+id+"/", map[string]any{"is_active": true}).Expect(400)
		})
		t.Run("unknown service is 404", func(t *testing.T) {
			c.Do(t, "POST", "/v1/acme/service/aaaaaaaaaaaaaaaaaaaaaaaa/", map[string]any{"description": "x"}).Expect(404)
		})
	})
}
