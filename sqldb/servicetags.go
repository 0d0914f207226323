package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

// tagChange is one tag a write adds to (+1) or removes from (-1) a service.
type tagChange struct {
	key, value string // value "" stands for a tag without a value
	delta      int
}

// tagChanges lists the tags that differ between old and new, sorted so
// that concurrent writers on PostgreSQL lock count rows in the same order
// and never deadlock.
func tagChanges(old, new map[string]*string) []tagChange {
	var out []tagChange
	for k, v := range old {
		if nv, ok := new[k]; !ok || deref(nv) != deref(v) {
			out = append(out, tagChange{k, deref(v), -1})
		}
	}
	for k, v := range new {
		if ov, ok := old[k]; !ok || deref(ov) != deref(v) {
			out = append(out, tagChange{k, deref(v), +1})
		}
	}
	slices.SortFunc(out, func(a, b tagChange) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.value, b.value))
	})
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// serviceTags reads the stored tags of a service inside tx.
func serviceTags(ctx context.Context, tx *sql.Tx, serviceID string) (map[string]*string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM service_tags WHERE service_id = $1`, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := map[string]*string{}
	for rows.Next() {
		var key string
		var value sql.NullString
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		tags[key] = nil
		if value.Valid {
			tags[key] = &value.String
		}
	}
	return tags, rows.Err()
}

// writeTags replaces the tags of s (old are the stored ones) and keeps the
// organization's tag counts in step, in the caller's transaction.
func writeTags(ctx context.Context, tx *sql.Tx, s *amigo.Service, old map[string]*string, rev int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM service_tags WHERE service_id = $1`, s.ID); err != nil {
		return err
	}
	for k, v := range s.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_tags (org_id, service_id, key, value, name, rev) VALUES ($1, $2, $3, $4, $5, $6)`,
			s.OrgID, s.ID, k, v, s.Name, rev); err != nil {
			return err
		}
	}
	for _, c := range tagChanges(old, s.Tags) {
		var err error
		if c.delta > 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO service_tag_counts (org_id, key, value, services) VALUES ($1, $2, $3, 1)
				ON CONFLICT (org_id, key, value) DO UPDATE SET services = service_tag_counts.services + 1`, s.OrgID, c.key, c.value)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE service_tag_counts SET services = services - 1 WHERE org_id = $1 AND key = $2 AND value = $3`,
				s.OrgID, c.key, c.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ServiceTags lists the organization's distinct tags as key:value, by key
// and value, from the counts writeTags keeps.
func (db *ClusterStore) ServiceTags(ctx context.Context, orgID string) ([]string, error) {
	var q query
	q.add(tagsWhere, orgID)
	rows, err := db.read.Query(ctx, `SELECT key, value FROM service_tag_counts`+q.clause()+` ORDER BY key, value`, q.args...)
	return collect(rows, err, func(row Row) (string, error) {
		var key, value string
		err := row.Scan(&key, &value)
		return key + ":" + value, err
	})
}

// tagsWhere selects the counts ServiceTags reads, of the organization
// given as its argument.
const tagsWhere = "org_id = ? AND services > 0"

// tagsColumn returns a column of ServiceTags' answer as a JSON array, for
// a statement of q's, adding its argument to q.
func (db *ClusterStore) tagsColumn(q *query, orgID string) string {
	var sub query
	sub.args = q.args
	sub.add(tagsWhere, orgID)
	q.args = sub.args
	return "(SELECT " + db.dialect.JSONArrayAgg("key || ':' || value", "key, value") + " FROM service_tag_counts" + sub.clause() + ")"
}
