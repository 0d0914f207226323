package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/amigo-oss/amigo-server"
)

const roleColumns = `id, org_id, name, description, grants, builtin`

func insertRole(ctx context.Context, tx *sql.Tx, r *amigo.Role) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO roles (`+roleColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, r.OrgID, r.Name, r.Description, stored[[]storedGrant](r.Grants), r.Builtin)
	return err
}

func scanRole(row Row) (*amigo.Role, error) {
	var r amigo.Role
	var grants string
	if err := row.Scan(&r.ID, &r.OrgID, &r.Name, &r.Description, &grants, &r.Builtin); err != nil {
		return nil, err
	}
	if builtin, ok := amigo.BuiltinGrants(r.Name); r.Builtin && ok {
		r.Grants = builtin
		return &r, nil
	}
	return &r, loadStored[[]storedGrant](grants, &r.Grants)
}

// FindRoleByName returns the role or ENOTFOUND.
func (db *ClusterStore) FindRoleByName(ctx context.Context, orgID, name string) (*amigo.Role, error) {
	r, err := scanRole(db.read.QueryRow(ctx, `SELECT `+roleColumns+` FROM roles WHERE org_id = $1 AND name = $2`, orgID, name))
	return r, notFound(err, "Role %s not found.", name)
}

// FindRole returns the role or ENOTFOUND.
func (db *ClusterStore) FindRole(ctx context.Context, orgID, id string) (*amigo.Role, error) {
	r, err := scanRole(db.read.QueryRow(ctx, `SELECT `+roleColumns+` FROM roles WHERE org_id = $1 AND id = $2`, orgID, id))
	return r, notFound(err, "Role %s not found.", id)
}

// ListRoles returns the organization's roles by name.
func (db *ClusterStore) ListRoles(ctx context.Context, orgID string) ([]*amigo.Role, error) {
	rows, err := db.read.Query(ctx, `SELECT `+roleColumns+` FROM roles WHERE org_id = $1 ORDER BY name`, orgID)
	return collect(rows, err, scanRole)
}

// PutRole creates r, or replaces the description and grants of the role of
// the same name, if check allows; r.ID is set to the stored role's id.
func (db *ClusterStore) PutRole(ctx context.Context, r *amigo.Role, check func(existing *amigo.Role) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := scanRole(tx.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM roles WHERE org_id = $1 AND name = $2`, r.OrgID, r.Name))
		if errors.Is(err, sql.ErrNoRows) {
			if err := check(nil); err != nil {
				return err
			}
			return insertRole(ctx, tx, r)
		} else if err != nil {
			return err
		} else if err := check(existing); err != nil {
			return err
		}
		r.ID = existing.ID
		_, err = tx.ExecContext(ctx, `UPDATE roles SET description = $1, grants = $2 WHERE id = $3`, r.Description, stored[[]storedGrant](r.Grants), r.ID)
		return err
	})
}
