package wire

import (
	"time"

	"github.com/amigo-oss/amigo-server"
)

// APIKeyInput is the body of create-api-key.
type APIKeyInput struct {
	Name     *string `json:"name,omitempty"`
	Duration *string `json:"duration,omitempty"`
	RoleName *string `json:"role_name,omitempty"`
}

// CreatedAPIKey is the answer of create-api-key: the only time the secret
// is shown.
type CreatedAPIKey struct {
	APIKeyID  string    `json:"api_key_id"`
	APIKey    string    `json:"api_key"`
	ExpiresAt time.Time `json:"expires_at"`
}

// APIKeyInstance is one element of get-api-keys' "api_keys".
type APIKeyInstance struct {
	ID        string    `json:"_id"`
	Name      *string   `json:"name"`
	OrgID     string    `json:"org_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	KeyID     string    `json:"key_id"`
	ExpiresAt time.Time `json:"expires_at"`
	Creator   Creator   `json:"creator"`
	RoleID    string    `json:"role_id"`
}

// APIKeyList is the answer of get-api-keys.
type APIKeyList struct {
	APIKeys []APIKeyInstance `json:"api_keys"`
}

// NewAPIKey returns the key as get-api-keys lists it, never its secret.
func NewAPIKey(k *amigo.APIKey) APIKeyInstance {
	return APIKeyInstance{
		ID: k.ID, Name: k.Name, OrgID: k.OrgID, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, KeyID: k.KeyID,
		ExpiresAt: k.ExpiresAt, Creator: Creator{UserID: k.CreatorUserID, OrgID: k.CreatorOrgID}, RoleID: k.RoleID,
	}
}

// DeletedAPIKey is the answer of delete-api-key.
type DeletedAPIKey struct {
	DeletedKeyID string `json:"deleted_key_id"`
}

// SignIn is the answer of sign-in-with-api-key.
type SignIn struct {
	IDToken   string    `json:"id_token"`
	ExpiresAt time.Time `json:"expires_at"`
}
