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
	Initials              string
	Identity              Identity
	Background            string
	Behaviors             []string
	CommunicationPatterns []string
	VoiceConfig           *VoiceConfig
}

// Identity says who the agent believes it is.
type Identity struct {
	Name        string
	Role        string
	DevelopedBy string
	// DefaultSpokenLanguage is an ISO 639-3 code.
	DefaultSpokenLanguage   string
	RelationshipToDeveloper RelationshipToDeveloper
}

// RelationshipToDeveloper is the agent's belief about its developer.
type RelationshipToDeveloper struct {
	Ownership              string
	Type                   string
	ConversationVisibility string
	ThoughtVisibility      string
}

// VoiceConfig selects the text-to-speech voice of an agent.
type VoiceConfig struct {
	VoiceID string
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

// AgentVersionPatch is what a new agent version sets. A nil field is
// unset: the first version must set every field, later versions inherit the
// nil ones from the latest version.
type AgentVersionPatch struct {
	Initials              *string
	Identity              *Identity
	Background            *string
	Behaviors             *[]string
	CommunicationPatterns *[]string
	VoiceConfig           *VoiceConfig
}

// Missing lists, in the spec's order, the fields the request leaves unset.
func (r *AgentVersionPatch) Missing() []string {
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
func (r *AgentVersionPatch) Merge(base *AgentDefinition) AgentDefinition {
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
