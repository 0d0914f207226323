package amigo

import (
	"context"
	"time"
)

// MessageType is the kind of a message, as the spec's MessageType names it.
type MessageType string

// The message types of the spec.
const (
	MessageUser          MessageType = "user-message"
	MessageAgent         MessageType = "agent-message"
	MessageInnerThought  MessageType = "agent-inner-thought"
	MessageExternalEvent MessageType = "external-event"
)

// MessageTypes lists every message type in the spec's order.
var MessageTypes = []MessageType{MessageUser, MessageAgent, MessageInnerThought, MessageExternalEvent}

// Formats a message is delivered in (the spec's Format).
const (
	FormatText  = "text"
	FormatVoice = "voice"
)

// InteractionStatus is where an interaction stands.
type InteractionStatus string

// The statuses of an interaction. A running interaction holds its
// conversation's lease; it ends complete (its messages committed) or
// failed (nothing it produced was kept).
const (
	InteractionRunning  InteractionStatus = "running"
	InteractionComplete InteractionStatus = "complete"
	InteractionFailed   InteractionStatus = "failed"
)

// PostUserModels is the post-conversation processing that updates the
// user's model (the spec's PostAnalysisType "generate-user-models").
const PostUserModels = "generate-user-models"

// Conversation is one user's conversation with a service. It pins, at
// creation, the agent and state machine versions and the LLM preferences
// of the version set it was started on, and keeps them even when that
// version set moves on.
type Conversation struct {
	ID        string
	OrgID     string
	ServiceID string
	UserID    string
	// VersionSetName is the version set the conversation was created on.
	VersionSetName      string
	AgentID             string
	AgentVersion        int
	StateMachineID      string
	StateMachineVersion int
	LLMModelPreferences map[string]LLMConfig
	// Tags map keys to values; a nil value is a tag without value.
	Tags       map[string]*string
	Finished   bool
	FinishedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// EngineState is what the conversation engine serialised after the
	// last complete interaction; the store keeps it opaque.
	EngineState []byte
	// Lease is the running interaction's hold on the conversation, nil
	// when none was ever taken or the last one was released. A lease whose
	// Until has passed no longer protects anything: the next interaction
	// takes it over.
	Lease *Lease

	// The fields below are maintained by the store and read-only.

	// Interactions counts the interactions ever begun, failed ones
	// included.
	Interactions int
	// NumMessages counts the stored messages of every type.
	NumMessages int
	// FinalMessageID and FinalMessage are the most recent message that is
	// not an inner thought ("" when there is none).
	FinalMessageID string
	FinalMessage   string
	// CompletedPostProcessings lists the post-conversation processings
	// done (PostUserModels); non-empty means the conversation is analysed.
	CompletedPostProcessings []string
}

// Lease is an interaction's exclusive hold on its conversation, taken by
// one server (Owner, a token unique to the holder) until a time.
type Lease struct {
	InteractionID string
	Owner         string
	Until         time.Time
}

// Held reports whether the lease still protects its interaction at now.
func (l *Lease) Held(now time.Time) bool { return l != nil && l.Until.After(now) }

// Interaction is one turn of a conversation: what the user (or an external
// event) said and what the agent did in answer.
type Interaction struct {
	ID             string
	OrgID          string
	ConversationID string
	// Sequence numbers the conversation's interactions from 1; the store
	// assigns it.
	Sequence  int
	Status    InteractionStatus
	Model     string // the model that served it, as the engine names it
	StartedAt time.Time
	// FinishedAt is set when the interaction completes or fails.
	FinishedAt *time.Time
	// Insights is what the engine serialised about the interaction (its
	// state-transition logs); opaque to the store.
	Insights []byte
}

// Message is one message of a conversation.
type Message struct {
	ID             string
	OrgID          string
	ConversationID string
	InteractionID  string
	// Sender is a human-friendly name of the sender.
	Sender    string
	Type      MessageType
	Content   string
	Format    string // FormatText or FormatVoice
	CreatedAt time.Time
}

