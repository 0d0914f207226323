package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The history extensions of amigo-server (its docs/history.md):
// the change log, version diffs, version set revisions, promote and
// rollback. None is in the Amigo spec.

// Actor is who made a change: a user (through the API key APIKeyID, when
// the token came from one; APIKeyCreator is the user who created that key,
// nil for the operator's changes and older records), or the operator
// running a server command. KeyCreator names the user who created an API
// key. Both are the server's declarations (package api/wire).
type (
	Actor      = wire.Actor
	KeyCreator = wire.KeyCreator
)

// PatchOperation is one operation of an RFC 6902 JSON Patch.
type PatchOperation struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	// From is the source of a move or copy.
	From string `json:"from,omitempty"`
	// Value is the JSON value of an add, replace or test; "null" is a
	// JSON null, nil none.
	Value json.RawMessage `json:"value,omitempty"`
}

// Change is one record of the change log (get-changes).
type Change struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Actor     Actor     `json:"actor"`
	Operation string    `json:"operation"`
	// ResourceType is organization, api_key, user, role, agent,
	// service_hierarchical_state_machine, service or version_set.
	ResourceType string `json:"resource_type"`
	// ResourceID is a version set's SERVICE_ID/NAME, an API key's
	// api_key_id, a role's name.
	ResourceID string `json:"resource_id"`
	Summary    string `json:"summary"`
	// Diff turns the resource's document before the change into the one
	// after it.
	Diff []PatchOperation `json:"diff"`
}

// ChangeFilter selects records of the change log; zero fields select
// everything.
type ChangeFilter struct {
	ResourceType string
	ResourceID   string
	ActorUserID  string
	// Operation is an operationId or an operator command such as
	// "bootstrap".
	Operation string
	// Since and Until bound the records' time, both inclusive.
	Since, Until time.Time
	// Limit is the page size, 1 to 100; zero means the server's 50.
	Limit int
}

// ChangePage is one page of get-changes, newest first.
type ChangePage struct {
	Changes []Change `json:"changes"`
	HasMore bool     `json:"has_more"`
	// ContinuationToken is the token of the next page (a record id), nil
	// on the last.
	ContinuationToken *string `json:"continuation_token"`
}

// ListChanges returns one page of the organization's change log,
// continuing after token (empty for the first page).
func (c *Client) ListChanges(ctx context.Context, f ChangeFilter, token string) (*ChangePage, error) {
	q := listQuery{}
	q.set("resource_type", f.ResourceType)
	q.set("resource_id", f.ResourceID)
	q.set("actor_user_id", f.ActorUserID)
	q.set("operation", f.Operation)
	if !f.Since.IsZero() {
		q.set("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		q.set("until", f.Until.Format(time.RFC3339Nano))
	}
	q.int("limit", f.Limit)
	q.set("continuation_token", token)
	var out ChangePage
	err := c.do(ctx, &request{op: "get-changes", method: http.MethodGet, path: c.orgPath("/changes/"), query: url.Values(q), retry: true, out: &out})
	return &out, err
}

// Changes iterates every record of the change log selected by f, newest
// first.
func (c *Client) Changes(ctx context.Context, f ChangeFilter) iter.Seq2[Change, error] {
	return walk(ctx, "", func(ctx context.Context, token string) ([]Change, string, bool, error) {
		p, err := c.ListChanges(ctx, f, token)
		if err != nil || !p.HasMore || p.ContinuationToken == nil {
			return p.Changes, "", false, err
		}
		return p.Changes, *p.ContinuationToken, true, nil
	})
}

// VersionDiff compares two versions of an agent (get-agent-version-diff).
type VersionDiff struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Patch turns version From's document into version To's.
	Patch []PatchOperation `json:"patch"`
	// Summary has one line per top-level field, e.g. "background changed".
	Summary []string `json:"summary"`
}

// Transition is one exit of a state: an exit condition, or a fixed next
// state (Description empty).
type Transition = wire.Transition

// StateMachineDiff compares two versions of a state machine as JSON and as
// a graph (get-service-hierarchical-state-machine-version-diff).
type StateMachineDiff struct {
	VersionDiff
	StatesAdded   []string `json:"states_added"`
	StatesRemoved []string `json:"states_removed"`
	// StatesChanged maps a state in both versions to its differing fields.
	StatesChanged      map[string][]string `json:"states_changed"`
	TransitionsAdded   []Transition        `json:"transitions_added"`
	TransitionsRemoved []Transition        `json:"transitions_removed"`
	ReferencesChanged  []string            `json:"references_changed"`
}

// LatestVersion selects the latest version in a diff.
const LatestVersion = "latest"

// diffQuery is the from and to of a diff.
func diffQuery(from, to string) url.Values {
	return url.Values{"from": {from}, "to": {to}}
}

