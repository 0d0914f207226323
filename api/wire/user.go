package wire

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// InviteUserInput is the body of create-invited-user.
type InviteUserInput struct {
	FirstName    *string           `json:"first_name,omitempty"`
	LastName     *string           `json:"last_name,omitempty"`
	Email        *string           `json:"email,omitempty"`
	RoleName     *string           `json:"role_name,omitempty"`
	LoginLink    *string           `json:"login_link,omitempty"`
	Nonsensitive map[string]string `json:"nonsensitive_user_variables,omitempty"`
	Sensitive    map[string]string `json:"sensitive_user_variables,omitempty"`
	Preferences  *PreferencesInput `json:"user_preferences,omitempty"`
}

// UpdateUserInput is the body of update-user-info. A nil field was absent
// or null and leaves the stored value as it is. The preferred language and
// the timezone tell three cases apart, as the spec does: absent or {}
// leaves the value, null erases it, a string sets it; package core reads
// them.
type UpdateUserInput struct {
	FirstName                    *string         `json:"first_name,omitempty"`
	LastName                     *string         `json:"last_name,omitempty"`
	EnableResponseRecommendation *bool           `json:"enable_response_recommendation,omitempty"`
	PreferredLanguage            json.RawMessage `json:"preferred_language,omitempty"`
	Timezone                     json.RawMessage `json:"timezone,omitempty"`
	ConversationsVisibleToAdmins *bool           `json:"conversations_visible_to_admins,omitempty"`
	UserModelVisibleToAdmins     *bool           `json:"user_model_visible_to_admins,omitempty"`
	AdditionalContext            *[]string       `json:"additional_context,omitempty"`
	AudioKeyterms                *[]string       `json:"audio_keyterms,omitempty"`
}

// UserRoleInput is the body of update-user-role (an extension).
type UserRoleInput struct {
	RoleName *string `json:"role_name,omitempty"`
}

// UserInstance is one element of get-users' "users".
type UserInstance struct {
	OrgID                 string            `json:"org_id"`
	UserID                string            `json:"user_id"`
	FirstName             string            `json:"first_name"`
	LastName              string            `json:"last_name"`
	Email                 string            `json:"email"`
	UserStats             userStats         `json:"user_stats"`
	Role                  string            `json:"role"`
	Preferences           Preferences       `json:"preferences"`
	NonsensitiveVariables map[string]string `json:"nonsensitive_variables"`
	SensitiveVariables    []string          `json:"sensitive_variables"`
	EnableActionsAccess   bool              `json:"enable_actions_access"`
}

// userStats are always zero: conversations are outside this server.
type userStats struct {
	NumConversations int        `json:"num_conversations"`
	NumMessages      int        `json:"num_messages"`
	LastMessageTime  *time.Time `json:"last_message_time"`
}

// UserList is the answer of get-users.
type UserList struct {
	Users []UserInstance `json:"users"`
	Page
}

// NewUser returns the user as get-users lists it: the names of the
// sensitive variables, sorted, never their values.
func NewUser(u *amigo.User) UserInstance {
	sensitive := make([]string, 0, len(u.SensitiveVariables))
	for k := range u.SensitiveVariables {
		sensitive = append(sensitive, k)
	}
	slices.Sort(sensitive)
	nonsensitive := u.NonsensitiveVariables
	if nonsensitive == nil {
		nonsensitive = map[string]string{}
	}
	return UserInstance{
		OrgID: u.OrgID, UserID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Role: u.RoleID,
		Preferences: newPreferences(u.Preferences), NonsensitiveVariables: nonsensitive, SensitiveVariables: sensitive,
		EnableActionsAccess: u.EnableActionsAccess,
	}
}

// InvitedUser is the answer of create-invited-user.
type InvitedUser struct {
	UserID     string  `json:"user_id"`
	VerifyLink *string `json:"verify_link"`
}

// Grant is one grant of a role, as grants files (amigo-server roles put),
// roles listings and the change log write it.
type Grant struct {
	Permission string              `json:"permission"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

// Role is a role with its grants, as amigo-server roles list --json prints
// it.
type Role struct {
	ID          string  `json:"id"`
	OrgID       string  `json:"org_id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Grants      []Grant `json:"grants"`
	Builtin     bool    `json:"builtin"`
}
