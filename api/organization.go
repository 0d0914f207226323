package api

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

type organizationResponse struct {
	OrgID                  string             `json:"org_id"`
	OrgName                string             `json:"org_name"`
	DefaultUserPreferences *amigo.Preferences `json:"default_user_preferences"`
	TenantID               *string            `json:"tenant_id"`
	// The seed's richer view: the frontend needs these to render the org.
	Title                  string                `json:"title"`
	MainDescription        string                `json:"main_description"`
	SubDescription         string                `json:"sub_description"`
	Logo                   *string               `json:"logo"`
	SquareLogo             *string               `json:"square_logo"`
	Favicon                *string               `json:"favicon"`
	SignupPageHeadshot     *string               `json:"signup_page_headshot"`
	UserDimensions         []amigo.UserDimension `json:"user_dimensions"`
	OnboardingInstructions []string              `json:"onboarding_instructions"`
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	org, err := s.app.GetOrganization(r.Context(), t)
	if err != nil {
		return err
	}
	resp := organizationResponse{
		OrgID: org.ID, OrgName: org.Name, Title: org.Title, MainDescription: org.MainDescription, SubDescription: org.SubDescription,
		Logo: b64(org.Logo), SquareLogo: b64(org.SquareLogo), Favicon: b64(org.Favicon), SignupPageHeadshot: b64(org.SignupPageHeadshot),
		UserDimensions: org.UserDimensions, OnboardingInstructions: org.OnboardingInstructions,
	}
	if core.CanSeeOrganizationDetails(amigo.CallerFromContext(r.Context()), org.ID) {
		resp.DefaultUserPreferences, resp.TenantID = &org.DefaultUserPreferences, &org.TenantID
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func b64(b []byte) *string {
	if b == nil {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request, _ *core.Tenant) error {
	cluster := strings.TrimSpace(r.Header.Get("x-mongo-cluster-name"))
	if cluster == "" {
		return amigo.Invalid(amigo.FieldError{Loc: []any{"header", "x-mongo-cluster-name"}, Msg: "Field required", Type: "missing"})
	}
	var in core.OrganizationInput
	if err := decode(r, &in, organizationMaxBody); err != nil {
		return err
	}
	orgID := r.PathValue("organization")
	if err := s.app.CreateOrganization(r.Context(), orgID, cluster, &in); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"org_id": orgID})
	return nil
}

func (s *Server) modifyOrganization(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.OrganizationInput
	if err := decode(r, &in, organizationMaxBody); err != nil {
		return err
	} else if err := s.app.ModifyOrganization(r.Context(), t, &in); err != nil {
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
	writeJSON(w, http.StatusOK, map[string][]amigo.UserDimension{"user_dimensions": dims})
	return nil
}
