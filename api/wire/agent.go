package wire

import (
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// NameInput is the body of create-agent and
// create-service-hierarchical-state-machine; each reads its own field.
type NameInput struct {
	AgentName        *string `json:"agent_name,omitempty"`
	StateMachineName *string `json:"state_machine_name,omitempty"`
}

// AgentVersionRequest is the body of create-agent-version. A field that is
// absent or null is unset.
type AgentVersionRequest struct {
	Initials              *string      `json:"initials,omitempty"`
	Identity              *Identity    `json:"identity,omitempty"`
	Background            *string      `json:"background,omitempty"`
	Behaviors             *[]string    `json:"behaviors,omitempty"`
	CommunicationPatterns *[]string    `json:"communication_patterns,omitempty"`
	VoiceConfig           *VoiceConfig `json:"voice_config,omitempty"`
}

// Patch returns the request as the domain's patch of a version.
func (r *AgentVersionRequest) Patch() amigo.AgentVersionPatch {
	return shape.Convert[amigo.AgentVersionPatch](*r)
}

// NewAgentVersionRequest returns a domain patch in its wire shape.
func NewAgentVersionRequest(p amigo.AgentVersionPatch) AgentVersionRequest {
	return shape.Convert[AgentVersionRequest](p)
}

// Identity says who the agent believes it is.
type Identity struct {
	Name                    string                  `json:"name"`
	Role                    string                  `json:"role"`
	DevelopedBy             string                  `json:"developed_by"`
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

// AgentInstance is one element of get-agents' "agents".
type AgentInstance struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Deprecated    bool   `json:"deprecated"`
	LatestVersion *int   `json:"latest_version"`
}

// AgentList is the answer of get-agents.
type AgentList struct {
	Agents []AgentInstance `json:"agents"`
	Page
}

// NewAgent returns the agent as get-agents lists it.
func NewAgent(a *amigo.Agent) AgentInstance {
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
	Creator               Creator              `json:"creator"`
}

// AgentVersionList is the answer of get-agent-versions.
type AgentVersionList struct {
	AgentVersions []AgentVersionInstance `json:"agent_versions"`
	Page
}

// NewAgentVersion returns the version as get-agent-versions lists it.
func NewAgentVersion(v *amigo.AgentVersion) AgentVersionInstance {
	d := v.Definition
	inst := AgentVersionInstance{
		ID: v.ID, OrgID: v.OrgID, AgentID: v.AgentID, Version: v.Version,
		Initials: d.Initials, Identity: shape.Convert[Identity](d.Identity), Background: d.Background,
		Behaviors: nonNil(d.Behaviors), CommunicationPatterns: nonNil(d.CommunicationPatterns),
		CreatedAt: v.CreatedAt, Creator: Creator{OrgID: v.CreatorOrgID, UserID: v.CreatorUserID},
	}
	if d.VoiceConfig != nil {
		inst.VoiceConfig = &VoiceConfigInstance{VoiceID: d.VoiceConfig.VoiceID}
	}
	return inst
}
