package console

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// apiKeysPage lists the organization's keys; Created is the key just
// made, whose secret this one response shows.
type apiKeysPage struct {
	Keys      []client.APIKey
	CanCreate bool
	CanRevoke bool
	Roles     []string
	Durations []duration
	Created   *client.CreatedAPIKey
}

type duration struct{ Value, Label string }

var durations = []duration{{"P1D", "1 day"}, {"P7D", "7 days"}, {"P30D", "30 days"}, {"P90D", "90 days"}, {"P365D", "1 year"}}

func roleNames() []string {
	return []string{amigo.RoleUser, amigo.RoleAdministrator, amigo.RoleAmigoAdministrator, amigo.RoleSuperAdministrator}
}

func (c *Console) apiKeysPage(w http.ResponseWriter, r *http.Request, v *visit, status int, created *client.CreatedAPIKey) error {
	keys, err := v.api.ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	c.render(w, v, status, "apikeys.html", "API keys", apiKeysPage{Keys: keys, Created: created, Roles: roleNames(), Durations: durations,
		CanCreate: v.session.can(amigo.PermCreateAPIKey), CanRevoke: v.session.can(amigo.PermDeleteAPIKey)})
	return nil
}

func (c *Console) apiKeys(w http.ResponseWriter, r *http.Request, v *visit) error {
	return c.apiKeysPage(w, r, v, http.StatusOK, nil)
}

// createAPIKey creates a key and shows its secret in this response only
// (the page is never cached: render sends no-store).
func (c *Console) createAPIKey(w http.ResponseWriter, r *http.Request, v *visit) error {
	in := client.CreateAPIKeyRequest{Duration: new(r.PostFormValue("duration"))}
	if name := r.PostFormValue("name"); name != "" {
		in.Name = &name
	}
	if role := r.PostFormValue("role_name"); role != "" {
		in.RoleName = &role
	}
	created, err := v.api.CreateAPIKey(r.Context(), &in)
	if err != nil {
		return err
	}
	return c.apiKeysPage(w, r, v, http.StatusCreated, created)
}

func (c *Console) revokeAPIKey(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.api.DeleteAPIKey(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("api-keys"), http.StatusSeeOther)
	return nil
}
