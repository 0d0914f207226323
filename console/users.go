package console

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// usersPage lists the organization's users with what the caller may do to
// them; Notice says what the last action did.
type usersPage struct {
	Users      []client.User
	Self       string
	CanInvite  bool
	CanDelete  bool
	CanSetRole bool
	Roles      []string
	Invited    *client.InvitedUser
	Notice     string
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, v *visit, status int, p usersPage) error {
	list, err := client.Collect(v.api.Users(r.Context(), client.UserListOptions{}))
	if err != nil {
		return err
	}
	p.Users, p.Self, p.Roles = list, v.session.caller.UserID, roleNames()
	p.CanInvite, p.CanDelete = v.session.can(amigo.PermInviteUser), v.session.can(amigo.PermDeleteUser)
	p.CanSetRole = v.session.can(amigo.PermUpdateUserRole)
	c.render(w, v, status, "users.html", "Users", p)
	return nil
}

func (c *Console) users(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.usersPage(w, r, v, http.StatusOK, usersPage{})
}

func (c *Console) inviteUser(w http.ResponseWriter, r *http.Request, v *visit) error {
	invited, err := v.api.InviteUser(r.Context(), &client.InviteUserRequest{FirstName: new(r.PostFormValue("first_name")),
		LastName: new(r.PostFormValue("last_name")), Email: new(r.PostFormValue("email")), RoleName: new(r.PostFormValue("role_name"))})
	if err != nil {
		return err
	}
	return c.usersPage(w, r, v, http.StatusCreated, usersPage{Invited: invited})
}

// setUserRole gives a user another role (the server's update-user-role
// extension); the API refuses a role above the caller's own.
func (c *Console) setUserRole(w http.ResponseWriter, r *http.Request, v *visit) error {
	id, role := r.PathValue("id"), r.PostFormValue("role_name")
	if err := v.api.UpdateUserRole(r.Context(), id, role); err != nil {
		return err
	}
	return c.usersPage(w, r, v, http.StatusOK, usersPage{Notice: "User " + id + " now has role " + role + "."})
}

func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.api.DeleteUser(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("users"), http.StatusSeeOther)
	return nil
}
