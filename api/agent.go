package api

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.NameInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.NameInput](in)
	cmd.Malformed = bad
	id, err := s.app.CreateAgent(r.Context(), t, &cmd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.Created{ID: id})
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
	out := wire.AgentList{Agents: make([]wire.AgentInstance, len(agents)), Page: wire.Page{HasMore: more, ContinuationToken: next}}
	for i, a := range agents {
		out.Agents[i] = wire.NewAgent(a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createAgentVersion(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	expected := q.optIntAbove("version", 0)
	dryRun := q.bool("dry_run")
	if err := q.err(); err != nil {
		return err
	}
	var in wire.AgentVersionRequest
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	v, err := s.app.CreateAgentVersion(r.Context(), t, r.PathValue("agent_id"), expected, dryRun != nil && *dryRun,
		&core.AgentVersionInput{AgentVersionPatch: in.Patch(), Malformed: bad})
	if err != nil {
		return err
	}
	if v == nil {
		// A dry run answers as create-service-hierarchical-state-machine-
		// version's does: JSON null.
		writeJSON(w, http.StatusCreated, nil)
		return nil
	}
	writeJSON(w, http.StatusCreated, wire.CreatedVersion{ID: v.ID, Version: v.Version, CreatedAt: v.CreatedAt})
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
	out := wire.AgentVersionList{AgentVersions: make([]wire.AgentVersionInstance, len(versions)),
		Page: wire.Page{HasMore: more, ContinuationToken: nextToken(more, f.Offset, len(versions))}}
	for i, v := range versions {
		out.AgentVersions[i] = wire.NewAgentVersion(v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteAgent(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteAgent(r.Context(), t, r.PathValue("agent_id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.Empty{})
	return nil
}
