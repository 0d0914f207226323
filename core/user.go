package core

import (
	"context"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// InviteUserInput is the body of create-invited-user.
type InviteUserInput struct {
	FirstName    *string
	LastName     *string
	Email        *string
	RoleName     *string
	LoginLink    *string
	Nonsensitive map[string]string
	Sensitive    map[string]string
	Preferences  *PreferencesInput
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

var variableName = regexp.MustCompile(`^[a-z_][a-z0-9_]+$`)

func (in *InviteUserInput) check() (amigo.Preferences, error) {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	if c.required(at("first_name"), in.FirstName != nil) {
		c.str(at("first_name"), strings.TrimSpace(*in.FirstName), 1, maxName, nil)
	}
	if c.required(at("last_name"), in.LastName != nil) {
		c.str(at("last_name"), strings.TrimSpace(*in.LastName), 1, maxName, nil)
	}
	if c.required(at("email"), in.Email != nil) {
		checkEmail(&c, at("email"), *in.Email)
	}
	if c.required(at("role_name"), in.RoleName != nil) {
		c.str(at("role_name"), *in.RoleName, 1, maxName, nil)
	}
	if in.LoginLink != nil {
		c.str(at("login_link"), *in.LoginLink, 1, 2083, nil)
	}
	checkVariables(&c, "nonsensitive_user_variables", in.Nonsensitive, 19)
	checkVariables(&c, "sensitive_user_variables", in.Sensitive, 20)
	var prefs amigo.Preferences
	if in.Preferences != nil {
		prefs = in.Preferences.check(&c, at("user_preferences"))
	}
	return prefs, c.err()
}

func checkVariables(c *fieldErrs, field string, vars map[string]string, max int) {
	if len(vars) > max {
		c.add(at(field), nil, "too_long", "Dictionary should have at most %d items", max)
	}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		c.str(at(field, k), k, 1, maxVariableName, variableName)
		c.str(at(field, k), vars[k], 0, maxText, nil)
	}
}

// checkEmail checks an e-mail address: its form, and RFC 5321's limits of
// 64 characters for the local part and 254 for the address.
func checkEmail(c *fieldErrs, loc []any, email string) {
	local, _, _ := strings.Cut(email, "@")
	switch a, err := mail.ParseAddress(email); {
	case len(email) > maxEmail:
		c.add(loc, nil, "value_error", "value is not a valid email address: it has more than %d characters", maxEmail)
	case len(local) > maxEmailLocal:
		c.add(loc, nil, "value_error", "value is not a valid email address: the part before the @ has more than %d characters", maxEmailLocal)
	case err != nil || a.Address != email:
		c.add(loc, nil, "value_error", "value is not a valid email address")
	}
}

// ListUsers returns one page of the users the caller holds User:GetUserInfo
// on, the continuation token of the next page, and whether there is one.
func (a *App) ListUsers(ctx context.Context, t *Tenant, f amigo.UserFilter) ([]*amigo.User, *int, bool, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermGetUserInfo); err != nil {
		return nil, nil, false, err
	}
	names, err := roleNamesIfConditional(ctx, t, caller, amigo.PermGetUserInfo)
	if err != nil {
		return nil, nil, false, err
	}
	return listAllowed(caller, amigo.PermGetUserInfo, f.Offset, f.Limit,
		func(offset, limit int) ([]*amigo.User, bool, error) {
			f.Offset, f.Limit = offset, limit
			return t.Store.ListUsers(ctx, t.Placement.OrgID, f)
		},
		func(u *amigo.User) amigo.Attributes {
			return withSelf(caller, userAttrs(u.ID, u.Email, names[u.RoleID]), "id", u.ID)
		})
}

// InviteUser creates an unverified user. The caller must hold every
// privilege of the new user's role. No email is sent: login_link is
// accepted and ignored.
func (a *App) InviteUser(ctx context.Context, t *Tenant, in *InviteUserInput) (*amigo.User, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermInviteUser); err != nil {
		return nil, err
	}
	prefs, err := in.check()
	if err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	role, err := t.Store.FindRoleByName(ctx, orgID, *in.RoleName)
	if err != nil {
		return nil, err
	} else if err := caller.Require(amigo.PermInviteUser, userAttrs("", *in.Email, role.Name)); err != nil {
		return nil, err
	} else if !caller.Role.Includes(role) {
		return nil, amigo.Errorf(amigo.EFORBIDDEN, "You cannot invite a user with role %s: it has privileges you do not hold.", role.Name)
	}
	if in.Preferences == nil {
		org, err := t.Store.FindOrganization(ctx, orgID)
		if err != nil {
			return nil, err
		}
		prefs = org.DefaultUserPreferences
	}
	u := a.newUser(orgID, strings.TrimSpace(*in.FirstName), strings.TrimSpace(*in.LastName), *in.Email, role.ID, prefs)
	if in.Nonsensitive != nil {
		u.NonsensitiveVariables = in.Nonsensitive
	}
	if in.Sensitive != nil {
		u.SensitiveVariables = in.Sensitive
	}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: "create-invited-user", resourceType: resUser, resourceID: u.ID,
		summary: "Invited user " + u.Email, after: userDocOf(u)}); err != nil {
		return nil, err
	}
	return u, t.Store.CreateUser(ctx, u)
}

// DeleteUser removes a user; their tokens stop working at once. Like
// invitation, it requires holding every privilege of the user's role, so
// that an administrator cannot remove a super administrator.
func (a *App) DeleteUser(ctx context.Context, t *Tenant, userID string) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermDeleteUser); err != nil {
		return err
	}
	orgID := t.Placement.OrgID
	u, err := targetUser(ctx, t, caller, amigo.PermDeleteUser, "delete", userID)
	if err != nil {
		return err
	}
	defer a.auth.gens.forget(orgID)
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: "delete-user", resourceType: resUser, resourceID: u.ID,
		summary: "Deleted user " + u.Email, before: userDocOf(u)}); err != nil {
		return err
	}
	return t.Store.DeleteUser(ctx, orgID, userID)
}

// targetUser loads the user that caller acts on with perm, checking perm on
// the user and that the user's role is included in the caller's, so that an
// administrator cannot act on a super administrator. verb names the action
// in the refusal.
func targetUser(ctx context.Context, t *Tenant, caller *amigo.Caller, perm, verb, userID string) (*amigo.User, error) {
	orgID := t.Placement.OrgID
	u, err := t.Store.FindUser(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	role, err := t.Store.FindRole(ctx, orgID, u.RoleID)
	if err != nil {
		return nil, err
	} else if err := caller.Require(perm, withSelf(caller, userAttrs(u.ID, u.Email, role.Name), "id", u.ID)); err != nil {
		return nil, err
	} else if !caller.Role.Includes(role) {
		return nil, amigo.Errorf(amigo.EFORBIDDEN, "You cannot %s user %s: their role %s has privileges you do not hold.", verb, u.ID, role.Name)
	}
	return u, nil
}

func (a *App) newUser(orgID, first, last, email, roleID string, prefs amigo.Preferences) *amigo.User {
	now := a.Now()
	return &amigo.User{
		ID: amigo.NewID(now), OrgID: orgID, FirstName: first, LastName: last, Email: email, RoleID: roleID,
		Preferences: prefs, NonsensitiveVariables: map[string]string{}, SensitiveVariables: map[string]string{}, CreatedAt: now,
	}
}
