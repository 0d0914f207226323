package api

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/smgraph"
)

// graphFormats maps the format parameter of the graph extension to the
// response's content type.
var graphFormats = map[string]string{
	"json":    "application/json",
	"svg":     "image/svg+xml",
	"dot":     "text/vnd.graphviz; charset=utf-8",
	"mermaid": "text/plain; charset=utf-8",
}

// getStateMachineGraph draws one version of a state machine: the graph
// extension, ?version=N|latest (default latest) and
// ?format=json|svg|dot|mermaid (default json).
func (s *Server) getStateMachineGraph(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := amigo.VersionFilter{Latest: true, Limit: 1}
	if v := q.values.Get("version"); v != "" && v != "latest" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			q.fail("version", "value_error", `Value error, version must be a positive version number or "latest"`)
		}
		f = amigo.VersionFilter{From: n, To: n, Limit: 1}
	}
	format := q.values.Get("format")
	if format == "" {
		format = "json"
	}
	if _, ok := graphFormats[format]; !ok {
		q.fail("format", "enum", "Input should be 'json', 'svg', 'dot' or 'mermaid'")
	}
	if err := q.err(); err != nil {
		return err
	}
	id := r.PathValue("service_hierarchical_state_machine_id")
	versions, _, err := s.app.ListStateMachineVersions(r.Context(), t, id, f)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return amigo.Errorf(amigo.ENOTFOUND, "State machine %s has no such version.", id)
	}
	v := versions[0]
	g := smgraph.Build(&v.Definition)
	var out string
	switch format {
	case "json":
		writeJSON(w, http.StatusOK, toGraph(v, g))
		return nil
	case "svg":
		if out, err = s.draw(r.Context(), id, g); err != nil {
			return err
		}
	case "dot":
		out = g.DOT()
	case "mermaid":
		out = g.Mermaid()
	}
	w.Header().Set("Content-Type", graphFormats[format])
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(out))
	return err
}

// toGraph returns smgraph's graph of v in its wire shape (wire.Graph): the
// wire shapes live there, not in smgraph, so the drawing code carries no
// JSON contract.
func toGraph(v *amigo.StateMachineVersion, g *smgraph.Graph) wire.Graph {
	out := wire.Graph{StateMachineID: v.MachineID, Version: v.Version,
		Nodes: make([]wire.GraphNode, len(g.Nodes)), Edges: make([]wire.GraphEdge, len(g.Edges)), Lint: make([]wire.LintFinding, len(g.Findings))}
	for i, n := range g.Nodes {
		// JSON lists are never null: a node no entry starts at has [].
		initial := n.Initial
		if initial == nil {
			initial = []string{}
		}
		out.Nodes[i] = wire.GraphNode{ID: n.ID, Label: n.Label, Type: n.Type, Initial: initial, Terminal: n.Terminal, External: n.External}
	}
	for i, e := range g.Edges {
		out.Edges[i] = wire.GraphEdge(e)
	}
	for i, f := range g.Findings {
		out.Lint[i] = wire.LintFinding(f)
	}
	return out
}

// drawingSlots bounds the SVG layouts running at once to half the CPUs
// (at least one), so concurrent drawings of large machines cannot take
// every CPU from the other requests; a request waits for a slot until its
// context is done.
var drawingSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// beforeDraw, when set (by tests), runs before each layout with the
// request's context and the machine's id.
var beforeDraw atomic.Pointer[func(ctx context.Context, machineID string)]

// Outcomes of a drawing, for the amigo_graph_drawings_total metric.
const (
	drawn     = "drawn"
	tooLarge  = "too_large"
	cancelled = "cancelled"
)

// draw lays out and renders g as SVG in one of the drawing slots. A graph
// over smgraph's bounds is a 422 at the format parameter; a request whose
// context ends (the client left, or the deadline passed) stops the layout.
func (s *Server) draw(ctx context.Context, machineID string, g *smgraph.Graph) (string, error) {
	select {
	case drawingSlots <- struct{}{}:
		defer func() { <-drawingSlots }()
	case <-ctx.Done():
		s.metrics.drawings.WithLabelValues(cancelled).Inc()
		return "", context.Cause(ctx)
	}
	if hook := beforeDraw.Load(); hook != nil {
		(*hook)(ctx, machineID)
	}
	out, err := g.SVG(ctx)
	var large *smgraph.TooLargeError
	switch {
	case errors.As(err, &large):
		s.metrics.drawings.WithLabelValues(tooLarge).Inc()
		return "", amigo.Invalid(amigo.FieldError{In: "query", Loc: []any{"format"}, Type: "value_error", Msg: "Value error, " + err.Error()})
	case err != nil:
		s.metrics.drawings.WithLabelValues(cancelled).Inc()
		return "", context.Cause(ctx)
	}
	s.metrics.drawings.WithLabelValues(drawn).Inc()
	return out, nil
}
