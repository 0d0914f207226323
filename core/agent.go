package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// NameInput is the body of create-agent and create-state-machine.
type NameInput struct {
	AgentName        *string
	StateMachineName *string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// checkName validates a resource name (StrippedNonemptyString, at most 256
// characters) and returns it stripped.
func checkName(field string, name *string, malformed *amigo.Error) (string, error) {
	var c fieldErrs
	c.decoded(malformed, nil)
	if !c.required(at(field), name != nil) {
		return "", c.err()
	}
	s := strings.TrimSpace(*name)
	c.str(at(field), s, 1, 256, nil)
	return s, c.err()
}

// resourceAttrs are the attributes conditional grants on agents and state
// machines can test.
func resourceAttrs(id, name string) amigo.Attributes {
	return amigo.Attributes{"id": {id}, "name": {name}}
}

// checkDeprecatable refuses to delete (deprecate) an agent or state machine
// that is already deleted (ECONFLICT) or that an active service uses
// (EBADREQUEST). The store calls it with the resource locked, and services
// lock their resources when created or activated, so the count is current.
func checkDeprecatable(label, id string, deprecated bool, activeServices int) error {
	if deprecated {
		return amigo.Errorf(amigo.ECONFLICT, "%s %s is already deleted.", label, id)
	} else if activeServices > 0 {
		return amigo.Errorf(amigo.EBADREQUEST, "%s %s is used by an active service; deactivate the service first.", label, id)
	}
	return nil
}

// CreateAgent creates an agent without versions and returns its id.
func (a *App) CreateAgent(ctx context.Context, t *Tenant, in *NameInput) (string, error) {
	name, err := checkName("agent_name", in.AgentName, in.Malformed)
	if err != nil {
		return "", err
	}
	caller := amigo.CallerFromContext(ctx)
	if err := caller.Require(amigo.PermCreateAgent, amigo.Attributes{"name": {name}}); err != nil {
		return "", err
	}
	now := a.Now()
	ag := &amigo.Agent{ID: amigo.NewID(now), OrgID: t.Placement.OrgID, Name: name,
		CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, CreatedAt: now, UpdatedAt: now}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: ag.OrgID, operation: "create-agent", resourceType: resAgent, resourceID: ag.ID,
		summary: fmt.Sprintf("Created agent %q", name), after: &resourceDoc{Name: name}}); err != nil {
		return "", err
	}
	return ag.ID, t.Store.CreateAgent(ctx, ag)
}

// ListAgents returns one page of the agents the caller may get.
func (a *App) ListAgents(ctx context.Context, t *Tenant, f amigo.AgentFilter) ([]*amigo.Agent, *int, bool, error) {
	caller := amigo.CallerFromContext(ctx)
	return listAllowed(caller, amigo.PermGetAgent, f.Offset, f.Limit,
		func(offset, limit int) ([]*amigo.Agent, bool, error) {
			f.Offset, f.Limit = offset, limit
			return t.Store.ListAgents(ctx, t.Placement.OrgID, f)
		},
		func(ag *amigo.Agent) amigo.Attributes { return resourceAttrs(ag.ID, ag.Name) })
}

// findAgent loads an agent and checks that the caller holds perm on it.
func (a *App) findAgent(ctx context.Context, t *Tenant, id, perm string) (*amigo.Agent, error) {
	ag, err := t.Store.FindAgent(ctx, t.Placement.OrgID, id)
	if err != nil {
		return nil, err
	}
	return ag, amigo.CallerFromContext(ctx).Require(perm, resourceAttrs(ag.ID, ag.Name))
}

// AgentVersionInput is the command of create-agent-version.
type AgentVersionInput struct {
	amigo.AgentVersionPatch
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// CreateAgentVersion validates req and stores it as the agent's next
// version; fields it leaves unset are carried over from the latest version.
// With dryRun (an extension: the spec has dry_run on state machines only)
// it makes the same checks and stores nothing; the result is nil.
func (a *App) CreateAgentVersion(ctx context.Context, t *Tenant, agentID string, expected *int, dryRun bool, req *AgentVersionInput) (*amigo.AgentVersion, error) {
	ag, err := a.findAgent(ctx, t, agentID, amigo.PermCreateAgentVersion)
	if err != nil {
		return nil, err
	}
	if err := ValidateAgentVersion(req, false, a.Voices); err != nil {
		return nil, err
	}
	if dryRun {
		return nil, checkAgentVersionDryRun(ag, expected, req, a.Voices)
	}
	caller := amigo.CallerFromContext(ctx)
	ctx, j := journal(ctx)
	return t.Store.CreateAgentVersion(ctx, t.Placement.OrgID, agentID, expected, func(latest *amigo.AgentVersion) (*amigo.AgentVersion, error) {
		var base *amigo.AgentDefinition
		next := 1
		if latest == nil {
			if err := ValidateAgentVersion(req, true, a.Voices); err != nil {
				return nil, err
			}
		} else {
			base, next = &latest.Definition, latest.Version+1
		}
		v := &amigo.AgentVersion{CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, Definition: req.Merge(base)}
		// The diff is the one get-agent-version-diff gives between the
		// previous version and this one.
		return v, a.record(ctx, j, change{orgID: t.Placement.OrgID, operation: "create-agent-version", resourceType: resAgent,
			resourceID: agentID, summary: fmt.Sprintf("Created version %d of agent %s", next, agentID), before: base, after: &v.Definition})
	})
}

// checkAgentVersionDryRun makes the checks a new version of ag would pass,
// as of ag's latest version now, and writes nothing: a first version must
// set every field, and an expected number must be the next one.
func checkAgentVersionDryRun(ag *amigo.Agent, expected *int, req *AgentVersionInput, voices VoiceCatalog) error {
	next := 1
	if ag.LatestVersion != nil {
		next = *ag.LatestVersion + 1
	} else if err := ValidateAgentVersion(req, true, voices); err != nil {
		return err
	}
	if expected != nil && *expected != next {
		return amigo.Errorf(amigo.ECONFLICT, "Version %d is not the next version of Agent %s; the next is %d.", *expected, ag.ID, next)
	}
	return nil
}

// ListAgentVersions returns one page of an agent's versions.
func (a *App) ListAgentVersions(ctx context.Context, t *Tenant, agentID string, f amigo.VersionFilter) ([]*amigo.AgentVersion, bool, error) {
	if _, err := a.findAgent(ctx, t, agentID, amigo.PermGetAgent); err != nil {
		return nil, false, err
	}
	return t.Store.ListAgentVersions(ctx, t.Placement.OrgID, agentID, f)
}

// DeleteAgent deprecates an agent; its versions stay. An agent used by an
// active service cannot be deleted (EBADREQUEST).
func (a *App) DeleteAgent(ctx context.Context, t *Tenant, id string) error {
	if _, err := a.findAgent(ctx, t, id, amigo.PermDeleteAgent); err != nil {
		return err
	}
	ctx, j := journal(ctx)
	return t.Store.DeprecateAgent(ctx, t.Placement.OrgID, id, func(ag *amigo.Agent, activeServices int) error {
		if err := checkDeprecatable("Agent", ag.ID, ag.Deprecated, activeServices); err != nil {
			return err
		}
		before := resourceDoc{Name: ag.Name, LatestVersion: ag.LatestVersion}
		after := before
		after.Deprecated = true
		return a.record(ctx, j, change{orgID: ag.OrgID, operation: "delete-agent", resourceType: resAgent, resourceID: ag.ID,
			summary: fmt.Sprintf("Deleted (deprecated) agent %q", ag.Name), before: &before, after: &after})
	})
}
