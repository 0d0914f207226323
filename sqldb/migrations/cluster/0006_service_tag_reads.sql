-- filter_values reads an organization's distinct tags from a count per tag,
-- kept in the transaction that writes a service's tags, instead of a
-- DISTINCT over every tag row of the organization on every listing. A
-- service without a value for a key counts under the value ''.
CREATE TABLE service_tag_counts (
	org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	services INTEGER NOT NULL,
	PRIMARY KEY (org_id, key, value)
);
INSERT INTO service_tag_counts (org_id, key, value, services)
	SELECT org_id, key, COALESCE(value, ''), COUNT(*) FROM service_tags GROUP BY org_id, key, COALESCE(value, '');

-- Each tag row carries its service's name, so that a listing of one tag by
-- name reads the index in order and stops after a page, however many
-- services carry the tag. The index also serves the tag filters' IN. It
-- holds COALESCE(value, '') (values are never empty), because PostgreSQL
-- takes no order from an index after an IS NULL condition.
ALTER TABLE service_tags ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE service_tags SET name = (SELECT s.name FROM services s WHERE s.id = service_tags.service_id);
DROP INDEX service_tags_filter;
CREATE INDEX service_tags_by_name ON service_tags (org_id, key, COALESCE(value, ''), name, service_id);
