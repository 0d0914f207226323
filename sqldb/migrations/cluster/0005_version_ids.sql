-- Every agent and state machine version gets its own resource id, which the
-- version listings and create answers return as "id". Versions stored before
-- ids existed get one derived from what they already have: the version
-- number as 8 decimal digits followed by the 16 random hex digits of their
-- resource's id. That is deterministic (every replica and every re-run of
-- the migration agrees), unique wherever resource ids are, and never equal
-- to a new id, whose first 8 digits are a current Unix time in hex.
ALTER TABLE resource_versions ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE resource_versions SET id =
	substr('00000000' || CAST(version AS TEXT), length('00000000' || CAST(version AS TEXT)) - 7, 8) || substr(resource_id, 9, 16)
	WHERE id = '';
CREATE UNIQUE INDEX resource_versions_id ON resource_versions (id);
