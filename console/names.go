package console

import (
	"net/http"
	"slices"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// Pages name the resources and users they mention, linked to their pages,
// rather than showing ids. What the signed-in user may not read keeps its
// id: a name is a courtesy, never a reason for a page to fail.

// resourceRef is a resource or user a page links to by name; Name is empty
// when the caller may not read it, and the page shows the id.
type resourceRef struct {
	ID, Name, URL string
}

// agentRef and machineRef name an agent and a state machine.
func agentRef(r *http.Request, v *visit, id string) resourceRef {
	ref := resourceRef{ID: id, URL: v.orgURL("agents/" + id)}
	if page, _, err := v.api.ListAgents(r.Context(), client.ListOptions{IDs: []string{id}}, 0); err == nil && len(page) == 1 {
		ref.Name = page[0].Name
	}
	return ref
}

func machineRef(r *http.Request, v *visit, id string) resourceRef {
	ref := resourceRef{ID: id, URL: v.orgURL("state-machines/" + id)}
	if page, _, err := v.api.ListStateMachines(r.Context(), client.ListOptions{IDs: []string{id}}, 0); err == nil && len(page) == 1 {
		ref.Name = page[0].Name
	}
	return ref
}

// userRefs names the given users, by id, with one request, when the caller
// may list users; the links lead to the users page.
func userRefs(r *http.Request, v *visit, ids []string) map[string]resourceRef {
	out := make(map[string]resourceRef, len(ids))
	var ask []string
	for _, id := range ids {
		if _, seen := out[id]; id != "" && !seen {
			out[id] = resourceRef{ID: id}
			ask = append(ask, id)
		}
	}
	if len(ask) == 0 || !v.session.can(amigo.PermGetUserInfo) {
		return out
	}
	slices.Sort(ask)
	users, err := client.Collect(v.api.Users(r.Context(), client.UserListOptions{UserIDs: ask}))
	if err != nil {
		return out
	}
	for _, u := range users {
		name := u.FirstName + " " + u.LastName
		if u.FirstName == "" && u.LastName == "" {
			name = u.Email
		}
		out[u.UserID] = resourceRef{ID: u.UserID, Name: name, URL: v.orgURL("users#user-" + u.UserID)}
	}
	return out
}

// nameChangeAuthors names who made each change.
func nameChangeAuthors(r *http.Request, v *visit, rows []changeRow) {
	ids := make([]string, 0, len(rows))
	for _, row := range rows {
		if !row.Actor.Operator {
			ids = append(ids, row.Actor.UserID)
		}
	}
	refs := userRefs(r, v, ids)
	for i := range rows {
		if !rows[i].Actor.Operator {
			rows[i].Author = refs[rows[i].Actor.UserID]
		}
	}
}
