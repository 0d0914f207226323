package sqldb

import (
	"context"
	"database/sql"
	"slices"

	"github.com/amigo-oss/amigo-server"
)

const apiKeyColumns = `id, key_id, org_id, name, secret_hash, role_id, creator_user_id, creator_org_id, created_at, updated_at, expires_at`

// CreateAPIKey stores k if admit accepts the organization's count of live
// keys. The organization row is locked first so concurrent creations cannot
// both pass the count.
func (db *ClusterStore) CreateAPIKey(ctx context.Context, k *amigo.APIKey, admit func(live int) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET updated_at = updated_at WHERE id = $1`, k.OrgID); err != nil {
			return err
		}
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE org_id = $1 AND expires_at > $2`, k.OrgID, ts(k.CreatedAt)).Scan(&live); err != nil {
			return err
		} else if err := admit(live); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			k.ID, k.KeyID, k.OrgID, k.Name, k.SecretHash, k.RoleID, k.CreatorUserID, k.CreatorOrgID, ts(k.CreatedAt), ts(k.UpdatedAt), ts(k.ExpiresAt))
		return err
	})
}

func scanAPIKey(row Row) (*amigo.APIKey, error) {
	var k amigo.APIKey
	var created, updated, expires int64
	if err := row.Scan(&k.ID, &k.KeyID, &k.OrgID, &k.Name, &k.SecretHash, &k.RoleID, &k.CreatorUserID, &k.CreatorOrgID, &created, &updated, &expires); err != nil {
		return nil, err
	}
	k.CreatedAt, k.UpdatedAt, k.ExpiresAt = fromTS(created), fromTS(updated), fromTS(expires)
	return &k, nil
}

// FindAPIKey returns the key with the given key id or ENOTFOUND.
func (db *ClusterStore) FindAPIKey(ctx context.Context, orgID, keyID string) (*amigo.APIKey, error) {
	k, err := scanAPIKey(db.read.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE org_id = $1 AND key_id = $2`, orgID, keyID))
	return k, notFound(err, "API key %s not found.", keyID)
}

// ListAPIKeys returns the organization's keys, newest first.
func (db *ClusterStore) ListAPIKeys(ctx context.Context, orgID string) ([]*amigo.APIKey, error) {
	rows, err := db.read.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE org_id = $1 ORDER BY created_at DESC, id DESC`, orgID)
	return collect(rows, err, scanAPIKey)
}

// DeleteAPIKey removes the key; ENOTFOUND if absent.
func (db *ClusterStore) DeleteAPIKey(ctx context.Context, orgID, keyID string) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ENOTFOUND, "API key %s not found.", keyID),
		`DELETE FROM api_keys WHERE org_id = $1 AND key_id = $2`, orgID, keyID)
}

// revokeKeys deletes in tx the keys of orgID that rv's creator created
// and whose role rv does not keep, and hands their ids to rv.Revoked.
func revokeKeys(ctx context.Context, tx *sql.Tx, orgID string, rv *amigo.KeyRevocation) error {
	if rv == nil {
		return nil
	}
	var q query
	q.add("org_id = ?", orgID)
	q.add("creator_org_id = ?", rv.CreatorOrgID)
	q.add("creator_user_id = ?", rv.CreatorUserID)
	q.notIn("role_id", rv.Keep)
	rows, err := tx.QueryContext(ctx, `DELETE FROM api_keys`+q.clause()+` RETURNING key_id`, q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return err
	}
	slices.Sort(ids)
	return rv.Revoked(ids)
}
