package amigo

import (
	"context"
	"time"
)

// Agent is a named persona of an organization. What the agent says and how
// it sounds lives in immutable, numbered versions; services pin a version.
type Agent struct {
	ID    string
	OrgID string
	Name  string
	// Deprecated is set by delete-agent, which never removes anything.
	Deprecated bool
	// LatestVersion is nil until the first version is created.
	LatestVersion *int
	CreatorOrgID  string
	CreatorUserID string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AgentDefinition is the content of one agent version, stored as a JSON
// document. Every field is set: later versions inherit what they omit.
type AgentDefinition struct {
	Initials              string       `json:"initials"`
	Identity              Identity     `json:"identity"`
	Background            string       `json:"background"`
	Behaviors             []string     `json:"behaviors"`
	CommunicationPatterns []string     `json:"communication_patterns"`
	VoiceConfig           *VoiceConfig `json:"voice_config"`
}

// Identity says who the agent believes it is.
type Identity struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	DevelopedBy string `json:"developed_by"`
	// DefaultSpokenLanguage is an ISO 639-3 code.
	DefaultSpokenLanguage   string                  `json:"default_spoken_language"`
	RelationshipToDeveloper RelationshipToDeveloper `json:"relationship_to_developer"`
}

// RelationshipToDeveloper is the agent's belief about its developer.
type RelationshipToDeveloper struct {
	Ownership              string `json:"ownership"`
	Type                   string `json:"type"`
	ConversationVisibility string `json:"conversation_visibility"`
	ThoughtVisibility      string `json:"thought_visibility"`
}

// VoiceConfig selects the text-to-speech voice of an agent.
type VoiceConfig struct {
	VoiceID string `json:"voice_id"`
}

// AgentVersion is one immutable version of an agent.
type AgentVersion struct {
	// ID is the version's own resource id, set by the store.
	ID            string
	OrgID         string
	AgentID       string
	Version       int // 1 for the first version
	CreatorOrgID  string
	CreatorUserID string
	CreatedAt     time.Time
	Definition    AgentDefinition
}

// AgentVersionRequest is the body of create-agent-version. A nil field was
// absent or null: the first version must set every field, later versions
// inherit the nil ones from the latest version. Decoding never fails on a
// JSON object; problems are kept for package core to report (DecodeErrors).
type AgentVersionRequest struct {
	Initials              *string      `json:"initials,omitempty"`
	Identity              *Identity    `json:"identity,omitempty"`
	Background            *string      `json:"background,omitempty"`
	Behaviors             *[]string    `json:"behaviors,omitempty"`
	CommunicationPatterns *[]string    `json:"communication_patterns,omitempty"`
	VoiceConfig           *VoiceConfig `json:"voice_config,omitempty"`

	decodeErrs []FieldError
}

// UnmarshalJSON decodes the body the way the spec's model validates it; see
// jsondecode.go.
func (r *AgentVersionRequest) UnmarshalJSON(data []byte) error {
	*r = AgentVersionRequest{}
	decodeFields(data, r, nil, &r.decodeErrs)
	return nil
}

// DecodeErrors returns the type and presence violations found while
// decoding, located relative to the body.
func (r *AgentVersionRequest) DecodeErrors() []FieldError { return r.decodeErrs }

// Missing lists, in the spec's order, the fields the request leaves unset.
func (r *AgentVersionRequest) Missing() []string {
	var missing []string
	for _, f := range []struct {
		name  string
		unset bool
	}{
		{"initials", r.Initials == nil},
		{"identity", r.Identity == nil},
		{"background", r.Background == nil},
		{"behaviors", r.Behaviors == nil},
		{"communication_patterns", r.CommunicationPatterns == nil},
		{"voice_config", r.VoiceConfig == nil},
	} {
		if f.unset {
			missing = append(missing, f.name)
		}
	}
	return missing
}

// Merge returns base with the request's set fields laid over it. A nil base
// (no version yet) merges over an empty definition.
func (r *AgentVersionRequest) Merge(base *AgentDefinition) AgentDefinition {
	var d AgentDefinition
	if base != nil {
		d = *base
	}
	if r.Initials != nil {
		d.Initials = *r.Initials
	}
	if r.Identity != nil {
		d.Identity = *r.Identity
	}
	if r.Background != nil {
		d.Background = *r.Background
	}
	if r.Behaviors != nil {
		d.Behaviors = *r.Behaviors
	}
	if r.CommunicationPatterns != nil {
		d.CommunicationPatterns = *r.CommunicationPatterns
	}
	if r.VoiceConfig != nil {
		d.VoiceConfig = r.VoiceConfig
	}
	return d
}

