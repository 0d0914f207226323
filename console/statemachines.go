package console

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

type stateMachinesPage struct {
	Machines []client.StateMachine
}

func (c *Console) stateMachines(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := client.Collect(v.api.StateMachines(r.Context(), client.ListOptions{}))
	if err != nil {
		return err
	}
	c.render(w, v, http.StatusOK, "statemachines.html", "State machines", stateMachinesPage{Machines: list})
	return nil
}

// stateMachinePage is a state machine's versions and the drawing of one.
type stateMachinePage struct {
	resource
	Versions []client.StateMachineVersion
	Version  int
	// Graph is the API's SVG drawing (smgraph): every label in it is
	// escaped by the drawing code, and the page's CSP forbids scripts in
	// it besides.
	Graph template.HTML
	Lint  []client.LintFinding
	Spec  string
	// Compare is the version the drawn one is compared with (?compare=),
	// zero for none; Changes are the states that differ from it.
	Compare int
	Changes []stateChange
}

// stateChange is a state added, changed or removed since the compared
// version.
type stateChange struct {
	State, Change string
}

// changedStates compares two versions state by state, by name: a state
// is changed when anything in its definition differs.
func changedStates(from, to *client.StateMachineVersion) []stateChange {
	before := map[string]string{}
	for _, st := range from.States {
		b, _ := json.Marshal(st)
		before[st.Name()] = string(b)
	}
	var out []stateChange
	seen := map[string]bool{}
	for _, st := range to.States {
		seen[st.Name()] = true
		b, _ := json.Marshal(st)
		if old, ok := before[st.Name()]; !ok {
			out = append(out, stateChange{st.Name(), "added"})
		} else if old != string(b) {
			out = append(out, stateChange{st.Name(), "changed"})
		}
	}
	for _, st := range from.States {
		if !seen[st.Name()] {
			out = append(out, stateChange{st.Name(), "removed"})
		}
	}
	return out
}

// stateMachine draws version ?version= (default the latest) of a state
// machine, with the graph checks' findings marked on it.
func (c *Console) stateMachine(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	versions, err := client.Collect(v.api.StateMachineVersions(r.Context(), id, client.VersionOptions{}))
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return &pageError{status: http.StatusNotFound, msg: "This state machine has no versions yet."}
	}
	res, err := stateMachineResource(r, v, id)
	if err != nil {
		return err
	}
	res.CanDeprecate = !res.Deprecated && v.session.can(amigo.PermDeleteStateMachine)
	p := stateMachinePage{resource: res, Versions: versions, Version: versions[len(versions)-1].Version}
	var current, compare *client.StateMachineVersion
	for i := range versions {
		if strconv.Itoa(versions[i].Version) == r.URL.Query().Get("version") {
			p.Version = versions[i].Version
		}
	}
	for i := range versions {
		switch strconv.Itoa(versions[i].Version) {
		case strconv.Itoa(p.Version):
			current = &versions[i]
		case r.URL.Query().Get("compare"):
			compare = &versions[i]
		}
	}
	if current != nil && compare != nil {
		p.Compare, p.Changes = compare.Version, changedStates(compare, current)
	}
	ver := strconv.Itoa(p.Version)
	svg, err := v.api.StateMachineGraph(r.Context(), id, ver, client.GraphSVG)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity {
		// Too large to draw (the API's bound): the page lists the lint
		// and the definition without the drawing, and says why.
		svg, err = []byte(`<p class="notice" id="graph-too-large">`+template.HTMLEscapeString(apiErr.Detail)+`</p>`), nil
	}
	if err != nil {
		return err
	}
	raw, err := v.api.StateMachineGraph(r.Context(), id, ver, client.GraphJSON)
	if err != nil {
		return err
	}
	var g client.Graph
	if err := json.Unmarshal(raw, &g); err != nil {
		return err
	}
	p.Graph, p.Lint = template.HTML(svg), g.Lint
	if current != nil {
		spec, _ := json.MarshalIndent(current.StateMachineDefinition, "", "  ")
		p.Spec = string(spec)
	}
	c.render(w, v, http.StatusOK, "statemachine.html", "State machines", p)
	return nil
}
