package smgraph_test

import (
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/smgraph"
)

func TestBuildMarksEntriesTerminalAndExternalStates(t *testing.T) {
	d := &coretest.StateMachine(5).StateMachineDefinition
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
	d := &coretest.StateMachine(4).StateMachineDefinition
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
	d := &coretest.StateMachine(8).StateMachineDefinition
	svg := smgraph.Build(d).SVG()
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
	d := &coretest.StateMachine(6).StateMachineDefinition
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
	d := &coretest.StateMachine(100).StateMachineDefinition
	for _, f := range []struct {
		name   string
		render func(*smgraph.Graph) string
	}{{"svg", (*smgraph.Graph).SVG}, {"dot", (*smgraph.Graph).DOT}, {"mermaid", (*smgraph.Graph).Mermaid}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.render(smgraph.Build(d))
			}
		})
	}
}
