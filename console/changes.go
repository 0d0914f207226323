package console

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/amigo-oss/amigo-server/client"
)

// resourceTypes are the kinds of resource the change log names, for its
// filter.
var resourceTypes = []string{"organization", "api_key", "user", "role", "agent", "service_hierarchical_state_machine", "service", "version_set"}

// changeRow is a change as a row of a table: its JSON Patch indented, and
// who made it in words.
type changeRow struct {
	client.Change
	Patch string
	By    string
	// Author names By, when the page could (nameChangeAuthors).
	Author resourceRef
}

func changeRows(changes []client.Change) []changeRow {
	out := make([]changeRow, len(changes))
	for i, ch := range changes {
		patch, _ := json.MarshalIndent(ch.Diff, "", "  ")
		by := ch.Actor.UserID
		if ch.Actor.Operator {
			by = "operator"
		}
		out[i] = changeRow{Change: ch, Patch: string(patch), By: by}
	}
	return out
}

// changesPage is one page of the change log, newest first, with its
// filters; Older links to the next page, Newest back to the first.
type changesPage struct {
	Changes       []changeRow
	Types         []string
	Type          string
	Operation     string
	ResourceID    string
	Older, Newest string
}

// changesPageSize is how many changes a page of the log shows.
const changesPageSize = 25

// changes shows the organization's change log, filtered by ?resource_type=,
// ?operation= and ?resource_id=, continuing after ?after=.
func (c *Console) changes(w http.ResponseWriter, r *http.Request, v *visit) error {
	q := r.URL.Query()
	f := client.ChangeFilter{ResourceType: q.Get("resource_type"), Operation: q.Get("operation"), ResourceID: q.Get("resource_id"), Limit: changesPageSize}
	after := q.Get("after")
	page, err := v.api.ListChanges(r.Context(), f, after)
	if err != nil {
		return err
	}
	rows := changeRows(page.Changes)
	nameChangeAuthors(r, v, rows)
	p := changesPage{Changes: rows, Types: resourceTypes, Type: f.ResourceType, Operation: f.Operation, ResourceID: f.ResourceID}
	filter := url.Values{}
	for k, val := range map[string]string{"resource_type": f.ResourceType, "operation": f.Operation, "resource_id": f.ResourceID} {
		if val != "" {
			filter.Set(k, val)
		}
	}
	if after != "" {
		p.Newest = "?" + filter.Encode()
	}
	if page.HasMore && page.ContinuationToken != nil {
		filter.Set("after", *page.ContinuationToken)
		p.Older = "?" + filter.Encode()
	}
	c.render(w, v, http.StatusOK, "changes.html", "Change log", p)
	return nil
}
