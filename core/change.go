package core

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/jsonpatch"
	"github.com/amigo-oss/amigo-server/internal/shape"
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
	patch, err := jsonPatch(a.shaped(c.before), a.shaped(c.after))
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
// A nil document is JSON null, so creating a resource is one "add" of the
// whole document and deleting one is the reverse. Its cost is linear in
// the documents, and a list or object whose changes would take more bytes
// than its new value is one "replace" (package jsonpatch).
func jsonPatch(before, after any) (json.RawMessage, error) {
	patch, err := jsonpatch.Diff(before, after)
	return patch.JSON, err
}

// The documents the change log diffs. They hold what a client can read of
// each resource and never a secret; their field names are the API's.

type serviceDoc struct {
	Name           string             `json:"name"`
	Description    string             `json:"description"`
	IsActive       bool               `json:"is_active"`
	AgentID        string             `json:"agent_id"`
	StateMachineID string             `json:"service_hierarchical_state_machine_id"`
	Tags           map[string]*string `json:"tags"`
	Keyterms       []string           `json:"keyterms"`
	VersionSets    any                `json:"version_sets"` // map[string]amigo.VersionSet until shaped
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
	Preferences           any               `json:"preferences"` // amigo.Preferences until shaped
	NonsensitiveVariables map[string]string `json:"nonsensitive_variables"`
	EnableActionsAccess   bool              `json:"enable_actions_access"`
	AdditionalContext     []string          `json:"additional_context"`
}

// userDocOf shares the user's additional context, which a change replaces
// and never edits in place: a 3 MB list is not copied for the change log.
func userDocOf(u *amigo.User) *userDoc {
	texts := u.AdditionalContext
	if texts == nil {
		texts = []string{}
	}
	return &userDoc{
		Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, RoleID: u.RoleID, Preferences: u.Preferences,
		NonsensitiveVariables: cloneMap(u.NonsensitiveVariables), EnableActionsAccess: u.EnableActionsAccess,
		AdditionalContext: texts,
	}
}

// organizationDoc holds an organization's settings; images appear as the
// SHA-256 of their bytes, so a diff shows that one changed without
// carrying it.
type organizationDoc struct {
	Name                   string            `json:"org_name"`
	Title                  string            `json:"title"`
	MainDescription        string            `json:"main_description"`
	SubDescription         string            `json:"sub_description"`
	Images                 map[string]string `json:"image_sha256"`
	UserDimensions         any               `json:"user_dimensions"`          // []amigo.UserDimension until shaped
	DefaultUserPreferences any               `json:"default_user_preferences"` // amigo.Preferences until shaped
	OnboardingInstructions []string          `json:"onboarding_instructions"`
	AzureDevOpsTeamName    string            `json:"azure_devops_team_name"`
}

func organizationDocOf(o *amigo.Organization) *organizationDoc {
	images := map[string]string{}
	for name, b := range map[string][]byte{"logo": o.Logo, "square_logo": o.SquareLogo, "favicon": o.Favicon, "signup_page_headshot": o.SignupPageHeadshot} {
		if len(b) > 0 {
			images[name] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
	}
	return &organizationDoc{
		Name: o.Name, Title: o.Title, MainDescription: o.MainDescription, SubDescription: o.SubDescription, Images: images,
		UserDimensions: o.UserDimensions, DefaultUserPreferences: o.DefaultUserPreferences,
		OnboardingInstructions: o.OnboardingInstructions, AzureDevOpsTeamName: o.AzureDevOpsTeamName,
	}
}

// applyUpdate returns o with upd applied, as the store will store it.
func applyUpdate(o amigo.Organization, upd amigo.OrganizationUpdate) *amigo.Organization {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&o.Title, upd.Title)
	set(&o.MainDescription, upd.MainDescription)
	set(&o.SubDescription, upd.SubDescription)
	set(&o.AzureDevOpsTeamName, upd.AzureDevOpsTeamName)
	for _, img := range []struct {
		dst *[]byte
		v   []byte
	}{{&o.Logo, upd.Logo}, {&o.SquareLogo, upd.SquareLogo}, {&o.Favicon, upd.Favicon}, {&o.SignupPageHeadshot, upd.SignupPageHeadshot}} {
		if img.v != nil {
			*img.dst = img.v
		}
	}
	if upd.UserDimensions != nil {
		o.UserDimensions = upd.UserDimensions
	}
	if upd.DefaultUserPreferences != nil {
		o.DefaultUserPreferences = *upd.DefaultUserPreferences
	}
	if upd.OnboardingInstructions != nil {
		o.OnboardingInstructions = upd.OnboardingInstructions
	}
	return &o
}

// shaped returns a change document with its domain parts (definitions,
// version sets, preferences, user dimensions) in the shape API users see.
func (a *App) shaped(doc any) any {
	switch d := doc.(type) {
	case *serviceDoc:
		if d == nil {
			return nil
		}
		c := *d
		c.VersionSets = a.Document(c.VersionSets)
		return &c
	case *userDoc:
		if d == nil {
			return nil
		}
		c := *d
		c.Preferences = a.Document(c.Preferences)
		// Its texts are encoded one at a time into a buffer sized from the
		// first: a 3 MB list is encoded without a growing copy.
		b, err := shape.MarshalList[userDoc](c, "AdditionalContext")
		if err != nil {
			panic(fmt.Sprintf("core: encode a user for the change log: %v", err))
		}
		return json.RawMessage(b)
	case *roleDoc:
		if d == nil {
			return nil
		}
		c := *d
		c.Grants = a.Document(c.Grants)
		return &c
	case *organizationDoc:
		if d == nil {
			return nil
		}
		c := *d
		c.UserDimensions, c.DefaultUserPreferences = a.Document(c.UserDimensions), a.Document(c.DefaultUserPreferences)
		return &c
	}
	return a.Document(doc)
}

// roleDoc is a custom role's description and grants.
type roleDoc struct {
	Description string `json:"description"`
	Grants      any    `json:"grants"` // []amigo.Grant until shaped
}

// placementDoc is where an organization lives, for the operator's
// maintenance and move-org records.
type placementDoc struct {
	Cluster     string `json:"cluster"`
	Maintenance bool   `json:"maintenance"`
}

// recordOperator writes the record of an operator command that changed
// the directory rather than the cluster: after the change, in a
// transaction of its own on the organization's cluster (the two databases
// share no transaction, so a failure here is reported to the operator).
func (a *App) recordOperator(ctx context.Context, orgID, cluster, command, summary string, before, after any) error {
	store, ok := a.Clusters[cluster]
	if !ok {
		return fmt.Errorf("cluster %s is not configured", cluster)
	}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: orgID, operation: command, resourceType: resOrganization, resourceID: orgID,
		summary: summary, before: before, after: after}); err != nil {
		return err
	}
	return store.AppendChanges(ctx)
}
