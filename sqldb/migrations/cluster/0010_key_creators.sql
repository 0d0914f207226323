-- API keys have recorded their creator (creator_org_id, creator_user_id)
-- since 0001. Deleting a user or lowering their role revokes, in the same
-- transaction, the keys they created whose role their own no longer
-- includes: this index finds them.
CREATE INDEX api_keys_creator ON api_keys (org_id, creator_org_id, creator_user_id);

-- A change made through an API key's token names the key's creator as well
-- as the signed-in user. Records written before this migration name none
-- (empty strings), as do the operator's.
ALTER TABLE change_log ADD COLUMN actor_key_creator_org_id TEXT NOT NULL DEFAULT '';
ALTER TABLE change_log ADD COLUMN actor_key_creator_user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE version_set_revisions ADD COLUMN actor_key_creator_org_id TEXT NOT NULL DEFAULT '';
ALTER TABLE version_set_revisions ADD COLUMN actor_key_creator_user_id TEXT NOT NULL DEFAULT '';
