package console

import (
	"maps"
	"net/http"
	"slices"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

type servicesPage struct {
	Services []client.Service
}

func (c *Console) services(w http.ResponseWriter, r *http.Request, v *visit) error {
	list, err := client.Collect(v.api.Services(r.Context(), client.ServiceListOptions{}))
	if err != nil {
		return err
	}
	c.render(w, v, http.StatusOK, "services.html", "Services", servicesPage{Services: list})
	return nil
}

// servicePage is a service with its version sets in name order, each with
// its latest revisions, and the service's change history when the caller
// may read the change log.
type servicePage struct {
	Service client.Service
	// Agent and Machine are the service's, by name.
	Agent, Machine resourceRef
	Sets           []setView
	// CanWrite offers promote and rollback.
	CanWrite    bool
	CanHistory  bool
	History     []changeRow
	MoreHistory bool
}

// setView is one version set and its revisions, newest first.
type setView struct {
	Name      string
	Fields    []setField
	Revisions []revisionView
	// MoreRevisions: older revisions than those shown exist.
	MoreRevisions bool
	// Target: promote and rollback may act on it (not edge).
	Target bool
	// Sources are the sets it may be promoted from.
	Sources []string
}

type revisionView struct {
	client.Revision
	Fields []setField
	// Author names who made the revision.
	Author resourceRef
	// Current is the set's present revision, which a rollback would
	// only repeat.
	Current bool
}

// revisionsShown is how many revisions of each set the page shows.
const revisionsShown = 10

func (c *Console) service(w http.ResponseWriter, r *http.Request, v *visit) error {
	svc, err := findService(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := servicePage{Service: *svc, CanWrite: v.session.can(amigo.PermUpdateVersionSet), CanHistory: v.session.can(amigo.PermGetChangeLog),
		Agent: agentRef(r, v, svc.AgentID), Machine: machineRef(r, v, svc.StateMachineID)}
	names := slices.Sorted(maps.Keys(svc.VersionSets))
	for _, name := range names {
		vs := svc.VersionSets[name]
		set := setView{Name: name, Fields: setFields(&vs), Target: name != "edge"}
		for _, other := range names {
			if other != name {
				set.Sources = append(set.Sources, other)
			}
		}
		page, err := v.api.ListVersionSetRevisions(r.Context(), svc.ID, name, client.RevisionListOptions{Limit: revisionsShown}, 0)
		if err != nil {
			return err
		}
		for i, rev := range page.Revisions {
			set.Revisions = append(set.Revisions, revisionView{Revision: rev, Fields: setFields(rev.VersionSet), Current: i == 0})
		}
		set.MoreRevisions = page.HasMore
		p.Sets = append(p.Sets, set)
	}
	if p.CanHistory {
		if p.History, p.MoreHistory, err = serviceHistory(r, v, svc.ID, names); err != nil {
			return err
		}
	}
	p.nameAuthors(r, v)
	c.render(w, v, http.StatusOK, "service.html", "Services", p)
	return nil
}

// nameAuthors names who made the revisions and changes the page shows,
// with one request.
func (p *servicePage) nameAuthors(r *http.Request, v *visit) {
	var ids []string
	for _, set := range p.Sets {
		for _, rev := range set.Revisions {
			if !rev.Actor.Operator {
				ids = append(ids, rev.Actor.UserID)
			}
		}
	}
	for _, row := range p.History {
		if !row.Actor.Operator {
			ids = append(ids, row.Actor.UserID)
		}
	}
	refs := userRefs(r, v, ids)
	for _, set := range p.Sets {
		for i := range set.Revisions {
			set.Revisions[i].Author = refs[set.Revisions[i].Actor.UserID]
		}
	}
	for i := range p.History {
		p.History[i].Author = refs[p.History[i].Actor.UserID]
	}
}

// historyShown is how many changes of a service its page shows.
const historyShown = 20

// serviceHistory returns the newest changes of the service and of its
// version sets, newest first, and whether there are more. The change log
// filters by one resource, so each set is asked for separately.
func serviceHistory(r *http.Request, v *visit, id string, sets []string) ([]changeRow, bool, error) {
	filters := []client.ChangeFilter{{ResourceType: "service", ResourceID: id, Limit: historyShown}}
	for _, name := range sets {
		filters = append(filters, client.ChangeFilter{ResourceType: "version_set", ResourceID: id + "/" + name, Limit: historyShown})
	}
	var all []client.Change
	more := false
	for _, f := range filters {
		page, err := v.api.ListChanges(r.Context(), f, "")
		if err != nil {
			return nil, false, err
		}
		all = append(all, page.Changes...)
		more = more || page.HasMore
	}
	slices.SortFunc(all, func(a, b client.Change) int { return b.Time.Compare(a.Time) })
	if len(all) > historyShown {
		all, more = all[:historyShown], true
	}
	return changeRows(all), more, nil
}

// findService returns the service id, or a 404 page.
func findService(r *http.Request, v *visit, id string) (*client.Service, error) {
	page, err := v.api.ListServices(r.Context(), client.ServiceListOptions{IDs: []string{id}}, 0)
	if err != nil {
		return nil, err
	}
	if len(page.Services) == 0 {
		return nil, &pageError{status: http.StatusNotFound, msg: "Service not found."}
	}
	return &page.Services[0], nil
}
