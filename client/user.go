package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// User is one element of get-users, as the server declares it (package
// api/wire).
type User = wire.UserInstance

// UserListOptions select users.
type UserListOptions struct {
	UserIDs []string
	Emails  []string
	Sort    []string
	Limit   int
}

// InvitedUser is the response of create-invited-user.
type InvitedUser = wire.InvitedUser

// InviteUserRequest and UpdateUserRequest are the bodies of
// create-invited-user and update-user-info, as the server declares them
// (package api/wire): nil fields are left out, so update-user-info leaves
// them unchanged. An update's PreferredLanguage and Timezone are JSON, to
// tell three cases apart as the spec does: nil leaves the value,
// JSONString sets it, JSONNull erases it. UserRoleRequest is the body of
// update-user-role.
type (
	InviteUserRequest = wire.InviteUserInput
	UpdateUserRequest = wire.UpdateUserInput
	UserRoleRequest   = wire.UserRoleInput
)

// JSONNull is a JSON null, which erases a field that takes one.
var JSONNull = json.RawMessage("null")

// JSONString returns s as a JSON string.
func JSONString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// ListUsers returns one page of users (get-users).
func (c *Client) ListUsers(ctx context.Context, opts UserListOptions, token int) ([]User, Page, error) {
	q := listQuery{}
	q.list("user_id", opts.UserIDs)
	q.list("email", opts.Emails)
	q.list("sort_by", opts.Sort)
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out wire.UserList
	err := c.do(ctx, &request{op: "get-users", method: http.MethodGet, path: c.orgPath("/user/"), query: url.Values(q), retry: true, out: &out})
	return out.Users, out.Page, err
}

// Users iterates every user selected by opts.
func (c *Client) Users(ctx context.Context, opts UserListOptions) iter.Seq2[User, error] {
	return all(ctx, func(ctx context.Context, token int) ([]User, Page, error) { return c.ListUsers(ctx, opts, token) })
}

// InviteUser creates an invited user (create-invited-user).
func (c *Client) InviteUser(ctx context.Context, in *InviteUserRequest) (*InvitedUser, error) {
	var out InvitedUser
	if err := c.do(ctx, &request{op: "create-invited-user", method: http.MethodPost, path: c.orgPath("/user/"), body: in, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUser changes the set fields of a user (update-user-info). Setting
// fields is idempotent, so it is retried.
func (c *Client) UpdateUser(ctx context.Context, userID string, in *UpdateUserRequest) error {
	return c.do(ctx, &request{op: "update-user-info", method: http.MethodPost, path: c.orgPath("/user/%s", userID), body: in, retry: true})
}

// DeleteUser deletes a user (delete-user).
func (c *Client) DeleteUser(ctx context.Context, userID string) error {
	return c.do(ctx, &request{op: "delete-user", method: http.MethodDelete, path: c.orgPath("/user/%s", userID), retry: true})
}

// UpdateUserRole gives a user another role (update-user-role, an extension of
// this server: the Amigo API has no such operation). Giving a role is
// idempotent, so it is retried.
func (c *Client) UpdateUserRole(ctx context.Context, userID, roleName string) error {
	return c.do(ctx, &request{op: "update-user-role", method: http.MethodPut, path: c.orgPath("/user/%s/role", userID),
		body: &UserRoleRequest{RoleName: &roleName}, retry: true})
}
