package console

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// setField is one field of a version set as the console shows it: the
// agent version, the state-machine version, or one LLM interaction's
// preference. Key tells them apart when two sets are compared.
type setField struct {
	Key, Label, Value string
}

// setFields lists a version set's fields; a nil set (a deletion) has none.
func setFields(vs *client.VersionSet) []setField {
	if vs == nil {
		return nil
	}
	out := []setField{
		{"agent", "Agent version", versionText(vs.AgentVersion)},
		{"machine", "State-machine version", versionText(vs.StateMachineVersion)},
	}
	for _, interaction := range slices.Sorted(maps.Keys(vs.LLMModelPreferences)) {
		out = append(out, setField{"llm:" + interaction, "LLM preference: " + interaction, llmText(vs.LLMModelPreferences[interaction])})
	}
	return out
}

func versionText(n *int) string {
	if n == nil {
		return "latest"
	}
	return strconv.Itoa(*n)
}

// llmText is a preference's model, with its sampling parameters when it
// has any, so that a change of parameters shows too:
// "openai_gpt-5.1 (temperature 0.3, top_p 0.9, reasoning_effort: low)".
func llmText(cfg client.LLMConfig) string {
	var params []string
	if cfg.Temperature != nil {
		params = append(params, "temperature "+strconv.FormatFloat(*cfg.Temperature, 'g', -1, 64))
	}
	if cfg.TopP != nil {
		params = append(params, "top_p "+strconv.FormatFloat(*cfg.TopP, 'g', -1, 64))
	}
	if cfg.TopK != nil {
		params = append(params, "top_k "+strconv.Itoa(*cfg.TopK))
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Params)) {
		v := string(cfg.Params[k])
		if s := ""; json.Unmarshal(cfg.Params[k], &s) == nil {
			v = s
		}
		params = append(params, k+": "+v)
	}
	if len(params) == 0 {
		return cfg.LLMName
	}
	return cfg.LLMName + " (" + strings.Join(params, ", ") + ")"
}

// fieldChange is one row of the diff a confirmation shows.
type fieldChange struct {
	Label, From, To string
	Changed         bool
}

// setDiff pairs the fields of the set as it is with the fields it will
// have; a field only one side has is shown as "none" on the other.
func setDiff(now, after []setField) []fieldChange {
	var out []fieldChange
	index := map[string]int{}
	for _, f := range now {
		index[f.Key] = len(out)
		out = append(out, fieldChange{Label: f.Label, From: f.Value, To: "none"})
	}
	for _, f := range after {
		if i, ok := index[f.Key]; ok {
			out[i].To = f.Value
		} else {
			out = append(out, fieldChange{Label: f.Label, From: "none", To: f.Value})
		}
	}
	for i := range out {
		out[i].Changed = out[i].From != out[i].To
	}
	return out
}

// confirmPage asks to confirm a promote or a rollback of version set Set,
// showing what it changes; the form posts If-Match with the revision the
// diff was made against, so that what is confirmed is what changes.
type confirmPage struct {
	Service  client.Service
	Set      string
	Action   string // "promote" or "rollback"
	From     string // promote: the source set
	To       int    // rollback: the revision restored
	Revision int    // the target's current revision
	Diff     []fieldChange
	Changes  bool
}

// confirmPromote shows what promoting ?from= into the set would change.
func (c *Console) confirmPromote(w http.ResponseWriter, r *http.Request, v *visit) error {
	svc, name, err := targetSet(r, v)
	if err != nil {
		return err
	}
	from := r.URL.Query().Get("from")
	src, ok := svc.VersionSets[from]
	if !ok || from == name {
		return &pageError{status: http.StatusNotFound, msg: "Version set " + from + " not found."}
	}
	if from == "edge" {
		// Promoting edge pins the versions it resolves to now.
		if src, err = resolveEdge(r, v, svc, src); err != nil {
			return err
		}
	}
	return c.confirm(w, r, v, svc, name, confirmPage{Action: "promote", From: from}, &src)
}

// confirmRollback shows what restoring revision ?to= would change.
func (c *Console) confirmRollback(w http.ResponseWriter, r *http.Request, v *visit) error {
	svc, name, err := targetSet(r, v)
	if err != nil {
		return err
	}
	to, err := strconv.Atoi(r.URL.Query().Get("to"))
	if err != nil || to < 1 {
		return &pageError{status: http.StatusBadRequest, msg: "Choose the revision to roll back to."}
	}
	revs, err := client.Collect(v.api.VersionSetRevisions(r.Context(), svc.ID, name, client.RevisionListOptions{Limit: 50}))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(revs, func(rev client.Revision) bool { return rev.Revision == to })
	if i < 0 {
		return &pageError{status: http.StatusNotFound, msg: "Revision " + strconv.Itoa(to) + " of version set " + name + " not found."}
	}
	return c.confirm(w, r, v, svc, name, confirmPage{Action: "rollback", To: to}, revs[i].VersionSet)
}

