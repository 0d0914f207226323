package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

// checkUnused returns EBADREQUEST if an active service uses the resource.
// The caller holds the resource's row lock, and services pin (lock) their
// resources when they are created or activated, so the answer cannot go
// stale before the caller commits.
func (db *DB) checkUnused(ctx context.Context, tx *sql.Tx, k kind, id string) error {
	col := "agent_id"
	if k == stateMachineKind {
		col = "state_machine_id"
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE `+col+` = $1 AND is_active = $2`, id, true).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return amigo.Errorf(amigo.EBADREQUEST, "%s %s is used by an active service; deactivate the service first.", k.label, id)
	}
	return nil
}
