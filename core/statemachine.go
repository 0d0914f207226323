package core

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// CreateStateMachine creates a state machine without versions.
func (a *App) CreateStateMachine(ctx context.Context, t *Tenant, in *NameInput) (string, error) {
	name, err := checkName("state_machine_name", in.StateMachineName)
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

// CreateStateMachineVersion validates the whole machine (every violation in
// one EINVALID), checks that referenced machines exist and are live
// (EBADREQUEST), and stores it as the next version. With dryRun nothing is
// stored and no version number is used; the result is nil.
func (a *App) CreateStateMachineVersion(ctx context.Context, t *Tenant, id string, expected *int, dryRun bool, req *amigo.StateMachineVersionRequest) (*amigo.StateMachineVersion, error) {
	if _, err := a.findStateMachine(ctx, t, id, amigo.PermCreateStateMachineVersion); err != nil {
		return nil, err
	}
	if _, err := ValidateStateMachineVersion(req); err != nil {
		return nil, err
	}
	orgID := t.Placement.OrgID
	if err := t.Store.CheckReferences(ctx, orgID, req.References); err != nil {
		return nil, err
	}
	if dryRun {
		return nil, nil
	}
	caller := amigo.CallerFromContext(ctx)
	return t.Store.CreateStateMachineVersion(ctx, orgID, id, expected, func(*amigo.StateMachineVersion) (*amigo.StateMachineVersion, error) {
		return &amigo.StateMachineVersion{CreatorOrgID: caller.OrgID, CreatorUserID: caller.UserID, Definition: req.StateMachineDefinition}, nil
	})
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
	return t.Store.DeprecateStateMachine(ctx, t.Placement.OrgID, id)
}
