package core

import (
	"context"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
)

// StartConversation creates a conversation on the version set in names
// (release by default), pinning its agent and state machine versions and
// LLM preferences, and begins its first interaction, whose lease it holds.
// Everything refusable is refused here, before any event is streamed:
// ENOTFOUND for the service or version set, EBADREQUEST when the user has
// an unfinished conversation of the service, EINVALID, EFORBIDDEN.
func (c *Conversations) StartConversation(ctx context.Context, t *Tenant, in *CreateConversationInput) (*Run, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	a := c.app
	caller := amigo.CallerFromContext(ctx)
	orgID := t.Placement.OrgID
	basis, setName, vs, err := findBasis(ctx, t, in.ServiceID, in.VersionSetName)
	if err != nil {
		return nil, err
	}
	svc := basis.Service
	now := a.Now()
	conv := &amigo.Conversation{
		ID: amigo.NewID(now), OrgID: orgID, ServiceID: svc.ID, UserID: caller.UserID, VersionSetName: setName,
		AgentID: svc.AgentID, StateMachineID: svc.StateMachineID, LLMModelPreferences: vs.LLMModelPreferences,
		Tags: map[string]*string{}, CreatedAt: now, UpdatedAt: now,
	}
	if in.Tags != nil {
		conv.Tags = trimmedTags(*in.Tags)
	}
	if err := caller.Require(amigo.PermCreateConversation, conversationAttrs(caller, conv)); err != nil {
		return nil, err
	}
	if conv.AgentVersion, err = pinnedOrLatest("Agent", svc.AgentID, vs.AgentVersion, basis.AgentFound, basis.LatestAgentVersion); err != nil {
		return nil, err
	}
	if conv.StateMachineVersion, err = pinnedOrLatest("State machine", svc.StateMachineID, vs.StateMachineVersion, basis.StateMachineFound, basis.LatestStateMachineVersion); err != nil {
		return nil, err
	}
	av, mv, refs, err := c.pinnedVersions(ctx, t, conv)
	if err != nil {
		return nil, err
	}
	user, err := a.findUser(ctx, t.Store, orgID, caller.UserID)
	if err != nil && amigo.ErrorCode(err) != amigo.ENOTFOUND {
		return nil, err
	}
	mem, err := memories(ctx, t, caller.UserID, mv, refs)
	if err != nil {
		return nil, err
	}
	first := &amigo.Interaction{ID: amigo.NewID(now), OrgID: orgID, ConversationID: conv.ID, Status: amigo.InteractionRunning, StartedAt: now}
	conv.Lease = &amigo.Lease{InteractionID: first.ID, Owner: c.owner, Until: now.Add(c.lease)}
	amigo.MarkPhase(ctx, amigo.PhaseCheck)
	if err := t.Store.CreateConversation(ctx, conv, first); amigo.ErrorCode(err) == amigo.ECONFLICT {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "The user has an unfinished conversation of service %s: finish it before starting another.", svc.ID)
	} else if err != nil {
		return nil, err
	}
	c.remember(conv)
	amigo.MarkPhase(ctx, amigo.PhaseLease)
	r := c.newRun(t, conv, first, av)
	r.turn = engine.Turn{Agent: av, Machine: mv, References: refs, LLMPreferences: conv.LLMModelPreferences,
		ReturningUser: basis.Returning, Memories: mem}
	if in.InitialMessage != nil {
		typ := InteractUserMessage
		if in.InitialMessageType != nil {
			typ = *in.InitialMessageType
		}
		r.addInput(typ, *in.InitialMessage, nil, userName(user), now)
	}
	return r, nil
}

// pinnedOrLatest returns the version a version set pins, or the latest
// version of the resource (labelled kind) when it pins none: ENOTFOUND when
// the resource does not exist, EBADREQUEST when it has no version yet.
func pinnedOrLatest(kind, id string, pinned *int, found bool, latest *int) (int, error) {
	switch {
	case pinned != nil:
		return *pinned, nil
	case !found:
		return 0, amigo.Errorf(amigo.ENOTFOUND, "%s %s not found.", kind, id)
	case latest == nil:
		return 0, amigo.Errorf(amigo.EBADREQUEST, "The service's %s %s has no version yet.", strings.ToLower(kind), id)
	}
	return *latest, nil
}

