package wire

import (
	"encoding/json"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// ServiceInput is the body of create-service and update-service. Absent or
// null fields are unset.
type ServiceInput struct {
	StateMachineID    *string             `json:"service_hierarchical_state_machine_id,omitempty"`
	AgentID           *string             `json:"agent_id,omitempty"`
	Name              *string             `json:"name,omitempty"`
	Description       *string             `json:"description,omitempty"`
	IsActive          *bool               `json:"is_active,omitempty"`
	ReleaseVersionSet *VersionSet         `json:"release_version_set,omitempty"`
	Keyterms          *[]string           `json:"keyterms,omitempty"`
	Tags              *map[string]*string `json:"tags,omitempty"`
}

// VersionSetInput is the body of upsert-service-version-set.
type VersionSetInput struct {
	VersionSet *FullVersionSet `json:"version_set,omitempty"`
}

// FullVersionSet is a version set as upsert-service-version-set takes it:
// the spec requires all three keys, though each may be null.
type FullVersionSet struct {
	AgentVersion        *int                  `json:"agent_version_number"`
	StateMachineVersion *int                  `json:"service_hierarchical_state_machine_version_number"`
	LLMModelPreferences *map[string]LLMConfig `json:"llm_model_preferences"`
}

// Domain returns the version set as the domain's.
func (v *FullVersionSet) Domain() *amigo.VersionSet {
	if v == nil {
		return nil
	}
	out := &amigo.VersionSet{AgentVersion: v.AgentVersion, StateMachineVersion: v.StateMachineVersion}
	if v.LLMModelPreferences != nil {
		// A loop, not shape.Convert: each preference converts as it is,
		// the two types having the same fields, without reflection.
		prefs := make(map[string]amigo.LLMConfig, len(*v.LLMModelPreferences))
		for name, p := range *v.LLMModelPreferences {
			prefs[name] = amigo.LLMConfig(p)
		}
		out.LLMModelPreferences = prefs
	}
	return out
}

// Domain returns the version set as the domain's.
func (v VersionSet) Domain() amigo.VersionSet { return shape.Convert[amigo.VersionSet](v) }

// VersionSet pins an agent version, a state machine version (null: the
// latest) and LLM preferences by interaction name.
type VersionSet struct {
	AgentVersion        *int                 `json:"agent_version_number"`
	StateMachineVersion *int                 `json:"service_hierarchical_state_machine_version_number"`
	LLMModelPreferences map[string]LLMConfig `json:"llm_model_preferences,omitzero"`
}

// LLMConfig is a preferred model for one LLM interaction. The seed writes
// the sampling parameters beside llm_name, the spec inside params; both
// are accepted and kept as given.
type LLMConfig struct {
	LLMName     string                     `json:"llm_name,omitempty"`
	Params      map[string]json.RawMessage `json:"params,omitzero"`
	TopP        *float64                   `json:"top_p,omitempty"`
	Temperature *float64                   `json:"temperature,omitempty"`
	TopK        *int                       `json:"top_k,omitempty"`
}

// newVersionSet returns vs as listings show it, with {} for absent
// preferences and parameters. It copies field by field, not through
// shape.Convert, whose reflection was a tenth of a listing's time; a test
// checks it against shape.Convert, so a field added to either side fails
// there (TestNewVersionSetMatchesShape).
func newVersionSet(vs amigo.VersionSet) VersionSet {
	prefs := make(map[string]LLMConfig, len(vs.LLMModelPreferences))
	for k, p := range vs.LLMModelPreferences {
		params := p.Params
		if params == nil {
			params = map[string]json.RawMessage{}
		}
		prefs[k] = LLMConfig{LLMName: p.LLMName, Params: params, TopP: p.TopP, Temperature: p.Temperature, TopK: p.TopK}
	}
	return VersionSet{AgentVersion: vs.AgentVersion, StateMachineVersion: vs.StateMachineVersion, LLMModelPreferences: prefs}
}

// Tag is a service tag; a nil Value is a tag without value.
type Tag struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// ServiceInstance is one element of get-services' "services".
type ServiceInstance struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	VersionSets    map[string]VersionSet `json:"version_sets"`
	Description    string                `json:"description"`
	IsActive       bool                  `json:"is_active"`
	StateMachineID string                `json:"service_hierarchical_state_machine_id"`
	AgentID        string                `json:"agent_id"`
	Tags           []Tag                 `json:"tags"`
	Keyterms       []string              `json:"keyterms"`
	Creator        Creator               `json:"creator"`
	UpdatedBy      Creator               `json:"updated_by"`
}

// ServiceList is the answer of get-services.
type ServiceList struct {
	Services []ServiceInstance `json:"services"`
	Page
	FilterValues struct {
		Tags []string `json:"tags"`
	} `json:"filter_values"`
}

// NewService returns the service as get-services lists it: tags in key
// order, version sets with their {} defaults.
func NewService(s *amigo.Service) ServiceInstance {
	tags := make([]Tag, 0, len(s.Tags))
	for _, kv := range amigo.TagValues(s.Tags) {
		key, _, _ := strings.Cut(kv, ":")
		tags = append(tags, Tag{Key: key, Value: s.Tags[key]})
	}
	sets := make(map[string]VersionSet, len(s.VersionSets))
	for name, vs := range s.VersionSets {
		sets[name] = newVersionSet(vs)
	}
	return ServiceInstance{
		ID: s.ID, Name: s.Name, VersionSets: sets, Description: s.Description, IsActive: s.IsActive,
		StateMachineID: s.StateMachineID, AgentID: s.AgentID, Tags: tags, Keyterms: nonNil(s.Keyterms),
		Creator:   Creator{OrgID: s.CreatorOrgID, UserID: s.CreatorUserID},
		UpdatedBy: Creator{OrgID: s.UpdatedByOrgID, UserID: s.UpdatedByUserID},
	}
}
