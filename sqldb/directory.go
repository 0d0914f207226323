package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/amigo-oss/amigo-server"
)

const placementColumns = `org_id, region, cluster, state, maintenance, move_target, created_at, updated_at`

// Place records a new organization; ECONFLICT if already placed.
func (db *DirectoryStore) Place(ctx context.Context, p *amigo.Placement) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO placements (`+placementColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.OrgID, p.Region, p.Cluster, p.State, p.Maintenance, p.MoveTarget, ts(p.CreatedAt), ts(p.UpdatedAt))
	if db.dialect.IsUniqueViolation(err) {
		return amigo.Errorf(amigo.ECONFLICT, "Organization %s already exists.", p.OrgID)
	}
	return err
}

// Lookup returns the placement or ENOTFOUND.
func (db *DirectoryStore) Lookup(ctx context.Context, orgID string) (*amigo.Placement, error) {
	var p amigo.Placement
	var created, updated int64
	err := db.read.QueryRow(ctx, `SELECT `+placementColumns+` FROM placements WHERE org_id = $1`, orgID).
		Scan(&p.OrgID, &p.Region, &p.Cluster, &p.State, &p.Maintenance, &p.MoveTarget, &created, &updated)
	if err != nil {
		return nil, notFound(err, amigo.MsgOrgNotFound)
	}
	p.CreatedAt, p.UpdatedAt = fromTS(created), fromTS(updated)
	return &p, nil
}

// SetState changes the state and move target of a placement.
func (db *DirectoryStore) SetState(ctx context.Context, orgID, state, moveTarget string) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound),
		`UPDATE placements SET state = $1, move_target = $2, updated_at = $3 WHERE org_id = $4`, state, moveTarget, ts(db.Now()), orgID)
}

// SetCluster switches the organization to another cluster.
func (db *DirectoryStore) SetCluster(ctx context.Context, orgID, cluster string) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound),
		`UPDATE placements SET cluster = $1, updated_at = $2 WHERE org_id = $3`, cluster, ts(db.Now()), orgID)
}

// SetOrgMaintenance switches an organization's maintenance flag.
func (db *DirectoryStore) SetOrgMaintenance(ctx context.Context, orgID string, on bool) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound),
		`UPDATE placements SET maintenance = $1, updated_at = $2 WHERE org_id = $3`, on, ts(db.Now()), orgID)
}

// Remove deletes the placement, if any.
func (db *DirectoryStore) Remove(ctx context.Context, orgID string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM placements WHERE org_id = $1`, orgID)
	return err
}

// RegionMaintenance reports whether the region is in maintenance.
func (db *DirectoryStore) RegionMaintenance(ctx context.Context, region string) (bool, error) {
	var on bool
	err := db.read.QueryRow(ctx, `SELECT maintenance FROM regions WHERE name = $1`, region).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

// SetRegionMaintenance switches a region's maintenance flag.
func (db *DirectoryStore) SetRegionMaintenance(ctx context.Context, region string, on bool) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO regions (name, maintenance) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET maintenance = excluded.maintenance`, region, on)
	return err
}

// PlatformOrg returns the platform organization's id, or "".
func (db *DirectoryStore) PlatformOrg(ctx context.Context) (string, error) {
	var id string
	err := db.read.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'platform_org'`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// ClaimPlatformOrg sets the platform organization unless one is set, and
// returns the one in force.
func (db *DirectoryStore) ClaimPlatformOrg(ctx context.Context, orgID string) (string, error) {
	if _, err := db.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('platform_org', $1) ON CONFLICT (key) DO NOTHING`, orgID); err != nil {
		return "", err
	}
	return db.PlatformOrg(ctx)
}

// RevokeSession records a signed-out console session and drops the
// records of sessions whose tokens have expired since.
func (db *DirectoryStore) RevokeSession(ctx context.Context, tokenID string, expires time.Time) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM revoked_sessions WHERE expires_at < $1`, ts(db.Now())); err != nil {
		return err
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO revoked_sessions (token_id, expires_at) VALUES ($1, $2)
		ON CONFLICT (token_id) DO NOTHING`, tokenID, ts(expires))
	return err
}

// SessionRevoked reports whether the console session was signed out.
func (db *DirectoryStore) SessionRevoked(ctx context.Context, tokenID string) (bool, error) {
	var one int
	err := db.read.QueryRow(ctx, `SELECT 1 FROM revoked_sessions WHERE token_id = $1`, tokenID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
