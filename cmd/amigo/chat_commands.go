package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/amigo-oss/amigo-server/client"
)

// command runs one of the chat's slash commands; done ends the chat.
func (ch *chat) command(ctx context.Context, line string) (done bool, err error) {
	name, _, _ := strings.Cut(line, " ")
	switch name {
	case "/help":
		fmt.Fprintln(ch.out, "/state  /insights  /recommend  /finish  /quit — and Ctrl-C cancels a reply as it streams")
	case "/quit", "/exit":
		ch.leave()
		return true, nil
	case "/finish":
		if ch.completed {
			ch.note("(conversation %s is already finished)", ch.conversation)
			return true, nil
		}
		if err := ch.c.FinishConversation(ctx, ch.conversation); err != nil {
			return false, err
		}
		ch.completed = true
		if ch.flags.json {
			return true, ch.jsonLine(map[string]any{"type": "conversation-finished", "conversation_id": ch.conversation})
		}
		fmt.Fprintf(ch.out, "(conversation %s finished)\n", ch.conversation)
		return true, nil
	case "/state":
		return false, ch.state(ctx)
	case "/insights":
		if ch.interaction == "" {
			return false, fmt.Errorf("no interaction has completed yet")
		}
		ins, err := loadInsights(ctx, ch.c, ch.conversation, ch.interaction)
		if err != nil {
			return false, err
		}
		if ch.flags.json {
			return false, ch.jsonLine(ins)
		}
		ins.print(ch.out)
	case "/recommend":
		if ch.interaction == "" {
			return false, fmt.Errorf("no interaction has completed yet")
		}
		recs, err := ch.c.RecommendResponses(ctx, ch.conversation, ch.interaction, "")
		if err != nil {
			return false, err
		}
		if ch.flags.json {
			return false, ch.jsonLine(map[string]any{"recommended_responses": recs})
		}
		for i, r := range recs {
			fmt.Fprintf(ch.out, "  %d. %s\n", i+1, r)
		}
	default:
		return false, fmt.Errorf("unknown command %s: /state, /insights, /recommend, /finish or /quit", name)
	}
	return false, nil
}

// state prints the conversation and the state its latest interaction left
// it in.
func (ch *chat) state(ctx context.Context) error {
	page, err := ch.c.ListConversations(ctx, client.ConversationListOptions{IDs: []string{ch.conversation}}, 0)
	if err != nil {
		return err
	}
	if len(page.Conversations) != 1 {
		return fmt.Errorf("conversation %s not found", ch.conversation)
	}
	conv := page.Conversations[0]
	st := struct {
		ConversationID string `json:"conversation_id"`
		InteractionID  string `json:"interaction_id"`
		State          string `json:"current_state_name"`
		Objective      string `json:"current_state_objective"`
		IsFinished     bool   `json:"is_finished"`
		NumMessages    int    `json:"num_messages"`
	}{ConversationID: conv.ID, InteractionID: ch.interaction, IsFinished: conv.IsFinished, NumMessages: conv.NumMessages}
	if ch.interaction != "" {
		ins, err := ch.c.GetInteractionInsights(ctx, ch.conversation, ch.interaction)
		if err != nil {
			return err
		}
		st.State, st.Objective = ins.CurrentStateName, ins.CurrentStateObjective
	}
	if ch.flags.json {
		return ch.jsonLine(st)
	}
	fmt.Fprintf(ch.out, "conversation %s: %d messages, finished %v\nstate: %s", st.ConversationID, st.NumMessages, st.IsFinished, or(st.State, "(none yet)"))
	if st.Objective != "" {
		fmt.Fprintf(ch.out, " — %s", st.Objective)
	}
	fmt.Fprintln(ch.out)
	return nil
}

func (ch *chat) jsonLine(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(ch.out, "%s\n", data)
	return err
}

// insights is one interaction's insights with its inner thoughts, which
// the transition logs name by message id.
type insights struct {
	InteractionID string `json:"interaction_id"`
	*client.InteractionInsights
	// InnerThoughts maps message ids to the text of the interaction's
	// agent-inner-thought messages; empty for a caller who may not read
	// them.
	InnerThoughts map[string]string `json:"inner_thoughts"`
}

// transition is the part of a state transition log the terminal shows.
type transition struct {
	Type          string   `json:"type"`
	From          string   `json:"previous_state"`
	To            string   `json:"next_state"`
	ExitCondition string   `json:"previous_state_exit_condition_description"`
	InnerThought  string   `json:"inner_thought_message_id"`
	Queries       []string `json:"performed_queries"`
}

func loadInsights(ctx context.Context, c *client.Client, conversation, interaction string) (*insights, error) {
	ins, err := c.GetInteractionInsights(ctx, conversation, interaction)
	if err != nil {
		return nil, err
	}
	out := &insights{InteractionID: interaction, InteractionInsights: ins, InnerThoughts: map[string]string{}}
	thoughts, err := client.Collect(c.Messages(ctx, conversation, client.MessageListOptions{MessageTypes: []string{"agent-inner-thought"},
		InteractionIDs: []string{interaction}}))
	if err != nil && !isForbidden(err) {
		return nil, err
	}
	for _, m := range thoughts {
		out.InnerThoughts[m.ID] = m.Message
	}
	return out, nil
}

func (ins *insights) print(w io.Writer) {
	fmt.Fprintf(w, "interaction %s\n  state: %s", ins.InteractionID, ins.CurrentStateName)
	if ins.CurrentStateObjective != "" {
		fmt.Fprintf(w, " — %s", ins.CurrentStateObjective)
	}
	fmt.Fprintln(w)
	if ins.CurrentStateAction != "" {
		fmt.Fprintf(w, "  action: %s\n", ins.CurrentStateAction)
	}
	for _, log := range ins.StateTransitionLogs {
		var t transition
		if raw, err := json.Marshal(log); err != nil || json.Unmarshal(raw, &t) != nil {
			continue
		}
		fmt.Fprintf(w, "  %s → %s (%s)", t.From, t.To, t.Type)
		switch {
		case t.ExitCondition != "":
			fmt.Fprintf(w, ": %q", t.ExitCondition)
		case t.InnerThought != "":
			if text, ok := ins.InnerThoughts[t.InnerThought]; ok {
				fmt.Fprintf(w, ": thought %q", text)
			}
		case len(t.Queries) > 0:
			fmt.Fprintf(w, ": recalled %q", t.Queries)
		}
		fmt.Fprintln(w)
	}
	for _, r := range ins.Reflections {
		fmt.Fprintf(w, "  reflection: %s\n", r)
	}
	for _, m := range ins.WorkingMemory {
		fmt.Fprintf(w, "  memory: %s (%s)\n", m.Content, m.Context)
	}
}

func isForbidden(err error) bool { return errors.Is(err, client.ErrForbidden) }