// CreatorInfo is the spec's UserInfo: who created a resource or version.
type CreatorInfo struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
}

// AgentInstance is one element of get-agents' "agents".
type AgentInstance struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Deprecated    bool   `json:"deprecated"`
	LatestVersion *int   `json:"latest_version"`
}

// Instance returns the agent as get-agents lists it.
func (a *Agent) Instance() AgentInstance {
	return AgentInstance{ID: a.ID, Name: a.Name, Deprecated: a.Deprecated, LatestVersion: a.LatestVersion}
}

// VoiceConfigInstance is the voice configuration as responses show it. The
// tuning knobs are not settable through this API and are always zero.
type VoiceConfigInstance struct {
	VoiceID         string  `json:"voice_id"`
	Stability       float64 `json:"stability"`
	SimilarityBoost float64 `json:"similarity_boost"`
	Style           float64 `json:"style"`
}

// AgentVersionInstance is one element of get-agent-versions'
// "agent_versions".
type AgentVersionInstance struct {
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
	Creator               CreatorInfo          `json:"creator"`
}

// Instance returns the version as get-agent-versions lists it.
func (v *AgentVersion) Instance() AgentVersionInstance {
	d := v.Definition
	inst := AgentVersionInstance{
		ID: v.ID, OrgID: v.OrgID, AgentID: v.AgentID, Version: v.Version,
		Initials: d.Initials, Identity: d.Identity, Background: d.Background,
		Behaviors: nonNil(d.Behaviors), CommunicationPatterns: nonNil(d.CommunicationPatterns),
		CreatedAt: v.CreatedAt, Creator: CreatorInfo{OrgID: v.CreatorOrgID, UserID: v.CreatorUserID},
	}
	if d.VoiceConfig != nil {
		inst.VoiceConfig = &VoiceConfigInstance{VoiceID: d.VoiceConfig.VoiceID}
	}
	return inst
}

// nonNil makes a nil list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// AgentFilter selects agents for listing. Empty fields do not filter.
type AgentFilter struct {
	Deprecated *bool
	IDs        []string
	Offset     int
	Limit      int
}

// AgentStore persists agents and their versions.
type AgentStore interface {
	// CreateAgent stores a new agent without versions. Returns ECONFLICT if
	// a live (not deprecated) agent of the organization has the same name.
	CreateAgent(ctx context.Context, a *Agent) error
	// FindAgent returns ENOTFOUND, also for an agent of another organization.
	FindAgent(ctx context.Context, orgID, id string) (*Agent, error)
	// ListAgents returns one page ordered by creation, and whether more follow.
	ListAgents(ctx context.Context, orgID string, f AgentFilter) ([]*Agent, bool, error)
	// CreateAgentVersion allocates the next version number in one
	// transaction: it locks the agent (ENOTFOUND if absent), returns
	// ECONFLICT if expected is set and differs from the next number, then
	// calls build with the latest version (nil for the first) so the caller
	// can merge fields and refuse with its own error, which is returned
	// unchanged and rolls back. The store sets ID (a new resource id), OrgID,
	// AgentID, Version and CreatedAt of what build returns, stores it, updates the agent's
	// LatestVersion and returns the stored version.
	CreateAgentVersion(ctx context.Context, orgID, agentID string, expected *int,
		build func(latest *AgentVersion) (*AgentVersion, error)) (*AgentVersion, error)
	// ListAgentVersions returns one page of the agent's versions selected by
	// f, and whether more follow. It does not check that the agent exists.
	ListAgentVersions(ctx context.Context, orgID, agentID string, f VersionFilter) ([]*AgentVersion, bool, error)
	// DeprecateAgent locks the agent (ENOTFOUND if absent), calls check with
	// it and the number of active services that use it, and marks it
	// deprecated if check returns nil, in one transaction; check's error is
	// returned unchanged. Services lock their agent when they are created
	// or activated, so the count cannot go stale before the commit.
	DeprecateAgent(ctx context.Context, orgID, id string, check func(a *Agent, activeServices int) error) error
}
