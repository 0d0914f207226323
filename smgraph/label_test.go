package smgraph_test

import (
	"context"
	"math"
	"regexp"
	"testing"

	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/smgraph"
)

// TestEdgeLabelsSitOnTheirEdges: the label of an edge going down is drawn
// on the edge's curve, however far the edge runs sideways, not above its
// target where a long edge is nowhere near.
func TestEdgeLabelsSitOnTheirEdges(t *testing.T) {
	edge := regexp.MustCompile(`<path d="M([\d.]+),([\d.]+) C([\d.]+),([\d.]+) ([\d.]+),([\d.]+) ([\d.]+),([\d.]+)"[^>]*/><rect [^>]*/><text x="([\d.]+)" y="([\d.]+)"`)
	for _, n := range []int{8, 20} {
		svg, err := smgraph.Build(coretest.StateMachine(n)).SVG(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, m := range edge.FindAllStringSubmatch(svg, -1) {
			var v [10]float64
			for i := range v {
				v[i] = num(m[i+1])
			}
			x1, y1, c1x, c1y, c2x, c2y, x2, y2, lx, ly := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
			if y2 <= y1 || c1x != x1 || c2x != x2 {
				continue // an edge back up bends around the right; its label sits on the bend
			}
			found++
			// The curve's x where its y is the label's, by bisection.
			bez := func(t, a, b, c, d float64) float64 {
				u := 1 - t
				return u*u*u*a + 3*u*u*t*b + 3*u*t*t*c + t*t*t*d
			}
			lo, hi := 0.0, 1.0
			for range 50 {
				if mid := (lo + hi) / 2; bez(mid, y1, c1y, c2y, y2) < ly {
					lo = mid
				} else {
					hi = mid
				}
			}
			if cx := bez(lo, x1, c1x, c2x, x2); math.Abs(cx-lx) > 0.6 {
				t.Errorf("%d states: label at (%.1f, %.1f) is %.1f px from its edge %s", n, lx, ly, math.Abs(cx-lx), m[0][:60])
			}
		}
		if found == 0 {
			t.Fatalf("%d states: no labelled edge going down", n)
		}
	}
}
