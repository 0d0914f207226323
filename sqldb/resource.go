package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Agents and state machines are stored alike: a row in resources and
// immutable rows in resource_versions. kind names the domain type; the
// version's definition is that type's JSON document.
type kind struct {
	name  string // value of resources.kind
	label string // for messages: "Agent", "State machine"
}

var (
	agentKind        = kind{name: "agent", label: "Agent"}
	stateMachineKind = kind{name: "state_machine", label: "State machine"}
)

// resource is the common row of an agent or a state machine.
type resource struct {
	ID, OrgID, Name             string
	Deprecated                  bool
	LatestVersion               *int
	CreatorOrgID, CreatorUserID string
	CreatedAt, UpdatedAt        time.Time
}

// version is the common row of a version; Definition is raw JSON.
type version struct {
	ID, OrgID, ResourceID       string
	Version                     int
	CreatorOrgID, CreatorUserID string
	CreatedAt                   time.Time
	Definition                  string
}

const resourceColumns = `id, org_id, name, deprecated, latest_version, creator_org_id, creator_user_id, created_at, updated_at`
const versionColumns = `id, org_id, resource_id, version, creator_org_id, creator_user_id, created_at, definition`

func scanResource(row Row) (*resource, error) {
	var r resource
	var latest sql.NullInt64
	var created, updated int64
	if err := row.Scan(&r.ID, &r.OrgID, &r.Name, &r.Deprecated, &latest, &r.CreatorOrgID, &r.CreatorUserID, &created, &updated); err != nil {
		return nil, err
	}
	if latest.Valid {
		v := int(latest.Int64)
		r.LatestVersion = &v
	}
	r.CreatedAt, r.UpdatedAt = fromTS(created), fromTS(updated)
	return &r, nil
}

func scanVersion(row Row) (*version, error) {
	var v version
	var created int64
	var def string
	if err := row.Scan(&v.ID, &v.OrgID, &v.ResourceID, &v.Version, &v.CreatorOrgID, &v.CreatorUserID, &created, &def); err != nil {
		return nil, err
	}
	v.CreatedAt, v.Definition = fromTS(created), def
	return &v, nil
}

func (db *ClusterStore) createResource(ctx context.Context, k kind, r *resource) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO resources (`+resourceColumns+`, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ID, r.OrgID, r.Name, r.Deprecated, r.LatestVersion, r.CreatorOrgID, r.CreatorUserID, ts(r.CreatedAt), ts(r.UpdatedAt), k.name)
		if db.dialect.IsUniqueViolation(err) {
			return amigo.Errorf(amigo.ECONFLICT, "%s %q already exists.", k.label, r.Name)
		}
		return err
	})
}

func findResource(ctx context.Context, q Reader, k kind, orgID, id string) (*resource, error) {
	r, err := scanResource(q.QueryRow(ctx, `SELECT `+resourceColumns+` FROM resources WHERE org_id = $1 AND kind = $2 AND id = $3`, orgID, k.name, id))
	return r, notFound(err, "%s %s not found.", k.label, id)
}

func (db *ClusterStore) listResources(ctx context.Context, k kind, orgID string, deprecated *bool, ids []string, offset, limit int) ([]*resource, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.add("kind = ?", k.name)
	if deprecated != nil {
		q.add("deprecated = ?", *deprecated)
	}
	q.in("id", ids)
	rows, err := db.read.Query(ctx, `SELECT `+resourceColumns+` FROM resources`+q.clause()+` ORDER BY created_at, id`+q.page(offset, limit), q.args...)
	items, err := collect(rows, err, scanResource)
	if err != nil {
		return nil, false, err
	}
	items, more := trimPage(items, limit)
	return items, more, nil
}

// createVersion allocates the next version number by incrementing
// latest_version in place: the UPDATE takes the row's write lock, so
// concurrent writers queue and each gets the next number, with no gaps and
// no duplicates, on both databases.
func (db *ClusterStore) createVersion(ctx context.Context, k kind, orgID, id string, expected *int, build func(tx *sql.Tx, latest *version) (*version, error)) (*version, error) {
	var out *version
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.Now()
		var next int
		err := tx.QueryRowContext(ctx, `UPDATE resources SET latest_version = COALESCE(latest_version, 0) + 1, updated_at = $1
			WHERE org_id = $2 AND kind = $3 AND id = $4 RETURNING latest_version`, ts(now), orgID, k.name, id).Scan(&next)
		if err != nil {
			return notFound(err, "%s %s not found.", k.label, id)
		}
		if expected != nil && *expected != next {
			return amigo.Errorf(amigo.ECONFLICT, "Version %d is not the next version of %s %s; the next is %d.", *expected, k.label, id, next)
		}
		var latest *version
		if next > 1 {
			if latest, err = scanVersion(tx.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM resource_versions WHERE resource_id = $1 AND version = $2`, id, next-1)); err != nil {
				return err
			}
		}
		v, err := build(tx, latest)
		if err != nil {
			return err
		}
		v.ID, v.OrgID, v.ResourceID, v.Version, v.CreatedAt = amigo.NewID(now), orgID, id, next, now
		_, err = tx.ExecContext(ctx, `INSERT INTO resource_versions (`+versionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			v.ID, v.OrgID, v.ResourceID, v.Version, v.CreatorOrgID, v.CreatorUserID, ts(v.CreatedAt), v.Definition)
		out = v
		return err
	})
	return out, err
}

func (db *ClusterStore) listVersions(ctx context.Context, orgID, id string, f amigo.VersionFilter) ([]*version, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.add("resource_id = ?", id)
	switch {
	case f.Latest:
		q.add("version = (SELECT latest_version FROM resources WHERE id = ?)", id)
	default:
		if f.From > 0 {
			q.add("version >= ?", f.From)
		}
		if f.To > 0 {
			q.add("version <= ?", f.To)
		}
	}
	order := " ORDER BY version"
	if f.Descending {
		order += " DESC"
	}
	rows, err := db.read.Query(ctx, `SELECT `+versionColumns+` FROM resource_versions`+q.clause()+order+q.page(f.Offset, f.Limit), q.args...)
	items, err := collect(rows, err, scanVersion)
	if err != nil {
		return nil, false, err
	}
	items, more := trimPage(items, f.Limit)
	return items, more, nil
}

// deprecateResource marks the resource deprecated if check, given the
// resource and the number of active services using it, allows. The row is
// locked first (a no-op UPDATE), so a service being created or activated
// with this resource either commits before the count sees it or waits
// until the deprecation is committed and then sees it.
func (db *ClusterStore) deprecateResource(ctx context.Context, k kind, orgID, id string, check func(r *resource, activeServices int) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := lockResource(ctx, tx, k, orgID, id)
		if err != nil {
			return err
		}
		n, err := activeServicesUsing(ctx, tx, k, id)
		if err != nil {
			return err
		} else if err := check(r, n); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE resources SET deprecated = $1, updated_at = $2 WHERE id = $3`, true, ts(db.Now()), id)
		return err
	})
}

// lockResource loads a resource and takes its row's write lock for the rest
// of tx (a no-op UPDATE, which both databases support); ENOTFOUND if absent.
func lockResource(ctx context.Context, tx *sql.Tx, k kind, orgID, id string) (*resource, error) {
	r, err := scanResource(tx.QueryRowContext(ctx, `UPDATE resources SET updated_at = updated_at
		WHERE org_id = $1 AND kind = $2 AND id = $3 RETURNING `+resourceColumns, orgID, k.name, id))
	return r, notFound(err, "%s %s not found.", k.label, id)
}
