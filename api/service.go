package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// serviceFilter parses get-services' query parameters.
func (q *queryParams) serviceFilter() amigo.ServiceFilter {
	f := amigo.ServiceFilter{
		IDs: q.list("id", idPattern), IsActive: q.bool("is_active"),
		Limit: q.intAbove("limit", 10, 0, 20), Offset: q.int("continuation_token", 0, 0, -1),
	}
	for i, raw := range q.values["tags"] {
		key, value, ok := strings.Cut(raw, ":")
		if !ok || strings.TrimSpace(key) == "" {
			q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{"tags", i}, Type: "value_error",
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
	s.serviceJSON.writeServiceList(w, services, wire.Page{HasMore: more, ContinuationToken: next}, tags)
	return nil
}

// serviceInput decodes the body of create-service and update-service.
func serviceInput(r *http.Request) (*core.ServiceInput, error) {
	var in wire.ServiceInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return nil, err
	}
	cmd := shape.Convert[core.ServiceInput](in)
	cmd.Malformed = bad
	return &cmd, nil
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	in, err := serviceInput(r)
	if err != nil {
		return err
	}
	id, err := s.app.CreateService(r.Context(), t, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.Created{ID: id})
	return nil
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	in, err := serviceInput(r)
	if err != nil {
		return err
	}
	if err := s.app.UpdateService(r.Context(), t, r.PathValue("service_id"), in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.Empty{})
	return nil
}

// versionSetName matches the spec's version_set_name path parameter.
var versionSetName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// checkVersionSetName validates the version_set_name path parameter (after
// stripping, as the spec's model does) and returns it.
func checkVersionSetName(r *http.Request) (string, error) {
	name := strings.TrimSpace(r.PathValue("version_set_name"))
	if !versionSetName.MatchString(name) {
		return "", amigo.Invalid(amigo.FieldError{In: "path", Loc: []any{"version_set_name"}, Type: "string_pattern_mismatch",
			Msg: "String should match pattern '^[A-Za-z0-9_-]+$' and have 1 to 40 characters"})
	}
	return name, nil
}

func (s *Server) upsertVersionSet(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	name, err := checkVersionSetName(r)
	if err != nil {
		return err
	}
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in wire.VersionSetInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := core.VersionSetInput{VersionSet: in.VersionSet.Domain(), Malformed: bad}
	rev, err := s.app.UpsertVersionSet(r.Context(), t, r.PathValue("service_id"), name, &cmd, match)
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
