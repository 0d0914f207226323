package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// StateMachine is one element of get-service-hierarchical-state-machines;
// StateMachineSpec, the content of a version and the body of
// create-service-hierarchical-state-machine-version (its References map a
// reference name, used as "name.state" in external next states, to a
// pinned version of another machine); StateMachineVersion, one element of
// get-service-hierarchical-state-machine-versions.
type (
	StateMachine        = wire.StateMachineInstance
	StateMachineSpec    = wire.StateMachineDefinition
	StateMachineVersion = wire.StateMachineVersionInstance
)

// CreateStateMachine creates a state machine without versions and returns
// its id (create-service-hierarchical-state-machine).
func (c *Client) CreateStateMachine(ctx context.Context, name string) (string, error) {
	var out wire.Created
	err := c.do(ctx, &request{op: "create-service-hierarchical-state-machine", method: http.MethodPost,
		path: c.orgPath("/organization/service_hierarchical_state_machine"),
		body: wire.NameInput{StateMachineName: &name}, out: &out})
	return out.ID, err
}

// ListStateMachines returns one page of state machines
// (get-service-hierarchical-state-machines).
func (c *Client) ListStateMachines(ctx context.Context, opts ListOptions, token int) ([]StateMachine, Page, error) {
	var out wire.StateMachineList
	err := c.do(ctx, &request{op: "get-service-hierarchical-state-machines", method: http.MethodGet,
		path: c.orgPath("/organization/service_hierarchical_state_machine"), query: opts.query(token), retry: true, out: &out})
	return out.Machines, out.Page, err
}

// StateMachines iterates every state machine selected by opts.
func (c *Client) StateMachines(ctx context.Context, opts ListOptions) iter.Seq2[StateMachine, error] {
	return all(ctx, func(ctx context.Context, token int) ([]StateMachine, Page, error) {
		return c.ListStateMachines(ctx, opts, token)
	})
}

// CreateStateMachineVersion adds a version to a state machine
// (create-service-hierarchical-state-machine-version). With expected set,
// the server refuses (409) unless it is the next version number, which
// makes the request safe to retry. A dry run validates without storing and
// returns nil.
func (c *Client) CreateStateMachineVersion(ctx context.Context, machineID string, expected *int, dryRun bool, in *StateMachineSpec) (*CreatedVersion, error) {
	q := url.Values{}
	if expected != nil {
		q.Set("version", strconv.Itoa(*expected))
	}
	if dryRun {
		q.Set("dry_run", "true")
	}
	var out *CreatedVersion
	err := c.do(ctx, &request{op: "create-service-hierarchical-state-machine-version", method: http.MethodPost,
		path: c.orgPath("/organization/service_hierarchical_state_machine/%s/", machineID), query: q, body: in,
		retry: expected != nil || dryRun, out: &out})
	return out, err
}

// ListStateMachineVersions returns one page of a machine's versions
// (get-service-hierarchical-state-machine-versions).
func (c *Client) ListStateMachineVersions(ctx context.Context, machineID string, opts VersionOptions, token int) ([]StateMachineVersion, Page, error) {
	var out wire.StateMachineVersionList
	err := c.do(ctx, &request{op: "get-service-hierarchical-state-machine-versions", method: http.MethodGet,
		path: c.orgPath("/organization/service_hierarchical_state_machine/%s/version", machineID), query: opts.query(token), retry: true, out: &out})
	return out.Versions, out.Page, err
}

// StateMachineVersions iterates a machine's versions selected by opts.
func (c *Client) StateMachineVersions(ctx context.Context, machineID string, opts VersionOptions) iter.Seq2[StateMachineVersion, error] {
	return all(ctx, func(ctx context.Context, token int) ([]StateMachineVersion, Page, error) {
		return c.ListStateMachineVersions(ctx, machineID, opts, token)
	})
}

// DeleteStateMachine deprecates a state machine
// (delete-service-hierarchical-state-machine).
func (c *Client) DeleteStateMachine(ctx context.Context, machineID string) error {
	return c.do(ctx, &request{op: "delete-service-hierarchical-state-machine", method: http.MethodDelete,
		path: c.orgPath("/organization/service_hierarchical_state_machine/%s/", machineID), retry: true})
}
