package core

import (
	"context"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
)

// RecommendResponses asks the model what the user could answer after the
// conversation's latest interaction (recommend-responses-for-interaction).
// EBADREQUEST when the conversation is finished or interactionID is not
// its latest, completed interaction.
func (c *Conversations) RecommendResponses(ctx context.Context, t *Tenant, conversationID, interactionID string, in *RecommendInput) ([]string, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	conv, err := conversationFor(ctx, t, amigo.PermGetRecommendedResponses, conversationID)
	if err != nil {
		return nil, err
	}
	if conv.Finished {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "The conversation is finished.")
	}
	last, err := t.Store.LastInteraction(ctx, orgID, conv.ID)
	if err != nil && amigo.ErrorCode(err) != amigo.ENOTFOUND {
		return nil, err
	}
	if last == nil || last.ID != interactionID || last.Status != amigo.InteractionComplete || len(conv.EngineState) == 0 {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "Interaction %s is not the latest completed interaction of the conversation.", interactionID)
	}
	av, mv, refs, err := c.pinnedVersions(ctx, t, conv)
	if err != nil {
		return nil, err
	}
	state, err := engine.UnmarshalState(conv.EngineState)
	if err != nil {
		return nil, err
	}
	hist, err := history(ctx, t, conv.ID, c.historyLimit())
	if err != nil {
		return nil, err
	}
	context := DefaultRecommendContext
	if in.Context != nil {
		context = *in.Context
	}
	turn := engine.Turn{Agent: av, Machine: mv, References: refs, LLMPreferences: conv.LLMModelPreferences, State: state, History: hist}
	resume := amigo.PauseDeadline(ctx)
	out, err := c.walker.Recommend(ctx, turn, context)
	resume()
	if err != nil {
		return nil, modelError(err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// InteractionInsights returns what an interaction did
// (get-interaction-insights), and whether the caller may see its
// reflections. ENOTFOUND for an interaction that is unknown, still
// running, or failed (which kept nothing).
func (c *Conversations) InteractionInsights(ctx context.Context, t *Tenant, conversationID, interactionID string) (*engine.Insights, error) {
	orgID := t.Placement.OrgID
	caller := amigo.CallerFromContext(ctx)
	conv, err := conversationFor(ctx, t, amigo.PermGetInteractionInsights, conversationID)
	if err != nil {
		return nil, err
	}
	if _, err := c.app.findStateMachine(ctx, t, conv.StateMachineID, amigo.PermGetStateMachine); err != nil {
		return nil, err
	}
	i, err := t.Store.FindInteraction(ctx, orgID, conv.ID, interactionID)
	if err != nil {
		return nil, err
	}
	switch i.Status {
	case amigo.InteractionRunning:
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Interaction %s has no insights yet: it is still running.", i.ID)
	case amigo.InteractionFailed:
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Interaction %s has no insights: it failed, and nothing it did was kept.", i.ID)
	}
	ins, err := engine.UnmarshalInsights(i.Insights)
	if err != nil {
		return nil, err
	}
	if !caller.Can(amigo.PermGetMessage, conversationAttrs(caller, conv)) {
		ins.Reflections = nil
	}
	if ins.Model == "" {
		ins.Model = i.Model
	}
	return ins, nil
}

// GenerateStarters asks the model for conversation starters of a service
// (generate-conversation-starter), as the agent of the version set would
// open a conversation.
func (c *Conversations) GenerateStarters(ctx context.Context, t *Tenant, in *StarterInput) ([]engine.Starter, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	caller := amigo.CallerFromContext(ctx)
	basis, setName, vs, err := findBasis(ctx, t, in.ServiceID, in.VersionSetName)
	if err != nil {
		return nil, err
	}
	svc := basis.Service
	hypothetical := &amigo.Conversation{OrgID: orgID, ServiceID: svc.ID, UserID: caller.UserID, VersionSetName: setName}
	if err := caller.Require(amigo.PermCreateConversation, conversationAttrs(caller, hypothetical)); err != nil {
		return nil, err
	}
	n, err := pinnedOrLatest("Agent", svc.AgentID, vs.AgentVersion, basis.AgentFound, basis.LatestAgentVersion)
	if err != nil {
		return nil, err
	}
	av, err := c.findAgentVersion(ctx, t, svc.AgentID, n)
	if err != nil {
		return nil, err
	}
	resume := amigo.PauseDeadline(ctx)
	out, err := c.walker.Starters(ctx, av, vs.LLMModelPreferences, engine.StarterRequest{
		Facets: in.Facets, MinCount: in.MinCount, MaxCount: in.MaxCount, Instructions: in.GenerationInstructions})
	resume()
	if err != nil {
		return nil, modelError(err)
	}
	return out, nil
}

// historyLimit is how many messages of history the walker reads.
func (c *Conversations) historyLimit() int {
	if c.walker.MaxHistory > 0 {
		return c.walker.MaxHistory
	}
	return engine.DefaultMaxHistory
}

// postConversationJob is the post-conversation processing a conversation
// finished at now enqueues.
func postConversationJob(now time.Time) *amigo.PostConversationJob {
	return &amigo.PostConversationJob{ID: amigo.NewID(now), Kind: amigo.PostUserModels, CreatedAt: now, AvailableAt: now}
}

// MayWatch reports whether the caller may see an interaction's steps
// (current-agent-action events): Conversation:GetInteractionInsights on
// the conversation.
func (c *Conversations) MayWatch(ctx context.Context, conv *amigo.Conversation) bool {
	caller := amigo.CallerFromContext(ctx)
	return caller.Can(amigo.PermGetInteractionInsights, conversationAttrs(caller, conv))
}
