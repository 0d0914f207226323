package sqldb

import (
	"context"
	"database/sql"

	"github.com/amigo-oss/amigo-server"
)

const userColumns = `id, org_id, first_name, last_name, email, role_id, preferences,
	nonsensitive_variables, sensitive_variables, enable_actions_access, created_at, additional_context`

func (db *ClusterStore) insertUser(ctx context.Context, tx *sql.Tx, u *amigo.User) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.ID, u.OrgID, u.FirstName, u.LastName, u.Email, u.RoleID, stored[storedPreferences](u.Preferences),
		jsonText(u.NonsensitiveVariables), jsonText(u.SensitiveVariables), u.EnableActionsAccess, ts(u.CreatedAt),
		jsonStrings(u.AdditionalContext))
	if db.dialect.IsUniqueViolation(err) {
		return amigo.Errorf(amigo.ECONFLICT, "A user with email %s already exists in this organization.", u.Email)
	}
	return err
}

func scanUser(row Row) (*amigo.User, error) {
	var u amigo.User
	var prefs, nonsensitive, sensitive, context string
	var created int64
	if err := row.Scan(&u.ID, &u.OrgID, &u.FirstName, &u.LastName, &u.Email, &u.RoleID, &prefs,
		&nonsensitive, &sensitive, &u.EnableActionsAccess, &created, &context); err != nil {
		return nil, err
	}
	u.CreatedAt = fromTS(created)
	if err := loadStored[storedPreferences](prefs, &u.Preferences); err != nil {
		return nil, err
	} else if err := fromJSON(nonsensitive, &u.NonsensitiveVariables); err != nil {
		return nil, err
	} else if err := fromJSON(context, &u.AdditionalContext); err != nil {
		return nil, err
	}
	return &u, fromJSON(sensitive, &u.SensitiveVariables)
}

// CreateUser stores u; ECONFLICT if the email is taken.
func (db *ClusterStore) CreateUser(ctx context.Context, u *amigo.User) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertUser(ctx, tx, u) })
}

// FindUser returns the user or ENOTFOUND.
func (db *ClusterStore) FindUser(ctx context.Context, orgID, id string) (*amigo.User, error) {
	u, err := scanUser(db.read.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id = $2`, orgID, id))
	return u, notFound(err, "User %s not found.", id)
}

// FindUserByEmail returns the user or ENOTFOUND.
func (db *ClusterStore) FindUserByEmail(ctx context.Context, orgID, email string) (*amigo.User, error) {
	u, err := scanUser(db.read.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND email = $2`, orgID, email))
	return u, notFound(err, "User %s not found.", email)
}

// ListUsers returns one page of users by creation order.
func (db *ClusterStore) ListUsers(ctx context.Context, orgID string, f amigo.UserFilter) ([]*amigo.User, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.in("id", f.IDs)
	q.in("email", f.Emails)
	rows, err := db.read.Query(ctx, `SELECT `+userColumns+` FROM users`+q.clause()+orderBy(f.Sort, "created_at")+q.page(f.Offset, f.Limit), q.args...)
	users, err := collect(rows, err, scanUser)
	if err != nil {
		return nil, false, err
	}
	users, more := trimPage(users, f.Limit)
	return users, more, nil
}

// UpdateUserRole changes the user's role and carries out revoke, in one
// transaction; ENOTFOUND if absent.
func (db *ClusterStore) UpdateUserRole(ctx context.Context, orgID, id, roleID string, revoke *amigo.KeyRevocation) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := execOneTx(ctx, tx, amigo.Errorf(amigo.ENOTFOUND, "User %s not found.", id),
			`UPDATE users SET role_id = $1 WHERE org_id = $2 AND id = $3`, roleID, orgID, id); err != nil {
			return err
		}
		return revokeKeys(ctx, tx, orgID, revoke)
	})
}

// UpdateUser applies change to the user as stored, in one transaction that
// holds the user's row lock, so concurrent partial updates of different
// fields do not undo each other. ENOTFOUND if absent.
func (db *ClusterStore) UpdateUser(ctx context.Context, orgID, id string, change func(*amigo.User) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET id = id WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id = $2`, orgID, id))
		if err != nil {
			return notFound(err, "User %s not found.", id)
		}
		if err := change(u); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET first_name = $1, last_name = $2, preferences = $3, additional_context = $4
			WHERE org_id = $5 AND id = $6`, u.FirstName, u.LastName, stored[storedPreferences](u.Preferences), jsonStrings(u.AdditionalContext), orgID, id)
		return err
	})
}

// DeleteUser removes the user and carries out revoke, in one transaction;
// ENOTFOUND if absent.
func (db *ClusterStore) DeleteUser(ctx context.Context, orgID, id string, revoke *amigo.KeyRevocation) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := execOneTx(ctx, tx, amigo.Errorf(amigo.ENOTFOUND, "User %s not found.", id),
			`DELETE FROM users WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
			return err
		}
		return revokeKeys(ctx, tx, orgID, revoke)
	})
}

// execOneTx runs a statement in q (a transaction, or the database
// itself) that must affect a row, returning missing otherwise.
func execOneTx(ctx context.Context, q interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, missing error, stmt string, args ...any) error {
	res, err := q.ExecContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return missing
	}
	return nil
}
