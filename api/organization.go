package api

import (
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	org, err := s.app.GetOrganization(r.Context(), t)
	if err != nil {
		return err
	}
	details := core.CanSeeOrganizationDetails(amigo.CallerFromContext(r.Context()), org.ID)
	writeJSON(w, http.StatusOK, wire.NewOrganization(org, details))
	return nil
}

// errOrgIDPattern refuses the organization id that create-organization's
// path names.
func errOrgIDPattern() error {
	return amigo.Invalid(amigo.FieldError{In: "path", Loc: []any{"organization"}, Type: "string_pattern_mismatch",
		Msg: "Organization ids are 1 to 63 lower-case letters, digits and inner hyphens."})
}

// organizationInput decodes the body of create- and modify-organization.
func organizationInput(r *http.Request) (*core.OrganizationInput, error) {
	var in wire.OrganizationInput
	bad, err := decode(r, &in, organizationMaxBody)
	if err != nil {
		return nil, err
	}
	cmd := shape.Convert[core.OrganizationInput](in)
	cmd.Malformed = bad
	return &cmd, nil
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request, _ *core.Tenant) error {
	cluster := strings.TrimSpace(r.Header.Get("x-mongo-cluster-name"))
	if cluster == "" {
		return amigo.Invalid(amigo.FieldError{In: "header", Loc: []any{"x-mongo-cluster-name"}, Msg: "Field required", Type: "missing"})
	}
	orgID := r.PathValue("organization")
	if !core.IsOrgID(orgID) {
		return errOrgIDPattern()
	}
	in, err := organizationInput(r)
	if err != nil {
		return err
	}
	if err := s.app.CreateOrganization(r.Context(), orgID, cluster, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.CreatedOrganization{OrgID: orgID})
	return nil
}

func (s *Server) modifyOrganization(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	in, err := organizationInput(r)
	if err != nil {
		return err
	} else if err := s.app.ModifyOrganization(r.Context(), t, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteOrganization(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteOrganization(r.Context(), t); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getUserDimensions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	dims, err := s.app.UserDimensions(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.UserDimensionList{UserDimensions: wire.NewUserDimensions(dims)})
	return nil
}
