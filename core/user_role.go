package core

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// UpdateUserRoleInput is the body of update-user-role, an extension: the
// Amigo API has no operation that changes a user's role.
type UpdateUserRoleInput struct {
	RoleName *string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

func (in *UpdateUserRoleInput) check() error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	if c.required(at("role_name"), in.RoleName != nil) {
		c.str(at("role_name"), *in.RoleName, 1, maxName, nil)
	}
	return c.err()
}

// UpdateUserRole gives a user another role of the organization. The caller
// needs User:UpdateUserRole on the user as they are and as they will be,
// and must hold every privilege of both roles, so that an administrator can
// neither demote a super administrator nor make anyone one. It takes effect
// on the user's next request: the organization's cached callers are
// dropped, as the operator's set-role does. Giving the role the user has
// changes nothing and records nothing.
func (a *App) UpdateUserRole(ctx context.Context, t *Tenant, userID string, in *UpdateUserRoleInput) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermUpdateUserRole); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	orgID := t.Placement.OrgID
	u, err := targetUser(ctx, t, caller, amigo.PermUpdateUserRole, "change the role of", userID)
	if err != nil {
		return err
	}
	role, err := t.Store.FindRoleByName(ctx, orgID, *in.RoleName)
	if err != nil {
		return err
	} else if err := caller.Require(amigo.PermUpdateUserRole, userAttrs(u.ID, u.Email, role.Name)); err != nil {
		return err
	} else if !caller.Role.Includes(role) {
		return amigo.Errorf(amigo.EFORBIDDEN, "You cannot give user %s role %s: it has privileges you do not hold.", u.ID, role.Name)
	}
	if u.RoleID == role.ID {
		return nil
	}
	return a.giveRole(ctx, t, u, role, "update-user-role", "Gave user "+u.Email+" role "+role.Name)
}

// giveRole makes role u's, recorded in the change log as operation with
// summary, and then drops the organization's cached callers, so that the
// user's next request has it. The keys u created whose role the new one
// does not include are revoked with it (keyrevoke.go).
func (a *App) giveRole(ctx context.Context, t *Tenant, u *amigo.User, role *amigo.Role, operation, summary string) error {
	orgID := t.Placement.OrgID
	defer a.auth.gens.forget(orgID)
	before := userDocOf(u)
	after := *before
	after.RoleID = role.ID
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: operation, resourceType: resUser, resourceID: u.ID,
		summary: summary, before: before, after: &after}); err != nil {
		return err
	}
	keep, err := includedRoles(ctx, t, role)
	if err != nil {
		return err
	}
	return t.Store.UpdateUserRole(ctx, orgID, u.ID, role.ID, a.revokeKeysOf(ctx, j, orgID, u, keep, operation))
}
