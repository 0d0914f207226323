-- Conversations, their interactions and messages, user models and the
-- post-conversation jobs. Times are Unix microseconds, like every table.
CREATE TABLE conversations (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL,
	version_set_name TEXT NOT NULL,
	agent_id TEXT NOT NULL,
	agent_version INTEGER NOT NULL,
	state_machine_id TEXT NOT NULL,
	state_machine_version INTEGER NOT NULL,
	llm_model_preferences TEXT NOT NULL,
	tags TEXT NOT NULL,
	is_finished BOOLEAN NOT NULL,
	finished_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	engine_state BLOB,
	-- The running interaction's lease: all three set, or all NULL.
	lease_interaction_id TEXT,
	lease_owner TEXT,
	lease_until BIGINT,
	interactions INTEGER NOT NULL,
	num_messages INTEGER NOT NULL,
	final_message_id TEXT,
	final_message TEXT NOT NULL,
	completed_post_processings TEXT NOT NULL
);
-- One unfinished conversation per user and service: the database, not a
-- read before the write, decides between two servers creating at once.
CREATE UNIQUE INDEX conversations_one_open ON conversations (org_id, user_id, service_id) WHERE NOT is_finished;
CREATE INDEX conversations_by_created ON conversations (org_id, created_at, id);
CREATE INDEX conversations_by_user ON conversations (org_id, user_id, created_at, id);

CREATE TABLE conversation_tags (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT,
	PRIMARY KEY (conversation_id, key)
);
CREATE INDEX conversation_tags_filter ON conversation_tags (org_id, key, value, conversation_id);

CREATE TABLE interactions (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	sequence INTEGER NOT NULL,
	status TEXT NOT NULL,
	model TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	finished_at BIGINT,
	insights BLOB,
	UNIQUE (conversation_id, sequence)
);
CREATE INDEX interactions_org ON interactions (org_id);

CREATE TABLE messages (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	interaction_id TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	-- The interaction's sequence and the message's position in the
	-- conversation, so that both orders of the listing are index scans.
	interaction_sequence INTEGER NOT NULL,
	position INTEGER NOT NULL,
	sender TEXT NOT NULL,
	message_type TEXT NOT NULL,
	content TEXT NOT NULL,
	format TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (conversation_id, position)
);
CREATE INDEX messages_org ON messages (org_id);

CREATE TABLE user_models (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	models TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, user_id)
);

-- Durable post-conversation work, claimed with a lease so that it
-- survives restarts and no two runners hold one job at once.
CREATE TABLE post_conversation_jobs (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	available_at BIGINT NOT NULL,
	lease_owner TEXT,
	lease_until BIGINT
);
CREATE INDEX post_conversation_jobs_due ON post_conversation_jobs (available_at, created_at);
CREATE INDEX post_conversation_jobs_org ON post_conversation_jobs (org_id);
