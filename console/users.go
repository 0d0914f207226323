package console

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

type usersPage struct {
	Users     []client.User
	Self      string
	CanInvite bool
	CanDelete bool
	Roles     []string
	Invited   *client.InvitedUser
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, v *visit, status int, invited *client.InvitedUser) error {
	list, err := client.Collect(v.api.Users(r.Context(), client.UserListOptions{}))
	if err != nil {
		return err
	}
	c.render(w, v, status, "users.html", "Users", usersPage{Users: list, Self: v.session.caller.UserID, Invited: invited, Roles: roleNames(),
		CanInvite: v.session.can(amigo.PermInviteUser), CanDelete: v.session.can(amigo.PermDeleteUser)})
	return nil
}

func (c *Console) users(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.usersPage(w, r, v, http.StatusOK, nil)
}

func (c *Console) inviteUser(w http.ResponseWriter, r *http.Request, v *visit) error {
	invited, err := v.api.InviteUser(r.Context(), &client.InviteUserRequest{FirstName: r.PostFormValue("first_name"),
		LastName: r.PostFormValue("last_name"), Email: r.PostFormValue("email"), RoleName: r.PostFormValue("role_name")})
	if err != nil {
		return err
	}
	return c.usersPage(w, r, v, http.StatusCreated, invited)
}

func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.api.DeleteUser(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("users"), http.StatusSeeOther)
	return nil
}
