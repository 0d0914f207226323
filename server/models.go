package server

import (
	"context"
	"maps"
	"slices"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
)

// newConversations builds the runtime of conversations from the model
// settings: each configured LLM name answers through its endpoint, every
// other name through the default model. A given model overrides them.
func newConversations(app *core.App, cfg Config, model engine.Model) (*core.Conversations, error) {
	if model == nil {
		var err error
		if model, err = buildModel(cfg); err != nil {
			return nil, err
		}
	}
	return core.NewConversations(app, core.ConversationOptions{Walker: engine.New(model), Lease: cfg.InteractionLease}), nil
}

// buildModel returns the model the walker asks: the built-in one when no
// endpoint is configured; else the configured LLM names answer through
// their endpoints (one OpenAI-compatible model routes among them), and the
// other names through the default: the built-in model or a configured
// name's endpoint.
func buildModel(cfg Config) (engine.Model, error) {
	if len(cfg.LLMs) == 0 {
		return engine.Builtin{}, nil
	}
	oc := engine.OpenAIConfig{Endpoints: map[string]engine.Endpoint{}}
	names := slices.Sorted(maps.Keys(cfg.LLMs))
	for _, name := range names {
		e := cfg.LLMs[name]
		oc.Endpoints[name] = engine.Endpoint{BaseURL: e.BaseURL, Model: e.Model, APIKeyEnv: e.APIKeyEnv, APIKeyFile: e.APIKeyFile,
			Timeout: e.Timeout, FirstTokenTimeout: e.FirstTokenTimeout}
	}
	// The OpenAI model needs a default endpoint; with the built-in model as
	// the default it is never used, for the router keeps other names away.
	oc.Default = oc.Endpoints[names[0]]
	if e, ok := oc.Endpoints[cfg.DefaultLLM]; ok {
		oc.Default = e
	}
	m, err := engine.NewOpenAI(oc)
	if err != nil {
		return nil, err
	}
	r := &llmRouter{byName: map[string]engine.Model{}, fallback: engine.Builtin{}}
	for _, name := range names {
		r.byName[name] = m
	}
	if cfg.DefaultLLM != BuiltinLLM {
		r.fallback = m
	}
	return r, nil
}

// llmRouter answers each call with the model configured for the LLM name
// the version set prefers for the call's kind, or with the fallback.
type llmRouter struct {
	byName   map[string]engine.Model
	fallback engine.Model
}

func (r *llmRouter) pick(llm *amigo.LLMConfig) engine.Model {
	if llm != nil {
		if m, ok := r.byName[llm.LLMName]; ok {
			return m
		}
	}
	return r.fallback
}

func (r *llmRouter) Choose(ctx context.Context, c *engine.ChoiceRequest) (engine.Choice, error) {
	return r.pick(c.LLM).Choose(ctx, c)
}

func (r *llmRouter) Reflect(ctx context.Context, c *engine.ReflectionRequest) (string, error) {
	return r.pick(c.LLM).Reflect(ctx, c)
}

func (r *llmRouter) RecallQueries(ctx context.Context, c *engine.RecallRequest) ([]string, error) {
	return r.pick(c.LLM).RecallQueries(ctx, c)
}

func (r *llmRouter) Engage(ctx context.Context, c *engine.EngageRequest, emit func(string) error) (string, error) {
	return r.pick(c.LLM).Engage(ctx, c, emit)
}

func (r *llmRouter) Recommend(ctx context.Context, c *engine.RecommendRequest) ([]string, error) {
	return r.pick(c.LLM).Recommend(ctx, c)
}

func (r *llmRouter) Starters(ctx context.Context, c *engine.StarterRequest) ([]engine.Starter, error) {
	return r.pick(c.LLM).Starters(ctx, c)
}

func (r *llmRouter) UserModel(ctx context.Context, c *engine.UserModelRequest) (*engine.UserModel, error) {
	return r.pick(c.LLM).UserModel(ctx, c)
}

// userModels is the post-conversation processing's user-model update: the
// conversation's model, speaking as the conversation's pinned agent,
// writes the user's model anew from the previous one and the finished
// conversation.
func userModels(w *engine.Walker) core.UserModelFunc {
	return func(ctx context.Context, in core.UserModelInput) ([]amigo.UserModelEntry, error) {
		var prior *engine.UserModel
		if in.Previous != nil && len(in.Previous.Models) > 0 {
			prior = &engine.UserModel{}
			for i, m := range in.Previous.Models {
				if i > 0 {
					prior.Content += "\n"
				}
				prior.Content += m.Content
				prior.Dimensions = append(prior.Dimensions, m.Dimensions...)
			}
		}
		msgs := make([]engine.Message, 0, len(in.Messages))
		for _, m := range in.Messages {
			msgs = append(msgs, engine.Message{Type: string(m.Type), Text: m.Content})
		}
		var wanted []amigo.UserDimension
		if in.Organization != nil {
			wanted = in.Organization.UserDimensions
		}
		um, err := w.UserModel(ctx, in.Agent, in.Conversation.LLMModelPreferences, wanted, prior, msgs)
		if err != nil {
			return nil, err
		}
		dims := um.Dimensions
		if dims == nil {
			dims = []amigo.UserDimension{}
		}
		return []amigo.UserModelEntry{{Content: um.Content, InsightIDs: []string{}, Dimensions: dims}}, nil
	}
}
