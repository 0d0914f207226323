package amigo

import (
	"context"
	"time"
)

// SuperUserEmail is the user every new organization is created with.
const SuperUserEmail = "admin@amigo.ai"

// User is a member of an organization with exactly one role.
type User struct {
	ID                    string
	OrgID                 string
	FirstName             string
	LastName              string
	Email                 string
	RoleID                string
	Preferences           Preferences
	NonsensitiveVariables map[string]string
	SensitiveVariables    map[string]string
	EnableActionsAccess   bool
	// AdditionalContext is what update-user-info sets as the user's
	// additional context; never nil once stored.
	AdditionalContext []string
	CreatedAt         time.Time
}

// UserFilter selects users for listing. Empty slices do not filter.
type UserFilter struct {
	IDs    []string
	Emails []string
	// Sort orders by first_name, last_name or email (default: creation).
	Sort   []SortField
	Offset int
	Limit  int
}

// UserStore persists users.
type UserStore interface {
	// CreateUser returns ECONFLICT if the email is taken in the organization.
	CreateUser(ctx context.Context, u *User) error
	// FindUser returns ENOTFOUND.
	FindUser(ctx context.Context, orgID, id string) (*User, error)
	// FindUserByEmail returns ENOTFOUND.
	FindUserByEmail(ctx context.Context, orgID, email string) (*User, error)
	// ListUsers returns one page ordered by creation, and whether more follow.
	ListUsers(ctx context.Context, orgID string, f UserFilter) ([]*User, bool, error)
	// UpdateUserRole returns ENOTFOUND. A non-nil revoke is carried out in
	// the same transaction.
	UpdateUserRole(ctx context.Context, orgID, id, roleID string, revoke *KeyRevocation) error
	// UpdateUser calls change with the user as stored and saves what it
	// leaves, atomically; an error from change aborts. Returns ENOTFOUND.
	UpdateUser(ctx context.Context, orgID, id string, change func(*User) error) error
	// DeleteUser returns ENOTFOUND. A non-nil revoke is carried out in the
	// same transaction.
	DeleteUser(ctx context.Context, orgID, id string, revoke *KeyRevocation) error
}

// RoleStore persists roles.
type RoleStore interface {
	// FindRoleByName returns ENOTFOUND.
	FindRoleByName(ctx context.Context, orgID, name string) (*Role, error)
	// FindRole returns ENOTFOUND.
	FindRole(ctx context.Context, orgID, id string) (*Role, error)
	ListRoles(ctx context.Context, orgID string) ([]*Role, error)
	// PutRole calls check with the stored role of r's name (nil if there is
	// none) and, if check returns nil, creates r or replaces that role's
	// description and grants, setting r.ID to the stored role's id; all in
	// one transaction. check's error is returned unchanged.
	PutRole(ctx context.Context, r *Role, check func(existing *Role) error) error
}
