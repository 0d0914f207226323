package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// chatPage is "Try it": a conversation with a service in the browser,
// beside its state machine's graph. The page's script (chat.js) starts
// the conversation and sends messages through the console's stream
// endpoints and draws the events as they arrive.
type chatPage struct {
	Service client.Service
	Sets    []string
	// Set is the version set the conversation runs (or will run) on.
	Set string
	// Conversation is the open conversation the page continues, empty
	// until one is started.
	Conversation string
	Turns        []turnView
	// Graph is the API's SVG of the state-machine version of Set (or the
	// conversation's pinned version); empty when the caller may not read
	// the machine.
	Graph          template.HTML
	MachineVersion string
	CanInsights    bool
}

// turnView is one interaction's messages, in order.
type turnView struct {
	Interaction string
	Messages    []client.Message
}

func (c *Console) chat(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	svc, err := findService(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := chatPage{Service: *svc, Sets: slices.Sorted(maps.Keys(svc.VersionSets)), CanInsights: v.session.can(amigo.PermGetInteractionInsights)}
	p.Set = r.URL.Query().Get("set")
	if p.Set == "" {
		p.Set = "release"
	}
	if _, ok := svc.VersionSets[p.Set]; !ok {
		return &pageError{status: http.StatusNotFound, msg: fmt.Sprintf("Service %s has no version set %q.", svc.Name, p.Set)}
	}
	// An open conversation of the caller with this service is continued:
	// the API allows one at a time.
	open := false
	convs, err := v.api.ListConversations(ctx, client.ConversationListOptions{UserIDs: []string{v.session.caller.UserID}, ServiceIDs: []string{svc.ID},
		IsFinished: &open, Sort: []string{"-created_at"}, Limit: 1}, 0)
	if err != nil && !errors.Is(err, client.ErrForbidden) {
		return err
	}
	version := "latest"
	if vs := svc.VersionSets[p.Set]; vs.StateMachineVersion != nil && p.Set != "edge" {
		version = fmt.Sprint(*vs.StateMachineVersion)
	}
	if err == nil && len(convs.Conversations) == 1 {
		conv := convs.Conversations[0]
		p.Conversation = conv.ID
		if info := conv.VersionSetInfo; info != nil {
			p.Set = info.Name
			if n, ok := info.StateMachineInfo[1].(float64); ok {
				version = fmt.Sprint(int(n))
			}
		}
		if p.Turns, err = turns(r, v, conv.ID, false); err != nil {
			return err
		}
	}
	svg, err := v.api.StateMachineGraph(ctx, svc.StateMachineID, version, client.GraphSVG)
	switch {
	case err == nil:
		p.Graph, p.MachineVersion = template.HTML(svg), version
	case !errors.Is(err, client.ErrForbidden) && !errors.Is(err, client.ErrNotFound):
		return err
	}
	c.render(w, v, http.StatusOK, "chat.html", "Services", p)
	return nil
}

// turns returns a conversation's messages grouped by interaction, oldest
// first; with thoughts, the agent's inner thoughts among them.
func turns(r *http.Request, v *visit, conversation string, thoughts bool) ([]turnView, error) {
	opts := client.MessageListOptions{Sort: []string{"+interaction_id", "+created_at"}}
	if thoughts {
		opts.MessageTypes = []string{"user-message", "agent-message", "external-event", "agent-inner-thought"}
	}
	msgs, err := client.Collect(v.api.Messages(r.Context(), conversation, opts))
	if err != nil {
		return nil, err
	}
	var out []turnView
	for _, m := range msgs {
		if len(out) == 0 || out[len(out)-1].Interaction != m.InteractionID {
			out = append(out, turnView{Interaction: m.InteractionID})
		}
		out[len(out)-1].Messages = append(out[len(out)-1].Messages, m)
	}
	return out, nil
}

// startChat starts a conversation on the form's version set and relays
// its events (create-conversation).
func (c *Console) startChat(w http.ResponseWriter, r *http.Request, v *visit) error {
	api, err := c.streamClient(r, v)
	if err != nil {
		return err
	}
	in := client.CreateConversationRequest{ServiceID: r.PathValue("id")}
	if set := r.PostFormValue("set"); set != "" {
		in.VersionSetName = &set
	}
	s, err := api.CreateConversation(r.Context(), &in, client.StreamOptions{})
	c.relay(w, r, s, err)
	return nil
}

// interact sends the form's message and relays the agent's answer
// (interact-with-conversation).
func (c *Console) interact(w http.ResponseWriter, r *http.Request, v *visit) error {
	msg := strings.TrimSpace(r.PostFormValue("message"))
	if msg == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": http.StatusBadRequest, "detail": "Write a message first."})
		return nil
	}
	api, err := c.streamClient(r, v)
	if err != nil {
		return err
	}
	s, err := api.Interact(r.Context(), r.PathValue("cid"), &client.InteractRequest{Message: msg}, client.StreamOptions{})
	c.relay(w, r, s, err)
	return nil
}

