package core

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
)

// Conversations runs interactions: it starts them under the rules every
// server must agree on (one unfinished conversation per user and service,
// one interaction at a time, both enforced by the store), walks the
// conversation's pinned state machine with the engine, and commits what
// the walk produced before the caller announces it.
type Conversations struct {
	app    *App
	walker *engine.Walker
	lease  time.Duration
	owner  string
	// running counts the interactions in progress, for graceful shutdown.
	running  sync.WaitGroup
	versions versionCache
	// idents keeps conversations' identities (identity), which never
	// change either.
	idents versionCache
}

// DefaultInteractionLease is how long an interaction holds its
// conversation without renewing: a server killed mid-interaction leaves
// the conversation busy this long at most.
const DefaultInteractionLease = 30 * time.Second

// ConversationOptions configure NewConversations.
type ConversationOptions struct {
	// Walker walks the state machines; nil walks them with the built-in
	// model.
	Walker *engine.Walker
	// Lease is DefaultInteractionLease when zero.
	Lease time.Duration
}

// NewConversations returns the runtime of app's conversations.
func NewConversations(app *App, opt ConversationOptions) *Conversations {
	c := &Conversations{app: app, walker: opt.Walker, lease: opt.Lease, owner: amigo.NewID(app.Now())}
	if c.walker == nil {
		c.walker = engine.New(nil)
	}
	if c.lease <= 0 {
		c.lease = DefaultInteractionLease
	}
	return c
}

// Walker returns the walker interactions run on.
func (c *Conversations) Walker() *engine.Walker { return c.walker }

// Wait blocks until every interaction in progress has ended or ctx is
// done, for graceful shutdown.
func (c *Conversations) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { c.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run is one interaction that has its conversation's lease. The caller
// streams what Execute emits and must call Close when done with it.
type Run struct {
	c            *Conversations
	t            *Tenant
	Conversation *amigo.Conversation
	Interaction  *amigo.Interaction
	// Inputs are the messages the user sent (external events, then the
	// user message); UserMessage is the last of them unless the input was
	// a skip or events only.
	Inputs      []*amigo.Message
	UserMessage *amigo.Message
	// AgentMessageID is the id the agent's reply will have.
	AgentMessageID string
	agentName      string
	turn           engine.Turn
	stopRenew      func()
	ended          bool
}

// errLeaseLost is the cause of a run's cancellation when its lease was
// taken over (the server stalled past it).
var errLeaseLost = amigo.Errorf(amigo.ECONFLICT, "The interaction lost its hold on the conversation to another interaction; it was not saved.")

// Result is what a completed interaction committed.
type Result struct {
	AgentMessage string
	// Completed is set when the conversation reached its terminal state
	// and was finished, in the transaction that committed the interaction.
	Completed bool
}

// Execute walks the interaction, passing every engine event to emit as it
// happens, and commits its messages, engine state and insights before
// returning. The database deadline of ctx is paused while the model works.
// Emit's first error ends the walk. Any error leaves nothing written; the
// caller's Close then records the interaction failed.
func (r *Run) Execute(ctx context.Context, emit func(engine.Event) error) (*Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.renew(ctx, cancel)
	resume := amigo.PauseDeadline(ctx)
	out, err := r.c.walker.Run(ctx, r.turn, emit)
	resume()
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
			return nil, errLeaseLost
		}
		return nil, modelError(err)
	}
	amigo.MarkPhase(ctx, amigo.PhaseReply)
	r.stopRenewing()
	now := r.c.app.Now()
	msgs := slices.Clone(r.Inputs)
	for _, it := range out.InnerThoughts {
		msgs = append(msgs, r.message(it.ID, amigo.MessageInnerThought, r.agentName, it.Text, now))
	}
	msgs = append(msgs, r.message(r.AgentMessageID, amigo.MessageAgent, r.agentName, out.Reply, now))
	state, err := engine.MarshalState(out.State)
	if err != nil {
		return nil, err
	}
	out.Insights.Model = out.Model
	insights, err := engine.MarshalInsights(&out.Insights)
	if err != nil {
		return nil, err
	}
	result := &amigo.InteractionResult{
		OrgID: r.t.Placement.OrgID, ConversationID: r.Conversation.ID, InteractionID: r.Interaction.ID, Owner: r.c.owner,
		Messages: msgs, EngineState: state, Insights: insights, FinishedAt: now,
	}
	if out.Completed {
		// The terminal state finishes the conversation with the
		// interaction, so interaction-complete never announces a
		// conversation_completed that is not committed.
		result.Finish = postConversationJob(now)
	}
	if err := r.t.Store.CompleteInteraction(ctx, result); err != nil {
		return nil, err
	}
	amigo.MarkPhase(ctx, amigo.PhaseCommit)
	r.ended = true
	return &Result{AgentMessage: out.Reply, Completed: out.Completed}, nil
}

