package wire

// CreateConversationInput is the body of create-conversation.
type CreateConversationInput struct {
	ServiceID          string              `json:"service_id"`
	VersionSetName     *string             `json:"service_version_set_name,omitempty"`
	InitialMessage     *string             `json:"initial_message,omitempty"`
	InitialMessageType *string             `json:"initial_message_type,omitempty"`
	Tags               *map[string]*string `json:"tags,omitempty"`
}

// RecommendInput is the body of recommend-responses-for-interaction; the
// body itself is optional.
type RecommendInput struct {
	Context *string `json:"context,omitempty"`
}

// RecommendedResponses is the response of
// recommend-responses-for-interaction.
type RecommendedResponses struct {
	RecommendedResponses []string `json:"recommended_responses"`
}

// StarterInput is the body of generate-conversation-starter.
type StarterInput struct {
	ServiceID              string   `json:"service_id"`
	VersionSetName         *string  `json:"service_version_set_name,omitempty"`
	Facets                 []string `json:"facets"`
	MinCount               int      `json:"min_count"`
	MaxCount               int      `json:"max_count"`
	GenerationInstructions string   `json:"generation_instructions"`
}

// Starters is the response of generate-conversation-starter.
type Starters struct {
	Prompts []Starter `json:"prompts"`
}

// Starter is one generated conversation starter.
type Starter struct {
	Prompt string   `json:"prompt"`
	Facets []string `json:"facets"`
}

// InteractForm describes the multipart form of interact-with-conversation
// for the server's OpenAPI document; the handler reads the form part by
// part. recorded_message may be a plain field or a file part.
type InteractForm struct {
	InitialMessageType            string   `json:"initial_message_type"`
	RecordedMessage               string   `json:"recorded_message"`
	ExternalEventMessageContent   []string `json:"external_event_message_content,omitempty"`
	ExternalEventMessageTimestamp []string `json:"external_event_message_timestamp,omitempty"`
}
