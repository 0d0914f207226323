package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
)

// conversationFilter parses get-conversations' query parameters.
func (q *queryParams) conversationFilter() amigo.ConversationFilter {
	f := amigo.ConversationFilter{
		UserIDs: q.list("user_id", nil), ServiceIDs: q.list("service_id", idPattern), IDs: q.list("id", idPattern),
		Finished: q.bool("is_finished"),
		Limit:    q.intAbove("limit", 150, 0, 150), Offset: q.int("continuation_token", 0, 0, -1),
		Sort: q.sort(map[string]string{"created_at": "created_at"}),
	}
	for i, raw := range q.values["tag"] {
		key, value, ok := strings.Cut(raw, ":")
		if !ok || strings.TrimSpace(key) == "" {
			q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{"tag", i}, Type: "value_error",
				Msg: "Tags must be written key:value, key:* (any value) or key: (no value)."})
			continue
		}
		t := amigo.TagFilter{Key: key, Any: value == "*"}
		if value != "" && value != "*" {
			t.Value = &value
		}
		f.Tags = append(f.Tags, t)
	}
	return f
}

func (s *Server) getConversations(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := q.conversationFilter()
	if err := q.err(); err != nil {
		return err
	}
	convs, next, more, err := s.app.ListConversations(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := wire.ConversationList{Conversations: make([]wire.ConversationInstance, len(convs)), Page: wire.Page{HasMore: more, ContinuationToken: next}}
	for i, c := range convs {
		out.Conversations[i] = wire.NewConversation(c.Conversation, c.ShowFinalMessage, c.ShowVersionSet)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// defaultMessageTypes are the types get-conversation-messages lists when
// message_type is absent: every type but inner thoughts.
var defaultMessageTypes = []amigo.MessageType{amigo.MessageExternalEvent, amigo.MessageAgent, amigo.MessageUser}

// messageFilter parses get-conversation-messages' query parameters.
func (q *queryParams) messageFilter() amigo.MessageFilter {
	f := amigo.MessageFilter{
		IDs: q.list("id", idPattern), InteractionIDs: q.list("interaction_id", idPattern),
		Limit: q.intAbove("limit", 500, 0, 500), Offset: q.int("continuation_token", 0, 0, -1),
		Sort: q.sort(map[string]string{"interaction_id": "interaction", "created_at": "created_at"}),
	}
	types := q.values["message_type"]
	if len(types) == 0 {
		f.Types = defaultMessageTypes
	}
	for i, raw := range types {
		typ := amigo.MessageType(raw)
		if !slices.Contains(amigo.MessageTypes, typ) {
			q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{"message_type", i}, Type: "enum",
				Msg: "Input should be 'user-message', 'agent-message', 'agent-inner-thought' or 'external-event'"})
			continue
		}
		f.Types = append(f.Types, typ)
	}
	return f
}

func (s *Server) getConversationMessages(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := q.messageFilter()
	if err := q.err(); err != nil {
		return err
	}
	msgs, next, more, err := s.app.ListMessages(r.Context(), t, r.PathValue("conversation_id"), f)
	if err != nil {
		return err
	}
	out := wire.MessageList{Messages: make([]wire.MessageInstance, len(msgs)), Page: wire.Page{HasMore: more, ContinuationToken: next}}
	for i, m := range msgs {
		out.Messages[i] = wire.NewMessageInstance(m)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) finishConversation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.FinishConversation(r.Context(), t, r.PathValue("conversation_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) modifyConversationTags(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.ModifyTagsInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := core.ModifyTagsInput{Updates: in.Updates, Deletes: in.Deletes, Malformed: bad}
	if err := s.app.ModifyConversationTags(r.Context(), t, r.PathValue("conversation_id"), &cmd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) retrieveMessageSource(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	q.bool("long_lived")
	if err := q.err(); err != nil {
		return err
	}
	// This server stores no audio: every answer is a refusal.
	return s.app.MessageSource(r.Context(), t, r.PathValue("conversation_id"), r.PathValue("message_id"))
}

func (s *Server) getUserModel(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	m, err := s.app.GetUserModel(r.Context(), t, r.PathValue("user_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.NewUserModelResponse(m.Models, m.AdditionalContext))
	return nil
}
