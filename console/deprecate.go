package console

import (
	"net/http"

	"github.com/amigo-oss/amigo-server/client"
)

// deprecateAgent deprecates an agent (delete-agent). The API refuses it
// while an active service uses the agent; the refusal is shown as the
// API words it.
func (c *Console) deprecateAgent(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	if err := v.api.DeleteAgent(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("agents/"+id), http.StatusSeeOther)
	return nil
}

// deprecateStateMachine deprecates a state machine, refused like an
// agent's while an active service uses it.
func (c *Console) deprecateStateMachine(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	if err := v.api.DeleteStateMachine(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("state-machines/"+id), http.StatusSeeOther)
	return nil
}

// resource is the name and state of an agent or state machine, for the
// heading of its page.
type resource struct {
	ID, Name     string
	Deprecated   bool
	CanDeprecate bool
}

func agentResource(r *http.Request, v *visit, id string) (resource, error) {
	list, _, err := v.api.ListAgents(r.Context(), client.ListOptions{IDs: []string{id}}, 0)
	if err != nil || len(list) == 0 {
		return resource{ID: id}, err
	}
	return resource{ID: id, Name: list[0].Name, Deprecated: list[0].Deprecated}, nil
}

func stateMachineResource(r *http.Request, v *visit, id string) (resource, error) {
	list, _, err := v.api.ListStateMachines(r.Context(), client.ListOptions{IDs: []string{id}}, 0)
	if err != nil || len(list) == 0 {
		return resource{ID: id}, err
	}
	return resource{ID: id, Name: list[0].Name, Deprecated: list[0].Deprecated}, nil
}
