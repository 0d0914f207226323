package core

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

// CreateStateMachine creates a state machine without versions.
func (a *App) CreateStateMachine(ctx context.Context, t *Tenant, in *NameInput) (string, error) {
	name, err := checkName("state_machine_name", in.StateMachineName, in.Malformed)
	if err != nil {
		return "", err
	}
	caller := amigo.CallerFromContext(ctx)
	if err := caller.Require(amigo.PermCreateStateMachine, amigo.Attributes{"name": {name}}); err != nil {
		return "", err
	}
	now := a.Now()
	m := &amigo.StateMachine{ID: amigo.NewID(now), OrgID: t.Placement.OrgID, Name: name,
		CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, CreatedAt: now, UpdatedAt: now}
	ctx, j := journal(ctx)
	if err := a.record(ctx, j, change{orgID: m.OrgID, operation: "create-service-hierarchical-state-machine", resourceType: resStateMachine,
		resourceID: m.ID, summary: fmt.Sprintf("Created state machine %q", name), after: &resourceDoc{Name: name}}); err != nil {
		return "", err
	}
	return m.ID, t.Store.CreateStateMachine(ctx, m)
}

// ListStateMachines returns one page of the state machines the caller may get.
func (a *App) ListStateMachines(ctx context.Context, t *Tenant, f amigo.StateMachineFilter) ([]*amigo.StateMachine, *int, bool, error) {
	caller := amigo.CallerFromContext(ctx)
	return listAllowed(caller, amigo.PermGetStateMachine, f.Offset, f.Limit,
		func(offset, limit int) ([]*amigo.StateMachine, bool, error) {
			f.Offset, f.Limit = offset, limit
			return t.Store.ListStateMachines(ctx, t.Placement.OrgID, f)
		},
		func(m *amigo.StateMachine) amigo.Attributes { return resourceAttrs(m.ID, m.Name) })
}

func (a *App) findStateMachine(ctx context.Context, t *Tenant, id, perm string) (*amigo.StateMachine, error) {
	m, err := t.Store.FindStateMachine(ctx, t.Placement.OrgID, id)
	if err != nil {
		return nil, err
	}
	return m, amigo.CallerFromContext(ctx).Require(perm, resourceAttrs(m.ID, m.Name))
}

// StateMachineVersionInput is the command of
// create-service-hierarchical-state-machine-version.
type StateMachineVersionInput struct {
	Definition amigo.StateMachineDefinition
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// CreateStateMachineVersion validates the whole machine (every violation in
// one EINVALID), checks that referenced machines exist and are live
// (EBADREQUEST), and stores it as the next version. With dryRun nothing is
// stored and no version number is used; the result is nil.
func (a *App) CreateStateMachineVersion(ctx context.Context, t *Tenant, id string, expected *int, dryRun bool, req *StateMachineVersionInput) (*amigo.StateMachineVersion, error) {
	if _, err := a.findStateMachine(ctx, t, id, amigo.PermCreateStateMachineVersion); err != nil {
		return nil, err
	}
	if _, err := ValidateStateMachineVersion(req); err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	if dryRun {
		return nil, checkReferences(req.Definition.References, func(id string) (*amigo.StateMachine, error) {
			return t.Store.FindStateMachine(ctx, orgID, id)
		})
	}
	caller := amigo.CallerFromContext(ctx)
	ctx, j := journal(ctx)
	return t.Store.CreateStateMachineVersion(ctx, orgID, id, expected, func(latest *amigo.StateMachineVersion, find amigo.StateMachineLookup) (*amigo.StateMachineVersion, error) {
		if err := checkReferences(req.Definition.References, asBefore(id, latest, find)); err != nil {
			return nil, err
		}
		var before *amigo.StateMachineDefinition
		next := 1
		if latest != nil {
			before, next = &latest.Definition, latest.Version+1
		}
		v := &amigo.StateMachineVersion{CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, Definition: req.Definition}
		return v, a.record(ctx, j, change{orgID: orgID, operation: "create-service-hierarchical-state-machine-version", resourceType: resStateMachine,
			resourceID: id, summary: fmt.Sprintf("Created version %d of state machine %s", next, id), before: before, after: &v.Definition})
	})
}

// asBefore makes find answer for machine id as it stood before the version
// being created: inside the store's transaction the machine already counts
// that version, but a reference to it may only pin versions that exist.
func asBefore(id string, latest *amigo.StateMachineVersion, find amigo.StateMachineLookup) amigo.StateMachineLookup {
	return func(ref string) (*amigo.StateMachine, error) {
		m, err := find(ref)
		if err != nil || ref != id {
			return m, err
		}
		m.LatestVersion = nil
		if latest != nil {
			v := latest.Version
			m.LatestVersion = &v
		}
		return m, nil
	}
}

// checkReferences returns EBADREQUEST naming the first reference, in name
// order, whose state machine is not in the organization, is deprecated, or
// has no version with the pinned number. Creating a version runs it inside
// the transaction that stores the version; deprecation does not look at
// references, so reading (without locking) there is enough: a machine
// deprecated concurrently is as if deprecated just after the commit.
func checkReferences(refs map[string]amigo.Reference, find amigo.StateMachineLookup) error {
	for _, name := range slices.Sorted(maps.Keys(refs)) {
		ref := refs[name]
		m, err := find(ref.MachineID)
		switch {
		case amigo.ErrorCode(err) == amigo.ENOTFOUND:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s does not exist.", name, ref.MachineID)
		case err != nil:
			return err
		case m.Deprecated:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s is deprecated.", name, ref.MachineID)
		case m.LatestVersion == nil || ref.Version > *m.LatestVersion:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s has no version %d.", name, ref.MachineID, ref.Version)
		}
	}
	return nil
}

// ListStateMachineVersions returns one page of a machine's versions.
func (a *App) ListStateMachineVersions(ctx context.Context, t *Tenant, id string, f amigo.VersionFilter) ([]*amigo.StateMachineVersion, bool, error) {
	if _, err := a.findStateMachine(ctx, t, id, amigo.PermGetStateMachine); err != nil {
		return nil, false, err
	}
	return t.Store.ListStateMachineVersions(ctx, t.Placement.OrgID, id, f)
}

// DeleteStateMachine deprecates a machine; an active service using it
// prevents that (EBADREQUEST).
func (a *App) DeleteStateMachine(ctx context.Context, t *Tenant, id string) error {
	if _, err := a.findStateMachine(ctx, t, id, amigo.PermDeleteStateMachine); err != nil {
		return err
	}
	ctx, j := journal(ctx)
	return t.Store.DeprecateStateMachine(ctx, t.Placement.OrgID, id, func(m *amigo.StateMachine, activeServices int) error {
		if err := checkDeprecatable("State machine", m.ID, m.Deprecated, activeServices); err != nil {
			return err
		}
		before := resourceDoc{Name: m.Name, LatestVersion: m.LatestVersion}
		after := before
		after.Deprecated = true
		return a.record(ctx, j, change{orgID: m.OrgID, operation: "delete-service-hierarchical-state-machine", resourceType: resStateMachine,
			resourceID: m.ID, summary: fmt.Sprintf("Deleted (deprecated) state machine %q", m.Name), before: &before, after: &after})
	})
}
