package smgraph

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Layout geometry, in SVG user units.
const (
	nodeHeight  = 44.0
	layerGap    = 72.0
	labelHeight = 16.0
	nodeGap     = 48.0
	margin      = 24.0
	charWidth   = 7.2 // a 12px sans-serif character, on average
	minWidth    = 96.0
	maxLabelLen = 36
	sweeps      = 8
)

// The largest graph SVG draws. The layout's cost is linear in the graph
// (times the sweeps), but a drawing of more states than this is several
// megabytes that no one can read; the text formats have no such bound.
const (
	MaxDrawnStates      = 10_000
	MaxDrawnTransitions = 40_000
)

// TooLargeError is SVG's answer for a graph over the bounds.
type TooLargeError struct{ States, Transitions int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("an SVG drawing is limited to %d states and %d transitions, and this version has %d states and %d transitions: ask for format=json, dot or mermaid",
		MaxDrawnStates, MaxDrawnTransitions, e.States, e.Transitions)
}

// checkEvery is how many steps of a layout loop pass between two looks at
// the context.
const checkEvery = 1024

// box is a laid-out node.
type box struct {
	x, y, w, h float64 // top-left corner and size
	layer      int
}

// layout places nodes in layers, top to bottom: a node's layer is its
// distance from the entry states (nodes no entry reaches start new
// columns of their own), and nodes of a layer are ordered by the
// barycentre of their neighbours to reduce crossings — the classic
// Sugiyama steps, without dummy nodes, which is enough for the tens of
// states a machine has. Each sweep costs time linear in the graph (plus
// the sorting of each layer); it stops with ctx's error once ctx is done.
func (g *Graph) layout(ctx context.Context) ([]box, []point, float64, float64, error) {
	n := len(g.Nodes)
	index := make(map[string]int, n)
	for i, nd := range g.Nodes {
		index[nd.ID] = i
	}
	adj := make([][]int, n)
	for _, e := range g.Edges {
		a, b := index[e.From], index[e.To]
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	layer := g.layers(index)

	depth := slices.Max(append(layer, 0)) + 1
	rows := make([][]int, depth)
	for i := range n {
		rows[layer[i]] = append(rows[layer[i]], i)
	}
	pos := make([]float64, n)
	setPos := func(row []int) {
		for j, i := range row {
			pos[i] = float64(j)
		}
	}
	for _, row := range rows {
		setPos(row)
	}
	bary := make([]float64, n)
	steps := 0
	for s := range sweeps {
		for k := range rows {
			r := k
			if s%2 == 1 {
				r = depth - 1 - k
			}
			row := rows[r]
			if steps += len(row) + 1; steps >= checkEvery {
				steps = 0
				if err := ctx.Err(); err != nil {
					return nil, nil, 0, 0, err
				}
			}
			for _, i := range row {
				sum, cnt := 0.0, 0
				for _, j := range adj[i] {
					if layer[j] != layer[i] {
						sum += pos[j]
						cnt++
					}
				}
				if cnt == 0 {
					bary[i] = pos[i]
				} else {
					bary[i] = sum / float64(cnt)
				}
			}
			slices.SortStableFunc(row, func(a, b int) int {
				switch {
				case bary[a] < bary[b]:
					return -1
				case bary[a] > bary[b]:
					return 1
				}
				return 0
			})
			setPos(row)
		}
	}

	// A labelled edge entering a lower layer has its label stacked just
	// above its target, so labels of edges leaving one node do not pile up
	// at the same height: nodes are as wide as their incoming labels, and
	// the gap above a layer grows with its largest stack.
	labels := make([]point, len(g.Edges))
	stack := make([]int, n)
	labelWidth := make([]float64, n)
	for k, e := range g.Edges {
		a, b := index[e.From], index[e.To]
		if e.Label == "" || layer[b] <= layer[a] {
			continue
		}
		labels[k].y = float64(stack[b])
		stack[b]++
		labelWidth[b] = max(labelWidth[b], edgeLabelWidth(e.Label))
	}
	gapAbove := make([]float64, depth)
	for i := range n {
		gapAbove[layer[i]] = max(gapAbove[layer[i]], layerGap+float64(max(stack[i]-1, 0))*labelHeight)
	}

	boxes := make([]box, n)
	width := 0.0
	rowWidth := make([]float64, depth)
	for r, row := range rows {
		x := 0.0
		for _, i := range row {
			w := max(minWidth, float64(utf8.RuneCountInString(shorten(g.Nodes[i].Label)))*charWidth+32, labelWidth[i]+8)
			boxes[i] = box{x: x, w: w, h: nodeHeight, layer: r}
			x += w + nodeGap
		}
		rowWidth[r] = x - nodeGap
		width = max(width, rowWidth[r])
	}
	y := margin
	for r, row := range rows {
		if r > 0 {
			y += gapAbove[r]
		}
		shift := margin + (width-rowWidth[r])/2
		for _, i := range row {
			boxes[i].x += shift
			boxes[i].y = y
		}
		y += nodeHeight
	}
	right := 0.0
	for k, e := range g.Edges {
		a, b := index[e.From], index[e.To]
		to := boxes[b]
		switch {
		case e.Label == "":
		case layer[b] > layer[a]:
			labels[k] = point{to.x + to.w/2, to.y - labelHeight/2 - 4 - labels[k].y*labelHeight}
		default:
			// An edge back up (or to itself) bends around the right of its
			// nodes; its label sits on the bend.
			from := boxes[a]
			w := edgeLabelWidth(e.Label)
			labels[k] = point{backBend(from, to) - 10 + w/2, (from.y + to.y + nodeHeight) / 2}
			right = max(right, labels[k].x+w/2)
		}
	}
	return boxes, labels, max(right, width+margin) + margin + 40, y + margin, nil
}

// backBend is how far right an edge going back up (or within a layer)
// bends around its nodes.
func backBend(from, to box) float64 {
	return max(from.x+from.w, to.x+to.w) + 40 + 10*float64(from.layer-to.layer)
}

// point is a position in the drawing.
type point struct{ x, y float64 }

// edgeLabelWidth is the width of an edge label's box.
func edgeLabelWidth(label string) float64 {
	return float64(utf8.RuneCountInString(shorten(label)))*6 + 8
}

// layers assigns each node its breadth-first distance from the entry
// states along every edge but returns from referenced machines; nodes left
// over are laid out from the first of them in turn.
func (g *Graph) layers(index map[string]int) []int {
	n := len(g.Nodes)
	out := make([][]int, n)
	for _, e := range g.Edges {
		// A return leads back to the caller, which is already placed; it
		// must not pull the caller's siblings down a layer.
		if e.Kind != EdgeReturn {
			out[index[e.From]] = append(out[index[e.From]], index[e.To])
		}
	}
	layer := make([]int, n)
	for i := range layer {
		layer[i] = -1
	}
	var queue []int
	for i, nd := range g.Nodes {
		if len(nd.Initial) > 0 {
			layer[i] = 0
			queue = append(queue, i)
		}
	}
	next := 0 // nodes before it are all placed
	for {
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for _, j := range out[i] {
				if layer[j] < 0 {
					layer[j] = layer[i] + 1
					queue = append(queue, j)
				}
			}
		}
		for next < n && layer[next] >= 0 {
			next++
		}
		if next == n {
			return layer
		}
		layer[next] = 0
		queue = append(queue, next)
	}
}

// shorten cuts a label to what a node or edge shows; the full text is in
// the element's title.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelLen {
		return s
	}
	r := []rune(s)
	return string(r[:maxLabelLen-1]) + "…"
}
