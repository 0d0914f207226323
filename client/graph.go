package client

import (
	"context"
	"net/http"
	"net/url"
)

// Graph formats the server draws a state machine in.
const (
	GraphSVG     = "svg"
	GraphDOT     = "dot"
	GraphMermaid = "mermaid"
	GraphJSON    = "json"
)

// Graph is a state machine drawn as nodes and edges, with the findings of
// the graph checks (format=json of the graph extension).
type Graph struct {
	Nodes []GraphNode   `json:"nodes"`
	Edges []GraphEdge   `json:"edges"`
	Lint  []LintFinding `json:"lint"`
}

// GraphNode is a state, or a state of a referenced machine (External).
type GraphNode struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Initial  []string `json:"initial"`
	Terminal bool     `json:"terminal"`
	External bool     `json:"external"`
}

// GraphEdge is a transition, labelled with its exit condition.
type GraphEdge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// Kind is "exit", "next", "call" (into a referenced machine) or
	// "return" (back from it).
	Kind string `json:"kind"`
}

// LintFinding is one problem the graph checks found.
type LintFinding struct {
	Code    string `json:"code"`
	State   string `json:"state"`
	Message string `json:"message"`
}

// StateMachineGraph draws a version ("latest" or a number) of a state
// machine in format (svg, dot, mermaid or json) and returns the drawing
// (the graph extension of amigo-server).
func (c *Client) StateMachineGraph(ctx context.Context, machineID, version, format string) ([]byte, error) {
	q := url.Values{}
	q.Set("version", version)
	q.Set("format", format)
	var out []byte
	err := c.do(ctx, &request{op: "get-service-hierarchical-state-machine-graph", method: http.MethodGet,
		path: c.orgPath("/organization/service_hierarchical_state_machine/%s/graph", machineID), query: q, retry: true, raw: &out})
	return out, err
}
