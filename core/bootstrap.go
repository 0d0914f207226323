package core

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// BootstrapDuration is the validity of keys issued by Bootstrap.
const BootstrapDuration = MaxAPIKeyDuration

// BootstrapResult is what the bootstrap command prints.
type BootstrapResult struct {
	OrgID  string
	UserID string
	Key    *NewAPIKey
}

// Bootstrap is the operator's way in: it creates orgID on the default
// cluster if it does not exist (the first organization bootstrapped becomes
// the platform organization) and issues a new super-administrator API key
// for admin@amigo.ai. It bypasses permission checks: whoever can run it can
// read the database anyway.
func (a *App) Bootstrap(ctx context.Context, orgID string) (*BootstrapResult, error) {
	if !orgIDPattern.MatchString(orgID) {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "Organization ids are 1 to 63 lower-case letters, digits and inner hyphens.")
	}
	if _, err := a.Directory.Lookup(ctx, orgID); amigo.ErrorCode(err) == amigo.ENOTFOUND {
		if err := a.provision(ctx, a.newOrganization(orgID, orgID), a.DefaultCluster); err != nil && amigo.ErrorCode(err) != amigo.ECONFLICT {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if _, err := a.Directory.ClaimPlatformOrg(ctx, orgID); err != nil {
		return nil, err
	}
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	admin, err := t.Store.FindUserByEmail(ctx, orgID, amigo.SuperUserEmail)
	if err != nil {
		return nil, err
	}
	role, err := t.Store.FindRoleByName(ctx, orgID, amigo.RoleSuperAdministrator)
	if err != nil {
		return nil, err
	}
	name := "bootstrap"
	key, err := a.issueAPIKey(ctx, t.Store, orgID, role.ID, &amigo.Caller{OrgID: orgID, UserID: admin.ID}, &name, BootstrapDuration)
	if err != nil {
		return nil, err
	}
	return &BootstrapResult{OrgID: orgID, UserID: admin.ID, Key: key}, nil
}
