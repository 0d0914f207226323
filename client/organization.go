package client

import (
	"context"
	"net/http"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The organization's shapes, as the server declares them (package
// api/wire). Organization is the response of get-organization: its
// DefaultUserPreferences and TenantID are filled only for callers allowed
// to get the organization's details; images are base64 (PNG; favicon:
// ICO), nil when not set. Preferences are a user's (or an organization's
// default) preferences as responses show them, PreferencesInput as
// requests give them. CreateOrganizationRequest and
// ModifyOrganizationRequest are the bodies of create- and
// modify-organization; nil fields are left out (unchanged).
type (
	Organization              = wire.Organization
	Preferences               = wire.Preferences
	PreferencesInput          = wire.PreferencesInput
	UserDimension             = wire.UserDimension
	CreateOrganizationRequest = wire.OrganizationInput
	ModifyOrganizationRequest = wire.OrganizationInput
)

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
	var out wire.CreatedOrganization
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
	var out wire.UserDimensionList
	err := c.do(ctx, &request{op: "get-user-dimensions", method: http.MethodGet, path: c.orgPath("/organization/user_dimensions/"), retry: true, out: &out})
	return out.UserDimensions, err
}
