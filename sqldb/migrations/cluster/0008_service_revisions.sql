-- Every write of a service stamps its row and its tag rows with a new
-- random rev, so that a listing can read a page as (id, rev) pairs from an
-- index alone and take each service it has already decoded at that rev
-- from memory (sqldb/servicecache.go): the database still says which
-- services a page holds and whether each changed, on every request and on
-- every replica. Rows written before this migration share rev 0 until
-- their next write, which is as exact: no row changes without a new rev.
ALTER TABLE services ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_tags ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
-- The one-tag listing by name reads (service_id, rev) from this index only.
DROP INDEX service_tags_by_name;
CREATE INDEX service_tags_by_name ON service_tags (org_id, key, COALESCE(value, ''), name, service_id, rev);
