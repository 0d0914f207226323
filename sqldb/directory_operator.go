package sqldb

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// SwitchCluster points a moving organization at its target cluster and
// remembers the old one, in one conditional statement.
func (db *DirectoryStore) SwitchCluster(ctx context.Context, orgID, from, to string) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ECONFLICT, "Organization %s is not being moved from cluster %s to %s.", orgID, from, to),
		`UPDATE placements SET cluster = $1, move_target = $2, state = $3, updated_at = $4
		WHERE org_id = $5 AND state = $6 AND cluster = $7 AND move_target = $8`,
		to, from, amigo.OrgMoved, ts(db.Now()), orgID, amigo.OrgMoving, from, to)
}

// ListPlacements returns the placements of region ordered by id.
func (db *DirectoryStore) ListPlacements(ctx context.Context, region string) ([]*amigo.Placement, error) {
	rows, err := db.read.Query(ctx, `SELECT `+placementColumns+` FROM placements WHERE region = $1 ORDER BY org_id`, region)
	return collect(rows, err, func(s Row) (*amigo.Placement, error) {
		var p amigo.Placement
		var created, updated int64
		if err := s.Scan(&p.OrgID, &p.Region, &p.Cluster, &p.State, &p.Maintenance, &p.MoveTarget, &created, &updated); err != nil {
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = fromTS(created), fromTS(updated)
		return &p, nil
	})
}
