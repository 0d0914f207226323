package api_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/conformance"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

var updateTranscripts = flag.Bool("update-transcripts", false, "rewrite the golden NDJSON transcripts of testdata/conversations")

// checkEvent validates one event line against the stream's schema in
// conversations.json.
func checkEvent(t *testing.T, schema string, line []byte) {
	t.Helper()
	if s := conformance.ConversationSchemas(t); s != nil {
		if err := s.Check(schema, line); err != nil {
			t.Errorf("event %s does not conform to %s: %v", line, schema, err)
		}
	}
}

// golden compares a transcript with its file (or rewrites it with
// -update-transcripts).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "conversations", name)
	if *updateTranscripts {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-transcripts to write it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript %s differs; got:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestConversationTranscripts walks the clinic's machine with the built-in
// model through HTTP: every state type, a reference entered and left
// through its jumpback state, the terminal state ending the conversation,
// and a returning user's second conversation. The transcripts are golden.
func TestConversationTranscripts(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		cl := newClinic(t, env, "clinic")
		a := cl.admin
		known := map[string]string{}
		var lines []string
		turn := func(s *stream) map[string]any {
			t.Helper()
			if s.Status >= 300 {
				t.Fatalf("status %d: %s", s.Status, s.Body)
			}
			lines = append(lines, s.Lines...)
			lines = append(lines, "")
			done := s.complete(t)
			// Everything is committed before interaction-complete: the
			// messages and insights are there at once.
			msgs := a.Do(t, "GET", "/v1/clinic/conversation/"+conversationOf(t, s, known)+"/messages/?message_type=agent-message&limit=1", nil).Expect(200).JSON()
			if got := msgs["messages"].([]any)[0].(map[string]any); got["id"] != done["message_id"] || got["message"] != done["full_message"] {
				t.Errorf("the last agent message %v is not the interaction's %v", got, done)
			}
			a.Do(t, "GET", "/v1/clinic/conversation/"+conversationOf(t, s, known)+"/interaction/"+done["interaction_id"].(string)+"/insights", nil).Expect(200)
			return done
		}
		created := cl.create(t, a, "", nil)
		convID := created.event(t, "conversation-created")["conversation_id"].(string)
		known[`"`+convID+`"`] = `"<conversation>"`
		turn(created)
		turn(cl.interact(t, a, convID, "", form{Message: "I want to book an appointment"}))
		turn(cl.interact(t, a, convID, "", form{Message: "Tuesday is the day I choose"}))
		done := turn(cl.interact(t, a, convID, "", form{Message: "Yes, I confirm the details", AsFile: true}))
		if done["conversation_completed"] != true {
			t.Fatalf("the terminal state did not complete the conversation: %v", done)
		}
		golden(t, "jumpback.ndjson", normalize(lines, known))

		// A finished conversation takes no more messages.
		if s := cl.interact(t, a, convID, "", form{Message: "Hello again"}); s.Status != 409 {
			t.Fatalf("interacting with a finished conversation: %d, want 409", s.Status)
		}
		// The user returns: a new conversation starts in the returning
		// user's state, and an urgent request passes the tool-call state.
		lines, known = nil, map[string]string{}
		created = cl.create(t, a, "", nil)
		convID = created.event(t, "conversation-created")["conversation_id"].(string)
		known[`"`+convID+`"`] = `"<conversation>"`
		turn(created)
		turn(cl.interact(t, a, convID, "", form{Message: "I want to book an appointment for an urgent problem"}))
		turn(cl.interact(t, a, convID, "", form{Message: "I confirm the details"}))
		golden(t, "urgent.ndjson", normalize(lines, known))
	})
}

// conversationOf returns the conversation id a transcript's placeholders
// name.
func conversationOf(t *testing.T, s *stream, known map[string]string) string {
	for id, name := range known {
		if name == `"<conversation>"` {
			return strings.Trim(id, `"`)
		}
	}
	t.Fatal("no conversation id known")
	return ""
}

// TestConversationEventFilter: current-agent-action events need
// Conversation:GetInteractionInsights and pass the query's regular
// expression; the other events always come, in the spec's order.
func TestConversationEventFilter(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	cl := newClinic(t, env, "clinic")
	s := cl.create(t, cl.admin, "response_format=text&current_agent_action_type=%5E%24", nil)
	for _, typ := range s.types() {
		if strings.HasPrefix(typ, "current-agent-action") {
			t.Fatalf("^$ let %s through: %v", typ, s.types())
		}
	}
	id := s.event(t, "conversation-created")["conversation_id"].(string)
	s = cl.interact(t, cl.admin, id, "request_format=text&response_format=text&current_agent_action_type=exit-condition", form{Message: "I want to book an appointment"})
	types := s.types()
	if types[0] != "user-message-available" {
		t.Fatalf("first event %s, want user-message-available", types[0])
	}
	var actions []string
	seq := 0
	for i, typ := range types {
		if strings.HasPrefix(typ, "current-agent-action") {
			actions = append(actions, typ)
			if !strings.Contains(typ, "exit-condition") {
				t.Errorf("the filter let %s through", typ)
			}
			if slices.Contains(types[:i], "new-message") {
				t.Errorf("an action after the reply began: %v", types)
			}
		}
		if typ == "new-message" {
			if n := int(s.Events[i]["sequence_number"].(float64)); n != seq {
				t.Errorf("sequence_number %d, want %d", n, seq)
			}
			seq++
		}
	}
	if len(actions) == 0 {
		t.Fatalf("no exit-condition action: %v", types)
	}
	last := s.Events[len(s.Events)-2]
	if last["type"] != "new-message" || last["stop"] != true {
		t.Fatalf("the last piece %v has no stop", last)
	}
}

