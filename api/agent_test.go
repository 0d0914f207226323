package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// agentVersionBody is a complete create-agent-version body.
func agentVersionBody(initials string) map[string]any {
	return map[string]any{
		"initials": initials,
		"identity": map[string]any{
			"name": "Amy", "role": "Support coach", "developed_by": "Acme",
			"default_spoken_language": "eng",
			"relationship_to_developer": map[string]any{
				"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden",
			},
		},
		"background":             "Ten years of customer support.",
		"behaviors":              []string{"Listens first."},
		"communication_patterns": []string{"Short sentences."},
		"voice_config":           map[string]any{"voice_id": "voice-1"},
	}
}

func createAgent(t testing.TB, c *testenv.Client, org, name string) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/"+org+"/organization/agent", map[string]any{"agent_name": name}).Expect(201).Decode(&out)
	return out.ID
}

type agentVersion struct {
	Version     int    `json:"version"`
	Initials    string `json:"initials"`
	Background  string `json:"background"`
	VoiceConfig *struct {
		VoiceID string `json:"voice_id"`
	} `json:"voice_config"`
	Creator struct {
		UserID string `json:"user_id"`
	} `json:"creator"`
}

func listAgentVersions(t *testing.T, c *testenv.Client, org, id, query string) []agentVersion {
	t.Helper()
	var out struct {
		AgentVersions []agentVersion `json:"agent_versions"`
	}
	c.Do(t, "GET", "/v1/"+org+"/organization/agent/"+id+"/version"+query, nil).Expect(200).Decode(&out)
	return out.AgentVersions
}

