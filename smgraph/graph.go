// Package smgraph draws a state-machine version as a graph: its states as
// nodes by type, its transitions as edges labelled with their exit
// conditions, the entry and terminal states marked, and the findings of
// graph checks the API's validation does not make (unreachable states,
// states with no way to the end). It renders Mermaid, Graphviz DOT and an
// SVG laid out here, in pure Go, so neither the server nor the CLI needs
// anything at run time.
//
// It depends only on the domain types of the root package; the HTTP wire
// shape of a graph belongs to package api.
package smgraph

import (
	"github.com/amigo-oss/amigo-server"
)

// Graph is a state machine as nodes and edges.
type Graph struct {
	// Nodes are the machine's states in definition order, followed by the
	// states of referenced machines that external transitions enter.
	Nodes    []Node
	Edges    []Edge
	Findings []Finding
}

// Node is one state.
type Node struct {
	// ID is the state's name, or "reference.state" for an external node.
	ID    string
	Label string
	// Type is the state's type (amigo.StateAction, ...), "" for an
	// external node.
	Type string
	// Initial lists the entries that start here: "new_user",
	// "returning_user".
	Initial  []string
	Terminal bool
	External bool
}

// Edge kinds.
const (
	EdgeExit   = "exit"   // an exit condition of an action or decision state
	EdgeNext   = "next"   // the single next state of the other types
	EdgeCall   = "call"   // into a referenced machine
	EdgeReturn = "return" // back from a referenced machine to the jumpback state
)

// Edge is one transition.
type Edge struct {
	From, To string
	// Label is the exit condition's description, "" for other edges.
	Label string
	Kind  string
}

// Finding codes.
const (
	Unreachable      = "unreachable"
	NoPathToTerminal = "no-path-to-terminal"
	UnknownState     = "unknown-state"
	UnknownReference = "unknown-reference"
)

// Finding is one problem of the graph.
type Finding struct {
	Code    string
	State   string
	Message string
}

// Build turns a definition into a graph and runs the graph checks.
func Build(d *amigo.StateMachineDefinition) *Graph {
	g := &Graph{}
	index := map[string]int{}
	for _, s := range d.States {
		name := s.Name()
		if _, dup := index[name]; dup || name == "" {
			continue
		}
		n := Node{ID: name, Label: name, Type: s.Kind(), Terminal: name == d.TerminalState}
		if name == d.NewUserInitialState {
			n.Initial = append(n.Initial, "new_user")
		}
		if name == d.ReturningUserInitialState {
			n.Initial = append(n.Initial, "returning_user")
		}
		index[name] = len(g.Nodes)
		g.Nodes = append(g.Nodes, n)
	}
	for _, s := range d.States {
		from := s.Name()
		if _, ok := index[from]; !ok {
			continue
		}
		for _, t := range transitions(&s) {
			g.addTransition(d, index, from, t)
		}
	}
	g.Findings = append(g.Findings, check(g, d)...)
	return g
}

// transition is one way out of a state.
type transition struct {
	label string
	kind  string
	next  amigo.NextState
}

func transitions(s *amigo.State) []transition {
	exits := func(ecs []amigo.ExitCondition) []transition {
		out := make([]transition, len(ecs))
		for i, ec := range ecs {
			out[i] = transition{ec.Description, EdgeExit, ec.NextState}
		}
		return out
	}
	next := func(n amigo.NextState) []transition { return []transition{{"", EdgeNext, n}} }
	switch {
	case s.Action != nil:
		return exits(s.Action.ExitConditions)
	case s.Decision != nil:
		return exits(s.Decision.ExitConditions)
	case s.Recall != nil:
		return next(s.Recall.NextState)
	case s.Annotation != nil:
		return next(s.Annotation.NextState)
	case s.Reflection != nil:
		return next(s.Reflection.NextState)
	case s.ToolCall != nil:
		return next(s.ToolCall.NextState)
	}
	return nil
}

// addTransition adds the edges of one transition: to a state, or into a
// referenced machine's state and from there back to the jumpback state.
func (g *Graph) addTransition(d *amigo.StateMachineDefinition, index map[string]int, from string, t transition) {
	if !t.next.External {
		if _, ok := index[t.next.Name]; !ok {
			g.Findings = append(g.Findings, Finding{UnknownState, from, "leads to " + quote(t.next.Name) + ", which is not a state of this machine"})
			return
		}
		g.Edges = append(g.Edges, Edge{From: from, To: t.next.Name, Label: t.label, Kind: t.kind})
		return
	}
	ext := t.next.Name
	ref, _, _ := cutDot(ext)
	if _, ok := d.References[ref]; !ok {
		g.Findings = append(g.Findings, Finding{UnknownReference, from, "enters " + quote(ext) + ", but the machine has no reference " + quote(ref)})
	}
	if _, ok := index[ext]; !ok {
		index[ext] = len(g.Nodes)
		g.Nodes = append(g.Nodes, Node{ID: ext, Label: ext, External: true})
	}
	g.Edges = append(g.Edges, Edge{From: from, To: ext, Label: t.label, Kind: EdgeCall})
	if _, ok := index[t.next.Jumpback]; !ok {
		g.Findings = append(g.Findings, Finding{UnknownState, from, "returns to " + quote(t.next.Jumpback) + ", which is not a state of this machine"})
		return
	}
	g.Edges = append(g.Edges, Edge{From: ext, To: t.next.Jumpback, Kind: EdgeReturn})
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func quote(s string) string { return "\"" + s + "\"" }
