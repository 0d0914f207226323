package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestStateMachineGraph(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		base := "/v1/acme/organization/service_hierarchical_state_machine"
		lib := createMachine(t, c, "acme", "library")
		c.Do(t, "POST", base+"/"+lib+"/", simpleMachine()).Expect(201)
		id := createMachine(t, c, "acme", "main")
		c.Do(t, "POST", base+"/"+id+"/", machineReferencing(5, lib)).Expect(201)
		// Version 2 adds a state nothing leads to.
		v2 := machineReferencing(5, lib)
		v2["states"] = append(v2["states"].([]any), map[string]any{
			"type": "annotation", "name": "island", "inner_thought": "Nobody comes here.", "next_state": "end"})
		c.Do(t, "POST", base+"/"+id+"/", v2).Expect(201)

		type graph struct {
			Version int `json:"version"`
			Nodes   []struct {
				ID       string   `json:"id"`
				Type     string   `json:"type"`
				Initial  []string `json:"initial"`
				Terminal bool     `json:"terminal"`
				External bool     `json:"external"`
			} `json:"nodes"`
			Edges []struct {
				From, To, Label, Kind string
			} `json:"edges"`
			Lint []struct {
				Code, State string
			} `json:"lint"`
		}

		t.Run("json of version 1 marks entries, terminal and the referenced machine", func(t *testing.T) {
			var g graph
			c.Do(t, "GET", base+"/"+id+"/graph?version=1&format=json", nil).Expect(200).Decode(&g)
			if g.Version != 1 || len(g.Nodes) != 6 || len(g.Lint) != 0 {
				t.Fatalf("version %d, %d nodes, lint %+v; want version 1, 5 states + 1 external, no lint", g.Version, len(g.Nodes), g.Lint)
			}
			start, end, ext := g.Nodes[0], g.Nodes[4], g.Nodes[5]
			if start.ID != "start" || !slices.Equal(start.Initial, []string{"new_user", "returning_user"}) || !end.Terminal || !ext.External || ext.ID != "lib.entry" {
				t.Errorf("nodes %+v", g.Nodes)
			}
			if !slices.ContainsFunc(g.Edges, func(e struct{ From, To, Label, Kind string }) bool {
				return e.From == "start" && e.To == "s1" && e.Label == "The objective is met." && e.Kind == "exit"
			}) {
				t.Errorf("no labelled exit edge start -> s1 in %+v", g.Edges)
			}
		})

		t.Run("latest is the default and lint finds the unreachable state", func(t *testing.T) {
			var g graph
			c.Do(t, "GET", base+"/"+id+"/graph", nil).Expect(200).Decode(&g)
			if g.Version != 2 || len(g.Lint) != 1 || g.Lint[0].Code != "unreachable" || g.Lint[0].State != "island" {
				t.Errorf("version %d, lint %+v", g.Version, g.Lint)
			}
		})

		t.Run("svg has one node element per state", func(t *testing.T) {
			r := c.Do(t, "GET", base+"/"+id+"/graph?version=latest&format=svg", nil).Expect(200)
			if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" {
				t.Errorf("content type %q", ct)
			}
			svg := string(r.Body)
			for _, name := range []string{"start", "s1", "s2", "s3", "end", "island"} {
				if n := strings.Count(svg, `data-state="`+name+`"`); n != 1 {
					t.Errorf("state %s drawn %d times", name, n)
				}
			}
			if n := strings.Count(svg, "data-state="); n != 6 {
				t.Errorf("%d node elements with data-state, want 6", n)
			}
		})

		t.Run("dot and mermaid", func(t *testing.T) {
			dot := c.Do(t, "GET", base+"/"+id+"/graph?format=dot", nil).Expect(200)
			mmd := c.Do(t, "GET", base+"/"+id+"/graph?format=mermaid", nil).Expect(200)
			if !strings.HasPrefix(string(dot.Body), "digraph ") || !strings.HasPrefix(string(mmd.Body), "flowchart TD") {
				t.Errorf("dot %q..., mermaid %q...", dot.Body[:20], mmd.Body[:20])
			}
		})

		t.Run("bad parameters are 422 at their location", func(t *testing.T) {
			r := c.Do(t, "GET", base+"/"+id+"/graph?format=png&version=zero", nil).Expect(422)
			if locs := r.Locs(); !slices.Equal(locs, []string{"query.version", "query.format"}) {
				t.Errorf("locs %v", locs)
			}
		})

		t.Run("missing version or machine is 404", func(t *testing.T) {
			c.Do(t, "GET", base+"/"+id+"/graph?version=9", nil).Expect(404)
			c.Do(t, "GET", base+"/aaaaaaaaaaaaaaaaaaaaaaaa/graph", nil).Expect(404)
		})
	})
}