func TestAgents(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		c := org.Admin
		base := "/v1/acme/organization/agent"
		id := createAgent(t, c, "acme", "Amy")

		t.Run("a second live agent with the same name is 409", func(t *testing.T) {
			c.Do(t, "POST", base, map[string]any{"agent_name": "Amy"}).Expect(409)
			c.Do(t, "POST", base, map[string]any{"agent_name": "  "}).Expect(422)
		})
		t.Run("a new agent has no version", func(t *testing.T) {
			var list struct {
				Agents []struct {
					ID            string `json:"id"`
					LatestVersion *int   `json:"latest_version"`
				} `json:"agents"`
			}
			c.Do(t, "GET", base+"?id="+id, nil).Expect(200).Decode(&list)
			if len(list.Agents) != 1 || list.Agents[0].LatestVersion != nil {
				t.Fatalf("got %+v", list.Agents)
			}
		})
		t.Run("the first version needs every field", func(t *testing.T) {
			r := c.Do(t, "POST", base+"/"+id+"/", map[string]any{"initials": "AM"}).Expect(400)
			for _, f := range []string{"identity", "background", "voice_config"} {
				if !strings.Contains(r.Detail(), f) {
					t.Errorf("detail %q does not name %s", r.Detail(), f)
				}
			}
		})
		t.Run("versions are numbered and inherit unset fields", func(t *testing.T) {
			c.Do(t, "POST", base+"/"+id+"/", agentVersionBody("AM")).Expect(201)
			var v struct {
				Version int `json:"version"`
			}
			c.Do(t, "POST", base+"/"+id+"/?version=2", map[string]any{"background": "Twenty years."}).Expect(201).Decode(&v)
			if v.Version != 2 {
				t.Fatalf("version %d", v.Version)
			}
			vs := listAgentVersions(t, c, "acme", id, "?version=latest")
			if len(vs) != 1 || vs[0].Version != 2 || vs[0].Initials != "AM" || vs[0].Background != "Twenty years." || vs[0].VoiceConfig.VoiceID != "voice-1" {
				t.Fatalf("latest %+v", vs)
			}
			if vs[0].Creator.UserID != org.UserID {
				t.Fatalf("creator %+v", vs[0].Creator)
			}
			first := listAgentVersions(t, c, "acme", id, "?version=1")
			if len(first) != 1 || first[0].Background != "Ten years of customer support." {
				t.Fatalf("version 1 changed: %+v", first)
			}
		})
		t.Run("a stale version parameter is 409", func(t *testing.T) {
			c.Do(t, "POST", base+"/"+id+"/?version=2", map[string]any{"initials": "AX"}).Expect(409)
			c.Do(t, "POST", base+"/"+id+"/?version=0", map[string]any{"initials": "AX"}).Expect(422)
		})
		t.Run("invalid fields are 422 with locations", func(t *testing.T) {
			r := c.Do(t, "POST", base+"/"+id+"/", map[string]any{"initials": 5, "behaviors": "x"}).Expect(422)
			if !sameSet(r.Locs(), []string{"body.initials", "body.behaviors"}) {
				t.Fatalf("locs %v", r.Locs())
			}
		})
		t.Run("list versions: ranges, sort, paging, errors", func(t *testing.T) {
			for range 3 {
				c.Do(t, "POST", base+"/"+id+"/", map[string]any{"initials": "AB"}).Expect(201)
			}
			versions := func(vs []agentVersion) []int {
				var out []int
				for _, v := range vs {
					out = append(out, v.Version)
				}
				return out
			}
			if got := versions(listAgentVersions(t, c, "acme", id, "?version=2-4")); !slices.Equal(got, []int{2, 3, 4}) {
				t.Fatalf("range: %v", got)
			}
			if got := versions(listAgentVersions(t, c, "acme", id, "?sort_by=-version&limit=2")); !slices.Equal(got, []int{5, 4}) {
				t.Fatalf("sorted: %v", got)
			}
			var p struct {
				HasMore           bool `json:"has_more"`
				ContinuationToken *int `json:"continuation_token"`
			}
			c.Do(t, "GET", base+"/"+id+"/version?limit=2&continuation_token=2", nil).Expect(200).Decode(&p)
			if !p.HasMore || p.ContinuationToken == nil || *p.ContinuationToken != 4 {
				t.Fatalf("page %+v", p)
			}
			for _, bad := range []string{"?version=x", "?version=3-1", "?limit=11", "?sort_by=name"} {
				c.Do(t, "GET", base+"/"+id+"/version"+bad, nil).Expect(422)
			}
			c.Do(t, "GET", base+"/aaaaaaaaaaaaaaaaaaaaaaaa/version", nil).Expect(404)
		})
		t.Run("list agents: filters and paging", func(t *testing.T) {
			for i := range 4 {
				createAgent(t, c, "acme", fmt.Sprintf("agent-%d", i))
			}
			var all []string
			token := 0
			for {
				var p struct {
					Agents []struct {
						ID string `json:"id"`
					} `json:"agents"`
					HasMore           bool `json:"has_more"`
					ContinuationToken *int `json:"continuation_token"`
				}
				c.Do(t, "GET", fmt.Sprintf("%s?limit=2&continuation_token=%d", base, token), nil).Expect(200).Decode(&p)
				for _, a := range p.Agents {
					all = append(all, a.ID)
				}
				if !p.HasMore {
					break
				}
				token = *p.ContinuationToken
			}
			if len(all) != 5 {
				t.Fatalf("listed %d agents, want 5", len(all))
			}
			for _, bad := range []string{"?limit=21", "?limit=0", "?id=nothex", "?deprecated=maybe"} {
				c.Do(t, "GET", base+bad, nil).Expect(422)
			}
		})
		t.Run("delete deprecates and keeps versions", func(t *testing.T) {
			c.Do(t, "DELETE", base+"/"+id+"/", nil).Expect(200)
			c.Do(t, "DELETE", base+"/"+id+"/", nil).Expect(409)
			if vs := listAgentVersions(t, c, "acme", id, ""); len(vs) != 5 {
				t.Fatalf("%d versions after delete", len(vs))
			}
			var list struct {
				Agents []struct {
					Deprecated bool `json:"deprecated"`
				} `json:"agents"`
			}
			c.Do(t, "GET", base+"?deprecated=true", nil).Expect(200).Decode(&list)
			if len(list.Agents) != 1 || !list.Agents[0].Deprecated {
				t.Fatalf("deprecated filter: %+v", list.Agents)
			}
			// The name is free again.
			createAgent(t, c, "acme", "Amy")
		})
		t.Run("another organization's agents are invisible", func(t *testing.T) {
			other := env.CreateOrg(t, "other")
			other.Admin.Do(t, "GET", "/v1/other/organization/agent/"+id+"/version", nil).Expect(404)
			other.Admin.Do(t, "POST", "/v1/other/organization/agent/"+id+"/", agentVersionBody("AM")).Expect(404)
			other.Admin.Do(t, "DELETE", "/v1/other/organization/agent/"+id+"/", nil).Expect(404)
			var list struct {
				Agents []any `json:"agents"`
			}
			other.Admin.Do(t, "GET", "/v1/other/organization/agent?id="+id, nil).Expect(200).Decode(&list)
			if len(list.Agents) != 0 {
				t.Fatal("another org's agent is listed")
			}
		})
	})
}