// AgentVersionDiff compares versions from and to of an agent, each a
// number or LatestVersion; from may be above to (the reverse diff). An
// unknown version is ErrNotFound, a malformed one ErrValidation.
func (c *Client) AgentVersionDiff(ctx context.Context, agentID, from, to string) (*VersionDiff, error) {
	var out VersionDiff
	err := c.do(ctx, &request{op: "get-agent-version-diff", method: http.MethodGet, path: c.orgPath("/organization/agent/%s/version/diff", agentID),
		query: diffQuery(from, to), retry: true, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// StateMachineVersionDiff compares versions from and to of a state
// machine, as AgentVersionDiff does.
func (c *Client) StateMachineVersionDiff(ctx context.Context, machineID, from, to string) (*StateMachineDiff, error) {
	var out StateMachineDiff
	err := c.do(ctx, &request{op: "get-service-hierarchical-state-machine-version-diff", method: http.MethodGet,
		path: c.orgPath("/organization/service_hierarchical_state_machine/%s/version/diff", machineID), query: diffQuery(from, to), retry: true, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Revision is one revision of a version set: 1 when created, one more on
// every upsert, promote, rollback or deletion (Operation); VersionSet is
// the content after it, nil for a deletion. RevisionPage is one page of
// get-service-version-set-revisions, newest first.
type (
	Revision     = wire.Revision
	RevisionPage = wire.RevisionList
)

// RevisionListOptions select revisions of a version set.
type RevisionListOptions struct {
	// Limit is the page size, 1 to 50; zero means the server's 10.
	Limit int
}

// ListVersionSetRevisions returns one page of a version set's revisions
// (get-service-version-set-revisions). A set that never existed is
// ErrNotFound.
func (c *Client) ListVersionSetRevisions(ctx context.Context, serviceID, name string, opts RevisionListOptions, token int) (*RevisionPage, error) {
	q := listQuery{}
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out RevisionPage
	err := c.do(ctx, &request{op: "get-service-version-set-revisions", method: http.MethodGet,
		path: c.orgPath("/service/%s/version_sets/%s/revisions/", serviceID, name), query: url.Values(q), retry: true, out: &out})
	return &out, err
}

// VersionSetRevisions iterates every revision of a version set, newest
// first.
func (c *Client) VersionSetRevisions(ctx context.Context, serviceID, name string, opts RevisionListOptions) iter.Seq2[Revision, error] {
	return all(ctx, func(ctx context.Context, token int) ([]Revision, Page, error) {
		p, err := c.ListVersionSetRevisions(ctx, serviceID, name, opts, token)
		return p.Revisions, p.Page, err
	})
}

// PromoteRequest is the body of promote-service-version-set.
type PromoteRequest struct {
	// From is the version set copied; from edge, the versions edge
	// resolves to now are pinned.
	From string `json:"from"`
}

// RollbackRequest is the body of rollback-service-version-set.
type RollbackRequest struct {
	// ToRevision is the revision whose content becomes the next revision.
	ToRevision int `json:"to_revision"`
}

// PromoteVersionSet copies version set from into name in one transaction
// (promote-service-version-set) and returns name's new revision. With
// ifMatch set the server refuses (ErrPrecondition) unless it is name's
// current revision, which also makes the request safe to retry.
func (c *Client) PromoteVersionSet(ctx context.Context, serviceID, name, from string, ifMatch *int) (int, error) {
	return c.writeRevision(ctx, "promote-service-version-set", c.orgPath("/service/%s/version_sets/%s/promote", serviceID, name),
		&PromoteRequest{From: from}, ifMatch)
}

// RollbackVersionSet restores the content of revision toRevision of
// version set name as its next revision (rollback-service-version-set) and
// returns that revision. ifMatch works as in PromoteVersionSet. An unknown
// revision is ErrNotFound; one that is a deletion, or pins versions no
// longer usable, is ErrBadRequest.
func (c *Client) RollbackVersionSet(ctx context.Context, serviceID, name string, toRevision int, ifMatch *int) (int, error) {
	return c.writeRevision(ctx, "rollback-service-version-set", c.orgPath("/service/%s/version_sets/%s/rollback", serviceID, name),
		&RollbackRequest{ToRevision: toRevision}, ifMatch)
}

// writeRevision posts a write of a version set guarded by ifMatch and
// reads the new revision from the ETag (0 if the server sends none).
func (c *Client) writeRevision(ctx context.Context, op, path string, body any, ifMatch *int) (int, error) {
	var h http.Header
	r := &request{op: op, method: http.MethodPost, path: path, body: body, headers: &h, retry: ifMatch != nil}
	if ifMatch != nil {
		r.header = http.Header{"If-Match": {strconv.Quote(strconv.Itoa(*ifMatch))}}
	}
	if err := c.do(ctx, r); err != nil {
		return 0, err
	}
	return etagRevision(h.Get("ETag")), nil
}

// etagRevision reads a revision from an entity tag such as "3" or W/"3";
// anything else is 0.
func etagRevision(etag string) int {
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(etag, "W/"), `"`))
	if err != nil || n < 1 {
		return 0
	}
	return n
}