// Interact begins an interaction of a conversation with the user's
// message (or external events, or a skip), holding the conversation's
// lease. Everything refusable is refused here: ENOTFOUND, ECONFLICT while
// another interaction runs or once the conversation is finished,
// EINVALID and EBADREQUEST for the message, EFORBIDDEN.
func (c *Conversations) Interact(ctx context.Context, t *Tenant, conversationID string, in *InteractInput) (*Run, error) {
	a := c.app
	now := a.Now()
	events, err := in.check(now)
	if err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	ident, err := c.identity(ctx, t, conversationID)
	if err != nil {
		return nil, err
	}
	if err := a.requireOnUser(ctx, t, amigo.PermUpdateUserInfo, ident.UserID); err != nil {
		return nil, err
	}
	user, err := a.findUser(ctx, t.Store, orgID, ident.UserID)
	if err != nil && amigo.ErrorCode(err) != amigo.ENOTFOUND {
		return nil, err
	}
	i := &amigo.Interaction{ID: amigo.NewID(now), OrgID: orgID, ConversationID: ident.ID, Status: amigo.InteractionRunning, StartedAt: now}
	amigo.MarkPhase(ctx, amigo.PhaseCheck)
	// The lease refuses a conversation finished or deleted since: 409 or
	// 404, as a read here would have.
	conv, msgs, err := t.Store.BeginInteraction(ctx, i, amigo.Lease{InteractionID: i.ID, Owner: c.owner, Until: now.Add(c.lease)}, c.historyLimit())
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		c.idents.forget(versionKey{orgID, conversationID, 0})
	}
	if err != nil {
		return nil, err
	}
	amigo.MarkPhase(ctx, amigo.PhaseLease)
	// From here the run holds the lease: a failure releases it.
	r := c.newRun(t, conv, i, nil)
	if err := r.prepare(ctx, msgs, *in.Type, *in.Message, events, userName(user), now); err != nil {
		r.Close(ctx)
		return nil, err
	}
	amigo.MarkPhase(ctx, amigo.PhaseLoad)
	return r, nil
}

// identity returns a conversation the caller may interact with, holding
// at least its id and user. Its id, user and service never change, so they
// are cached: an interaction that they suffice to allow reads the
// conversation once, with its lease, instead of before it too. Its tags
// change (update-conversation-tags), so a caller allowed only by a grant
// on tags, or not allowed, is decided on the conversation as read now;
// grants only allow, so one that holds without the tags holds whatever
// they are. ENOTFOUND, EFORBIDDEN.
func (c *Conversations) identity(ctx context.Context, t *Tenant, id string) (*amigo.Conversation, error) {
	const perm = amigo.PermInteractWithConversation
	caller := amigo.CallerFromContext(ctx)
	key := versionKey{t.Placement.OrgID, id, 0}
	if v, ok := c.idents.get(key); ok && caller.Can(perm, conversationAttrs(caller, v.(*amigo.Conversation))) {
		return v.(*amigo.Conversation), nil
	}
	conv, err := conversationFor(ctx, t, perm, id)
	if conv != nil {
		c.remember(conv)
	}
	return conv, err
}

// remember caches what never changes of a conversation (identity).
func (c *Conversations) remember(conv *amigo.Conversation) {
	c.idents.put(versionKey{conv.OrgID, conv.ID, 0}, &amigo.Conversation{ID: conv.ID, OrgID: conv.OrgID, UserID: conv.UserID, ServiceID: conv.ServiceID})
}

