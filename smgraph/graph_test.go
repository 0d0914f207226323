package smgraph_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/smgraph"
)

func TestBuildMarksEntriesTerminalAndExternalStates(t *testing.T) {
	d := coretest.StateMachine(5)
	g := smgraph.Build(d)
	if len(g.Findings) != 0 {
		t.Fatalf("a valid generated machine has findings: %+v", g.Findings)
	}
	var states, external int
	for _, n := range g.Nodes {
		if n.External {
			external++
			continue
		}
		states++
		if n.ID == "start" && !slices.Equal(n.Initial, []string{"new_user", "returning_user"}) {
			t.Errorf("start's entries = %v", n.Initial)
		}
		if (n.ID == "end") != n.Terminal {
			t.Errorf("%s terminal = %v", n.ID, n.Terminal)
		}
	}
	if states != 5 || external != 1 {
		t.Errorf("%d states and %d external nodes, want 5 and 1", states, external)
	}
	var labelled bool
	for _, e := range g.Edges {
		labelled = labelled || (e.From == "start" && e.To == "s1" && e.Label == "The objective is met.")
	}
	if !labelled {
		t.Errorf("no labelled edge start -> s1 in %+v", g.Edges)
	}
}

func TestChecksFindUnreachableAndDeadEndStates(t *testing.T) {
	d := coretest.StateMachine(4)
	// An island state nobody enters, which loops on itself forever.
	d.States = append(d.States, amigo.State{Type: amigo.StateAnnotation, Annotation: &amigo.AnnotationState{
		Name: "island", InnerThought: "Alone.", NextState: amigo.NextState{Name: "island"}}})
	g := smgraph.Build(d)
	var got []string
	for _, f := range g.Findings {
		got = append(got, f.Code+":"+f.State)
	}
	want := []string{"unreachable:island", "no-path-to-terminal:island"}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
}

func TestSVGHasOneNodeElementPerState(t *testing.T) {
	d := coretest.StateMachine(8)
	svg := draw(t, smgraph.Build(d))
	dec := xml.NewDecoder(strings.NewReader(svg))
	var named []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "data-state" {
					named = append(named, a.Value)
				}
			}
		}
	}
	var want []string
	for _, s := range d.States {
		want = append(want, s.Name())
	}
	if !slices.Equal(named, want) {
		t.Errorf("data-state elements = %v, want %v", named, want)
	}
}

func TestTextFormatsNameEveryState(t *testing.T) {
	d := coretest.StateMachine(6)
	g := smgraph.Build(d)
	for format, out := range map[string]string{"mermaid": g.Mermaid(), "dot": g.DOT()} {
		for _, s := range d.States {
			if !strings.Contains(out, `"`+s.Name()+`"`) {
				t.Errorf("%s output lacks state %s:\n%s", format, s.Name(), out)
			}
		}
	}
	if !strings.HasPrefix(g.Mermaid(), "flowchart TD\n") || !strings.HasPrefix(g.DOT(), "digraph ") {
		t.Error("outputs do not start with their headers")
	}
}

// BenchmarkDraw measures building and drawing a 100-state machine, the
// work of one graph request after the version is loaded.
func BenchmarkDraw(b *testing.B) {
	d := coretest.StateMachine(100)
	for _, f := range []struct {
		name   string
		render func(*smgraph.Graph) string
	}{{"svg", func(g *smgraph.Graph) string { return draw(b, g) }}, {"dot", (*smgraph.Graph).DOT}, {"mermaid", (*smgraph.Graph).Mermaid}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.render(smgraph.Build(d))
			}
		})
	}
}

// TestSVGBoxesDoNotOverlap checks the layout: no node or edge label covers
// another, and all lie inside the drawing.
func TestSVGBoxesDoNotOverlap(t *testing.T) {
	rect := regexp.MustCompile(`<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*fill="(#[0-9a-f]+)"`)
	size := regexp.MustCompile(`^<svg [^>]*width="([\d.]+)" height="([\d.]+)"`)
	for _, n := range []int{3, 8, 20} {
		svg := draw(t, smgraph.Build(coretest.StateMachine(n)))
		m := size.FindStringSubmatch(svg)
		w, h := num(m[1]), num(m[2])
		var boxes [][4]float64
		for _, r := range rect.FindAllStringSubmatch(svg, -1) {
			boxes = append(boxes, [4]float64{num(r[1]), num(r[2]), num(r[3]), num(r[4])})
		}
		if len(boxes) == 0 {
			t.Fatal("no boxes found")
		}
		for i, a := range boxes {
			if a[0] < 0 || a[1] < 0 || a[0]+a[2] > w || a[1]+a[3] > h {
				t.Errorf("%d states: box %v outside %vx%v", n, a, w, h)
			}
			for _, b := range boxes[i+1:] {
				if a[0] < b[0]+b[2] && b[0] < a[0]+a[2] && a[1] < b[1]+b[3] && b[1] < a[1]+a[3] {
					t.Errorf("%d states: boxes %v and %v overlap", n, a, b)
				}
			}
		}
	}
}

func num(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return f
}

func draw(t testing.TB, g *smgraph.Graph) string {
	t.Helper()
	svg, err := g.SVG(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return svg
}

// TestSVGOfALongChain draws the largest chain SVG draws, and refuses one
// state more with the bounds in its message.
func TestSVGOfALongChain(t *testing.T) {
	svg := draw(t, smgraph.Build(coretest.StateMachine(smgraph.MaxDrawnStates-1)))
	if n := strings.Count(svg, `<g class="node `); n != smgraph.MaxDrawnStates {
		t.Errorf("%d nodes drawn, want %d", n, smgraph.MaxDrawnStates)
	}
	_, err := smgraph.Build(coretest.StateMachine(smgraph.MaxDrawnStates)).SVG(context.Background())
	var tooLarge *smgraph.TooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.States != smgraph.MaxDrawnStates+1 || !strings.Contains(err.Error(), "limited to 10000 states") {
		t.Errorf("one state over the bound: %v", err)
	}
}

// TestSVGStopsWhenCancelled draws with a context that is done: the layout
// gives up with the context's error instead of drawing.
func TestSVGStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	svg, err := smgraph.Build(coretest.StateMachine(5000)).SVG(ctx)
	if !errors.Is(err, context.Canceled) || svg != "" {
		t.Errorf("cancelled drawing: %d bytes, %v", len(svg), err)
	}
}

// TestSVGCostIsLinear compares the allocations of drawing chains of n and
// 2n states: twice the states must cost about twice as much (the layout
// was quadratic in the layers: 47 s for 50,000 states).
func TestSVGCostIsLinear(t *testing.T) {
	cost := func(n int) float64 {
		g := smgraph.Build(coretest.StateMachine(n))
		var m1, m2 runtime.MemStats
		runtime.ReadMemStats(&m1)
		draw(t, g)
		runtime.ReadMemStats(&m2)
		return float64(m2.TotalAlloc - m1.TotalAlloc)
	}
	one, two := cost(2000), cost(4000)
	if two/one > 2.5 {
		t.Errorf("drawing 4000 states allocates %.2f times what 2000 do", two/one)
	}
}

func BenchmarkDrawChain(b *testing.B) {
	for _, n := range []int{1000, 5000, 9999} {
		g := smgraph.Build(coretest.StateMachine(n))
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				draw(b, g)
			}
		})
	}
}