// finishChat finishes a conversation (finish-conversation) for the
// page's script.
func (c *Console) finishChat(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.api.FinishConversation(r.Context(), r.PathValue("cid")); err != nil {
		c.writeJSONError(w, r, err)
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"finished": true})
	return nil
}

// recommendJSON answers the page's script with replies the user could
// give after an interaction (recommend-responses-for-interaction, which
// changes nothing).
func (c *Console) recommendJSON(w http.ResponseWriter, r *http.Request, v *visit) error {
	recs, err := v.api.RecommendResponses(r.Context(), r.PathValue("cid"), r.PathValue("iid"), "")
	if err != nil {
		c.writeJSONError(w, r, err)
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"recommended_responses": recs})
	return nil
}

// interactionInsights is what the page shows of one interaction: its
// insights, the inner thoughts they name and the model that answered.
// Allowed is false, and nothing else set, for a caller without
// Conversation:GetInteractionInsights on the conversation.
type interactionInsights struct {
	Allowed       bool                        `json:"allowed"`
	Insights      *client.InteractionInsights `json:"insights,omitempty"`
	InnerThoughts map[string]string           `json:"inner_thoughts,omitempty"`
}

// insightsJSON answers the page's script with an interaction's insights
// (get-interaction-insights) and inner thoughts.
func (c *Console) insightsJSON(w http.ResponseWriter, r *http.Request, v *visit) error {
	conv, id := r.PathValue("cid"), r.PathValue("iid")
	out, err := loadInsights(r, v, conv, id)
	if err != nil {
		c.writeJSONError(w, r, err)
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// loadInsights reads an interaction's insights and, only for a caller
// allowed them, its inner thoughts.
func loadInsights(r *http.Request, v *visit, conv, id string) (*interactionInsights, error) {
	ins, err := v.api.GetInteractionInsights(r.Context(), conv, id)
	if errors.Is(err, client.ErrForbidden) {
		return &interactionInsights{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &interactionInsights{Allowed: true, Insights: ins, InnerThoughts: map[string]string{}}
	thoughts, err := client.Collect(v.api.Messages(r.Context(), conv, client.MessageListOptions{MessageTypes: []string{"agent-inner-thought"},
		InteractionIDs: []string{id}}))
	if err != nil && !errors.Is(err, client.ErrForbidden) {
		return nil, err
	}
	for _, m := range thoughts {
		out.InnerThoughts[m.ID] = m.Message
	}
	return out, nil
}

// transitionView is one state transition of an interaction's insights.
type transitionView struct {
	Type          string   `json:"type"`
	From          string   `json:"previous_state"`
	To            string   `json:"next_state"`
	ExitCondition string   `json:"previous_state_exit_condition_description"`
	InnerThought  string   `json:"inner_thought_message_id"`
	Queries       []string `json:"performed_queries"`
}

// transitions decodes the state transition logs for a page.
func (ins *interactionInsights) Transitions() []transitionView {
	if ins.Insights == nil {
		return nil
	}
	var out []transitionView
	for _, log := range ins.Insights.StateTransitionLogs {
		var t transitionView
		if raw, err := json.Marshal(log); err == nil && json.Unmarshal(raw, &t) == nil {
			out = append(out, t)
		}
	}
	return out
}
