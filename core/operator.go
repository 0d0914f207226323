package core

import (
	"context"
	"net/mail"
	"regexp"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// The methods in this file serve the operator commands (amigo-server users
// …, amigo-server roles …). They act without a caller and check no
// permission: whoever can run them can read the databases anyway. They
// still hold every rule of the domain: valid emails, role names and
// grants, and default roles that cannot be changed.

// rolePattern is what a custom role's name may look like.
var rolePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

// RoleInput is a custom role to create or replace.
type RoleInput struct {
	Name        string
	Description string
	Grants      []amigo.Grant
}

// PutRole creates the custom role in.Name in orgID, or replaces the
// description and grants of the existing one. Default roles cannot be
// changed (EBADREQUEST). Users and API keys of a replaced role get its new
// grants on their next request.
func (a *App) PutRole(ctx context.Context, orgID string, in RoleInput) (*amigo.Role, error) {
	if !rolePattern.MatchString(in.Name) {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "Role names are 1 to 64 letters, digits, '_', '.' or '-', starting with a letter.")
	}
	if err := amigo.ValidateGrants(in.Grants); err != nil {
		return nil, err
	}
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	grants := in.Grants
	if grants == nil {
		grants = []amigo.Grant{}
	}
	r := &amigo.Role{ID: amigo.NewID(a.Now()), OrgID: orgID, Name: in.Name, Description: strings.TrimSpace(in.Description), Grants: grants}
	defer a.auth.gens.forget(orgID)
	ctx, j := journal(ctx)
	if err := t.Store.PutRole(ctx, r, func(existing *amigo.Role) error {
		if existing != nil && existing.Builtin {
			return amigo.Errorf(amigo.EBADREQUEST, "Role %s is a default role and cannot be changed.", r.Name)
		}
		var before *roleDoc
		if existing != nil {
			before = &roleDoc{Description: existing.Description, Grants: existing.Grants}
		}
		return a.record(ctx, j, change{orgID: orgID, operation: "roles put", resourceType: resRole, resourceID: r.Name,
			summary: "Operator put role " + r.Name, before: before, after: &roleDoc{Description: r.Description, Grants: r.Grants}})
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// ListRoles returns the organization's roles, default ones included.
func (a *App) ListRoles(ctx context.Context, orgID string) ([]*amigo.Role, error) {
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	return t.Store.ListRoles(ctx, orgID)
}

// RoleNames returns the names of the organization's roles by role id.
func (a *App) RoleNames(ctx context.Context, orgID string) (map[string]string, error) {
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	return roleNames(ctx, t)
}

// NewUserInput is a user an operator creates.
type NewUserInput struct {
	Email     string
	FirstName string // default: the email's local part
	LastName  string
	RoleName  string
}

// CreateUser adds a user with the named role to orgID, with the
// organization's default preferences. ECONFLICT if the email is taken,
// ENOTFOUND if the role does not exist.
func (a *App) CreateUser(ctx context.Context, orgID string, in NewUserInput) (*amigo.User, error) {
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "%q is not a valid email address.", in.Email)
	}
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	role, err := t.Store.FindRoleByName(ctx, orgID, in.RoleName)
	if err != nil {
		return nil, err
	}
	org, err := t.Store.FindOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	first := strings.TrimSpace(in.FirstName)
	if first == "" {
		first, _, _ = strings.Cut(in.Email, "@")
	}
	u := a.newUser(orgID, first, strings.TrimSpace(in.LastName), in.Email, role.ID, org.DefaultUserPreferences)
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: "users create", resourceType: resUser, resourceID: u.ID,
		summary: "Operator created user " + u.Email, after: userDocOf(u)}); err != nil {
		return nil, err
	}
	return u, t.Store.CreateUser(ctx, u)
}

// SetUserRole gives the user with the given email the named role. It takes
// effect on the user's next request: tokens carry no role.
func (a *App) SetUserRole(ctx context.Context, orgID, email, roleName string) (*amigo.User, error) {
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	u, err := t.Store.FindUserByEmail(ctx, orgID, email)
	if err != nil {
		return nil, err
	}
	role, err := t.Store.FindRoleByName(ctx, orgID, roleName)
	if err != nil {
		return nil, err
	}
	if err := a.giveRole(ctx, t, u, role, "users set-role", "Operator gave "+u.Email+" role "+roleName); err != nil {
		return nil, err
	}
	u.RoleID = role.ID
	return u, nil
}

// AllUsers returns every user of the organization by creation.
func (a *App) AllUsers(ctx context.Context, orgID string) ([]*amigo.User, error) {
	t, err := a.Resolve(ctx, orgID, ResolveOptions{})
	if err != nil {
		return nil, err
	}
	var all []*amigo.User
	for {
		page, more, err := t.Store.ListUsers(ctx, orgID, amigo.UserFilter{Offset: len(all), Limit: 500})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if !more {
			return all, nil
		}
	}
}
