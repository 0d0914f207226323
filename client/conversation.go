package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"time"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The conversations' shapes, as the server declares them (package
// api/wire). A Conversation's FinalMessage is empty without
// Conversation:GetMessage on it, its VersionSetInfo nil without
// Service:GetVersionSet. A Message's MessageType is user-message,
// agent-message, agent-inner-thought or external-event.
type (
	Conversation          = wire.ConversationInstance
	VersionSetInfo        = wire.VersionSetInfo
	ConversationLLMConfig = wire.ConversationLLMConfig
	ConversationPage      = wire.ConversationList
	Message               = wire.MessageInstance
	MessagePage           = wire.MessageList
	// InteractionInsights is what get-interaction-insights returns: the
	// state the agent ended in and how it got there, one transition log
	// per transition, told apart by "type". Model is amigo-server's
	// extension: empty from servers without it.
	InteractionInsights = wire.InteractionInsights
	// ConversationStarterRequest is the body of
	// generate-conversation-starter; VersionSetName defaults to release.
	ConversationStarterRequest = wire.StarterInput
	ConversationStarter        = wire.Starter
	// UserModel is what get-user-model returns: what the server has
	// learned of a user from their finished conversations.
	UserModel = wire.UserModelResponse
	// CreateConversationRequest is the body of create-conversation:
	// VersionSetName defaults to release; InitialMessage, when set, is the
	// user's (or an external event's) first message, without it the agent
	// speaks first; InitialMessageType is user-message or external-event.
	CreateConversationRequest = wire.CreateConversationInput
)

// ConversationListOptions select conversations.
type ConversationListOptions struct {
	UserIDs    []string
	ServiceIDs []string
	IDs        []string
	IsFinished *bool
	// Tags are "key:value", "key:*" (any value) or "key:" (no value).
	Tags  []string
	Sort  []string
	Limit int
}

// ListConversations returns one page of conversations (get-conversations).
func (c *Client) ListConversations(ctx context.Context, opts ConversationListOptions, token int) (*ConversationPage, error) {
	q := listQuery{}
	q.list("user_id", opts.UserIDs)
	q.list("service_id", opts.ServiceIDs)
	q.list("id", opts.IDs)
	q.bool("is_finished", opts.IsFinished)
	q.list("tag", opts.Tags)
	q.list("sort_by", opts.Sort)
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out ConversationPage
	err := c.do(ctx, &request{op: "get-conversations", method: http.MethodGet, path: c.orgPath("/conversation/"), query: url.Values(q), retry: true, out: &out})
	return &out, err
}

// Conversations iterates every conversation selected by opts.
func (c *Client) Conversations(ctx context.Context, opts ConversationListOptions) iter.Seq2[Conversation, error] {
	return all(ctx, func(ctx context.Context, token int) ([]Conversation, Page, error) {
		p, err := c.ListConversations(ctx, opts, token)
		return p.Conversations, p.Page, err
	})
}

// MessageListOptions select messages of a conversation.
type MessageListOptions struct {
	IDs            []string
	MessageTypes   []string // default: external-event, agent-message, user-message
	InteractionIDs []string
	Sort           []string
	Limit          int
}

// ListMessages returns one page of a conversation's messages
// (get-conversation-messages).
func (c *Client) ListMessages(ctx context.Context, conversationID string, opts MessageListOptions, token int) (*MessagePage, error) {
	q := listQuery{}
	q.list("id", opts.IDs)
	q.list("message_type", opts.MessageTypes)
	q.list("interaction_id", opts.InteractionIDs)
	q.list("sort_by", opts.Sort)
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out MessagePage
	err := c.do(ctx, &request{op: "get-conversation-messages", method: http.MethodGet, path: c.orgPath("/conversation/%s/messages/", conversationID),
		query: url.Values(q), retry: true, out: &out})
	return &out, err
}

// Messages iterates every message of a conversation selected by opts.
func (c *Client) Messages(ctx context.Context, conversationID string, opts MessageListOptions) iter.Seq2[Message, error] {
	return all(ctx, func(ctx context.Context, token int) ([]Message, Page, error) {
		p, err := c.ListMessages(ctx, conversationID, opts, token)
		return p.Messages, p.Page, err
	})
}

// FinishConversation ends a conversation and starts its post-conversation
// processing (finish-conversation). It is not repeated: a second call
// would find the conversation finished.
func (c *Client) FinishConversation(ctx context.Context, conversationID string) error {
	return c.do(ctx, &request{op: "finish-conversation", method: http.MethodPost, path: c.orgPath("/conversation/%s/finish/", conversationID)})
}

// ModifyConversationTags adds or replaces the tags of updates (nil: a tag
// without value) and removes those of deletes (modify-tags-of-conversation).
// It sends both fields, {} and [] when there are none, as the official
// SDKs do.
func (c *Client) ModifyConversationTags(ctx context.Context, conversationID string, updates map[string]*string, deletes []string) error {
	if updates == nil {
		updates = map[string]*string{}
	}
	if deletes == nil {
		deletes = []string{}
	}
	return c.do(ctx, &request{op: "modify-tags-of-conversation", method: http.MethodPost, path: c.orgPath("/conversation/%s/tags/", conversationID),
		body: &wire.ModifyTagsInput{Updates: updates, Deletes: deletes}, retry: true})
}

