package client

import (
	"context"
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

// The change log's shapes, as the server declares them (package api/wire).
// A Change is one record of get-changes; its Diff, a Patch, turns the
// resource's document before the change into the one after it (Operations
// decodes it into PatchOperations). ChangePage is one page of get-changes,
// newest first; its ContinuationToken is the token of the next page (a
// record id), nil on the last.
type (
	Change         = wire.Change
	ChangePage     = wire.ChangeList
	Patch          = wire.Patch
	PatchOperation = wire.PatchOperation
)

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

// VersionDiff compares two versions of an agent (get-agent-version-diff):
// its Patch turns version From's document into version To's, its Summary
// has one line per top-level field, e.g. "background changed".
// StateMachineDiff compares two versions of a state machine as JSON (its
// VersionDiff) and as a graph
// (get-service-hierarchical-state-machine-version-diff). A Transition is
// one exit of a state: an exit condition, or a fixed next state
// (Description empty). All are the server's declarations (package
// api/wire).
type (
	VersionDiff      = wire.VersionDiff
	StateMachineDiff = wire.MachineDiff
	Transition       = wire.Transition
)

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

// PromoteRequest and RollbackRequest are the bodies of
// promote-service-version-set and rollback-service-version-set, as the
// server declares them (package api/wire).
type (
	PromoteRequest  = wire.PromoteInput
	RollbackRequest = wire.RollbackInput
)

// PromoteVersionSet copies version set from into name in one transaction
// (promote-service-version-set) and returns name's new revision. With
// ifMatch set the server refuses (ErrPrecondition) unless it is name's
// current revision, which also makes the request safe to retry.
func (c *Client) PromoteVersionSet(ctx context.Context, serviceID, name, from string, ifMatch *int) (int, error) {
	return c.writeRevision(ctx, "promote-service-version-set", c.orgPath("/service/%s/version_sets/%s/promote", serviceID, name),
		&PromoteRequest{From: &from}, ifMatch)
}

// RollbackVersionSet restores the content of revision toRevision of
// version set name as its next revision (rollback-service-version-set) and
// returns that revision. ifMatch works as in PromoteVersionSet. An unknown
// revision is ErrNotFound; one that is a deletion, or pins versions no
// longer usable, is ErrBadRequest.
func (c *Client) RollbackVersionSet(ctx context.Context, serviceID, name string, toRevision int, ifMatch *int) (int, error) {
	return c.writeRevision(ctx, "rollback-service-version-set", c.orgPath("/service/%s/version_sets/%s/rollback", serviceID, name),
		&RollbackRequest{ToRevision: &toRevision}, ifMatch)
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
