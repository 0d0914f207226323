package core

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// Keys die with their creator's privileges. A user may create API keys
// only for roles their own includes (CreateAPIKey); anyone who signs in
// with such a key gets that role's privileges. So that a demoted or
// deleted user keeps none of their former privileges through the keys
// they handed out, deleting a user or giving them a role revokes, in the
// same transaction, every key they created in the organization whose role
// the user's new role no longer includes (every key they created, for a
// deletion). Each revoked key gets a change log record of the operation
// that revoked it.
//
// A platform administrator's keys in other organizations live in other
// organizations' change logs, perhaps on other clusters, so they are not
// deleted with the change: such a key works only while its creator is
// still a super administrator of the platform organization
// (checkKeyCreator), checked at sign-in and with every request of its
// tokens, through the auth caches.

// revokeKeysOf returns the revocation of the keys u created in orgID whose
// role is not in keep, recording each revoked key in j as operation.
func (a *App) revokeKeysOf(ctx context.Context, j *amigo.Journal, orgID string, u *amigo.User, keep []string, operation string) *amigo.KeyRevocation {
	why := "its creator " + u.Email + " was deleted"
	if operation != "delete-user" {
		why = "its role is no longer included in its creator " + u.Email + "'s"
	}
	return &amigo.KeyRevocation{
		CreatorOrgID: orgID, CreatorUserID: u.ID, Keep: keep,
		Revoked: func(keyIDs []string) error {
			for _, id := range keyIDs {
				if err := a.record(ctx, j, change{orgID: orgID, operation: operation, resourceType: resAPIKey, resourceID: id,
					summary: "Revoked API key " + id + ": " + why, before: &apiKeyDoc{KeyID: id}}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// includedRoles returns the ids of the organization's roles that role
// includes: the roles of the keys a user of role may keep.
func includedRoles(ctx context.Context, t *Tenant, role *amigo.Role) ([]string, error) {
	roles, err := t.Store.ListRoles(ctx, t.Placement.OrgID)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, r := range roles {
		if role.Includes(r) {
			keep = append(keep, r.ID)
		}
	}
	return keep, nil
}

// checkKeyCreator refuses a key that a platform administrator created in
// another organization once its creator is deleted or no longer a super
// administrator of the platform organization.
func (a *App) checkKeyCreator(ctx context.Context, key *amigo.APIKey) error {
	if key.CreatorOrgID == key.OrgID || key.CreatorOrgID == "" {
		return nil
	}
	gone := amigo.Errorf(amigo.EUNAUTHORIZED, "The API key of this token was revoked: its creator is no longer a platform administrator.")
	platform, err := a.platformOrg(ctx)
	if err != nil {
		return err
	} else if key.CreatorOrgID != platform {
		return gone
	}
	// The platform organization's maintenance or move does not stop its
	// administrators' keys elsewhere: its rows are read where they are.
	p, err := a.placements.lookup(ctx, platform)
	if err != nil {
		return err
	} else if p == nil || p.Region != a.Region {
		return gone
	}
	store, ok := a.Clusters[p.Cluster]
	if !ok {
		return amigo.Errorf(amigo.EUNAVAILABLE, amigo.MsgMaintenance)
	}
	creator, err := a.caller(ctx, store, platform, key.CreatorUserID)
	if amigo.ErrorCode(err) == amigo.EUNAUTHORIZED {
		return gone
	} else if err != nil {
		return err
	} else if !creator.Platform {
		return gone
	}
	return nil
}
