package core

import (
	"context"
	"encoding/json"
	"time"

	"github.com/wI2L/jsondiff"

	"github.com/amigo-oss/amigo-server"
)

// Kinds of resource named in change records.
const (
	resOrganization = "organization"
	resAPIKey       = "api_key"
	resUser         = "user"
	resRole         = "role"
	resAgent        = "agent"
	resStateMachine = "service_hierarchical_state_machine"
	resService      = "service"
	resVersionSet   = "version_set"
)

// change describes one change for the log; before and after are the
// resource's documents (nil when it did not exist), which record diffs.
type change struct {
	orgID, operation, resourceType, resourceID, summary string
	before, after                                       any
}

// journal returns ctx with a new journal for one mutating call: what the
// call records is written by the store in the transaction of its change.
func journal(ctx context.Context) (context.Context, *amigo.Journal) {
	return amigo.WithJournal(ctx)
}

// record adds c to j, attributed to the context's caller (the operator
// when there is none).
func (a *App) record(ctx context.Context, j *amigo.Journal, c change) error {
	patch, err := jsonPatch(c.before, c.after)
	if err != nil {
		return err
	}
	now := a.Now()
	j.Record(&amigo.Change{
		ID: amigo.NewID(now), OrgID: c.orgID, Time: now, Actor: amigo.ActorOf(amigo.CallerFromContext(ctx)),
		Operation: c.operation, ResourceType: c.resourceType, ResourceID: c.resourceID, Summary: c.summary, Diff: patch,
	})
	return nil
}

// jsonPatch returns the RFC 6902 JSON Patch from before to after, as JSON.
// A nil document is JSON null, so creating a resource is one "replace" of
// the whole document and deleting one is the reverse.
func jsonPatch(before, after any) (json.RawMessage, error) {
	patch, err := jsondiff.Compare(before, after)
	if err != nil {
		return nil, err
	}
	if patch == nil {
		return json.RawMessage("[]"), nil
	}
	return json.Marshal(patch)
}

// The documents the change log diffs. They hold what a client can read of
// each resource and never a secret; their field names are the API's.

type serviceDoc struct {
	Name           string                      `json:"name"`
	Description    string                      `json:"description"`
	IsActive       bool                        `json:"is_active"`
	AgentID        string                      `json:"agent_id"`
	StateMachineID string                      `json:"service_hierarchical_state_machine_id"`
	Tags           map[string]*string          `json:"tags"`
	Keyterms       []string                    `json:"keyterms"`
	VersionSets    map[string]amigo.VersionSet `json:"version_sets"`
}

func serviceDocOf(s *amigo.Service) *serviceDoc {
	return &serviceDoc{
		Name: s.Name, Description: s.Description, IsActive: s.IsActive, AgentID: s.AgentID, StateMachineID: s.StateMachineID,
		Tags: cloneMap(s.Tags), Keyterms: append([]string{}, s.Keyterms...), VersionSets: cloneMap(s.VersionSets),
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// resourceDoc is an agent or a state machine, without its versions.
type resourceDoc struct {
	Name          string `json:"name"`
	Deprecated    bool   `json:"deprecated"`
	LatestVersion *int   `json:"latest_version"`
}

type apiKeyDoc struct {
	KeyID     string    `json:"api_key_id"`
	Name      *string   `json:"name"`
	RoleID    string    `json:"role_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func apiKeyDocOf(k *amigo.APIKey) *apiKeyDoc {
	return &apiKeyDoc{KeyID: k.KeyID, Name: k.Name, RoleID: k.RoleID, ExpiresAt: k.ExpiresAt}
}

// userDoc leaves out the user's sensitive variables.
type userDoc struct {
	Email                 string            `json:"email"`
	FirstName             string            `json:"first_name"`
	LastName              string            `json:"last_name"`
	RoleID                string            `json:"role_id"`
	Preferences           amigo.Preferences `json:"preferences"`
	NonsensitiveVariables map[string]string `json:"nonsensitive_variables"`
	EnableActionsAccess   bool              `json:"enable_actions_access"`
	AdditionalContext     []string          `json:"additional_context"`
}

func userDocOf(u *amigo.User) *userDoc {
	return &userDoc{
		Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, RoleID: u.RoleID, Preferences: u.Preferences,
		NonsensitiveVariables: cloneMap(u.NonsensitiveVariables), EnableActionsAccess: u.EnableActionsAccess,
		AdditionalContext: append([]string{}, u.AdditionalContext...),
	}
}
