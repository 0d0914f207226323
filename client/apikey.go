package client

import (
	"context"
	"net/http"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The API keys' shapes, as the server declares them (package api/wire).
// APIKey is one element of get-api-keys (the secret is never listed);
// CreateAPIKeyRequest the body of create-api-key (Duration is ISO 8601,
// e.g. "P30D"); CreatedAPIKey its response, the only time the secret is
// shown.
type (
	APIKey              = wire.APIKeyInstance
	CreateAPIKeyRequest = wire.APIKeyInput
	CreatedAPIKey       = wire.CreatedAPIKey
)

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
	var out wire.APIKeyList
	err := c.do(ctx, &request{op: "get-api-keys", method: http.MethodGet, path: c.orgPath("/organization/api_key/"), retry: true, out: &out})
	return out.APIKeys, err
}

// DeleteAPIKey deletes an API key by its key id (delete-api-key).
func (c *Client) DeleteAPIKey(ctx context.Context, keyID string) error {
	return c.do(ctx, &request{op: "delete-api-key", method: http.MethodDelete, path: c.orgPath("/organization/api_key/%s/", keyID), retry: true})
}
