package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/amigo-oss/amigo-server"
)

const changeColumns = `id, org_id, created_at, actor_org_id, actor_user_id, actor_api_key_id, actor_operator,
	operation, resource_type, resource_id, summary, diff, actor_key_creator_org_id, actor_key_creator_user_id`

const revisionColumns = `org_id, service_id, name, revision, created_at,
	actor_org_id, actor_user_id, actor_api_key_id, actor_operator, operation, version_set,
	actor_key_creator_org_id, actor_key_creator_user_id`

// writeJournal writes and empties what j holds, inside tx.
func writeJournal(ctx context.Context, tx *sql.Tx, j *amigo.Journal) error {
	changes, revisions := j.Take()
	if err := writeChanges(ctx, tx, changes); err != nil {
		return err
	}
	for _, r := range revisions {
		if err := writeRevision(ctx, tx, r, ""); err != nil {
			return err
		}
	}
	return nil
}

// writeChanges writes change records inside tx.
func writeChanges(ctx context.Context, tx *sql.Tx, changes []*amigo.Change) error {
	for _, c := range changes {
		diff := ownedString(c.Diff) // not copied: a change's diff is never written again
		if diff == "" {
			diff = "[]"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO change_log (`+changeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			c.ID, c.OrgID, ts(c.Time), c.Actor.OrgID, c.Actor.UserID, c.Actor.APIKeyID, c.Actor.Operator,
			c.Operation, c.ResourceType, c.ResourceID, c.Summary, diff, c.Actor.KeyCreatorOrgID, c.Actor.KeyCreatorUserID); err != nil {
			return err
		}
	}
	return nil
}

// writeRevision writes a version set revision and moves the set's head to
// it, inside tx. doc, when not empty, is the revision's set as storedSet
// encodes it (with the copy just stored in version_sets), so it is not
// encoded a second time.
func writeRevision(ctx context.Context, tx *sql.Tx, r *amigo.VersionSetRevision, doc string) error {
	var set *string
	if r.Set != nil {
		if doc == "" {
			doc, _ = storedSet(*r.Set)
		}
		set = &doc
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO version_set_revisions (`+revisionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.OrgID, r.ServiceID, r.Name, r.Revision, ts(r.Time), r.Actor.OrgID, r.Actor.UserID, r.Actor.APIKeyID, r.Actor.Operator,
		r.Operation, set, r.Actor.KeyCreatorOrgID, r.Actor.KeyCreatorUserID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO version_set_heads (org_id, service_id, name, revision) VALUES ($1, $2, $3, $4)
		ON CONFLICT (service_id, name) DO UPDATE SET revision = excluded.revision`, r.OrgID, r.ServiceID, r.Name, r.Revision)
	return err
}

func scanChange(row Row) (*amigo.Change, error) {
	var c amigo.Change
	var at int64
	var diff string
	if err := row.Scan(&c.ID, &c.OrgID, &at, &c.Actor.OrgID, &c.Actor.UserID, &c.Actor.APIKeyID, &c.Actor.Operator,
		&c.Operation, &c.ResourceType, &c.ResourceID, &c.Summary, &diff, &c.Actor.KeyCreatorOrgID, &c.Actor.KeyCreatorUserID); err != nil {
		return nil, err
	}
	c.Time, c.Diff = fromTS(at), []byte(diff)
	return &c, nil
}

// ListChanges returns one page of the change log, newest first. The
// continuation token is the id of the last record seen; records are
// ordered by (created_at, id), so pages neither overlap nor skip while new
// records arrive.
func (db *ClusterStore) ListChanges(ctx context.Context, orgID string, f amigo.ChangeFilter) ([]*amigo.Change, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	for col, v := range map[string]string{"resource_type": f.ResourceType, "resource_id": f.ResourceID, "actor_user_id": f.ActorUserID, "operation": f.Operation} {
		if v != "" {
			q.add(col+" = ?", v)
		}
	}
	if !f.Since.IsZero() {
		q.add("created_at >= ?", ts(f.Since))
	}
	if !f.Until.IsZero() {
		q.add("created_at <= ?", ts(f.Until))
	}
	if f.After != "" {
		q.add("(created_at < (SELECT created_at FROM change_log WHERE org_id = ? AND id = ?) OR (created_at = (SELECT created_at FROM change_log WHERE org_id = ? AND id = ?) AND id < ?))",
			orgID, f.After, orgID, f.After, f.After)
	}
	rows, err := db.read.Query(ctx, `SELECT `+changeColumns+` FROM change_log`+q.clause()+` ORDER BY created_at DESC, id DESC`+q.page(0, f.Limit), q.args...)
	items, err := collect(rows, err, scanChange)
	if err != nil {
		return nil, false, err
	}
	items, more := trimPage(items, f.Limit)
	return items, more, nil
}

// AppendChanges writes the context's journal on its own.
func (db *ClusterStore) AppendChanges(ctx context.Context) error {
	return db.inTx(ctx, func(*sql.Tx) error { return nil })
}

// PruneChanges erases the records older than before, of every organization.
func (db *ClusterStore) PruneChanges(ctx context.Context, before time.Time) (int, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM change_log WHERE created_at < $1`, ts(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func scanRevision(row Row) (*amigo.VersionSetRevision, error) {
	var r amigo.VersionSetRevision
	var at int64
	var set sql.NullString
	if err := row.Scan(&r.OrgID, &r.ServiceID, &r.Name, &r.Revision, &at, &r.Actor.OrgID, &r.Actor.UserID, &r.Actor.APIKeyID,
		&r.Actor.Operator, &r.Operation, &set, &r.Actor.KeyCreatorOrgID, &r.Actor.KeyCreatorUserID); err != nil {
		return nil, err
	}
	r.Time = fromTS(at)
	if set.Valid {
		r.Set = new(amigo.VersionSet)
		if err := loadStored[storedVersionSet](set.String, r.Set); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// ListVersionSetRevisions returns one page of a version set's revisions,
// newest first.
func (db *ClusterStore) ListVersionSetRevisions(ctx context.Context, orgID, serviceID, name string, offset, limit int) ([]*amigo.VersionSetRevision, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.add("service_id = ?", serviceID)
	q.add("name = ?", name)
	rows, err := db.read.Query(ctx, `SELECT `+revisionColumns+` FROM version_set_revisions`+q.clause()+` ORDER BY revision DESC`+q.page(offset, limit), q.args...)
	items, err := collect(rows, err, scanRevision)
	if err != nil {
		return nil, false, err
	}
	items, more := trimPage(items, limit)
	return items, more, nil
}

// FindVersionSetRevision returns one revision or ENOTFOUND.
func (db *ClusterStore) FindVersionSetRevision(ctx context.Context, orgID, serviceID, name string, revision int) (*amigo.VersionSetRevision, error) {
	r, err := scanRevision(db.read.QueryRow(ctx, `SELECT `+revisionColumns+` FROM version_set_revisions
		WHERE org_id = $1 AND service_id = $2 AND name = $3 AND revision = $4`, orgID, serviceID, name, revision))
	return r, notFound(err, "Version set %s has no revision %d.", name, revision)
}

// latestRevisions returns the last revision number of every version set
// the service ever had, deleted ones included.
func latestRevisions(ctx context.Context, tx *sql.Tx, serviceID string) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, revision FROM version_set_heads WHERE service_id = $1`, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}
