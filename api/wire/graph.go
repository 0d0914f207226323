package wire

// The shapes of the graph extension (format=json of
// get-service-hierarchical-state-machine-graph): a state machine version
// drawn as nodes and edges, with the findings of the graph checks. Package
// api fills them from package smgraph's graph, so the drawing code carries
// no JSON contract; the Go SDK decodes them.

// Graph is format=json of the graph extension.
type Graph struct {
	StateMachineID string        `json:"service_hierarchical_state_machine_id"`
	Version        int           `json:"version"`
	Nodes          []GraphNode   `json:"nodes"`
	Edges          []GraphEdge   `json:"edges"`
	Lint           []LintFinding `json:"lint"`
}

// GraphNode is a state, or a state of a referenced machine (External).
// Initial lists the entries that start at it, [] for none.
type GraphNode struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Initial  []string `json:"initial"`
	Terminal bool     `json:"terminal"`
	External bool     `json:"external"`
}

// GraphEdge is a transition, labelled with its exit condition. Kind is
// "exit", "next", "call" (into a referenced machine) or "return" (back
// from it).
type GraphEdge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
}

// LintFinding is one problem the graph checks found.
type LintFinding struct {
	Code    string `json:"code"`
	State   string `json:"state"`
	Message string `json:"message"`
}
