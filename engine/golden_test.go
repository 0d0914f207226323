package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/conformance"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// step is one interaction of a scenario; create marks the first.
type step struct {
	input engine.Input
}

func say(s string) step { return step{engine.Input{Kind: engine.InputMessage, Message: s}} }

// scenarios are conversations run turn by turn to the terminal state.
var scenarios = []struct {
	name      string
	returning bool
	memories  []string
	steps     []step
}{
	{name: "booking_via_reference", memories: []string{"The user prefers morning appointments", "The user works Monday to Thursday"}, steps: []step{
		{}, // create, the agent speaks first
		say("Hello, I would like to book an appointment please"),
		say("Tuesday would be a good day"),
		{engine.Input{Kind: engine.InputSkip}},
		say("Yes, I confirm"),
	}},
	{name: "urgent_tool_call", returning: true, steps: []step{
		say("I need an appointment, it is an urgent problem"), // creation with an initial message
		{engine.Input{Kind: engine.InputExternalEvents, Events: []engine.ExternalEvent{{Text: "The user confirms the details by SMS", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}}},
	}},
	{name: "goodbye_at_once", steps: []step{{}, say("Goodbye!")}},
}

// transcript runs a scenario as the HTTP layer would and returns its text:
// every NDJSON line of every stream, each turn's outcome and insights body,
// each validated against conversations.json.
func transcript(t *testing.T, w *engine.Walker, sc int) []byte {
	t.Helper()
	s := scenarios[sc]
	schemas := conformance.ConversationSchemas(t)
	ids := 0
	newID := func() string { ids++; return fmt.Sprintf("%024x", ids) }
	var out bytes.Buffer
	var state *engine.State
	var history []engine.Message
	check := func(component string, v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if schemas != nil {
			if err := schemas.Check(component, b); err != nil {
				t.Error(err)
			}
		}
		return b
	}
	for i, st := range s.steps {
		stream := "src__app__endpoints__conversation__interact_with_conversation__Response"
		fmt.Fprintf(&out, "# turn %d: %s %q\n", i, st.input.Kind, st.input.Text())
		line := func(v any) {
			b, err := wire.AppendEventLine(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			check(stream, json.RawMessage(bytes.TrimSuffix(b, []byte("\n"))))
			out.Write(b)
		}
		if state == nil {
			stream = "src__app__endpoints__conversation__create_conversation__Response"
			line(wire.ConversationCreated("c0ffeec0ffeec0ffeec0ffee"))
		} else {
			line(wire.UserMessageAvailable(newID(), st.input.Text()))
		}
		interactionID, messageID := newID(), newID()
		turn := engine.Turn{Agent: agent(), Machine: intake(), References: map[amigo.Reference]*amigo.StateMachineVersion{schedRef: sched()},
			State: state, ReturningUser: s.returning, History: history, Input: st.input, Memories: s.memories, NewID: newID}
		o, err := w.Run(context.Background(), turn, func(e engine.Event) error {
			line(wire.EngineEvent(e, messageID))
			return nil
		})
		if err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
		line(wire.InteractionComplete(messageID, interactionID, o.Reply, o.Completed))
		raw, err := engine.MarshalState(o.State)
		if err != nil {
			t.Fatal(err)
		}
		summary, _ := json.Marshal(struct {
			State         json.RawMessage       `json:"state"`
			Reply         string                `json:"reply"`
			InnerThoughts []engine.InnerThought `json:"inner_thoughts"`
			Completed     bool                  `json:"completed"`
			Model         string                `json:"model"`
		}{raw, o.Reply, o.InnerThoughts, o.Completed, o.Model})
		fmt.Fprintf(&out, "outcome: %s\n", summary)
		fmt.Fprintf(&out, "insights: %s\n", check("src__app__endpoints__conversation__get_interaction_insights__Response", wire.NewInteractionInsights(&o.Insights)))

		if st.input.Kind != engine.InputNone || state != nil {
			typ := engine.MessageUser
			if st.input.Kind == engine.InputExternalEvents {
				typ = engine.MessageExternal
			}
			if st.input.Kind != engine.InputSkip {
				history = append(history, engine.Message{Type: typ, Text: st.input.Text()})
			}
		}
		for _, it := range o.InnerThoughts {
			history = append(history, engine.Message{Type: engine.MessageInnerThought, Text: it.Text})
		}
		history = append(history, engine.Message{Type: engine.MessageAgent, Text: o.Reply})
		state = o.State
		if o.Completed != (i == len(s.steps)-1) {
			t.Fatalf("turn %d: completed = %v", i, o.Completed)
		}
	}
	return out.Bytes()
}

// TestGoldenTranscripts compares each scenario's transcript from the
// built-in model with testdata/<name>.golden (go test -update rewrites
// them).
func TestGoldenTranscripts(t *testing.T) {
	for i, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := transcript(t, engine.New(nil), i)
			path := filepath.Join("testdata", s.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -run TestGoldenTranscripts -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("transcript differs from %s (go test -update rewrites it):\n%s", path, got)
			}
		})
	}
}

// TestDeterministic runs every scenario twice on fresh walkers: the
// transcripts are byte for byte equal.
func TestDeterministic(t *testing.T) {
	for i, s := range scenarios {
		a, b := transcript(t, engine.New(nil), i), transcript(t, engine.New(engine.Builtin{}), i)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ:\n%s\n----\n%s", s.name, a, b)
		}
	}
}
