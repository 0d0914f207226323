package sqldb

import (
	"context"
	"encoding/json"

	"github.com/amigo-oss/amigo-server"
)

var _ amigo.AgentStore = (*DB)(nil)

// CreateAgent stores a new agent; ECONFLICT if a live agent has its name.
func (db *DB) CreateAgent(ctx context.Context, a *amigo.Agent) error {
	return db.createResource(ctx, agentKind, &resource{
		ID: a.ID, OrgID: a.OrgID, Name: a.Name, Deprecated: a.Deprecated, LatestVersion: a.LatestVersion,
		CreatorOrgID: a.CreatorOrgID, CreatorUserID: a.CreatorUserID, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	})
}

func toAgent(r *resource) *amigo.Agent {
	return &amigo.Agent{
		ID: r.ID, OrgID: r.OrgID, Name: r.Name, Deprecated: r.Deprecated, LatestVersion: r.LatestVersion,
		CreatorOrgID: r.CreatorOrgID, CreatorUserID: r.CreatorUserID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toAgentVersion(v *version) (*amigo.AgentVersion, error) {
	out := &amigo.AgentVersion{OrgID: v.OrgID, AgentID: v.ResourceID, Version: v.Version,
		CreatorOrgID: v.CreatorOrgID, CreatorUserID: v.CreatorUserID, CreatedAt: v.CreatedAt}
	return out, json.Unmarshal(v.Definition, &out.Definition)
}

// FindAgent returns the agent or ENOTFOUND.
func (db *DB) FindAgent(ctx context.Context, orgID, id string) (*amigo.Agent, error) {
	r, err := db.findResource(ctx, db.db, agentKind, orgID, id)
	if err != nil {
		return nil, err
	}
	return toAgent(r), nil
}

// ListAgents returns one page of agents by creation order.
func (db *DB) ListAgents(ctx context.Context, orgID string, f amigo.AgentFilter) ([]*amigo.Agent, bool, error) {
	rs, more, err := db.listResources(ctx, agentKind, orgID, f.Deprecated, f.IDs, f.Offset, f.Limit)
	if err != nil {
		return nil, false, err
	}
	out := make([]*amigo.Agent, len(rs))
	for i, r := range rs {
		out[i] = toAgent(r)
	}
	return out, more, nil
}

// CreateAgentVersion allocates and stores the next version.
func (db *DB) CreateAgentVersion(ctx context.Context, orgID, agentID string, expected *int,
	build func(latest *amigo.AgentVersion) (*amigo.AgentVersion, error)) (*amigo.AgentVersion, error) {
	var created *amigo.AgentVersion
	v, err := db.createVersion(ctx, agentKind, orgID, agentID, expected, func(latest *version) (*version, error) {
		var prev *amigo.AgentVersion
		if latest != nil {
			var err error
			if prev, err = toAgentVersion(latest); err != nil {
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
	created.OrgID, created.AgentID, created.Version, created.CreatedAt = v.OrgID, v.ResourceID, v.Version, v.CreatedAt
	return created, nil
}

// ListAgentVersions returns one page of the agent's versions.
func (db *DB) ListAgentVersions(ctx context.Context, orgID, agentID string, f amigo.VersionFilter) ([]*amigo.AgentVersion, bool, error) {
	vs, more, err := db.listVersions(ctx, orgID, agentID, f)
	if err != nil {
		return nil, false, err
	}
	out := make([]*amigo.AgentVersion, len(vs))
	for i, v := range vs {
		if out[i], err = toAgentVersion(v); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// DeprecateAgent marks the agent deprecated unless an active service uses it.
func (db *DB) DeprecateAgent(ctx context.Context, orgID, id string) error {
	return db.deprecateResource(ctx, agentKind, orgID, id)
}
