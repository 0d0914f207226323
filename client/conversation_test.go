package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// clinicService creates, through the SDK, an agent, a two-state machine
// whose "ask" state leaves to the terminal "bye" when the user says
// goodbye, and a service of them.
func clinicService(t *testing.T, ctx context.Context, c *client.Client) string {
	t.Helper()
	agent, err := c.CreateAgent(ctx, "Robin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAgentVersion(ctx, agent, nil, agentVersion("RN")); err != nil {
		t.Fatal(err)
	}
	machine, err := c.CreateStateMachine(ctx, "talk")
	if err != nil {
		t.Fatal(err)
	}
	var spec client.StateMachineSpec
	if err := json.Unmarshal([]byte(`{
		"description": "Ask, then say goodbye.", "new_user_initial_state": "ask", "returning_user_initial_state": "ask", "terminal_state": "bye",
		"references": {}, "global_intra_state_navigation_guidelines": [], "global_action_guidelines": [], "global_boundary_constraints": [],
		"states": [
			{"type": "action", "name": "ask", "objective": "Learn what the user needs.", "actions": ["Ask how you can help."],
			 "intra_state_navigation_guidelines": [], "action_guidelines": [], "boundary_constraints": [], "action_tool_call_specs": [],
			 "exit_condition_tool_call_specs": [], "exit_conditions": [{"description": "The user says goodbye.", "next_state": "bye"}]},
			{"type": "action", "name": "bye", "objective": "Close kindly.", "actions": ["Say goodbye."],
			 "intra_state_navigation_guidelines": [], "action_guidelines": [], "boundary_constraints": [], "action_tool_call_specs": [],
			 "exit_condition_tool_call_specs": [], "exit_conditions": []}
		]}`), &spec); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStateMachineVersion(ctx, machine, nil, false, &spec); err != nil {
		t.Fatal(err)
	}
	svc, err := c.CreateService(ctx, &client.CreateServiceRequest{StateMachineID: new(machine), AgentID: new(agent), Name: new("Talk"), Description: new("Talks."), IsActive: new(true),
		Keyterms: new([]string{}), Tags: new(map[string]*string{})})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestConversationSDK drives a conversation through the SDK: typed events
// as they arrive, both transports of interact (a form field, as the
// TypeScript SDK sends it, and a file part, as the Python SDK does), the
// calls clients make right after interaction-complete, and the user model
// the finished conversation leaves.
func TestConversationSDK(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		ctx := context.Background()
		c := newClient(t, env, env.URL)
		svc := clinicService(t, ctx, c)

		s, err := c.CreateConversation(ctx, &client.CreateConversationRequest{ServiceID: svc}, client.StreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var convID string
		pieces := 0
		for s.Next() {
			switch ev := s.Current().(type) {
			case *client.ConversationCreated:
				convID = ev.ConversationID
			case *client.NewMessage:
				if ev.SequenceNumber != pieces {
					t.Fatalf("piece %d, want %d", ev.SequenceNumber, pieces)
				}
				pieces++
			}
		}
		if err := s.Err(); err != nil || convID == "" || pieces == 0 {
			t.Fatalf("create: %v, conversation %q, %d pieces", err, convID, pieces)
		}
		s.Close()

		// Tags: both fields go on the wire, {} and [] when there are none, as
		// the official SDKs send them; a nil value is a tag without value.
		p := newProxy(t, env.URL)
		pc := newClient(t, env, p.URL)
		for _, step := range []struct {
			updates map[string]*string
			deletes []string
			body    string
			tags    map[string]*string
		}{
			{map[string]*string{"team": ptr("support"), "vip": nil}, nil, `{"updates":{"team":"support","vip":null},"deletes":[]}`, map[string]*string{"team": ptr("support"), "vip": nil}},
			{nil, []string{"vip"}, `{"updates":{},"deletes":["vip"]}`, map[string]*string{"team": ptr("support")}},
		} {
			if err := pc.ModifyConversationTags(ctx, convID, step.updates, step.deletes); err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			body := p.bodies[len(p.bodies)-1]
			p.mu.Unlock()
			if body != step.body {
				t.Errorf("modify-tags-of-conversation sent %s, want %s", body, step.body)
			}
			page, err := c.ListConversations(ctx, client.ConversationListOptions{IDs: []string{convID}}, 0)
			if err != nil || len(page.Conversations) != 1 || !maps.EqualFunc(page.Conversations[0].Tags, step.tags, func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }) {
				t.Fatalf("after %s: %+v, %v", body, page, err)
			}
		}

		// A second conversation of the same service is refused before any
		// event, as an *APIError.
		if _, err := c.CreateConversation(ctx, &client.CreateConversationRequest{ServiceID: svc}, client.StreamOptions{}); !errors.Is(err, client.ErrBadRequest) {
			t.Fatalf("a second unfinished conversation: %v, want ErrBadRequest", err)
		}

		var last *client.InteractionComplete
		for _, asFile := range []bool{false, true} {
			s, err := c.Interact(ctx, convID, &client.InteractRequest{Message: "Could you help me with my plan?", AsFile: asFile,
				ExternalEvents: []client.ExternalEvent{{Content: "The user opened the app", At: time.Now().Add(-time.Second)}}}, client.StreamOptions{AgentActionFilter: "^$"})
			if err != nil {
				t.Fatal(err)
			}
			if !s.Next() {
				t.Fatalf("no event: %v", s.Err())
			}
			if um, ok := s.Current().(*client.UserMessageAvailable); !ok || um.UserMessage != "Could you help me with my plan?" {
				t.Fatalf("first event %#v (file part %v)", s.Current(), asFile)
			}
			if last, err = s.Complete(); err != nil || last == nil || last.ConversationCompleted {
				t.Fatalf("interact (file part %v): %+v, %v", asFile, last, err)
			}
		}

		// What the SDKs call at once after interaction-complete.
		recs, err := c.RecommendResponses(ctx, convID, last.InteractionID, "")
		if err != nil || len(recs) == 0 {
			t.Fatalf("recommend: %v, %v", recs, err)
		}
		ins, err := c.GetInteractionInsights(ctx, convID, last.InteractionID)
		if err != nil || ins.CurrentStateName != "ask" {
			t.Fatalf("insights: %+v, %v", ins, err)
		}
		msgs, err := client.Collect(c.Messages(ctx, convID, client.MessageListOptions{}))
		if err != nil || len(msgs) != 7 || msgs[0].ID != last.MessageID {
			t.Fatalf("messages: %d, %v", len(msgs), err)
		}
		starters, err := c.GenerateConversationStarters(ctx, &client.ConversationStarterRequest{ServiceID: svc, Facets: []string{"plans", "billing"},
			MinCount: 2, MaxCount: 3, GenerationInstructions: "Short questions."})
		if err != nil || len(starters) < 2 || len(starters) > 3 {
			t.Fatalf("starters: %+v, %v", starters, err)
		}

		// Goodbye reaches the terminal state: the conversation finishes by
		// itself, and its post-conversation processing updates the user's
		// model.
		// Its steps arrive as typed actions: the move to "bye" among them.
		s, err = c.Interact(ctx, convID, &client.InteractRequest{Message: "Thanks, goodbye"}, client.StreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for s.Next() {
			if ev, ok := s.Current().(*client.CurrentAgentAction); ok {
				if _, raw := ev.Action.(json.RawMessage); raw {
					t.Errorf("action %s left undecoded", s.Raw())
				}
				if tr, ok := ev.Action.(client.StateTransitionedAction); ok {
					moves = append(moves, tr.PrevState+"→"+tr.NextState)
				}
			}
			if done, ok := s.Current().(*client.InteractionComplete); ok {
				last = done
			}
		}
		s.Close()
		if err := s.Err(); err != nil || !last.ConversationCompleted || !slices.Contains(moves, "ask→bye") {
			t.Fatalf("goodbye: %+v, moves %v, %v", last, moves, err)
		}
		if _, err := c.Interact(ctx, convID, &client.InteractRequest{Message: "Hello?"}, client.StreamOptions{}); !errors.Is(err, client.ErrConflict) {
			t.Fatalf("interacting with a finished conversation: %v, want ErrConflict", err)
		}
		if n := env.Runtime.PostConversation.RunDue(ctx); n != 1 {
			t.Fatalf("%d post-conversation jobs ran, want 1", n)
		}
		um, err := c.GetUserModel(ctx, env.UserID)
		if err != nil || len(um.UserModels) == 0 || um.UserModels[0].Content == "" {
			t.Fatalf("user model: %+v, %v", um, err)
		}
	})
}