// RecommendResponses suggests replies for the user after the latest
// interaction (recommend-responses-for-interaction). An empty context uses
// the server's default persona and scenario.
func (c *Client) RecommendResponses(ctx context.Context, conversationID, interactionID, context string) ([]string, error) {
	var body wire.RecommendInput
	if context != "" {
		body.Context = &context
	}
	var out wire.RecommendedResponses
	err := c.do(ctx, &request{op: "recommend-responses-for-interaction", method: http.MethodPost,
		path: c.orgPath("/conversation/%s/interaction/%s/recommend_responses", conversationID, interactionID), body: body, retry: true, out: &out})
	return out.RecommendedResponses, err
}

// GetInteractionInsights returns the insights of one interaction
// (get-interaction-insights).
func (c *Client) GetInteractionInsights(ctx context.Context, conversationID, interactionID string) (*InteractionInsights, error) {
	var out InteractionInsights
	err := c.do(ctx, &request{op: "get-interaction-insights", method: http.MethodGet,
		path: c.orgPath("/conversation/%s/interaction/%s/insights", conversationID, interactionID), retry: true, out: &out})
	return &out, err
}

// GetMessageSource returns the source of a voice message
// (retrieve-message-source); a text message has none (400).
func (c *Client) GetMessageSource(ctx context.Context, conversationID, messageID string) (json.RawMessage, error) {
	var out []byte
	err := c.do(ctx, &request{op: "retrieve-message-source", method: http.MethodGet,
		path: c.orgPath("/conversation/%s/messages/%s/source", conversationID, messageID), retry: true, raw: &out})
	return out, err
}

// GenerateConversationStarters returns opening prompts for a service
// (generate-conversation-starter).
func (c *Client) GenerateConversationStarters(ctx context.Context, in *ConversationStarterRequest) ([]ConversationStarter, error) {
	var out wire.Starters
	err := c.do(ctx, &request{op: "generate-conversation-starter", method: http.MethodPost, path: c.orgPath("/conversation/conversation_starter"),
		body: in, retry: true, out: &out})
	return out.Prompts, err
}

// GetUserModel returns a user's model (get-user-model).
func (c *Client) GetUserModel(ctx context.Context, userID string) (*UserModel, error) {
	var out UserModel
	err := c.do(ctx, &request{op: "get-user-model", method: http.MethodGet, path: c.orgPath("/user/%s/user_model", userID), retry: true, out: &out})
	return &out, err
}

// StreamOptions tune create-conversation and interact-with-conversation.
type StreamOptions struct {
	// AgentActionFilter is a regular expression of the current-agent-action
	// types to receive; empty receives all, "^$" none.
	AgentActionFilter string
}

func (o StreamOptions) query() url.Values {
	q := url.Values{"response_format": {"text"}}
	if o.AgentActionFilter != "" {
		q.Set("current_agent_action_type", o.AgentActionFilter)
	}
	return q
}

// CreateConversation starts a conversation (create-conversation) and
// returns its events as they arrive; the first is *ConversationCreated. A
// refusal before the stream starts is an *APIError.
func (c *Client) CreateConversation(ctx context.Context, in *CreateConversationRequest, opts StreamOptions) (*Stream, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("create-conversation: encode request: %w", err)
	}
	return c.openStream(ctx, &request{op: "create-conversation", method: http.MethodPost, path: c.orgPath("/conversation/"), query: opts.query()},
		body, "application/json")
}

// Message types of an interaction's initial message.
const (
	TypeUserMessage   = "user-message"
	TypeExternalEvent = "external-event"
	TypeSkip          = "skip"
)

// InteractRequest is the message of interact-with-conversation.
type InteractRequest struct {
	// Type is TypeUserMessage (the default), TypeExternalEvent or TypeSkip
	// (Message then empty).
	Type    string
	Message string
	// ExternalEvents are inserted before the message, in order.
	ExternalEvents []ExternalEvent
	// AsFile sends the message as a file part (message.txt), as the
	// Python SDK does, instead of a form field, as the TypeScript SDK does.
	AsFile bool
}

// ExternalEvent is an event of the world outside the conversation that
// the agent should know of.
type ExternalEvent struct {
	Content string
	At      time.Time
}

// Interact sends a message to a conversation
// (interact-with-conversation) and returns the events of the agent's
// answer as they arrive; the first is *UserMessageAvailable. A refusal
// before the stream starts is an *APIError: 409 while another interaction
// runs or once the conversation is finished.
func (c *Client) Interact(ctx context.Context, conversationID string, in *InteractRequest, opts StreamOptions) (*Stream, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	typ := in.Type
	if typ == "" {
		typ = TypeUserMessage
	}
	_ = mw.WriteField("initial_message_type", typ)
	for _, ev := range in.ExternalEvents {
		_ = mw.WriteField("external_event_message_content", ev.Content)
		_ = mw.WriteField("external_event_message_timestamp", ev.At.UTC().Format(time.RFC3339Nano))
	}
	if in.AsFile {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="recorded_message"; filename="message.txt"`)
		h.Set("Content-Type", "text/plain; charset=utf-8")
		part, _ := mw.CreatePart(h)
		_, _ = part.Write([]byte(in.Message))
	} else {
		_ = mw.WriteField("recorded_message", in.Message)
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("interact-with-conversation: encode request: %w", err)
	}
	q := opts.query()
	q.Set("request_format", "text")
	return c.openStream(ctx, &request{op: "interact-with-conversation", method: http.MethodPost,
		path: c.orgPath("/conversation/%s/interact", conversationID), query: q}, buf.Bytes(), mw.FormDataContentType())
}
