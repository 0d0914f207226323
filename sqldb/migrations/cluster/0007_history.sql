-- The change log: one immutable record per change, written in the
-- change's own transaction. diff is a JSON Patch document.
CREATE TABLE change_log (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	actor_org_id TEXT NOT NULL,
	actor_user_id TEXT NOT NULL,
	actor_api_key_id TEXT NOT NULL,
	actor_operator BOOLEAN NOT NULL,
	operation TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	summary TEXT NOT NULL,
	diff TEXT NOT NULL
);
-- Listing is newest first, optionally narrowed to one resource.
CREATE INDEX change_log_by_time ON change_log (org_id, created_at, id);
CREATE INDEX change_log_by_resource ON change_log (org_id, resource_type, resource_id, created_at, id);
-- Retention prunes by age across organizations.
CREATE INDEX change_log_age ON change_log (created_at);

-- Every state of every version set; version_set IS NULL is a deletion.
CREATE TABLE version_set_revisions (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	revision INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	actor_org_id TEXT NOT NULL,
	actor_user_id TEXT NOT NULL,
	actor_api_key_id TEXT NOT NULL,
	actor_operator BOOLEAN NOT NULL,
	operation TEXT NOT NULL,
	version_set TEXT,
	PRIMARY KEY (service_id, name, revision)
);
CREATE INDEX version_set_revisions_org ON version_set_revisions (org_id);

-- Version sets written before history existed start at revision 1.
INSERT INTO version_set_revisions (org_id, service_id, name, revision, created_at,
	actor_org_id, actor_user_id, actor_api_key_id, actor_operator, operation, version_set)
SELECT v.org_id, v.service_id, v.name, 1, s.updated_at, s.updated_by_org_id, s.updated_by_user_id, '', FALSE, 'upsert',
	'{"agent_version_number":' || COALESCE(CAST(v.agent_version AS TEXT), 'null') ||
	',"service_hierarchical_state_machine_version_number":' || COALESCE(CAST(v.state_machine_version AS TEXT), 'null') ||
	',"llm_model_preferences":' || v.llm_model_preferences || '}'
FROM version_sets v JOIN services s ON s.id = v.service_id;