// prepare loads what the walk of an interaction reads, under its lease;
// msgs is the history read with the lease, newest first.
func (r *Run) prepare(ctx context.Context, msgs []*amigo.Message, typ, text string, events []ExternalEvent, sender string, now time.Time) error {
	t, conv := r.t, r.Conversation
	av, mv, refs, err := r.c.pinnedVersions(ctx, t, conv)
	if err != nil {
		return err
	}
	r.agentName = agentName(av)
	hist, last := historyOf(msgs)
	if err := checkAfter(events, last); err != nil {
		return err
	}
	mem, err := memories(ctx, t, conv.UserID, mv, refs)
	if err != nil {
		return err
	}
	var state *engine.State
	if len(conv.EngineState) > 0 {
		if state, err = engine.UnmarshalState(conv.EngineState); err != nil {
			return err
		}
	}
	r.turn = engine.Turn{Agent: av, Machine: mv, References: refs, LLMPreferences: conv.LLMModelPreferences,
		State: state, History: hist, Memories: mem}
	r.addInput(typ, text, events, sender, now)
	return nil
}

// newRun returns the run of an interaction whose lease was just taken.
func (c *Conversations) newRun(t *Tenant, conv *amigo.Conversation, i *amigo.Interaction, av *amigo.AgentVersion) *Run {
	c.running.Add(1)
	r := &Run{c: c, t: t, Conversation: conv, Interaction: i, AgentMessageID: amigo.NewID(i.StartedAt)}
	if av != nil {
		r.agentName = agentName(av)
	}
	return r
}

// addInput records what the user sent as the messages the interaction
// will store and as the engine's input.
func (r *Run) addInput(typ, text string, events []ExternalEvent, sender string, now time.Time) {
	in := engine.Input{Kind: typ}
	for _, ev := range events {
		// An event a little ahead of the server's clock (ClockSkew) is
		// stored as happening now, so that it precedes the message.
		r.Inputs = append(r.Inputs, r.message(amigo.NewID(now), amigo.MessageExternalEvent, "External event", ev.Content, minTime(ev.At, now)))
		in.Events = append(in.Events, engine.ExternalEvent{Text: ev.Content, At: ev.At})
	}
	switch typ {
	case InteractUserMessage:
		r.UserMessage = r.message(amigo.NewID(now), amigo.MessageUser, sender, text, now)
		r.Inputs = append(r.Inputs, r.UserMessage)
		in.Message = text
	case InteractExternalEvent:
		// The message itself is an external event, the last of them.
		r.UserMessage = r.message(amigo.NewID(now), amigo.MessageExternalEvent, "External event", text, now)
		r.Inputs = append(r.Inputs, r.UserMessage)
		in.Kind = engine.InputExternalEvents
		in.Events = append(in.Events, engine.ExternalEvent{Text: text, At: now})
	case InteractSkip:
		in.Kind = engine.InputSkip
	}
	if len(events) > 0 && typ == InteractUserMessage {
		// The engine sees the events through the history it is given.
		for _, ev := range events {
			r.turn.History = append(r.turn.History, engine.Message{Type: engine.MessageExternal, Text: ev.Content})
		}
	}
	r.turn.Input = in
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// findBasis reads what a conversation of a service would start on for
// the caller (ConversationStore.ConversationBasis) and picks its version
// set: name, or release when nil. ENOTFOUND names the missing service or
// version set.
func findBasis(ctx context.Context, t *Tenant, serviceID string, name *string) (*amigo.ConversationBasis, string, amigo.VersionSet, error) {
	basis, err := t.Store.ConversationBasis(ctx, t.Placement.OrgID, serviceID, amigo.CallerFromContext(ctx).UserID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil, "", amigo.VersionSet{}, amigo.Errorf(amigo.ENOTFOUND, "Service %s is not found.", serviceID)
	} else if err != nil {
		return nil, "", amigo.VersionSet{}, err
	}
	setName := amigo.VersionSetRelease
	if name != nil {
		setName = *name
	}
	vs, ok := basis.Service.VersionSets[setName]
	if !ok {
		return nil, "", amigo.VersionSet{}, amigo.Errorf(amigo.ENOTFOUND, "Version set %q of service %s is not found.", setName, serviceID)
	}
	return basis, setName, vs, nil
}
