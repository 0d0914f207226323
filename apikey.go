package amigo

import (
	"context"
	"time"
)

// MaxAPIKeysPerOrg is the spec's limit of live API keys per organization.
const MaxAPIKeysPerOrg = 20

// APIKey lets a program exchange a secret for a user's token. Only the
// SHA-256 hash of the secret is ever stored.
type APIKey struct {
	ID            string // resource id ("_id")
	KeyID         string // UUID presented as x-api-key-id
	OrgID         string
	Name          *string
	SecretHash    []byte
	RoleID        string
	CreatorUserID string
	CreatorOrgID  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ExpiresAt     time.Time
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// CreateAPIKey stores k unless the organization already has max keys
	// that expire after now, in which case it returns EBADREQUEST. The
	// count and the insert are one transaction.
	CreateAPIKey(ctx context.Context, k *APIKey, max int, now time.Time) error
	// FindAPIKey looks a key up by its key id. Returns ENOTFOUND.
	FindAPIKey(ctx context.Context, orgID, keyID string) (*APIKey, error)
	// ListAPIKeys returns the organization's keys, newest first.
	ListAPIKeys(ctx context.Context, orgID string) ([]*APIKey, error)
	// DeleteAPIKey returns ENOTFOUND.
	DeleteAPIKey(ctx context.Context, orgID, keyID string) error
}