// message returns a message of the run's interaction.
func (r *Run) message(id string, typ amigo.MessageType, sender, text string, at time.Time) *amigo.Message {
	return &amigo.Message{ID: id, OrgID: r.t.Placement.OrgID, ConversationID: r.Conversation.ID, InteractionID: r.Interaction.ID,
		Sender: sender, Type: typ, Content: text, Format: amigo.FormatText, CreatedAt: at}
}

// renew keeps the lease while the walk runs, renewing it every third of
// its duration from a timer (no goroutine waits between renewals, which
// keeps an open stream small); a lost lease cancels the walk.
func (r *Run) renew(ctx context.Context, cancel context.CancelCauseFunc) {
	var mu sync.Mutex // held while a renewal runs and by stopRenewing
	stopped := false
	var timer *time.Timer
	mu.Lock() // the callback must see timer set
	defer mu.Unlock()
	timer = time.AfterFunc(r.c.lease/3, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil {
			return
		}
		until := r.c.app.Now().Add(r.c.lease)
		err := r.t.Store.RenewLease(ctx, r.t.Placement.OrgID, r.Conversation.ID, r.Interaction.ID, r.c.owner, until)
		if amigo.ErrorCode(err) == amigo.ECONFLICT {
			cancel(errLeaseLost)
			return
		} else if err != nil && ctx.Err() == nil {
			r.c.app.Logger.WarnContext(ctx, "renewing an interaction's lease failed", "conversation", r.Conversation.ID, "err", err)
		}
		timer.Reset(r.c.lease / 3)
	})
	r.stopRenew = func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		timer.Stop()
	}
}

func (r *Run) stopRenewing() {
	if r.stopRenew != nil {
		r.stopRenew()
		r.stopRenew = nil
	}
}

// failTimeout bounds recording a failed interaction, which must happen
// even when the request's context is gone (the client hung up).
const failTimeout = 10 * time.Second

// Close ends the run: an interaction that was not committed is recorded
// failed and its lease released, so the conversation is usable at once.
// Should that fail too, the lease expires by itself.
func (r *Run) Close(ctx context.Context) {
	defer r.c.running.Done()
	r.stopRenewing()
	if r.ended {
		return
	}
	r.ended = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failTimeout)
	defer cancel()
	err := r.t.Store.FailInteraction(ctx, r.t.Placement.OrgID, r.Conversation.ID, r.Interaction.ID, r.c.owner, r.c.app.Now())
	if err != nil && amigo.ErrorCode(err) != amigo.ECONFLICT {
		r.c.app.Logger.WarnContext(ctx, "recording a failed interaction failed; its lease will expire", "conversation", r.Conversation.ID, "err", err)
	}
}

// modelError turns an error of the walk into the error its stream
// reports. Errors of ours (a bad machine) are internal; a context error
// passes through; anything else came from the model and is reported as
// its unavailability.
func modelError(err error) error {
	var e *amigo.Error
	switch {
	case errors.As(err, &e), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, engine.ErrBadMachine), errors.Is(err, engine.ErrTooManySteps):
		return amigo.Errorf(amigo.EBADREQUEST, "The conversation's state machine cannot be walked: %s", strings.TrimPrefix(err.Error(), "engine: "))
	case errors.Is(err, engine.ErrCompleted):
		return amigo.Errorf(amigo.ECONFLICT, "The conversation is complete.")
	}
	return amigo.Errorf(amigo.EUNAVAILABLE, "The language model did not answer: %s", strings.TrimPrefix(err.Error(), "engine: "))
}

// pinnedVersions loads the agent and state machine versions a
// conversation runs on, with every machine version its references reach.
func (c *Conversations) pinnedVersions(ctx context.Context, t *Tenant, conv *amigo.Conversation) (*amigo.AgentVersion, *amigo.StateMachineVersion, map[amigo.Reference]*amigo.StateMachineVersion, error) {
	av, err := c.findAgentVersion(ctx, t, conv.AgentID, conv.AgentVersion)
	if err != nil {
		return nil, nil, nil, err
	}
	mv, err := c.findMachineVersion(ctx, t, conv.StateMachineID, conv.StateMachineVersion)
	if err != nil {
		return nil, nil, nil, err
	}
	refs, err := engine.Resolve(ctx, mv, func(ctx context.Context, ref amigo.Reference) (*amigo.StateMachineVersion, error) {
		return c.findMachineVersion(ctx, t, ref.MachineID, ref.Version)
	})
	if err != nil {
		if amigo.ErrorCode(err) == amigo.EINTERNAL && !errors.Is(err, engine.ErrBadMachine) {
			return nil, nil, nil, err
		}
		return nil, nil, nil, amigo.Errorf(amigo.EBADREQUEST, "The conversation's state machine cannot be walked: %s", strings.TrimPrefix(err.Error(), "engine: "))
	}
	return av, mv, refs, nil
}

