package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// APIKeyInput is the body of create-api-key.
type APIKeyInput struct {
	Name     *string
	Duration *string
	RoleName *string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// Limits of an API key's validity.
const (
	MinAPIKeyDuration = 24 * time.Hour
	MaxAPIKeyDuration = 90 * 24 * time.Hour
)

// MaxAPIKeys is the spec's limit of live API keys per organization.
const MaxAPIKeys = 20

// admitAPIKey refuses a key beyond the organization's cap, given the
// number of its keys that are still live.
func admitAPIKey(live int) error {
	if live >= MaxAPIKeys {
		return amigo.Errorf(amigo.EBADREQUEST, "The organization has reached the maximum of %d API keys.", MaxAPIKeys)
	}
	return nil
}

// NewAPIKey is a created key with its secret, which is shown exactly once.
type NewAPIKey struct {
	Key    *amigo.APIKey
	Secret string
}

func (in *APIKeyInput) check() (time.Duration, error) {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	var d time.Duration
	if in.Name != nil {
		c.str(at("name"), strings.TrimSpace(*in.Name), 1, maxName, nil)
	}
	if c.required(at("duration"), in.Duration != nil) {
		var err error
		if d, err = ParseISODuration(*in.Duration); err != nil {
			c.add(at("duration"), nil, "duration_parsing", "Input should be a valid duration: %v", err)
		} else if d < MinAPIKeyDuration || d > MaxAPIKeyDuration {
			c.add(at("duration"), nil, "value_error", "The duration must be between 1 and 90 days.")
		}
	}
	return d, c.err()
}

// CreateAPIKey issues a key for a role the caller fully holds: the key's
// role must be less permissive than (included in) the caller's.
func (a *App) CreateAPIKey(ctx context.Context, t *Tenant, in *APIKeyInput) (*NewAPIKey, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermCreateAPIKey); err != nil {
		return nil, err
	}
	d, err := in.check()
	if err != nil {
		return nil, err
	}
	roleName := amigo.RoleAdministrator
	if in.RoleName != nil {
		roleName = *in.RoleName
	}
	role, err := t.Store.FindRoleByName(ctx, t.Placement.OrgID, roleName)
	if err != nil {
		return nil, err
	} else if err := caller.Require(amigo.PermCreateAPIKey, apiKeyAttrs("", role.Name)); err != nil {
		return nil, err
	} else if !caller.Role.Includes(role) {
		return nil, amigo.Errorf(amigo.EFORBIDDEN, "You cannot create an API key for role %s: it has privileges you do not hold.", role.Name)
	}
	return a.issueAPIKey(ctx, t.Store, t.Placement.OrgID, role.ID, caller, trimmed(in.Name), d)
}

// issueAPIKey generates and stores a key; only the secret's hash is kept.
func (a *App) issueAPIKey(ctx context.Context, store amigo.ClusterStore, orgID, roleID string, creator *amigo.Caller, name *string, d time.Duration) (*NewAPIKey, error) {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, err
	}
	now := a.Now()
	k := &amigo.APIKey{
		ID: amigo.NewID(now), KeyID: amigo.NewUUID(), OrgID: orgID, Name: name, RoleID: roleID,
		CreatorUserID: creator.UserID, CreatorOrgID: creator.OrgID, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(d),
	}
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	k.SecretHash = HashSecret(s)
	// The operator's bootstrap command issues keys without a caller.
	operation := "create-api-key"
	if amigo.CallerFromContext(ctx) == nil {
		operation = "bootstrap"
	}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: operation, resourceType: resAPIKey, resourceID: k.KeyID,
		summary: "Issued API key " + k.KeyID, after: apiKeyDocOf(k)}); err != nil {
		return nil, err
	}
	if err := store.CreateAPIKey(ctx, k, admitAPIKey); err != nil {
		return nil, err
	}
	return &NewAPIKey{Key: k, Secret: s}, nil
}

// ListAPIKeys returns the organization's keys that the caller holds
// Organization:GetAPIKey on, never their secrets.
func (a *App) ListAPIKeys(ctx context.Context, t *Tenant) ([]*amigo.APIKey, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermGetAPIKey); err != nil {
		return nil, err
	}
	names, err := roleNamesIfConditional(ctx, t, caller, amigo.PermGetAPIKey)
	if err != nil {
		return nil, err
	}
	keys, err := t.Store.ListAPIKeys(ctx, t.Placement.OrgID)
	if err != nil {
		return nil, err
	}
	return allowedOf(caller, amigo.PermGetAPIKey, keys, func(k *amigo.APIKey) amigo.Attributes {
		return apiKeyAttrs(k.KeyID, names[k.RoleID])
	})
}

// DeleteAPIKey revokes a key at once. As for creating one, the key's role
// must be included in the caller's: an administrator cannot revoke a
// super administrator's key.
func (a *App) DeleteAPIKey(ctx context.Context, t *Tenant, keyID string) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermDeleteAPIKey); err != nil {
		return err
	}
	k, err := t.Store.FindAPIKey(ctx, t.Placement.OrgID, keyID)
	if err != nil {
		return err
	}
	role, err := t.Store.FindRole(ctx, t.Placement.OrgID, k.RoleID)
	if err != nil {
		return err
	} else if err := caller.Require(amigo.PermDeleteAPIKey, apiKeyAttrs(k.KeyID, role.Name)); err != nil {
		return err
	} else if !caller.Role.Includes(role) {
		return amigo.Errorf(amigo.EFORBIDDEN, "You cannot revoke API key %s: its role %s has privileges you do not hold.", k.KeyID, role.Name)
	}
	defer a.auth.gens.forget(t.Placement.OrgID)
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: t.Placement.OrgID, operation: "delete-api-key", resourceType: resAPIKey, resourceID: keyID,
		summary: "Revoked API key " + keyID, before: &apiKeyDoc{KeyID: keyID}}); err != nil {
		return err
	}
	return t.Store.DeleteAPIKey(ctx, t.Placement.OrgID, keyID)
}
