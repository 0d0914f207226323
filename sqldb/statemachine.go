package sqldb

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

var _ amigo.StateMachineStore = (*DB)(nil)

// CreateStateMachine stores a new state machine; ECONFLICT if a live state machine has its name.
func (db *DB) CreateStateMachine(ctx context.Context, m *amigo.StateMachine) error {
	return db.createResource(ctx, stateMachineKind, &resource{
		ID: m.ID, OrgID: m.OrgID, Name: m.Name, Deprecated: m.Deprecated, LatestVersion: m.LatestVersion,
		CreatorOrgID: m.CreatorOrgID, CreatorUserID: m.CreatorUserID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	})
}

func toStateMachine(r *resource) *amigo.StateMachine {
	return &amigo.StateMachine{
		ID: r.ID, OrgID: r.OrgID, Name: r.Name, Deprecated: r.Deprecated, LatestVersion: r.LatestVersion,
		CreatorOrgID: r.CreatorOrgID, CreatorUserID: r.CreatorUserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toStateMachineVersion(v *version) (*amigo.StateMachineVersion, error) {
	out := &amigo.StateMachineVersion{OrgID: v.OrgID, MachineID: v.ResourceID, Version: v.Version,
		CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, CreatedAt: v.CreatedAt}
	return out, json.Unmarshal(v.Definition, &out.Definition)
}

// FindStateMachine returns the state machine or ENOTFOUND.
func (db *DB) FindStateMachine(ctx context.Context, orgID, id string) (*amigo.StateMachine, error) {
	r, err := db.findResource(ctx, db.db, stateMachineKind, orgID, id)
	if err != nil {
		return nil, err
	}
	return toStateMachine(r), nil
}

// ListStateMachines returns one page of state machines by creation order.
func (db *DB) ListStateMachines(ctx context.Context, orgID string, f amigo.StateMachineFilter) ([]*amigo.StateMachine, bool, error) {
	rs, more, err := db.listResources(ctx, stateMachineKind, orgID, f.Deprecated, f.IDs, f.Offset, f.Limit)
	if err != nil {
		return nil, false, err
	}
	out := make([]*amigo.StateMachine, len(rs))
	for i, r := range rs {
		out[i] = toStateMachine(r)
	}
	return out, more, nil
}

// CreateStateMachineVersion allocates and stores the next version.
func (db *DB) CreateStateMachineVersion(ctx context.Context, orgID, machineID string, expected *int,
	build func(latest *amigo.StateMachineVersion) (*amigo.StateMachineVersion, error)) (*amigo.StateMachineVersion, error) {
	var created *amigo.StateMachineVersion
	v, err := db.createVersion(ctx, stateMachineKind, orgID, machineID, expected, func(latest *version) (*version, error) {
		var prev *amigo.StateMachineVersion
		if latest != nil {
			var err error
			if prev, err = toStateMachineVersion(latest); err != nil {
				return nil, err
			}
		}
		v, err := build(prev)
		if err != nil {
			return nil, err
		}
		created = v
		return &version{CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, Definition: definitionJSON(v.Definition)}, nil
	})
	if err != nil {
		return nil, err
	}
	created.OrgID, created.MachineID, created.Version, created.CreatedAt = v.OrgID, v.ResourceID, v.Version, v.CreatedAt
	return created, nil
}

// ListStateMachineVersions returns one page of the state machine's versions.
func (db *DB) ListStateMachineVersions(ctx context.Context, orgID, machineID string, f amigo.VersionFilter) ([]*amigo.StateMachineVersion, bool, error) {
	vs, more, err := db.listVersions(ctx, orgID, machineID, f)
	if err != nil {
		return nil, false, err
	}
	out := make([]*amigo.StateMachineVersion, len(vs))
	for i, v := range vs {
		if out[i], err = toStateMachineVersion(v); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// DeprecateStateMachine marks the state machine deprecated unless an active service uses it.
func (db *DB) DeprecateStateMachine(ctx context.Context, orgID, id string) error {
	return db.deprecateResource(ctx, stateMachineKind, orgID, id)
}

// CheckReferences returns EBADREQUEST for the first reference, in name
// order, whose state machine is missing, deprecated, or lacks the version.
func (db *DB) CheckReferences(ctx context.Context, orgID string, refs map[string]amigo.Reference) error {
	for _, name := range slices.Sorted(maps.Keys(refs)) {
		ref := refs[name]
		r, err := db.findResource(ctx, db.db, stateMachineKind, orgID, ref.MachineID)
		switch {
		case amigo.ErrorCode(err) == amigo.ENOTFOUND:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s does not exist.", name, ref.MachineID)
		case err != nil:
			return err
		case r.Deprecated:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s is deprecated.", name, ref.MachineID)
		case r.LatestVersion == nil || ref.Version > *r.LatestVersion:
			return amigo.Errorf(amigo.EBADREQUEST, "Reference %q: state machine %s has no version %d.", name, ref.MachineID, ref.Version)
		}
	}
	return nil
}
