CREATE TABLE placements (
	org_id TEXT PRIMARY KEY,
	region TEXT NOT NULL,
	cluster TEXT NOT NULL,
	state TEXT NOT NULL,
	maintenance BOOLEAN NOT NULL,
	move_target TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX placements_region ON placements (region, cluster);

CREATE TABLE regions (
	name TEXT PRIMARY KEY,
	maintenance BOOLEAN NOT NULL
);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
