package api

import (
	"net/http"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

// createdID is the body of the create-agent and create-state-machine answers.
type createdID struct {
	ID string `json:"id"`
}

// createdVersion is the body of the create-version answers.
type createdVersion struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.NameInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	id, err := s.app.CreateAgent(r.Context(), t, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdID{id})
	return nil
}

func (s *Server) getAgents(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := amigo.AgentFilter{
		Deprecated: q.bool("deprecated"), IDs: q.list("id", idPattern),
		Limit: q.intAbove("limit", 10, 0, 20), Offset: q.int("continuation_token", 0, 0, -1),
	}
	if err := q.err(); err != nil {
		return err
	}
	agents, next, more, err := s.app.ListAgents(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := make([]amigo.AgentInstance, len(agents))
	for i, a := range agents {
		out[i] = a.Instance()
	}
	writeJSON(w, http.StatusOK, struct {
		Agents []amigo.AgentInstance `json:"agents"`
		page
	}{out, page{more, next}})
	return nil
}

func (s *Server) createAgentVersion(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	expected := q.optIntAbove("version", 0)
	if err := q.err(); err != nil {
		return err
	}
	var req amigo.AgentVersionRequest
	if err := decode(r, &req, defaultMaxBody); err != nil {
		return err
	}
	v, err := s.app.CreateAgentVersion(r.Context(), t, r.PathValue("agent_id"), expected, &req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdVersion{v.ID, v.Version, v.CreatedAt})
	return nil
}

func (s *Server) getAgentVersions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := q.versionFilter()
	if err := q.err(); err != nil {
		return err
	}
	versions, more, err := s.app.ListAgentVersions(r.Context(), t, r.PathValue("agent_id"), f)
	if err != nil {
		return err
	}
	out := make([]amigo.AgentVersionInstance, len(versions))
	for i, v := range versions {
		out[i] = v.Instance()
	}
	writeJSON(w, http.StatusOK, struct {
		AgentVersions []amigo.AgentVersionInstance `json:"agent_versions"`
		page
	}{out, page{more, nextToken(more, f.Offset, len(out))}})
	return nil
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteAgent(r.Context(), t, r.PathValue("agent_id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
