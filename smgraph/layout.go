package smgraph

import (
	"slices"
	"unicode/utf8"
)

// Layout geometry, in SVG user units.
const (
	nodeHeight  = 44.0
	layerGap    = 80.0
	nodeGap     = 48.0
	margin      = 24.0
	charWidth   = 7.2 // a 12px sans-serif character, on average
	minWidth    = 96.0
	maxLabelLen = 36
	sweeps      = 8
)

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
// states a machine has.
func (g *Graph) layout() ([]box, float64, float64) {
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
	setPos := func() {
		for _, row := range rows {
			for j, i := range row {
				pos[i] = float64(j)
			}
		}
	}
	setPos()
	for s := range sweeps {
		for k := range rows {
			r := k
			if s%2 == 1 {
				r = depth - 1 - k
			}
			row := rows[r]
			bary := make(map[int]float64, len(row))
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
			setPos()
		}
	}

	boxes := make([]box, n)
	width := 0.0
	rowWidth := make([]float64, depth)
	for r, row := range rows {
		x := 0.0
		for _, i := range row {
			w := max(minWidth, float64(utf8.RuneCountInString(shorten(g.Nodes[i].Label)))*charWidth+32)
			boxes[i] = box{x: x, w: w, h: nodeHeight, layer: r}
			x += w + nodeGap
		}
		rowWidth[r] = x - nodeGap
		width = max(width, rowWidth[r])
	}
	for r, row := range rows {
		shift := margin + (width-rowWidth[r])/2
		for _, i := range row {
			boxes[i].x += shift
			boxes[i].y = margin + float64(r)*(nodeHeight+layerGap)
		}
	}
	// Room on the right for edges that loop back up.
	return boxes, width + 2*margin + 120, float64(depth)*(nodeHeight+layerGap) - layerGap + 2*margin
}

// layers assigns each node its breadth-first distance from the entry
// states; nodes left over are laid out from the first of them in turn.
func (g *Graph) layers(index map[string]int) []int {
	n := len(g.Nodes)
	out := make([][]int, n)
	for _, e := range g.Edges {
		out[index[e.From]] = append(out[index[e.From]], index[e.To])
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
		next := slices.Index(layer, -1)
		if next < 0 {
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
