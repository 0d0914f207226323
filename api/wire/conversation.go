package wire

import (
	"encoding/json"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// ConversationInstance is one element of get-conversations' list.
type ConversationInstance struct {
	ID                       string             `json:"id"`
	UserID                   string             `json:"user_id"`
	CreatedAt                time.Time          `json:"created_at"`
	IsFinished               bool               `json:"is_finished"`
	IsAnalyzed               bool               `json:"is_analyzed"`
	CompletedPostProcessings []string           `json:"completed_post_processings"`
	FinalMessage             string             `json:"final_message"`
	ServiceID                string             `json:"service_id"`
	VersionSetInfo           *VersionSetInfo    `json:"version_set_info"`
	NumMessages              int                `json:"num_messages"`
	Tags                     map[string]*string `json:"tags"`
}

// VersionSetInfo is the version set a conversation is pinned to.
type VersionSetInfo struct {
	Name                string                           `json:"name"`
	AgentVersionInfo    [2]any                           `json:"agent_version_info"`
	StateMachineInfo    [2]any                           `json:"service_hierarchical_state_machine_version_info"`
	LLMModelPreferences map[string]ConversationLLMConfig `json:"llm_model_preferences"`
}

// ConversationLLMConfig is the spec's LLMConfig as conversations report
// it: the sampling parameters inside params.
type ConversationLLMConfig struct {
	LLMName string                     `json:"llm_name"`
	Params  map[string]json.RawMessage `json:"params"`
}

// ConversationList is the answer of get-conversations.
type ConversationList struct {
	Conversations []ConversationInstance `json:"conversations"`
	Page
}

// NewConversation returns the conversation as get-conversations lists it;
// finalMessage and versionSet say what the caller may see.
func NewConversation(c *amigo.Conversation, finalMessage, versionSet bool) ConversationInstance {
	out := ConversationInstance{ID: c.ID, UserID: c.UserID, CreatedAt: c.CreatedAt, IsFinished: c.Finished,
		IsAnalyzed: len(c.CompletedPostProcessings) > 0, CompletedPostProcessings: nonNil(c.CompletedPostProcessings),
		ServiceID: c.ServiceID, NumMessages: c.NumMessages, Tags: c.Tags}
	if out.Tags == nil {
		out.Tags = map[string]*string{}
	}
	if finalMessage {
		out.FinalMessage = c.FinalMessage
	}
	if versionSet {
		prefs := make(map[string]ConversationLLMConfig, len(c.LLMModelPreferences))
		for name, p := range c.LLMModelPreferences {
			prefs[name] = llmConfigOf(p)
		}
		out.VersionSetInfo = &VersionSetInfo{Name: c.VersionSetName, AgentVersionInfo: [2]any{c.AgentID, c.AgentVersion},
			StateMachineInfo: [2]any{c.StateMachineID, c.StateMachineVersion}, LLMModelPreferences: prefs}
	}
	return out
}

// llmConfigOf folds the sampling parameters into params.
func llmConfigOf(p amigo.LLMConfig) ConversationLLMConfig {
	params := make(map[string]json.RawMessage, len(p.Params)+3)
	for k, v := range p.Params {
		params[k] = v
	}
	put := func(name string, v any) {
		if b, err := json.Marshal(v); err == nil {
			params[name] = b
		}
	}
	if p.Temperature != nil {
		put("temperature", *p.Temperature)
	}
	if p.TopP != nil {
		put("top_p", *p.TopP)
	}
	if p.TopK != nil {
		put("top_k", *p.TopK)
	}
	return ConversationLLMConfig{LLMName: p.LLMName, Params: params}
}

// MessageInstance is one element of get-conversation-messages' list.
type MessageInstance struct {
	ID            string    `json:"id"`
	InteractionID string    `json:"interaction_id"`
	CreatedAt     time.Time `json:"created_at"`
	Sender        string    `json:"sender"`
	Message       string    `json:"message"`
	Format        string    `json:"format"`
	MessageType   string    `json:"message_type"`
}

// MessageList is the answer of get-conversation-messages.
type MessageList struct {
	Messages []MessageInstance `json:"messages"`
	Page
}

// NewMessageInstance returns the message as the listing shows it.
func NewMessageInstance(m *amigo.Message) MessageInstance {
	return MessageInstance{ID: m.ID, InteractionID: m.InteractionID, CreatedAt: m.CreatedAt, Sender: m.Sender,
		Message: m.Content, Format: m.Format, MessageType: string(m.Type)}
}

// ModifyTagsInput is the body of modify-tags-of-conversation: both fields
// are optional (default {} and []). A client that encodes it writes a nil
// field as absent and an empty one as {} or [], as given (omitzero, not
// omitempty).
type ModifyTagsInput struct {
	Updates map[string]*string `json:"updates,omitzero"`
	Deletes []string           `json:"deletes,omitzero"`
}

// UserModelResponse is the answer of get-user-model.
type UserModelResponse struct {
	UserModels        []UserModel `json:"user_models"`
	AdditionalContext []string    `json:"additional_context"`
}

// UserModel is one model of a user.
type UserModel struct {
	Content    string          `json:"content"`
	InsightIDs []string        `json:"insight_ids"`
	Dimensions []UserDimension `json:"dimensions"`
}

// NewUserModelResponse returns get-user-model's answer.
func NewUserModelResponse(models []amigo.UserModelEntry, additionalContext []string) UserModelResponse {
	out := UserModelResponse{UserModels: make([]UserModel, len(models)), AdditionalContext: nonNil(additionalContext)}
	for i, m := range models {
		dims := make([]UserDimension, len(m.Dimensions))
		for j, d := range m.Dimensions {
			dims[j] = UserDimension{Description: d.Description, Tags: nonNil(d.Tags)}
		}
		out.UserModels[i] = UserModel{Content: m.Content, InsightIDs: nonNil(m.InsightIDs), Dimensions: dims}
	}
	return out
}