// UserModel is what the post-conversation processing learnt about a user.
type UserModel struct {
	OrgID     string
	UserID    string
	Models    []UserModelEntry
	UpdatedAt time.Time
}

// UserModelEntry is one model of a user, as the spec's UserModel.
type UserModelEntry struct {
	Content    string
	InsightIDs []string
	Dimensions []UserDimension
}

// PostConversationJob is durable work to do once a conversation is
// finished. Runners claim a job with a lease, so a job survives restarts
// and two runners never hold it at once.
type PostConversationJob struct {
	ID             string
	OrgID          string
	ConversationID string
	UserID         string
	Kind           string // PostUserModels
	// Attempts counts the claims so far, this one included.
	Attempts  int
	LastError string
	CreatedAt time.Time
	// AvailableAt is when the job may next be claimed.
	AvailableAt time.Time
	// Lease is the claim, nil when the job is not claimed.
	Lease *Lease
}

// ConversationFilter selects conversations for listing. Empty slices do
// not filter; several tags must all match.
type ConversationFilter struct {
	IDs        []string
	UserIDs    []string
	ServiceIDs []string
	Finished   *bool
	Tags       []TagFilter
	// Sort orders by created_at (default: creation, ascending).
	Sort   []SortField
	Offset int
	Limit  int
}

// MessageFilter selects messages of a conversation for listing.
type MessageFilter struct {
	IDs            []string
	Types          []MessageType // empty: every type
	InteractionIDs []string
	// Sort orders by "interaction" (the interaction's sequence) or
	// "created_at"; messages are always ordered by their position in the
	// conversation last. Empty: newest first.
	Sort   []SortField
	Offset int
	Limit  int
}

// InteractionResult is what a complete interaction commits.
type InteractionResult struct {
	OrgID          string
	ConversationID string
	InteractionID  string
	// Owner is the lease's owner token given to BeginInteraction.
	Owner       string
	Messages    []*Message
	EngineState []byte
	Insights    []byte
	FinishedAt  time.Time
	// Finish, when set, is the post-conversation job of a conversation
	// that reached its terminal state: the conversation is finished at
	// FinishedAt and the job enqueued in the same transaction (its OrgID,
	// ConversationID and UserID are filled in).
	Finish *PostConversationJob
}

// FinishCheck decides whether a conversation may be finished, given the
// conversation as stored (locked for the rest of the transaction).
type FinishCheck func(c *Conversation) error

// ConversationBasis is what creating a conversation of a service for a
// user decides on (ConversationStore.ConversationBasis).
type ConversationBasis struct {
	Service *Service
	// AgentFound and StateMachineFound say whether the service's agent and
	// state machine exist; LatestAgentVersion and
	// LatestStateMachineVersion are their latest versions, nil while they
	// have none.
	AgentFound, StateMachineFound                 bool
	LatestAgentVersion, LatestStateMachineVersion *int
	// Returning is set when the user has finished a conversation of the
	// service before.
	Returning bool
}

