CREATE TABLE services (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	is_active BOOLEAN NOT NULL,
	agent_id TEXT NOT NULL REFERENCES resources (id),
	state_machine_id TEXT NOT NULL REFERENCES resources (id),
	keyterms TEXT NOT NULL,
	creator_org_id TEXT NOT NULL,
	creator_user_id TEXT NOT NULL,
	updated_by_org_id TEXT NOT NULL,
	updated_by_user_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
-- At most one active service per name.
CREATE UNIQUE INDEX services_active_name ON services (org_id, name) WHERE is_active;
-- Listing sorts by name or activity, with creation order as the default.
CREATE INDEX services_by_name ON services (org_id, name, id);
CREATE INDEX services_by_active ON services (org_id, is_active, name, id);
CREATE INDEX services_by_created ON services (org_id, created_at, id);
-- Deleting an agent or state machine asks whether an active service uses it.
CREATE INDEX services_agent ON services (agent_id, is_active);
CREATE INDEX services_state_machine ON services (state_machine_id, is_active);

CREATE TABLE service_tags (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT,
	PRIMARY KEY (service_id, key)
);
CREATE INDEX service_tags_filter ON service_tags (org_id, key, value, service_id);

CREATE TABLE version_sets (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	agent_version INTEGER,
	state_machine_version INTEGER,
	llm_model_preferences TEXT NOT NULL,
	PRIMARY KEY (service_id, name)
);
CREATE INDEX version_sets_org ON version_sets (org_id);
