package api

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

func (s *Server) createStateMachine(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.NameInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.NameInput](in)
	cmd.Malformed = bad
	id, err := s.app.CreateStateMachine(r.Context(), t, &cmd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.Created{ID: id})
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
	out := wire.StateMachineList{Machines: make([]wire.StateMachineInstance, len(machines)), Page: wire.Page{HasMore: more, ContinuationToken: next}}
	for i, m := range machines {
		out.Machines[i] = wire.NewStateMachine(m)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createStateMachineVersion(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	expected := q.optIntAbove("version", 0)
	dryRun := q.bool("dry_run")
	if err := q.err(); err != nil {
		return err
	}
	var in wire.StateMachineVersionRequest
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	v, err := s.app.CreateStateMachineVersion(r.Context(), t, r.PathValue("service_hierarchical_state_machine_id"), expected, dryRun != nil && *dryRun,
		&core.StateMachineVersionInput{Definition: in.Definition(), Malformed: bad})
	if err != nil {
		return err
	}
	if v == nil {
		// A dry run answers FastAPI's empty response: JSON null.
		writeJSON(w, http.StatusCreated, nil)
		return nil
	}
	writeJSON(w, http.StatusCreated, wire.CreatedVersion{ID: v.ID, Version: v.Version, CreatedAt: v.CreatedAt})
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
	out := wire.StateMachineVersionList{Versions: make([]wire.StateMachineVersionInstance, len(versions)),
		Page: wire.Page{HasMore: more, ContinuationToken: nextToken(more, f.Offset, len(versions))}}
	for i, v := range versions {
		out.Versions[i] = wire.NewStateMachineVersion(v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteStateMachine(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteStateMachine(r.Context(), t, r.PathValue("state_machine_id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.Empty{})
	return nil
}
