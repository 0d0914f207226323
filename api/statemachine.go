package api

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

func (s *Server) createStateMachine(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.NameInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	id, err := s.app.CreateStateMachine(r.Context(), t, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdID{id})
	return nil
}

func (s *Server) getStateMachines(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := amigo.StateMachineFilter{
		Deprecated: q.bool("deprecated"), IDs: q.list("id", idPattern),
		Limit: q.int("limit", 50, 0, 50), Offset: q.int("continuation_token", 0, 0, -1),
	}
	if err := q.err(); err != nil {
		return err
	}
	machines, next, more, err := s.app.ListStateMachines(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := make([]amigo.StateMachineInstance, len(machines))
	for i, m := range machines {
		out[i] = m.Instance()
	}
	writeJSON(w, http.StatusOK, struct {
		Machines []amigo.StateMachineInstance `json:"service_hierarchical_state_machines"`
		page
	}{out, page{more, next}})
	return nil
}

func (s *Server) createStateMachineVersion(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	expected := q.optIntAbove("version", 0)
	dryRun := q.bool("dry_run")
	if err := q.err(); err != nil {
		return err
	}
	var req amigo.StateMachineVersionRequest
	if err := decode(r, &req, defaultMaxBody); err != nil {
		return err
	}
	v, err := s.app.CreateStateMachineVersion(r.Context(), t, r.PathValue("service_hierarchical_state_machine_id"), expected, dryRun != nil && *dryRun, &req)
	if err != nil {
		return err
	}
	if v == nil {
		// A dry run answers FastAPI's empty response: JSON null.
		writeJSON(w, http.StatusCreated, nil)
		return nil
	}
	writeJSON(w, http.StatusCreated, createdVersion{v.ID, v.Version, v.CreatedAt})
	return nil
}

func (s *Server) getStateMachineVersions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := q.versionFilter()
	if err := q.err(); err != nil {
		return err
	}
	versions, more, err := s.app.ListStateMachineVersions(r.Context(), t, r.PathValue("service_hierarchical_state_machine_id"), f)
	if err != nil {
		return err
	}
	out := make([]amigo.StateMachineVersionInstance, len(versions))
	for i, v := range versions {
		out[i] = v.Instance()
	}
	writeJSON(w, http.StatusOK, struct {
		Versions []amigo.StateMachineVersionInstance `json:"state_machine_versions"`
		page
	}{out, page{more, nextToken(more, f.Offset, len(out))}})
	return nil
}

func (s *Server) deleteStateMachine(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteStateMachine(r.Context(), t, r.PathValue("state_machine_id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
