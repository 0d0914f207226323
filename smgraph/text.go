package smgraph

import (
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// Mermaid renders the graph as a Mermaid flowchart. Node ids are n0, n1,
// ... in node order, since state names may clash with Mermaid keywords.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	ids := g.shortIDs()
	for _, n := range g.Nodes {
		open, close := mermaidShape(n)
		b.WriteString("  " + ids[n.ID] + open + `"` + mermaidText(n.Label) + `"` + close + "\n")
	}
	for i, n := range g.Nodes {
		for j, entry := range n.Initial {
			start := "start_" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
			b.WriteString("  " + start + `(("` + mermaidText(entry) + `")) --> ` + ids[n.ID] + "\n")
			b.WriteString("  class " + start + " entry\n")
		}
	}
	for _, e := range g.Edges {
		arrow := " --> "
		if e.Kind == EdgeCall || e.Kind == EdgeReturn {
			arrow = " -.-> "
		}
		label := ""
		if e.Label != "" {
			label = `|"` + mermaidText(e.Label) + `"|`
		}
		b.WriteString("  " + ids[e.From] + arrow + label + ids[e.To] + "\n")
	}
	b.WriteString("  classDef entry fill:#e8f5e9,stroke:#2e7d32\n")
	b.WriteString("  classDef terminal stroke-width:4px\n")
	for _, n := range g.Nodes {
		if n.Terminal {
			b.WriteString("  class " + ids[n.ID] + " terminal\n")
		}
	}
	return b.String()
}

func mermaidShape(n Node) (string, string) {
	if n.External {
		return "[/", "/]"
	}
	switch n.Type {
	case amigo.StateDecision:
		return "{", "}"
	case amigo.StateRecall:
		return "[(", ")]"
	case amigo.StateAnnotation:
		return ">", "]"
	case amigo.StateReflection:
		return "((", "))"
	case amigo.StateToolCall:
		return "[[", "]]"
	}
	return "(", ")"
}

// mermaidEscaper escapes a label for a quoted Mermaid string. Mermaid
// renders labels as HTML, so every character HTML gives a meaning to is
// written as Mermaid's entity code (#name; or #number;, which Mermaid turns
// into the HTML entity): the text shows as typed and never as markup. "#"
// itself is escaped so that text cannot spell an entity code, and "`"
// so that it cannot open a Markdown string. Line breaks, lone CRs
// included, end a statement in Mermaid: they become spaces.
var mermaidEscaper = strings.NewReplacer(
	`"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;", "'", "#39;", "#", "#35;", "`", "#96;",
	"\r\n", " ", "\r", " ", "\n", " ",
)

func mermaidText(s string) string { return mermaidEscaper.Replace(s) }

// DOT renders the graph in Graphviz's language.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph state_machine {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, n := range g.Nodes {
		attrs := []string{"label=" + strconv.Quote(n.Label), "shape=" + dotShape(n), "style=" + dotStyle(n), "fillcolor=" + strconv.Quote(fill(n))}
		if n.Terminal {
			attrs = append(attrs, "peripheries=2")
		}
		if len(n.Initial) > 0 {
			attrs = append(attrs, `color="#2e7d32"`, "penwidth=2")
		}
		b.WriteString("  " + strconv.Quote(n.ID) + " [" + strings.Join(attrs, ", ") + "];\n")
	}
	for i, n := range g.Nodes {
		for _, entry := range n.Initial {
			start := strconv.Quote("start:" + strconv.Itoa(i) + ":" + entry)
			b.WriteString("  " + start + " [label=" + strconv.Quote(entry) + ", shape=plaintext];\n")
			b.WriteString("  " + start + " -> " + strconv.Quote(n.ID) + ";\n")
		}
	}
	for _, e := range g.Edges {
		var attrs []string
		if e.Label != "" {
			attrs = append(attrs, "label="+strconv.Quote(e.Label))
		}
		if e.Kind == EdgeCall || e.Kind == EdgeReturn {
			attrs = append(attrs, "style=dashed")
		}
		line := "  " + strconv.Quote(e.From) + " -> " + strconv.Quote(e.To)
		if len(attrs) > 0 {
			line += " [" + strings.Join(attrs, ", ") + "]"
		}
		b.WriteString(line + ";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func dotShape(n Node) string {
	if n.External {
		return "box"
	}
	switch n.Type {
	case amigo.StateDecision:
		return "diamond"
	case amigo.StateRecall:
		return "cylinder"
	case amigo.StateAnnotation:
		return "note"
	case amigo.StateReflection:
		return "ellipse"
	case amigo.StateToolCall:
		return "component"
	}
	return "box"
}

func dotStyle(n Node) string {
	if n.External {
		return "dashed"
	}
	return `"rounded,filled"`
}

// shortIDs names the nodes n0, n1, ... for the text formats.
func (g *Graph) shortIDs() map[string]string {
	ids := make(map[string]string, len(g.Nodes))
	for i, n := range g.Nodes {
		ids[n.ID] = "n" + strconv.Itoa(i)
	}
	return ids
}