func TestAgentVoiceCatalogue(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: func(cfg *server.Config) { cfg.VoiceIDs = []string{"voice-1"} }})
	id := createAgent(t, env.Admin, "platform", "Amy")
	body := agentVersionBody("AM")
	body["voice_config"] = map[string]any{"voice_id": "unknown"}
	r := env.Admin.Do(t, "POST", "/v1/platform/organization/agent/"+id+"/", body).Expect(400)
	if !strings.Contains(r.Detail(), "unknown") {
		t.Fatalf("detail %q", r.Detail())
	}
	env.Admin.Do(t, "POST", "/v1/platform/organization/agent/"+id+"/", agentVersionBody("AM")).Expect(201)
}

// TestConcurrentVersions shows that 50 concurrent writers get exactly
// versions 1..50, and that version=N admits exactly one of 20 writers.
func TestConcurrentVersions(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.Admin
		for _, kind := range []struct {
			name   string
			create func() string
			path   func(id string) string
			body   func(i int) any
		}{
			{"agent", func() string { return createAgent(t, c, "platform", "concurrent") },
				func(id string) string { return "/v1/platform/organization/agent/" + id + "/" },
				func(int) any { return agentVersionBody("AM") }},
			{"state machine", func() string { return createMachine(t, c, "platform", "concurrent") },
				func(id string) string {
					return "/v1/platform/organization/service_hierarchical_state_machine/" + id + "/"
				},
				func(int) any { return simpleMachine() }},
		} {
			t.Run(kind.name, func(t *testing.T) {
				id := kind.create()
				// Every body is complete, so any of them may be version 1.
				const writers = 50
				versions := make(chan int, writers)
				var wg sync.WaitGroup
				for i := range writers {
					wg.Go(func() {
						var v struct {
							Version int `json:"version"`
						}
						c.Do(t, "POST", kind.path(id), kind.body(i+1)).Expect(201).Decode(&v)
						versions <- v.Version
					})
				}
				wg.Wait()
				close(versions)
				var got []int
				for v := range versions {
					got = append(got, v)
				}
				slices.Sort(got)
				for i, v := range got {
					if v != i+1 {
						t.Fatalf("versions %v: want exactly 1..50", got)
					}
				}

				statuses := make(chan int, 20)
				for range 20 {
					wg.Go(func() {
						statuses <- c.Do(t, "POST", kind.path(id)+"?version=51", kind.body(1)).Status
					})
				}
				wg.Wait()
				close(statuses)
				count := map[int]int{}
				for s := range statuses {
					count[s]++
				}
				if count[http.StatusCreated] != 1 || count[http.StatusConflict] != 19 {
					t.Fatalf("statuses %v: want one 201 and nineteen 409", count)
				}
			})
		}
	})
}
