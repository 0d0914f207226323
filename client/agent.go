package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Agent is one element of get-agents.
type Agent struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Deprecated    bool   `json:"deprecated"`
	LatestVersion *int   `json:"latest_version"`
}

// Identity says who an agent believes it is.
type Identity struct {
	Name                    string                  `json:"name"`
	Role                    string                  `json:"role"`
	DevelopedBy             string                  `json:"developed_by"`
	DefaultSpokenLanguage   string                  `json:"default_spoken_language"`
	RelationshipToDeveloper RelationshipToDeveloper `json:"relationship_to_developer"`
}

// RelationshipToDeveloper is an agent's belief about its developer.
type RelationshipToDeveloper struct {
	Ownership              string `json:"ownership"`
	Type                   string `json:"type"`
	ConversationVisibility string `json:"conversation_visibility"`
	ThoughtVisibility      string `json:"thought_visibility"`
}

// VoiceConfig selects an agent's voice.
type VoiceConfig struct {
	VoiceID string `json:"voice_id"`
}

// VoiceConfigInstance is a voice as versions report it.
type VoiceConfigInstance struct {
	VoiceID         string  `json:"voice_id"`
	Stability       float64 `json:"stability"`
	SimilarityBoost float64 `json:"similarity_boost"`
	Style           float64 `json:"style"`
}

// AgentVersionRequest is the body of create-agent-version. The first
// version sets every field; later ones inherit the nil fields.
type AgentVersionRequest struct {
	Initials              *string      `json:"initials,omitempty"`
	Identity              *Identity    `json:"identity,omitempty"`
	Background            *string      `json:"background,omitempty"`
	Behaviors             *[]string    `json:"behaviors,omitempty"`
	CommunicationPatterns *[]string    `json:"communication_patterns,omitempty"`
	VoiceConfig           *VoiceConfig `json:"voice_config,omitempty"`
}

// AgentVersion is one element of get-agent-versions.
type AgentVersion struct {
	// ID identifies the version itself.
	ID                    string               `json:"id"`
	OrgID                 string               `json:"org_id"`
	AgentID               string               `json:"agent_id"`
	Version               int                  `json:"version"`
	VoiceConfig           *VoiceConfigInstance `json:"voice_config"`
	Initials              string               `json:"initials"`
	Identity              Identity             `json:"identity"`
	Background            string               `json:"background"`
	Behaviors             []string             `json:"behaviors"`
	CommunicationPatterns []string             `json:"communication_patterns"`
	CreatedAt             time.Time            `json:"created_at"`
	Creator               UserInfo             `json:"creator"`
}

// UserInfo names the user who created or changed something.
type UserInfo struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
}

// CreatedVersion is the response of the create-*-version operations.
type CreatedVersion struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

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
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, &request{op: "create-agent", method: http.MethodPost, path: c.orgPath("/organization/agent"),
		body: struct {
			Name string `json:"agent_name"`
		}{name}, out: &out})
	return out.ID, err
}

// ListAgents returns one page of agents (get-agents).
func (c *Client) ListAgents(ctx context.Context, opts ListOptions, token int) ([]Agent, Page, error) {
	var out struct {
		Agents []Agent `json:"agents"`
		Page
	}
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
	var out struct {
		Versions []AgentVersion `json:"agent_versions"`
		Page
	}
	err := c.do(ctx, &request{op: "get-agent-versions", method: http.MethodGet, path: c.orgPath("/organization/agent/%s/version", agentID),
		query: opts.query(token), retry: true, out: &out})
	return out.Versions, out.Page, err
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