// ConversationStore persists conversations, their interactions and
// messages, user models and post-conversation jobs. The rules that two
// servers must agree on are enforced by the database.
type ConversationStore interface {
	// CreateConversation stores c together with its first interaction,
	// which holds c.Lease (required, naming first.ID), in one transaction;
	// first gets Sequence 1. ECONFLICT if the user has an unfinished
	// conversation of the service.
	CreateConversation(ctx context.Context, c *Conversation, first *Interaction) error
	// ConversationBasis reads what creating a conversation of a service
	// for a user decides on, at once (one round trip where the database
	// allows). ENOTFOUND for the service.
	ConversationBasis(ctx context.Context, orgID, serviceID, userID string) (*ConversationBasis, error)
	// FindConversation returns ENOTFOUND.
	FindConversation(ctx context.Context, orgID, id string) (*Conversation, error)
	// ListConversations returns one page and whether more follow.
	ListConversations(ctx context.Context, orgID string, f ConversationFilter) ([]*Conversation, bool, error)
	// BeginInteraction stores i (Sequence assigned, Status running) and
	// gives it the conversation's lease, if no lease is held at
	// i.StartedAt; an expired lease is taken over and its interaction
	// marked failed. Returns the conversation as it now stands and, read
	// in the same transaction, its last history messages, newest first
	// (none for 0). ENOTFOUND; ECONFLICT if the conversation is finished
	// or another interaction holds the lease.
	BeginInteraction(ctx context.Context, i *Interaction, lease Lease, history int) (*Conversation, []*Message, error)
	// RenewLease moves the lease's end to until. ECONFLICT if owner no
	// longer holds it for interactionID.
	RenewLease(ctx context.Context, orgID, conversationID, interactionID, owner string, until time.Time) error
	// CompleteInteraction stores the result's messages, engine state and
	// insights, marks the interaction complete and releases the lease, and
	// with r.Finish finishes the conversation and enqueues the job, all in
	// one transaction. ECONFLICT, writing nothing, if the lease was lost.
	CompleteInteraction(ctx context.Context, r *InteractionResult) error
	// FailInteraction marks the interaction failed and releases the lease,
	// writing no message. ECONFLICT if owner does not hold the lease (the
	// interaction was then already failed by whoever took it over).
	FailInteraction(ctx context.Context, orgID, conversationID, interactionID, owner string, at time.Time) error
	// FindInteraction returns ENOTFOUND.
	FindInteraction(ctx context.Context, orgID, conversationID, id string) (*Interaction, error)
	// LastInteraction returns the conversation's latest interaction;
	// ENOTFOUND if it has none.
	LastInteraction(ctx context.Context, orgID, conversationID string) (*Interaction, error)
	// ListMessages returns one page of a conversation's messages and
	// whether more follow. An unknown conversation has none.
	ListMessages(ctx context.Context, orgID, conversationID string, f MessageFilter) ([]*Message, bool, error)
	// FindMessage returns ENOTFOUND.
	FindMessage(ctx context.Context, orgID, conversationID, id string) (*Message, error)
	// FinishConversation locks the conversation (ENOTFOUND), lets check
	// refuse (its error is returned unchanged), then deletes a
	// conversation without messages (deleted true) or marks it finished
	// at and enqueues job, all in one transaction.
	FinishConversation(ctx context.Context, orgID, id string, at time.Time, check FinishCheck, job *PostConversationJob) (deleted bool, err error)
	// UpdateConversationTags lets apply change the stored tags and saves
	// them, in one transaction; apply's error is returned unchanged.
	// ENOTFOUND.
	UpdateConversationTags(ctx context.Context, orgID, id string, at time.Time, apply func(tags map[string]*string) error) error
	// FindUserModel returns ENOTFOUND when the user has none yet.
	FindUserModel(ctx context.Context, orgID, userID string) (*UserModel, error)
	// PutUserModel creates or replaces the user's model.
	PutUserModel(ctx context.Context, m *UserModel) error
	// ClaimPostConversationJob claims the oldest job available at now
	// (unclaimed, or whose claim has expired) for owner until until,
	// counting the attempt. ENOTFOUND when none is available.
	ClaimPostConversationJob(ctx context.Context, owner string, now, until time.Time) (*PostConversationJob, error)
	// CompletePostConversationJob deletes the job and records its kind in
	// the conversation's completed post-processings, in one transaction.
	// ECONFLICT if owner no longer holds the claim.
	CompletePostConversationJob(ctx context.Context, job *PostConversationJob, owner string) error
	// RetryPostConversationJob releases owner's claim, recording reason,
	// so the job is available again at at. ECONFLICT if owner no longer
	// holds the claim.
	RetryPostConversationJob(ctx context.Context, job *PostConversationJob, owner string, at time.Time, reason string) error
}
