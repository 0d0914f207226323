package smgraph

import "github.com/amigo-oss/amigo-server"

// check finds the states no session can reach from an entry state, and the
// states from which no session can reach the terminal state. A referenced
// machine is assumed to return to its jumpback state.
func check(g *Graph, d *amigo.StateMachineDefinition) []Finding {
	out := map[string][]string{}
	in := map[string][]string{}
	for _, e := range g.Edges {
		out[e.From] = append(out[e.From], e.To)
		in[e.To] = append(in[e.To], e.From)
	}
	var starts []string
	for _, n := range g.Nodes {
		if len(n.Initial) > 0 {
			starts = append(starts, n.ID)
		}
	}
	reached := walk(starts, out)
	var ends []string
	if d.TerminalState != "" {
		ends = append(ends, d.TerminalState)
	}
	finishing := walk(ends, in)
	var fs []Finding
	for _, n := range g.Nodes {
		if n.External {
			continue
		}
		if !reached[n.ID] {
			fs = append(fs, Finding{Unreachable, n.ID, "no entry state leads to " + quote(n.ID)})
		}
		if !finishing[n.ID] {
			fs = append(fs, Finding{NoPathToTerminal, n.ID, "no path leads from " + quote(n.ID) + " to the terminal state " + quote(d.TerminalState)})
		}
	}
	return fs
}

// walk returns the nodes reachable from starts along next.
func walk(starts []string, next map[string][]string) map[string]bool {
	seen := map[string]bool{}
	queue := append([]string(nil), starts...)
	for _, s := range starts {
		seen[s] = true
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range next[n] {
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	return seen
}
