package client

import (
	"context"
	"net/http"
)

// Organization is the response of get-organization.
type Organization struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
	// DefaultUserPreferences and TenantID are filled only for callers
	// allowed to get the organization's details.
	DefaultUserPreferences *Preferences `json:"default_user_preferences"`
	TenantID               *string      `json:"tenant_id"`
	// The branding a sign-in page shows. Images are base64 (PNG; favicon:
	// ICO), nil when not set.
	Title                  string   `json:"title"`
	MainDescription        string   `json:"main_description"`
	SubDescription         string   `json:"sub_description"`
	Logo                   *string  `json:"logo"`
	SquareLogo             *string  `json:"square_logo"`
	Favicon                *string  `json:"favicon"`
	SignupPageHeadshot     *string  `json:"signup_page_headshot"`
	OnboardingInstructions []string `json:"onboarding_instructions"`
	// UserDimensions are the dimensions users are described along.
	UserDimensions []UserDimension `json:"user_dimensions"`
}

// Preferences are a user's (or an organization's default) preferences.
type Preferences struct {
	EnableResponseRecommendation bool    `json:"enable_response_recommendation"`
	PreferredLanguage            *string `json:"preferred_language"`
	ConversationsVisibleToAdmins bool    `json:"conversations_visible_to_admins"`
	UserModelVisibleToAdmins     bool    `json:"user_model_visible_to_admins"`
	Timezone                     *string `json:"timezone"`
	// AudioKeyterms is left out when nil: the spec's request shapes
	// allow a list, never null.
	AudioKeyterms []string `json:"audio_keyterms,omitempty"`
}

// UserDimension describes one dimension users are grouped by.
type UserDimension struct {
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// CreateOrganizationRequest is the body of create-organization. Images are
// base64 PNG (favicon: ICO).
type CreateOrganizationRequest struct {
	OrgName                string          `json:"org_name"`
	Title                  string          `json:"title,omitempty"`
	MainDescription        string          `json:"main_description,omitempty"`
	SubDescription         string          `json:"sub_description,omitempty"`
	UserDimensions         []UserDimension `json:"user_dimensions"`
	Logo                   string          `json:"logo"`
	SquareLogo             string          `json:"square_logo"`
	Favicon                string          `json:"favicon"`
	SignupPageHeadshot     string          `json:"signup_page_headshot,omitempty"`
	DefaultUserPreferences *Preferences    `json:"default_user_preferences,omitempty"`
	OnboardingInstructions []string        `json:"onboarding_instructions,omitempty"`
	AzureDevopsTeamName    string          `json:"azure_devops_team_name"`
}

// ModifyOrganizationRequest is the body of modify-organization; nil fields
// are left unchanged.
type ModifyOrganizationRequest struct {
	Logo                   *string          `json:"logo,omitempty"`
	SquareLogo             *string          `json:"square_logo,omitempty"`
	Favicon                *string          `json:"favicon,omitempty"`
	UserDimensions         *[]UserDimension `json:"user_dimensions,omitempty"`
	DefaultUserPreferences *Preferences     `json:"default_user_preferences,omitempty"`
}

// GetOrganization returns the client's organization (get-organization).
func (c *Client) GetOrganization(ctx context.Context) (*Organization, error) {
	var out Organization
	err := c.do(ctx, &request{op: "get-organization", method: http.MethodGet, path: c.orgPath("/organization/"), retry: true, out: &out})
	return &out, err
}

// CreateOrganization creates the client's organization on the named
// cluster (create-organization). Only a platform administrator may, so
// the client is configured with OrganizationID the new organization and
// CallerOrganizationID the platform's. It returns the new organization's
// id.
func (c *Client) CreateOrganization(ctx context.Context, cluster string, in *CreateOrganizationRequest) (string, error) {
	var out struct {
		OrgID string `json:"org_id"`
	}
	h := http.Header{}
	h.Set("x-mongo-cluster-name", cluster)
	// A repeated create answers 409 rather than creating twice, so it is
	// safe to retry.
	err := c.do(ctx, &request{op: "create-organization", method: http.MethodPut, path: c.orgPath("/organization/"),
		header: h, body: in, retry: true, out: &out})
	return out.OrgID, err
}

// ModifyOrganization changes the set fields of the organization
// (modify-organization). Setting fields is idempotent, so it is retried.
func (c *Client) ModifyOrganization(ctx context.Context, in *ModifyOrganizationRequest) error {
	return c.do(ctx, &request{op: "modify-organization", method: http.MethodPost, path: c.orgPath("/organization/"), body: in, retry: true})
}

// DeleteOrganization deletes the organization (delete-organization).
func (c *Client) DeleteOrganization(ctx context.Context) error {
	return c.do(ctx, &request{op: "delete-organization", method: http.MethodDelete, path: c.orgPath("/organization/"), retry: true})
}

// GetUserDimensions returns the organization's user dimensions
// (get-user-dimensions).
func (c *Client) GetUserDimensions(ctx context.Context) ([]UserDimension, error) {
	var out struct {
		UserDimensions []UserDimension `json:"user_dimensions"`
	}
	err := c.do(ctx, &request{op: "get-user-dimensions", method: http.MethodGet, path: c.orgPath("/organization/user_dimensions/"), retry: true, out: &out})
	return out.UserDimensions, err
}
