package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

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
		out := &amigo.StateMachineVersion{ID: v.ID, OrgID: v.OrgID, MachineID: v.ResourceID, Version: v.Version,
			CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, CreatedAt: v.CreatedAt}
		return out, loadStored[storedStateMachineDefinition](v.Definition, &out.Definition)
	},
	fromV: func(v *amigo.StateMachineVersion) *version {
		return &version{CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, Definition: storedMachine(v.Definition)}
	},
	stamp: func(v *amigo.StateMachineVersion, row *version) {
		v.ID, v.OrgID, v.MachineID, v.Version, v.CreatedAt = row.ID, row.OrgID, row.ResourceID, row.Version, row.CreatedAt
	},
}

// CreateStateMachine stores a new machine; ECONFLICT if a live one has its name.
func (db *ClusterStore) CreateStateMachine(ctx context.Context, m *amigo.StateMachine) error {
	return stateMachines.create(ctx, db, m)
}

// FindStateMachine returns the machine or ENOTFOUND.
func (db *ClusterStore) FindStateMachine(ctx context.Context, orgID, id string) (*amigo.StateMachine, error) {
	return stateMachines.find(ctx, db, orgID, id)
}

// ListStateMachines returns one page of machines by creation order.
func (db *ClusterStore) ListStateMachines(ctx context.Context, orgID string, f amigo.StateMachineFilter) ([]*amigo.StateMachine, bool, error) {
	return stateMachines.list(ctx, db, orgID, f.Deprecated, f.IDs, f.Offset, f.Limit)
}

// CreateStateMachineVersion allocates and stores the next version.
func (db *ClusterStore) CreateStateMachineVersion(ctx context.Context, orgID, machineID string, expected *int,
	build func(latest *amigo.StateMachineVersion, find amigo.StateMachineLookup) (*amigo.StateMachineVersion, error)) (*amigo.StateMachineVersion, error) {
	return stateMachines.createVersion(ctx, db, orgID, machineID, expected, func(tx *sql.Tx, latest *amigo.StateMachineVersion) (*amigo.StateMachineVersion, error) {
		return build(latest, func(id string) (*amigo.StateMachine, error) {
			return stateMachines.findIn(ctx, inTxReader(tx), orgID, id)
		})
	})
}

// ListStateMachineVersions returns one page of the machine's versions.
func (db *ClusterStore) ListStateMachineVersions(ctx context.Context, orgID, machineID string, f amigo.VersionFilter) ([]*amigo.StateMachineVersion, bool, error) {
	return stateMachines.listVersions(ctx, db, orgID, machineID, f)
}

// DeprecateStateMachine marks the machine deprecated if check allows.
func (db *ClusterStore) DeprecateStateMachine(ctx context.Context, orgID, id string, check func(*amigo.StateMachine, int) error) error {
	return stateMachines.deprecate(ctx, db, orgID, id, check)
}
