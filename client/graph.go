package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// Graph formats the server draws a state machine in.
const (
	GraphSVG     = "svg"
	GraphDOT     = "dot"
	GraphMermaid = "mermaid"
	GraphJSON    = "json"
)

// The graph extension's shapes (format=json), as the server declares them
// (package api/wire): a Graph of a state machine version is its nodes (a
// GraphNode is a state, or a state of a referenced machine) and edges (a
// GraphEdge is a transition, labelled with its exit condition) with the
// findings of the graph checks (LintFinding).
type (
	Graph       = wire.Graph
	GraphNode   = wire.GraphNode
	GraphEdge   = wire.GraphEdge
	LintFinding = wire.LintFinding
)

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
