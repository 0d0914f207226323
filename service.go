package amigo

import (
	"context"
	"encoding/json"
	"time"
)

// Names of the version sets every service has.
const (
	// VersionSetEdge always resolves to the latest agent and state machine
	// versions with no LLM preference; it can never be written.
	VersionSetEdge = "edge"
	// VersionSetRelease is what users get; it starts equal to edge.
	VersionSetRelease = "release"
)

// Service ties an agent and a state machine together, pinning their
// versions through named version sets.
type Service struct {
	ID             string
	OrgID          string
	Name           string
	Description    string
	IsActive       bool
	AgentID        string
	StateMachineID string
	// Tags map keys to values; a nil value is a tag without value.
	Tags        map[string]*string
	Keyterms    []string
	VersionSets map[string]VersionSet
	// Revisions holds the last revision number of every version set the
	// service ever had, deleted ones included. Only UpdateService loads it.
	Revisions map[string]int

	CreatorOrgID, CreatorUserID     string
	UpdatedByOrgID, UpdatedByUserID string
	CreatedAt, UpdatedAt            time.Time
}

// VersionSet pins an agent version, a state machine version (nil: the
// latest) and LLM preferences by interaction name.
type VersionSet struct {
	AgentVersion        *int
	StateMachineVersion *int
	LLMModelPreferences map[string]LLMConfig
}

// LLMConfig is a preferred model for one LLM interaction. The seed writes
// the sampling parameters beside llm_name, the spec inside params; both
// are accepted and kept as given.
type LLMConfig struct {
	LLMName     string
	Params      map[string]json.RawMessage
	TopP        *float64
	Temperature *float64
	TopK        *int
}

// LLMTypes lists the models an LLM preference may name: the spec's LLMType
// enumeration, plus the model of the seed's own example. This is the one
// place to update when models come and go.
var LLMTypes = []string{
	"azure_gpt-4.1-2025-04-14", "openai_gpt-4.1-2025-04-14",
	"azure_gpt-4.1-mini-2025-04-14", "openai_gpt-4.1-mini-2025-04-14",
	"azure_gpt-5-nano-2025-08-07", "azure_gpt-5.1-2025-11-13", "openai_gpt-5.1-2025-11-13",
	"azure_gpt-5.2-2025-12-11", "openai_gpt-5-nano-2025-08-07", "openai_gpt-5-mini-2025-08-07",
	"openai_gpt-5.2-2025-12-11", "aws_claude-sonnet-4-5-20250929", "aws_claude-haiku-4-5-20251001",
	"aws_claude-sonnet-4-6", "aws_claude-opus-4-6", "google_gemini-2.5-pro", "google_gemini-2.5-flash",
	"openai_o4-mini-2025-04-16",
}

// TagFilter matches services by one tag: Key with Value, any value (Any),
// or no value (Value nil, Any false).
type TagFilter struct {
	Key   string
	Value *string
	Any   bool
}

// SortField orders a listing by one field.
type SortField struct {
	Field string // "name" or "is_active"
	Desc  bool
}

// ServiceFilter selects services for listing. Several tags must all match.
type ServiceFilter struct {
	IDs      []string
	IsActive *bool
	Tags     []TagFilter
	Sort     []SortField
	Offset   int
	Limit    int
	// WithTags asks for the organization's distinct tags (as ServiceTags
	// lists them) with the page, read in the page's own statement.
	WithTags bool
}

// ServicePage is one page of a listing.
//
// A store may share what a page holds between the pages it returns:
// callers must not modify the services or the tags.
type ServicePage struct {
	Services []*Service
	More     bool     // more services follow
	Tags     []string // the filter's WithTags
}

// Pinned is the agent and state machine a service uses, read (and locked
// against deprecation) inside the store's transaction.
type Pinned struct {
	Agent        *Agent
	StateMachine *StateMachine
}

// PinFunc loads and locks an agent and a state machine of the organization
// for the rest of a transaction; ENOTFOUND names the missing one.
type PinFunc func(agentID, stateMachineID string) (Pinned, error)

// ServiceStore persists services, their tags and version sets.
type ServiceStore interface {
	// CreateService stores s after check accepts the pinned agent and state
	// machine, in one transaction. ECONFLICT if s is active and an active
	// service has its name; ENOTFOUND if the agent or machine is missing.
	CreateService(ctx context.Context, s *Service, check func(Pinned) error) error
	// FindService returns ENOTFOUND.
	FindService(ctx context.Context, orgID, id string) (*Service, error)
	// ListServices returns one page and whether more follow.
	ListServices(ctx context.Context, orgID string, f ServiceFilter) (ServicePage, error)
	// ServiceTags lists the distinct tags of the organization's services,
	// as "key:value" (or "key:" for a null value).
	ServiceTags(ctx context.Context, orgID string) ([]string, error)
	// UpdateService loads the service (ENOTFOUND), lets apply change it
	// (pin loads and locks the resources apply needs to check), and stores
	// the result, in one transaction. ECONFLICT on an active name clash.
	// Concurrent updates of one service run one after the other. When
	// apply records version set revisions in the context's journal, only
	// the sets they name are stored (each as its revision holds it) and
	// the service's other sets must be left as they were read.
	UpdateService(ctx context.Context, orgID, id string, apply func(s *Service, pin PinFunc) error) (*Service, error)
	// UpdateVersionSets is UpdateService for a write of some of a
	// service's version sets: it reads only the sets names (those that
	// exist), so a write costs in proportion to them, not to the
	// service's other sets. apply must record in the context's journal a
	// revision of each set it changes, and change no other set: a store
	// refuses (an internal error, nothing written) to store a service read
	// in part without revisions, or with a revision of a set it did not
	// read. The service returned holds only the sets read.
	UpdateVersionSets(ctx context.Context, orgID, id string, names []string, apply func(s *Service, pin PinFunc) error) (*Service, error)
	// DeleteVersionSet returns ENOTFOUND for an unknown service or set.
	DeleteVersionSet(ctx context.Context, orgID, serviceID, name string) error
}
