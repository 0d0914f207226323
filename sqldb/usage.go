package sqldb

import (
	"context"
	"database/sql"
)

// activeServicesUsing counts the active services that use a resource.
func activeServicesUsing(ctx context.Context, tx *sql.Tx, k kind, id string) (int, error) {
	col := "agent_id"
	if k == stateMachineKind {
		col = "state_machine_id"
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE `+col+` = $1 AND is_active = $2`, id, true).Scan(&n)
	return n, err
}
