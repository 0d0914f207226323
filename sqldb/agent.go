package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

var agents = versioned[amigo.Agent, amigo.AgentVersion]{
	kind: agentKind,
	toR: func(r *resource) *amigo.Agent {
		return &amigo.Agent{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Deprecated: r.Deprecated, LatestVersion: r.LatestVersion,
			CreatorOrgID: r.CreatorOrgID, CreatorUserID: r.CreatorUserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	},
	fromR: func(a *amigo.Agent) *resource {
		return &resource{ID: a.ID, OrgID: a.OrgID, Name: a.Name, Deprecated: a.Deprecated, LatestVersion: a.LatestVersion,
			CreatorOrgID: a.CreatorOrgID, CreatorUserID: a.CreatorUserID, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	},
	toV: func(v *version) (*amigo.AgentVersion, error) {
		out := &amigo.AgentVersion{ID: v.ID, OrgID: v.OrgID, AgentID: v.ResourceID, Version: v.Version,
			CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, CreatedAt: v.CreatedAt}
		return out, loadStored[storedAgentDefinition](v.Definition, &out.Definition)
	},
	fromV: func(v *amigo.AgentVersion) *version {
		return &version{CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, Definition: stored[storedAgentDefinition](v.Definition)}
	},
	stamp: func(v *amigo.AgentVersion, row *version) {
		v.ID, v.OrgID, v.AgentID, v.Version, v.CreatedAt = row.ID, row.OrgID, row.ResourceID, row.Version, row.CreatedAt
	},
}

// CreateAgent stores a new agent; ECONFLICT if a live agent has its name.
func (db *ClusterStore) CreateAgent(ctx context.Context, a *amigo.Agent) error {
	return agents.create(ctx, db, a)
}

// FindAgent returns the agent or ENOTFOUND.
func (db *ClusterStore) FindAgent(ctx context.Context, orgID, id string) (*amigo.Agent, error) {
	return agents.find(ctx, db, orgID, id)
}

// ListAgents returns one page of agents by creation order.
func (db *ClusterStore) ListAgents(ctx context.Context, orgID string, f amigo.AgentFilter) ([]*amigo.Agent, bool, error) {
	return agents.list(ctx, db, orgID, f.Deprecated, f.IDs, f.Offset, f.Limit)
}

// CreateAgentVersion allocates and stores the next version.
func (db *ClusterStore) CreateAgentVersion(ctx context.Context, orgID, agentID string, expected *int,
	build func(latest *amigo.AgentVersion) (*amigo.AgentVersion, error)) (*amigo.AgentVersion, error) {
	return agents.createVersion(ctx, db, orgID, agentID, expected, func(_ *sql.Tx, latest *amigo.AgentVersion) (*amigo.AgentVersion, error) {
		return build(latest)
	})
}

// ListAgentVersions returns one page of the agent's versions.
func (db *ClusterStore) ListAgentVersions(ctx context.Context, orgID, agentID string, f amigo.VersionFilter) ([]*amigo.AgentVersion, bool, error) {
	return agents.listVersions(ctx, db, orgID, agentID, f)
}

// DeprecateAgent marks the agent deprecated if check allows.
func (db *ClusterStore) DeprecateAgent(ctx context.Context, orgID, id string, check func(*amigo.Agent, int) error) error {
	return agents.deprecate(ctx, db, orgID, id, check)
}