// confirm renders the confirmation of p, the target set becoming after.
func (c *Console) confirm(w http.ResponseWriter, r *http.Request, v *visit, svc *client.Service, name string, p confirmPage, after *client.VersionSet) error {
	if !v.session.can(amigo.PermUpdateVersionSet) {
		// Not offered; the API would refuse the form's POST anyway.
		return &pageError{status: http.StatusForbidden, msg: "Your role may not change version sets (" + amigo.PermUpdateVersionSet + ")."}
	}
	page, err := v.api.ListVersionSetRevisions(r.Context(), svc.ID, name, client.RevisionListOptions{Limit: 1}, 0)
	if err != nil {
		return err
	}
	if len(page.Revisions) > 0 {
		p.Revision = page.Revisions[0].Revision
	}
	now := svc.VersionSets[name]
	p.Service, p.Set, p.Diff = *svc, name, setDiff(setFields(&now), setFields(after))
	p.Changes = slices.ContainsFunc(p.Diff, func(f fieldChange) bool { return f.Changed })
	c.render(w, v, http.StatusOK, "confirm.html", "Services", p)
	return nil
}

// promote performs a confirmed promote.
func (c *Console) promote(w http.ResponseWriter, r *http.Request, v *visit) error {
	match, err := formRevision(r)
	if err != nil {
		return err
	}
	id, name := r.PathValue("id"), r.PathValue("name")
	if _, err := v.api.PromoteVersionSet(r.Context(), id, name, r.PostFormValue("from"), match); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("services/"+id+"#set-"+name), http.StatusSeeOther)
	return nil
}

// rollback performs a confirmed rollback.
func (c *Console) rollback(w http.ResponseWriter, r *http.Request, v *visit) error {
	match, err := formRevision(r)
	if err != nil {
		return err
	}
	to, err := strconv.Atoi(r.PostFormValue("to_revision"))
	if err != nil {
		return &pageError{status: http.StatusBadRequest, msg: "Choose the revision to roll back to."}
	}
	id, name := r.PathValue("id"), r.PathValue("name")
	if _, err := v.api.RollbackVersionSet(r.Context(), id, name, to, match); err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("services/"+id+"#set-"+name), http.StatusSeeOther)
	return nil
}

// formRevision reads the revision the confirmation was made against; the
// API refuses (412) when the set has changed since.
func formRevision(r *http.Request) (*int, error) {
	s := r.PostFormValue("if_match")
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, &pageError{status: http.StatusBadRequest, msg: "The form is malformed: reload the page."}
	}
	return &n, nil
}

// targetSet returns the service of the request and the name of the set it
// acts on, which must exist and not be edge (never a target).
func targetSet(r *http.Request, v *visit) (*client.Service, string, error) {
	svc, err := findService(r, v, r.PathValue("id"))
	if err != nil {
		return nil, "", err
	}
	name := r.PathValue("name")
	if _, ok := svc.VersionSets[name]; !ok || name == "edge" {
		return nil, "", &pageError{status: http.StatusNotFound, msg: "Version set " + name + " not found."}
	}
	return svc, name, nil
}

// resolveEdge returns edge with "latest" replaced by the latest versions
// of the service's agent and state machine, as promoting pins them.
func resolveEdge(r *http.Request, v *visit, svc *client.Service, edge client.VersionSet) (client.VersionSet, error) {
	if edge.AgentVersion == nil {
		agents, _, err := v.api.ListAgents(r.Context(), client.ListOptions{IDs: []string{svc.AgentID}}, 0)
		if err != nil {
			return edge, err
		} else if len(agents) == 1 {
			edge.AgentVersion = agents[0].LatestVersion
		}
	}
	if edge.StateMachineVersion == nil {
		machines, _, err := v.api.ListStateMachines(r.Context(), client.ListOptions{IDs: []string{svc.StateMachineID}}, 0)
		if err != nil {
			return edge, err
		} else if len(machines) == 1 {
			edge.StateMachineVersion = machines[0].LatestVersion
		}
	}
	return edge, nil
}
