CREATE TABLE organizations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	title TEXT NOT NULL,
	main_description TEXT NOT NULL,
	sub_description TEXT NOT NULL,
	logo BLOB,
	square_logo BLOB,
	favicon BLOB,
	signup_page_headshot BLOB,
	user_dimensions TEXT NOT NULL,
	default_user_preferences TEXT NOT NULL,
	onboarding_instructions TEXT NOT NULL,
	azure_devops_team_name TEXT NOT NULL,
	tenant_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE roles (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	grants TEXT NOT NULL,
	builtin BOOLEAN NOT NULL,
	UNIQUE (org_id, name)
);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	email TEXT NOT NULL,
	role_id TEXT NOT NULL REFERENCES roles (id),
	preferences TEXT NOT NULL,
	nonsensitive_variables TEXT NOT NULL,
	sensitive_variables TEXT NOT NULL,
	enable_actions_access BOOLEAN NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (org_id, email)
);
CREATE INDEX users_org_created ON users (org_id, created_at, id);

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	key_id TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name TEXT,
	secret_hash BLOB NOT NULL,
	role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	creator_user_id TEXT NOT NULL,
	creator_org_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX api_keys_org_expires ON api_keys (org_id, expires_at);