// TestConversationRaces: two interactions of one conversation at once get
// one 200 and one 409; two creations for one user and service, one 201.
func TestConversationRaces(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		cl := newClinic(t, env, "clinic")
		statuses := func(n int, call func() int) []int {
			var wg sync.WaitGroup
			out := make([]int, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					out[i] = call()
				}()
			}
			close(start)
			wg.Wait()
			slices.Sort(out)
			return out
		}
		got := statuses(2, func() int { return cl.create(t, cl.admin, "", nil).Status })
		if !slices.Equal(got, []int{201, 400}) {
			t.Fatalf("two creates: %v, want [201 400]", got)
		}
		var list struct {
			Conversations []struct {
				ID string `json:"id"`
			} `json:"conversations"`
		}
		cl.admin.Do(t, "GET", "/v1/clinic/conversation/", nil).Expect(200).Decode(&list)
		if len(list.Conversations) != 1 {
			t.Fatalf("%d conversations, want 1", len(list.Conversations))
		}
		id := list.Conversations[0].ID
		for range 3 {
			got = statuses(2, func() int {
				return cl.interact(t, cl.admin, id, "", form{Message: "Tell me more"}).Status
			})
			if got[0] != 200 || (got[1] != 409 && got[1] != 200) {
				t.Fatalf("two interacts: %v, want one 200 and one 409 (or two 200 one after the other)", got)
			}
		}
	})
}

// TestConversationRefusals: everything refusable is refused with a status
// before the stream starts.
func TestConversationRefusals(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		cl := newClinic(t, env, "clinic")
		a := cl.admin
		missing := "0123456789abcdef01234567"
		check := func(name string, s *stream, want int, detail string) {
			t.Helper()
			if s.Status != want || !strings.Contains(string(s.Body), detail) {
				t.Errorf("%s: %d %s, want %d with %q", name, s.Status, s.Body, want, detail)
			}
		}
		check("unknown service", cl.create(t, a, "", map[string]any{"service_id": missing}), 404, "Service")
		check("unknown version set", cl.create(t, a, "", map[string]any{"service_id": cl.service, "service_version_set_name": "nope"}), 404, "nope")
		check("bad fields", cl.create(t, a, "", map[string]any{"service_id": "xyz", "initial_message": "  ", "tags": map[string]any{"a-b": "x"}}), 422, `"service_id"`)
		check("no response_format", cl.create(t, a, "current_agent_action_type=x", nil), 422, `"response_format"`)
		check("bad regex", cl.create(t, a, "response_format=text&current_agent_action_type=%28", nil), 422, "current_agent_action_type")
		check("voice", cl.create(t, a, "response_format=voice", nil), 400, "voice")

		s := cl.create(t, a, "", nil)
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		check("unfinished conversation", cl.create(t, a, "", nil), 400, "unfinished")
		check("unknown conversation", cl.interact(t, a, missing, "", form{Message: "hi"}), 404, "")
		check("voice request", cl.interact(t, a, id, "request_format=voice&response_format=text", form{Message: "hi"}), 400, "request_format=voice")
		check("voice response", cl.interact(t, a, id, "request_format=text&response_format=voice", form{Message: "hi"}), 400, "response_format=voice")
		check("missing fields", cl.interact(t, a, id, "", form{Omit: []string{"initial_message_type", "recorded_message"}}), 422, "recorded_message")
		check("empty message", cl.interact(t, a, id, "", form{Message: "   "}), 400, "empty")
		check("skip with a message", cl.interact(t, a, id, "", form{Type: "skip", Message: "x"}), 422, "recorded_message")
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		check("future event", cl.interact(t, a, id, "", form{Message: "hi", Events: [][2]string{{"Lab results arrived", future}}}), 400, "not in the past")
		check("events out of order", cl.interact(t, a, id, "", form{Message: "hi", Events: [][2]string{
			{"one", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}, {"two", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}}}), 400, "chronological")
		check("unmatched timestamps", cl.interact(t, a, id, "", form{Message: "hi", Events: [][2]string{{"one", "yesterday"}}}), 422, "external_event_message_timestamp")

		// The TypeScript SDK posts voice as raw audio: still the voice 400.
		resp := openStream(t, t.Context(), env, a, "/v1/clinic/conversation/"+id+"/interact?request_format=voice&response_format=text", "audio/wav", strings.NewReader("RIFF...."))
		check("raw audio", readStream(t, resp, interactSchema), 400, "voice")
		resp = openStream(t, t.Context(), env, a, "/v1/clinic/conversation/"+id+"/interact?request_format=text&response_format=text", "application/json", strings.NewReader("{}"))
		check("not a form", readStream(t, resp, interactSchema), 422, "content-type")

		// None of the refusals touched the conversation: it still works,
		// and an event a few seconds ahead of the server's clock is fine.
		ahead := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
		s = cl.interact(t, a, id, "", form{Message: "I want to book an appointment", Events: [][2]string{{"The user opened the booking page", ahead}}})
		s.complete(t)
		if s.Events[0]["user_message"] != "I want to book an appointment" {
			t.Fatalf("user-message-available %v", s.Events[0])
		}
		msgs := a.Do(t, "GET", "/v1/clinic/conversation/"+id+"/messages/", nil).Expect(200).JSON()["messages"].([]any)
		var kinds []string
		for _, m := range msgs {
			kinds = append(kinds, m.(map[string]any)["message_type"].(string))
		}
		if !slices.Equal(kinds, []string{"agent-message", "user-message", "external-event", "agent-message"}) { // newest first
			t.Fatalf("messages %v", kinds)
		}
	})
}
