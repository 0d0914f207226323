package api

import (
	"net/http"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

type userInstance struct {
	OrgID                 string            `json:"org_id"`
	UserID                string            `json:"user_id"`
	FirstName             string            `json:"first_name"`
	LastName              string            `json:"last_name"`
	Email                 string            `json:"email"`
	UserStats             userStats         `json:"user_stats"`
	Role                  string            `json:"role"`
	Preferences           amigo.Preferences `json:"preferences"`
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

func (s *Server) getUsers(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := newQuery(r.URL)
	f := amigo.UserFilter{
		IDs: q.list("user_id", nil), Emails: q.list("email", nil),
		Limit: q.int("limit", 100, 0, 100), Offset: q.int("continuation_token", 0, 0, -1),
		Sort: q.sort(map[string]string{"first_name": "first_name", "last_name": "last_name", "email": "email",
			"user_stats.num_conversations": "", "user_stats.num_messages": "", "user_stats.last_message_time": ""}),
	}
	if err := q.err(); err != nil {
		return err
	}
	users, next, more, err := s.app.ListUsers(r.Context(), t, f)
	if err != nil {
		return err
	}
	out := make([]userInstance, len(users))
	for i, u := range users {
		sensitive := make([]string, 0, len(u.SensitiveVariables))
		for k := range u.SensitiveVariables {
			sensitive = append(sensitive, k)
		}
		out[i] = userInstance{
			OrgID: u.OrgID, UserID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Role: u.RoleID,
			Preferences: u.Preferences, NonsensitiveVariables: u.NonsensitiveVariables, SensitiveVariables: sensitive,
			EnableActionsAccess: u.EnableActionsAccess,
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Users             []userInstance `json:"users"`
		HasMore           bool           `json:"has_more"`
		ContinuationToken *int           `json:"continuation_token"`
	}{out, more, next})
	return nil
}

func (s *Server) createInvitedUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.InviteUserInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	u, err := s.app.InviteUser(r.Context(), t, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		UserID     string  `json:"user_id"`
		VerifyLink *string `json:"verify_link"`
	}{u.ID, nil})
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := s.app.DeleteUser(r.Context(), t, r.PathValue("requested_user_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) updateUserInfo(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.UpdateUserInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	if err := s.app.UpdateUser(r.Context(), t, r.PathValue("requested_user_id"), &in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nextToken is the continuation token of a page: the offset of the next one.
func nextToken(more bool, offset, n int) *int {
	if !more {
		return nil
	}
	next := offset + n
	return &next
}
