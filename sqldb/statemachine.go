package sqldb

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

var _ amigo.StateMachineStore = (*DB)(nil)

var stateMachines = versioned[amigo.StateMachine, amigo.StateMachineVersion]{
	kind: stateMachineKind,
	toR: func(r *resource) *amigo.StateMachine {
		return &amigo.StateMachine{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Deprecated: r.Deprecated, LatestVersion: r.LatestVersion,
			CreatorOrgID: r.CreatorOrgID, CreatorUserID: r.CreatorUserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	},
	fromR: func(m *amigo.StateMachine) *resource {
		return &resource{ID: m.ID, OrgID: m.OrgID, Name: m.Name, Deprecated: m.Deprecated, LatestVersion: m.LatestVersion,
			CreatorOrgID: m.CreatorOrgID, CreatorUserID: m.CreatorUserID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	},
	toV: func(v *version) (*amigo.StateMachineVersion, error) {
		out := &amigo.StateMachineVersion{OrgID: v.OrgID, MachineID: v.ResourceID, Version: v.Version,
			CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, CreatedAt: v.CreatedAt}
		return out, json.Unmarshal(v.Definition, &out.Definition)
	},
	fromV: func(v *amigo.StateMachineVersion) *version {
		return &version{CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, Definition: definitionJSON(v.Definition)}
	},
}

// CreateStateMachine stores a new machine; ECONFLICT if a live one has its name.
func (db *DB) CreateStateMachine(ctx context.Context, m *amigo.StateMachine) error {
	return stateMachines.create(ctx, db, m)
}

// FindStateMachine returns the machine or ENOTFOUND.
func (db *DB) FindStateMachine(ctx context.Context, orgID, id string) (*amigo.StateMachine, error) {
	return stateMachines.find(ctx, db, orgID, id)
}

// ListStateMachines returns one page of machines by creation order.
func (db *DB) ListStateMachines(ctx context.Context, orgID string, f amigo.StateMachineFilter) ([]*amigo.StateMachine, bool, error) {
	return stateMachines.list(ctx, db, orgID, f.Deprecated, f.IDs, f.Offset, f.Limit)
}

// CreateStateMachineVersion allocates and stores the next version.
func (db *DB) CreateStateMachineVersion(ctx context.Context, orgID, machineID string, expected *int,
	build func(latest *amigo.StateMachineVersion) (*amigo.StateMachineVersion, error)) (*amigo.StateMachineVersion, error) {
	return stateMachines.createVersion(ctx, db, orgID, machineID, expected, build)
}

// ListStateMachineVersions returns one page of the machine's versions.
func (db *DB) ListStateMachineVersions(ctx context.Context, orgID, machineID string, f amigo.VersionFilter) ([]*amigo.StateMachineVersion, bool, error) {
	return stateMachines.listVersions(ctx, db, orgID, machineID, f)
}

// DeprecateStateMachine marks the machine deprecated unless an active service uses it.
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
