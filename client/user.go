package client

import (
	"context"
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

// InviteUserRequest is the body of create-invited-user.
type InviteUserRequest struct {
	FirstName                 string            `json:"first_name"`
	LastName                  string            `json:"last_name"`
	Email                     string            `json:"email"`
	RoleName                  string            `json:"role_name"`
	LoginLink                 *string           `json:"login_link,omitempty"`
	NonsensitiveUserVariables map[string]string `json:"nonsensitive_user_variables,omitempty"`
	SensitiveUserVariables    map[string]string `json:"sensitive_user_variables,omitempty"`
	UserPreferences           *Preferences      `json:"user_preferences,omitempty"`
}

// InvitedUser is the response of create-invited-user.
type InvitedUser = wire.InvitedUser

// UpdateUserRequest is the body of update-user-info; nil fields are left
// unchanged.
type UpdateUserRequest struct {
	FirstName                    *string   `json:"first_name,omitempty"`
	LastName                     *string   `json:"last_name,omitempty"`
	EnableResponseRecommendation *bool     `json:"enable_response_recommendation,omitempty"`
	PreferredLanguage            *string   `json:"preferred_language,omitempty"`
	Timezone                     *string   `json:"timezone,omitempty"`
	ConversationsVisibleToAdmins *bool     `json:"conversations_visible_to_admins,omitempty"`
	UserModelVisibleToAdmins     *bool     `json:"user_model_visible_to_admins,omitempty"`
	AdditionalContext            *[]string `json:"additional_context,omitempty"`
	AudioKeyterms                *[]string `json:"audio_keyterms,omitempty"`
}

// ListUsers returns one page of users (get-users).
func (c *Client) ListUsers(ctx context.Context, opts UserListOptions, token int) ([]User, Page, error) {
	q := listQuery{}
	q.list("user_id", opts.UserIDs)
	q.list("email", opts.Emails)
	q.list("sort_by", opts.Sort)
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out struct {
		Users []User `json:"users"`
		Page
	}
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
	body := struct {
		RoleName string `json:"role_name"`
	}{roleName}
	return c.do(ctx, &request{op: "update-user-role", method: http.MethodPut, path: c.orgPath("/user/%s/role", userID), body: body, retry: true})
}
