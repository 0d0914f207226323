package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// forModel prepares the connection of an operation that waits for a
// model: the body is read, so its read deadline is lifted (it would
// otherwise cancel the request), and the answer gets a write deadline
// counted from when it is ready.
func forModel(w http.ResponseWriter) (ready func()) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	return func() { _ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) }
}

func (s *Server) recommendResponses(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var body wire.RecommendInput
	bad, err := decodeOptional(r, &body, defaultMaxBody)
	if err != nil {
		return err
	}
	in := shape.Convert[core.RecommendInput](body)
	in.Malformed = bad
	ready := forModel(w)
	out, err := s.conversations.RecommendResponses(r.Context(), t, r.PathValue("conversation_id"), r.PathValue("interaction_id"), &in)
	if err != nil {
		return err
	}
	ready()
	writeJSON(w, http.StatusOK, wire.RecommendedResponses{RecommendedResponses: out})
	return nil
}

func (s *Server) getInteractionInsights(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	ins, err := s.conversations.InteractionInsights(r.Context(), t, r.PathValue("conversation_id"), r.PathValue("interaction_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.NewInteractionInsights(ins))
	return nil
}

func (s *Server) generateConversationStarter(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var body wire.StarterInput
	bad, err := decode(r, &body, defaultMaxBody)
	if err != nil {
		return err
	}
	in := shape.Convert[core.StarterInput](body)
	in.Malformed = bad
	ready := forModel(w)
	got, err := s.conversations.GenerateStarters(r.Context(), t, &in)
	if err != nil {
		return err
	}
	ready()
	out := wire.Starters{Prompts: make([]wire.Starter, len(got))}
	for i, st := range got {
		out.Prompts[i] = wire.Starter{Prompt: st.Prompt, Facets: st.Facets}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decodeOptional is decode for an optional body: none, or only white
// space, leaves dst as it is.
func decodeOptional(r *http.Request, dst any, maxBody int64) (*amigo.Error, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, amigo.Errorf(amigo.ETOOLARGE, "The request body exceeds the limit of %d bytes.", maxBody)
	} else if err != nil {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "Cannot read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	return wire.Decode(body, dst)
}
