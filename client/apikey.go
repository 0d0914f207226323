package client

import (
	"context"
	"net/http"
	"time"
)

// APIKey is one element of get-api-keys; the secret is never listed.
type APIKey struct {
	ID        string    `json:"_id"`
	Name      *string   `json:"name"`
	OrgID     string    `json:"org_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	KeyID     string    `json:"key_id"`
	ExpiresAt time.Time `json:"expires_at"`
	Creator   UserInfo  `json:"creator"`
	RoleID    string    `json:"role_id"`
}

// CreateAPIKeyRequest is the body of create-api-key. Duration is ISO 8601,
// e.g. "P30D".
type CreateAPIKeyRequest struct {
	Name     *string `json:"name"`
	Duration string  `json:"duration"`
	RoleName string  `json:"role_name,omitempty"`
}

// CreatedAPIKey is the response of create-api-key: the only time the
// secret is shown.
type CreatedAPIKey struct {
	APIKeyID  string    `json:"api_key_id"`
	APIKey    string    `json:"api_key"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreateAPIKey creates an API key (create-api-key).
func (c *Client) CreateAPIKey(ctx context.Context, in *CreateAPIKeyRequest) (*CreatedAPIKey, error) {
	var out CreatedAPIKey
	if err := c.do(ctx, &request{op: "create-api-key", method: http.MethodPost, path: c.orgPath("/organization/api_key/"), body: in, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAPIKeys returns the organization's API keys (get-api-keys).
func (c *Client) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	var out struct {
		APIKeys []APIKey `json:"api_keys"`
	}
	err := c.do(ctx, &request{op: "get-api-keys", method: http.MethodGet, path: c.orgPath("/organization/api_key/"), retry: true, out: &out})
	return out.APIKeys, err
}

// DeleteAPIKey deletes an API key by its key id (delete-api-key).
func (c *Client) DeleteAPIKey(ctx context.Context, keyID string) error {
	return c.do(ctx, &request{op: "delete-api-key", method: http.MethodDelete, path: c.orgPath("/organization/api_key/%s/", keyID), retry: true})
}
