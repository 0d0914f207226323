package amigo

import (
	"context"
	"time"
)

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

// KeyRevocation revokes, in the transaction of a change to a user, the
// API keys that user created in the user's organization whose role is not
// one of Keep: the roles the user's role still includes (none when the
// user is deleted).
type KeyRevocation struct {
	CreatorOrgID, CreatorUserID string
	Keep                        []string // role ids
	// Revoked is called in the transaction with the key ids deleted,
	// sorted, when there are any; its error aborts the change.
	Revoked func(keyIDs []string) error
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// CreateAPIKey locks k's organization, counts its live keys (those
	// expiring after k.CreatedAt) and passes the count to admit; if admit
	// returns nil, k is stored. admit's error is returned unchanged. The
	// count and the insert are one transaction, so concurrent creations
	// cannot both pass a cap.
	CreateAPIKey(ctx context.Context, k *APIKey, admit func(live int) error) error
	// FindAPIKey looks a key up by its key id. Returns ENOTFOUND.
	FindAPIKey(ctx context.Context, orgID, keyID string) (*APIKey, error)
	// ListAPIKeys returns the organization's keys, newest first.
	ListAPIKeys(ctx context.Context, orgID string) ([]*APIKey, error)
	// DeleteAPIKey returns ENOTFOUND.
	DeleteAPIKey(ctx context.Context, orgID, keyID string) error
}
