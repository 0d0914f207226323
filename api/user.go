package api

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

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
	out := wire.UserList{Users: make([]wire.UserInstance, len(users)), Page: wire.Page{HasMore: more, ContinuationToken: next}}
	for i, u := range users {
		out.Users[i] = wire.NewUser(u)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createInvitedUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.InviteUserInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.InviteUserInput](in)
	cmd.Malformed = bad
	u, err := s.app.InviteUser(r.Context(), t, &cmd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.InvitedUser{UserID: u.ID})
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
	var in wire.UpdateUserInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.UpdateUserInput](in)
	cmd.Malformed = bad
	if err := s.app.UpdateUser(r.Context(), t, r.PathValue("requested_user_id"), &cmd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) updateUserRole(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.UserRoleInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.UpdateUserRoleInput](in)
	cmd.Malformed = bad
	if err := s.app.UpdateUserRole(r.Context(), t, r.PathValue("requested_user_id"), &cmd); err != nil {
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