// findAgentVersion returns version n of an agent; ENOTFOUND names it.
func (c *Conversations) findAgentVersion(ctx context.Context, t *Tenant, agentID string, n int) (*amigo.AgentVersion, error) {
	key := versionKey{t.Placement.OrgID, agentID, n}
	if v, ok := c.versions.get(key); ok {
		return v.(*amigo.AgentVersion), nil
	}
	vs, _, err := t.Store.ListAgentVersions(ctx, t.Placement.OrgID, agentID, amigo.VersionFilter{From: n, To: n, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(vs) == 0 {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Version %d of agent %s is not found.", n, agentID)
	}
	c.versions.put(key, vs[0])
	return vs[0], nil
}

// findMachineVersion returns version n of a state machine; ENOTFOUND names
// it.
func (c *Conversations) findMachineVersion(ctx context.Context, t *Tenant, machineID string, n int) (*amigo.StateMachineVersion, error) {
	key := versionKey{t.Placement.OrgID, machineID, n}
	if v, ok := c.versions.get(key); ok {
		return v.(*amigo.StateMachineVersion), nil
	}
	vs, _, err := t.Store.ListStateMachineVersions(ctx, t.Placement.OrgID, machineID, amigo.VersionFilter{From: n, To: n, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(vs) == 0 {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Version %d of state machine %s is not found.", n, machineID)
	}
	c.versions.put(key, vs[0])
	return vs[0], nil
}

// versionKey names one version of an agent or state machine, or (n 0) a
// conversation's identity: ids are unique across all three.
type versionKey struct {
	org, id string
	n       int
}

// versionCache keeps what conversations read and what never changes once
// created: the versions they run on, and (Conversations.idents) their
// identities. A cached entry is never stale; the cache only saves an
// interaction the database round trips of reading them. It holds at most
// maxCachedVersions, forgetting everything when full.
type versionCache struct {
	mu sync.Mutex
	m  map[versionKey]any
}

const maxCachedVersions = 4096

func (vc *versionCache) get(k versionKey) (any, bool) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	v, ok := vc.m[k]
	return v, ok
}

func (vc *versionCache) forget(k versionKey) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	delete(vc.m, k)
}

func (vc *versionCache) put(k versionKey, v any) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.m == nil || len(vc.m) >= maxCachedVersions {
		vc.m = make(map[versionKey]any)
	}
	vc.m[k] = v
}

// history returns the conversation's latest messages, oldest first, as the
// engine reads them.
func history(ctx context.Context, t *Tenant, convID string, limit int) ([]engine.Message, error) {
	msgs, _, err := t.Store.ListMessages(ctx, t.Placement.OrgID, convID, amigo.MessageFilter{Limit: limit})
	if err != nil {
		return nil, err
	}
	hist, _ := historyOf(msgs)
	return hist, nil
}

// historyOf turns msgs, newest first, into the engine's history, oldest
// first, and the time of the newest (zero when none).
func historyOf(msgs []*amigo.Message) ([]engine.Message, time.Time) {
	var last time.Time
	out := make([]engine.Message, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		out = append(out, engine.Message{Type: string(msgs[i].Type), Text: msgs[i].Content})
		if msgs[i].CreatedAt.After(last) {
			last = msgs[i].CreatedAt
		}
	}
	return out, last
}

// memories returns the lines of the user's model, which recall states
// answer their queries from; nothing (and no read) when the machine and
// the machines it references have no recall state.
func memories(ctx context.Context, t *Tenant, userID string, mv *amigo.StateMachineVersion, refs map[amigo.Reference]*amigo.StateMachineVersion) ([]string, error) {
	if !recalls(mv) && !slices.ContainsFunc(slices.Collect(maps.Values(refs)), recalls) {
		return nil, nil
	}
	m, err := t.Store.FindUserModel(ctx, t.Placement.OrgID, userID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range m.Models {
		for line := range strings.SplitSeq(e.Content, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out, nil
}

// recalls reports whether a machine version has a recall state.
func recalls(mv *amigo.StateMachineVersion) bool {
	return slices.ContainsFunc(mv.Definition.States, func(s amigo.State) bool { return s.Recall != nil })
}

// userName is the sender name of a user's messages.
func userName(u *amigo.User) string {
	if u == nil {
		return "User"
	}
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		return name
	}
	return u.Email
}

// agentName is the sender name of an agent's messages.
func agentName(av *amigo.AgentVersion) string {
	if av.Definition.Identity.Name != "" {
		return av.Definition.Identity.Name
	}
	return "Agent"
}
