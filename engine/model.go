package engine

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// Interaction kinds: the keys of a version set's llm_model_preferences
// that the engine reads, one per decision point.
const (
	KindSelectNextAction = "select_next_action"      // an action state: exit or stay, and which action
	KindMakeDecision     = "make_decision"           // a decision state: which exit
	KindReflection       = "generate_reflection"     // a reflection state's inner thought
	KindRecallQueries    = "generate_recall_queries" // a recall state's dynamic queries
	KindEngageUser       = "engage_user"             // the streamed reply
	KindRecommend        = "recommend_responses"     // recommend-responses-for-interaction
	KindStarters         = "generate_conversation_starter"
	KindUserModel        = "generate_user_model" // post-conversation processing
)

// Model is asked at the walker's decision points. Implementations must be
// safe for concurrent use and must stop when ctx is done. BuiltinModel is
// the default; OpenAIModel speaks to OpenAI-compatible servers.
type Model interface {
	// Choose picks an exit condition of c.State, or, when c.CanStay, may
	// stay and pick one of its actions.
	Choose(ctx context.Context, c *ChoiceRequest) (Choice, error)
	// Reflect writes a reflection state's inner thought.
	Reflect(ctx context.Context, r *ReflectionRequest) (string, error)
	// RecallQueries turns a recall state's requested information into
	// queries.
	RecallQueries(ctx context.Context, r *RecallRequest) ([]string, error)
	// Engage writes the reply, passing each piece to emit as it is
	// written; emit's error stops the reply and is returned. It returns
	// the name of the model that wrote it.
	Engage(ctx context.Context, e *EngageRequest, emit func(piece string) error) (model string, err error)
	// Recommend suggests what the user could answer.
	Recommend(ctx context.Context, r *RecommendRequest) ([]string, error)
	// Starters writes conversation starters.
	Starters(ctx context.Context, r *StarterRequest) ([]Starter, error)
	// UserModel updates the user's model after a finished conversation.
	UserModel(ctx context.Context, r *UserModelRequest) (*UserModel, error)
}

// Call is what every decision point of a walk shares: who speaks, under
// which machine's global guidelines, in which state, after what.
type Call struct {
	// Kind is the interaction kind (KindEngageUser, ...).
	Kind string
	// LLM is the version set's preference for Kind, nil for none.
	LLM   *amigo.LLMConfig
	Agent *amigo.AgentDefinition
	// Machine is the definition of the machine State belongs to; its
	// global guidelines apply.
	Machine *amigo.StateMachineDefinition
	State   *amigo.State
	// History is the conversation before this interaction (at most
	// MaxHistory messages), Input what the user sent in it.
	History []Message
	Input   Input
}

// ChoiceRequest asks for an exit condition of an action or decision state.
type ChoiceRequest struct {
	Call
	Exits []amigo.ExitCondition
	// Actions and CanStay are set for an action state: the model may stay
	// and pick an action instead of an exit.
	Actions []string
	CanStay bool
	// Fresh is set when the walk entered the state in this interaction
	// (rather than starting the interaction in it).
	Fresh bool
}

// Choice answers a ChoiceRequest: Exit is an index of Exits, or -1 to stay
// with Action, an index of Actions.
type Choice struct {
	Exit   int
	Action int
}

// ReflectionRequest asks a reflection state's inner thought.
type ReflectionRequest struct {
	Call
	Problem   string
	WordLimit int
}

// RecallRequest asks queries for a recall state's requested information.
type RecallRequest struct {
	Call
	RequestedInformation string
}

// EngageRequest asks the reply for the chosen action of an action state.
type EngageRequest struct {
	Call
	Action string
	// Inner are the inner thoughts of this interaction so far.
	Inner []string
	// First is set when the agent has not spoken in the conversation yet.
	First bool
}

// RecommendRequest asks responses the user could give to the agent's
// last message.
type RecommendRequest struct {
	Call
	// Context is the request's context (persona and scenario).
	Context string
}

// StarterRequest asks conversation starters about Facets.
type StarterRequest struct {
	Agent        *amigo.AgentDefinition
	LLM          *amigo.LLMConfig
	Facets       []string
	MinCount     int
	MaxCount     int
	Instructions string
}

// Starter is one conversation starter.
type Starter struct {
	Prompt string
	Facets []string
}

// UserModelRequest asks the user's model updated with a finished
// conversation.
type UserModelRequest struct {
	Agent        *amigo.AgentDefinition
	LLM          *amigo.LLMConfig
	Prior        *UserModel // nil for a user without one
	Conversation []Message
	// Dimensions are the organization's user dimensions (its
	// user_dimensions): what it wants known of its users, each with the
	// tags it may be given.
	Dimensions []amigo.UserDimension
}

// UserModel is what the server knows of a user: the spec's UserModel
// without insight ids, which storage assigns.
type UserModel struct {
	Content    string
	Dimensions []amigo.UserDimension
}
