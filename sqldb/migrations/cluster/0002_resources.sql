-- Agents and service hierarchical state machines share one shape: a named,
-- deprecatable resource with immutable numbered versions. kind tells them
-- apart ('agent', 'state_machine').
CREATE TABLE resources (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	deprecated BOOLEAN NOT NULL,
	latest_version INTEGER,
	creator_org_id TEXT NOT NULL,
	creator_user_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- One live resource per name and kind; deprecated ones keep their name.
CREATE UNIQUE INDEX resources_live_name ON resources (org_id, kind, name) WHERE NOT deprecated;
-- Listing: by creation order, optionally filtered by deprecation.
CREATE INDEX resources_list ON resources (org_id, kind, created_at, id);
CREATE INDEX resources_list_deprecated ON resources (org_id, kind, deprecated, created_at, id);

CREATE TABLE resource_versions (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	resource_id TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	creator_org_id TEXT NOT NULL,
	creator_user_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	definition TEXT NOT NULL,
	PRIMARY KEY (resource_id, version)
);
CREATE INDEX resource_versions_org ON resource_versions (org_id);
