package api

import (
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

type tag struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

type serviceInstance struct {
	ID             string                      `json:"id"`
	Name           string                      `json:"name"`
	VersionSets    map[string]amigo.VersionSet `json:"version_sets"`
	Description    string                      `json:"description"`
	IsActive       bool                        `json:"is_active"`
	StateMachineID string                      `json:"service_hierarchical_state_machine_id"`
	AgentID        string                      `json:"agent_id"`
	Tags           []tag                       `json:"tags"`
	Keyterms       []string                    `json:"keyterms"`
	Creator        amigo.CreatorInfo           `json:"creator"`
	UpdatedBy      amigo.CreatorInfo           `json:"updated_by"`
}

func newServiceInstance(s *amigo.Service) serviceInstance {
	tags := make([]tag, 0, len(s.Tags))
	for _, kv := range amigo.TagValues(s.Tags) {
		key, _, _ := strings.Cut(kv, ":")
		tags = append(tags, tag{Key: key, Value: s.Tags[key]})
	}
	keyterms := s.Keyterms
	if keyterms == nil {
		keyterms = []string{}
	}
	return serviceInstance{
		ID: s.ID, Name: s.Name, VersionSets: s.VersionSets, Description: s.Description, IsActive: s.IsActive,
		StateMachineID: s.StateMachineID, AgentID: s.AgentID, Tags: tags, Keyterms: keyterms,
		Creator:   amigo.CreatorInfo{OrgID: s.CreatorOrgID, UserID: s.CreatorUserID},
		UpdatedBy: amigo.CreatorInfo{OrgID: s.UpdatedByOrgID, UserID: s.UpdatedByUserID},
	}
}

// serviceFilter parses get-services' query parameters.
func (q *queryParams) serviceFilter() amigo.ServiceFilter {
	f := amigo.ServiceFilter{
		IDs: q.list("id", idPattern), IsActive: q.bool("is_active"),
		Limit: q.intAbove("limit", 10, 0, 20), Offset: q.int("continuation_token", 0, 0, -1),
	}
	for i, raw := range q.values["tags"] {
		key, value, ok := strings.Cut(raw, ":")
		if !ok || strings.TrimSpace(key) == "" {
			q.errs = append(q.errs, amigo.FieldError{Loc: []any{"query", "tags", i}, Type: "value_error",
				Msg: "Tags must be written key:value, key:* (any value) or key: (no value)."})
			continue
		}
		t := amigo.TagFilter{Key: key, Any: value == "*"}
		if value != "" && value != "*" {
			t.Value = &value
		}
		f.Tags = append(f.Tags, t)
	}
	f.Sort = q.sort(map[string]string{"name": "name", "is_active": "is_active"})
	return f
}

func (s *Server) getServices(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := q.serviceFilter()
	if err := q.err(); err != nil {
		return err
	}
	services, next, more, tags, err := s.app.ListServices(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := make([]serviceInstance, len(services))
	for i, svc := range services {
		out[i] = newServiceInstance(svc)
	}
	if tags == nil {
		tags = []string{}
	}
	type filterValues struct {
		Tags []string `json:"tags"`
	}
	writeJSON(w, http.StatusOK, struct {
		Services []serviceInstance `json:"services"`
		page
		FilterValues filterValues `json:"filter_values"`
	}{out, page{more, next}, filterValues{tags}})
	return nil
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.ServiceInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	id, err := s.app.CreateService(r.Context(), t, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdID{id})
	return nil
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.ServiceInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	if err := s.app.UpdateService(r.Context(), t, r.PathValue("service_id"), &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (s *Server) upsertVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.VersionSetInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	rev, err := s.app.UpsertVersionSet(r.Context(), t, r.PathValue("service_id"), r.PathValue("version_set_name"), &in, match)
	if err != nil {
		return err
	}
	setETag(w, rev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := s.app.DeleteVersionSet(r.Context(), t, r.PathValue("service_id"), r.PathValue("version_set_name"), match); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
