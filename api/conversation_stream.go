package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// createConversation streams a new conversation's first interaction:
// conversation-created, the agent's steps, the reply in pieces and
// interaction-complete. Everything refusable is refused with a status
// before the stream starts.
func (s *Server) createConversation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q, err := parseStreamQuery(r, false)
	if err != nil {
		return err
	}
	var body wire.CreateConversationInput
	bad, err := decode(r, &body, defaultMaxBody)
	if err != nil {
		return err
	}
	amigo.MarkPhase(r.Context(), amigo.PhaseInput)
	in := shape.Convert[core.CreateConversationInput](body)
	in.Malformed = bad
	run, err := s.conversations.StartConversation(r.Context(), t, &in)
	if err != nil {
		return err
	}
	defer run.Close(r.Context())
	stream := startStream(w, http.StatusCreated)
	if stream.Send(wire.ConversationCreated(run.Conversation.ID)) != nil {
		return nil
	}
	amigo.MarkPhase(r.Context(), amigo.PhaseStreamStart)
	s.runInteraction(r.Context(), stream, run, q)
	return nil
}

// interactWithConversation streams one interaction: user-message-available,
// the agent's steps, the reply in pieces and interaction-complete.
func (s *Server) interactWithConversation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q, err := parseStreamQuery(r, true)
	if err != nil {
		return err
	}
	in, err := interactForm(r)
	if err != nil {
		return err
	}
	amigo.MarkPhase(r.Context(), amigo.PhaseInput)
	run, err := s.conversations.Interact(r.Context(), t, r.PathValue("conversation_id"), in)
	if err != nil {
		return err
	}
	defer run.Close(r.Context())
	stream := startStream(w, http.StatusOK)
	if m := run.UserMessage; m != nil {
		if stream.Send(wire.UserMessageAvailable(m.ID, m.Content)) != nil {
			return nil
		}
	} else if stream.Send(wire.UserMessageAvailable(amigo.NewID(s.app.Now()), "")) != nil {
		return nil
	}
	amigo.MarkPhase(r.Context(), amigo.PhaseStreamStart)
	s.runInteraction(r.Context(), stream, run, q)
	return nil
}

// runInteraction walks run, streaming its events, and ends the stream with
// interaction-complete once everything is committed, or with exactly one
// error event. current-agent-action events go only to callers with
// Conversation:GetInteractionInsights on the conversation, filtered by the
// query's regular expression.
func (s *Server) runInteraction(ctx context.Context, stream *eventStream, run *core.Run, q *streamQuery) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer context.AfterFunc(s.streams, func() { cancel(context.Cause(s.streams)) })()
	showActions := s.conversations.MayWatch(ctx, run.Conversation)
	first := true
	res, err := run.Execute(ctx, func(ev engine.Event) error {
		if ev.Action != nil && (!showActions || !q.showsAction(ev.Action.Type)) {
			return nil
		}
		if ev.Fragment == nil || !first {
			return stream.Send(wire.EngineEvent(ev, run.AgentMessageID))
		}
		first = false
		amigo.MarkPhase(ctx, amigo.PhaseModel)
		err := stream.Send(wire.EngineEvent(ev, run.AgentMessageID))
		amigo.MarkPhase(ctx, amigo.PhaseFirstEvent)
		return err
	})
	if err != nil {
		s.streamError(ctx, stream, err)
		return
	}
	if stream.Send(wire.InteractionComplete(run.AgentMessageID, run.Interaction.ID, res.AgentMessage, res.Completed)) == nil {
		amigo.MarkPhase(ctx, amigo.PhaseComplete)
		s.observePhases(ctx)
	}
}

// observePhases records the phases of a completed interaction in the
// amigo_interaction_phase_seconds metric.
func (s *Server) observePhases(ctx context.Context) {
	p, ok := amigo.PhasesFromContext(ctx)
	if !ok {
		return
	}
	op := ""
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		op = info.operation
	}
	p.Each(func(ph amigo.Phase, d time.Duration) {
		s.metrics.phases.WithLabelValues(op, ph.String()).Observe(d.Seconds())
	})
}

// streamError ends a stream with one error event, unless the client is
// gone (a write failed, or it hung up and so cancelled the interaction).
func (s *Server) streamError(ctx context.Context, stream *eventStream, err error) {
	if stream.Err() != nil || errors.Is(err, errStreamClosed) || (errors.Is(err, context.Canceled) && ctx.Err() != nil && context.Cause(ctx) == context.Canceled) {
		s.logger.InfoContext(ctx, "interaction ended: the client went away", "request_id", RequestID(ctx))
		return
	}
	if errors.Is(context.Cause(ctx), errShuttingDown) {
		err = amigo.Errorf(amigo.EUNAVAILABLE, "The server is shutting down; the interaction was stopped and nothing it did was kept. Send the message again.")
	}
	err, _ = s.asUnavailable(ctx, err)
	status := ErrorStatus(err)
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(ctx, "interaction failed", "request_id", RequestID(ctx), "err", err)
	}
	_ = stream.Send(wire.StreamError(status, amigo.ErrorMessage(err)))
}

// errShuttingDown is the cause of the interactions StopInteractions ends.
var errShuttingDown = errors.New("the server is shutting down")

// StopInteractions ends every interaction still streaming, and any begun
// later: each is recorded failed, keeps nothing, releases its
// conversation, and its stream ends with one error event (503). Graceful
// shutdown calls it once its bound has passed, so that clients learn why
// their stream ended rather than see it cut.
func (s *Server) StopInteractions() {
	s.stopStreams(errShuttingDown)
}
