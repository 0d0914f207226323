package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The agents' shapes, as the server declares them (package api/wire).
// AgentVersionRequest is the body of create-agent-version: the first
// version sets every field, later ones inherit the nil fields. UserInfo
// names the user who created or changed something; CreatedVersion is the
// response of the create-*-version operations.
type (
	Agent                   = wire.AgentInstance
	Identity                = wire.Identity
	RelationshipToDeveloper = wire.RelationshipToDeveloper
	VoiceConfig             = wire.VoiceConfig
	VoiceConfigInstance     = wire.VoiceConfigInstance
	AgentVersionRequest     = wire.AgentVersionRequest
	AgentVersion            = wire.AgentVersionInstance
	UserInfo                = wire.Creator
	CreatedVersion          = wire.CreatedVersion
)

// ListOptions select resources of a listing by id and deprecation.
type ListOptions struct {
	IDs        []string
	Deprecated *bool
	// Limit is the page size; zero means the server's default.
	Limit int
}

func (o ListOptions) query(token int) url.Values {
	q := listQuery{}
	q.list("id", o.IDs)
	q.bool("deprecated", o.Deprecated)
	q.int("limit", o.Limit)
	q.int("continuation_token", token)
	return url.Values(q)
}

// VersionOptions select versions: Version is "3", "1-4" or "latest" (empty
// for all), Sort e.g. "-version".
type VersionOptions struct {
	Version string
	Sort    []string
	Limit   int
}

func (o VersionOptions) query(token int) url.Values {
	q := listQuery{}
	q.set("version", o.Version)
	q.list("sort_by", o.Sort)
	q.int("limit", o.Limit)
	q.int("continuation_token", token)
	return url.Values(q)
}

// CreateAgent creates an agent without versions and returns its id
// (create-agent).
func (c *Client) CreateAgent(ctx context.Context, name string) (string, error) {
	var out wire.Created
	err := c.do(ctx, &request{op: "create-agent", method: http.MethodPost, path: c.orgPath("/organization/agent"),
		body: wire.NameInput{AgentName: &name}, out: &out})
	return out.ID, err
}

// ListAgents returns one page of agents (get-agents).
func (c *Client) ListAgents(ctx context.Context, opts ListOptions, token int) ([]Agent, Page, error) {
	var out wire.AgentList
	err := c.do(ctx, &request{op: "get-agents", method: http.MethodGet, path: c.orgPath("/organization/agent"), query: opts.query(token), retry: true, out: &out})
	return out.Agents, out.Page, err
}

// Agents iterates every agent selected by opts.
func (c *Client) Agents(ctx context.Context, opts ListOptions) iter.Seq2[Agent, error] {
	return all(ctx, func(ctx context.Context, token int) ([]Agent, Page, error) { return c.ListAgents(ctx, opts, token) })
}

// CreateAgentVersion adds a version to an agent (create-agent-version).
// With expected set, the server refuses (409) unless it is the next
// version number, which also makes the request safe to retry.
func (c *Client) CreateAgentVersion(ctx context.Context, agentID string, expected *int, in *AgentVersionRequest) (*CreatedVersion, error) {
	var out CreatedVersion
	q := url.Values{}
	if expected != nil {
		q.Set("version", strconv.Itoa(*expected))
	}
	err := c.do(ctx, &request{op: "create-agent-version", method: http.MethodPost, path: c.orgPath("/organization/agent/%s/", agentID),
		query: q, body: in, retry: expected != nil, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckAgentVersion asks the server whether in would be accepted as the
// agent's next version, numbered expected when set, and stores nothing
// (create-agent-version with ?dry_run=true, an extension of amigo-server).
// A server of the API that ignores the parameter would create the version,
// so the request is sent only to a server whose /openapi.json documents
// it; otherwise the result is ErrDryRunUnsupported and nothing is sent.
func (c *Client) CheckAgentVersion(ctx context.Context, agentID string, expected *int, in *AgentVersionRequest) error {
	if ok, err := c.documentsAgentDryRun(ctx); err != nil {
		return err
	} else if !ok {
		return ErrDryRunUnsupported
	}
	q := url.Values{"dry_run": {"true"}}
	if expected != nil {
		q.Set("version", strconv.Itoa(*expected))
	}
	return c.do(ctx, &request{op: "create-agent-version", method: http.MethodPost, path: c.orgPath("/organization/agent/%s/", agentID),
		query: q, body: in, retry: true})
}

// ListAgentVersions returns one page of an agent's versions
// (get-agent-versions).
func (c *Client) ListAgentVersions(ctx context.Context, agentID string, opts VersionOptions, token int) ([]AgentVersion, Page, error) {
	var out wire.AgentVersionList
	err := c.do(ctx, &request{op: "get-agent-versions", method: http.MethodGet, path: c.orgPath("/organization/agent/%s/version", agentID),
		query: opts.query(token), retry: true, out: &out})
	return out.AgentVersions, out.Page, err
}

// AgentVersions iterates an agent's versions selected by opts.
func (c *Client) AgentVersions(ctx context.Context, agentID string, opts VersionOptions) iter.Seq2[AgentVersion, error] {
	return all(ctx, func(ctx context.Context, token int) ([]AgentVersion, Page, error) {
		return c.ListAgentVersions(ctx, agentID, opts, token)
	})
}

// DeleteAgent deprecates an agent (delete-agent).
func (c *Client) DeleteAgent(ctx context.Context, agentID string) error {
	return c.do(ctx, &request{op: "delete-agent", method: http.MethodDelete, path: c.orgPath("/organization/agent/%s/", agentID), retry: true})
}
