package smgraph

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// fills colours nodes by state type.
var fills = map[string]string{
	amigo.StateAction:     "#e3f2fd",
	amigo.StateDecision:   "#fff8e1",
	amigo.StateRecall:     "#f3e5f5",
	amigo.StateAnnotation: "#f1f8e9",
	amigo.StateReflection: "#fce4ec",
	amigo.StateToolCall:   "#e0f2f1",
}

func fill(n Node) string {
	if f, ok := fills[n.Type]; ok && !n.External {
		return f
	}
	return "#fafafa"
}

// SVG renders the laid-out graph. Every state is one <g class="node">
// carrying data-state="<name>" (external nodes carry data-external
// instead), so a page can find a state's drawing by name. A graph over
// MaxDrawnStates or MaxDrawnTransitions is a *TooLargeError; once ctx is
// done the drawing stops with ctx's error.
func (g *Graph) SVG(ctx context.Context) (string, error) {
	if len(g.Nodes) > MaxDrawnStates || len(g.Edges) > MaxDrawnTransitions {
		return "", &TooLargeError{len(g.Nodes), len(g.Edges)}
	}
	boxes, labels, width, height, err := g.layout(ctx)
	if err != nil {
		return "", err
	}
	index := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		index[n.ID] = i
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="state-machine-graph" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#455a64"/></marker></defs>` + "\n")
	b.WriteString(`<g class="edges">` + "\n")
	for k, e := range g.Edges {
		if k%checkEvery == 0 && ctx.Err() != nil {
			return "", ctx.Err()
		}
		writeEdge(&b, e, boxes[index[e.From]], boxes[index[e.To]], labels[k])
	}
	b.WriteString("</g>\n<g class=\"nodes\">\n")
	for i, n := range g.Nodes {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return "", ctx.Err()
		}
		writeNode(&b, n, boxes[i])
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String(), nil
}

func writeNode(b *strings.Builder, n Node, bx box) {
	esc := html.EscapeString
	classes := []string{"node"}
	attr := ` data-state="` + esc(n.ID) + `" data-type="` + esc(n.Type) + `"`
	if n.External {
		classes = append(classes, "external")
		attr = ` data-external="` + esc(n.ID) + `"`
	} else {
		classes = append(classes, "state-"+n.Type)
	}
	if len(n.Initial) > 0 {
		classes = append(classes, "initial")
		attr += ` data-initial="` + esc(strings.Join(n.Initial, " ")) + `"`
	}
	if n.Terminal {
		classes = append(classes, "terminal")
	}
	fmt.Fprintf(b, `<g class="%s"%s>`, strings.Join(classes, " "), attr)
	title := n.Label
	if n.Type != "" {
		title += " (" + n.Type + ")"
	}
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
	stroke, width, dash := "#455a64", 1.2, ""
	if len(n.Initial) > 0 {
		stroke, width = "#2e7d32", 2.5
	}
	if n.External {
		dash = ` stroke-dasharray="5,3"`
	}
	cx, cy := bx.x+bx.w/2, bx.y+bx.h/2
	switch {
	case n.Type == amigo.StateDecision:
		fmt.Fprintf(b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" stroke="%s" stroke-width="%.1f"/>`,
			bx.x, cy, bx.x+14, bx.y, bx.x+bx.w-14, bx.y, bx.x+bx.w, cy, bx.x+bx.w-14, bx.y+bx.h, bx.x+14, bx.y+bx.h, fill(n), stroke, width)
	case n.Type == amigo.StateReflection:
		fmt.Fprintf(b, `<ellipse cx="%.1f" cy="%.1f" rx="%.1f" ry="%.1f" fill="%s" stroke="%s" stroke-width="%.1f"/>`, cx, cy, bx.w/2, bx.h/2, fill(n), stroke, width)
	default:
		radius := 10.0
		if n.Type == amigo.StateToolCall || n.Type == amigo.StateAnnotation || n.External {
			radius = 2
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%.0f" fill="%s" stroke="%s" stroke-width="%.1f"%s/>`,
			bx.x, bx.y, bx.w, bx.h, radius, fill(n), stroke, width, dash)
	}
	if n.Terminal {
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="13" fill="none" stroke="#263238" stroke-width="1.2"/>`, bx.x-4, bx.y-4, bx.w+8, bx.h+8)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central">%s</text>`, cx, cy, esc(shorten(n.Label)))
	b.WriteString("</g>\n")
}

// writeEdge draws a downward edge as a curve from the bottom of one node
// to the top of the other, and an edge back up (or within a layer) as a
// curve around the right of both.
func writeEdge(b *strings.Builder, e Edge, from, to box, label point) {
	var d string
	dash := ""
	if e.Kind == EdgeCall || e.Kind == EdgeReturn {
		dash = ` stroke-dasharray="5,3"`
	}
	switch {
	case from == to:
		x, y := from.x+from.w, from.y+from.h/2
		d = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y-8, x+40, y-30, x+40, y+30, x, y+8)
	case to.layer > from.layer:
		x1, y1 := from.x+from.w/2, from.y+from.h
		x2, y2 := to.x+to.w/2, to.y
		mid := (y1 + y2) / 2
		d = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, x1, mid, x2, mid, x2, y2)
		// The layout gives the label its height; it sits on the curve
		// there, not above the target's centre, which a long or steep
		// edge passes far from.
		label.x = curveXAt(x1, y1, x2, y2, label.y)
	default:
		x1, y1 := from.x+from.w, from.y+from.h/2
		x2, y2 := to.x+to.w, to.y+to.h/2
		bend := backBend(from, to)
		d = fmt.Sprintf("M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", x1, y1, bend, y1, bend, y2, x2, y2)
	}
	esc := html.EscapeString
	fmt.Fprintf(b, `<g class="edge edge-%s" data-from="%s" data-to="%s">`, e.Kind, esc(e.From), esc(e.To))
	if e.Label != "" {
		fmt.Fprintf(b, `<title>%s</title>`, esc(e.Label))
	}
	fmt.Fprintf(b, `<path d="%s" fill="none" stroke="#455a64" stroke-width="1.2"%s marker-end="url(#arrow)"/>`, d, dash)
	if e.Label != "" {
		w := edgeLabelWidth(e.Label)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" rx="3" fill="#ffffff" fill-opacity="0.9"/>`, label.x-w/2, label.y-labelHeight/2, w, labelHeight)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central" font-size="10" fill="#37474f">%s</text>`, label.x, label.y, esc(shorten(e.Label)))
	}
	b.WriteString("</g>\n")
}

// curveXAt returns the x at height y of a downward edge's curve, the cubic
// from (x1,y1) to (x2,y2) with control points (x1,mid) and (x2,mid), whose
// height grows with t: t is found by bisection (y outside the curve's
// heights takes the nearer end).
func curveXAt(x1, y1, x2, y2, y float64) float64 {
	mid := (y1 + y2) / 2
	at := func(t float64, a, b, c, d float64) float64 {
		u := 1 - t
		return u*u*u*a + 3*u*u*t*b + 3*u*t*t*c + t*t*t*d
	}
	lo, hi := 0.0, 1.0
	for range 40 {
		t := (lo + hi) / 2
		if at(t, y1, mid, mid, y2) < y {
			lo = t
		} else {
			hi = t
		}
	}
	return at((lo+hi)/2, x1, x1, x2, x2)
}
