package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// storedUserModel is the stored form of one entry of a user model.
type storedUserModel struct {
	Content    string   `json:"content"`
	InsightIDs []string `json:"insight_ids"`
	Dimensions []struct {
		Description string   `json:"description"`
		Tags        []string `json:"tags"`
	} `json:"dimensions"`
}

// FindUserModel implements amigo.ConversationStore.
func (db *ClusterStore) FindUserModel(ctx context.Context, orgID, userID string) (*amigo.UserModel, error) {
	var models string
	var updated int64
	err := db.read.QueryRow(ctx, `SELECT models, updated_at FROM user_models WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&models, &updated)
	if err != nil {
		return nil, notFound(err, "User %s has no user model.", userID)
	}
	m := &amigo.UserModel{OrgID: orgID, UserID: userID, UpdatedAt: fromTS(updated)}
	return m, loadStored[[]storedUserModel](models, &m.Models)
}

// PutUserModel implements amigo.ConversationStore.
func (db *ClusterStore) PutUserModel(ctx context.Context, m *amigo.UserModel) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_models (org_id, user_id, models, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (org_id, user_id) DO UPDATE SET models = excluded.models, updated_at = excluded.updated_at`,
			m.OrgID, m.UserID, stored[[]storedUserModel](nonNil(m.Models)), ts(m.UpdatedAt))
		return err
	})
}

const jobColumns = `id, org_id, conversation_id, user_id, kind, attempts, last_error, created_at, available_at, lease_owner, lease_until`

func scanJob(row Row) (*amigo.PostConversationJob, error) {
	var j amigo.PostConversationJob
	var created, available int64
	var owner sql.NullString
	var until sql.NullInt64
	if err := row.Scan(&j.ID, &j.OrgID, &j.ConversationID, &j.UserID, &j.Kind, &j.Attempts, &j.LastError,
		&created, &available, &owner, &until); err != nil {
		return nil, err
	}
	j.CreatedAt, j.AvailableAt = fromTS(created), fromTS(available)
	if owner.Valid {
		j.Lease = &amigo.Lease{InteractionID: j.ID, Owner: owner.String, Until: fromTS(until.Int64)}
	}
	return &j, nil
}

// ClaimPostConversationJob implements amigo.ConversationStore. A claimed
// job's available_at is its claim's end, so a job whose runner died is
// available again when the claim expires, with no sweep. Two runners that
// pick the same job both try one compare-and-set UPDATE; the loser tries
// the next job.
func (db *ClusterStore) ClaimPostConversationJob(ctx context.Context, owner string, now, until time.Time) (*amigo.PostConversationJob, error) {
	for range 5 {
		var job *amigo.PostConversationJob
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			j, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM post_conversation_jobs
				WHERE available_at <= $1 ORDER BY available_at, created_at LIMIT 1`, ts(now)))
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE post_conversation_jobs SET lease_owner = $1, lease_until = $2, available_at = $2,
				attempts = attempts + 1 WHERE id = $3 AND available_at = $4`, owner, ts(until), j.ID, ts(j.AvailableAt))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err
			}
			j.Attempts++
			j.AvailableAt, j.Lease = until, &amigo.Lease{InteractionID: j.ID, Owner: owner, Until: until}
			job = j
			return nil
		})
		if errors.Is(err, sql.ErrNoRows) {
			return nil, amigo.Errorf(amigo.ENOTFOUND, "No post-conversation job is due.")
		} else if err != nil {
			return nil, err
		} else if job != nil {
			return job, nil
		}
	}
	return nil, amigo.Errorf(amigo.ENOTFOUND, "No post-conversation job could be claimed.")
}

// CompletePostConversationJob implements amigo.ConversationStore.
func (db *ClusterStore) CompletePostConversationJob(ctx context.Context, job *amigo.PostConversationJob, owner string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM post_conversation_jobs WHERE id = $1 AND lease_owner = $2`, job.ID, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return amigo.Errorf(amigo.ECONFLICT, "The post-conversation job was claimed by another runner.")
		}
		c, err := findConversationTx(ctx, tx, job.OrgID, job.ConversationID)
		if amigo.ErrorCode(err) == amigo.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		for _, k := range c.CompletedPostProcessings {
			if k == job.Kind {
				return nil
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE conversations SET completed_post_processings = $1 WHERE id = $2`,
			jsonText(append(c.CompletedPostProcessings, job.Kind)), c.ID)
		return err
	})
}

// RetryPostConversationJob implements amigo.ConversationStore.
func (db *ClusterStore) RetryPostConversationJob(ctx context.Context, job *amigo.PostConversationJob, owner string, at time.Time, reason string) error {
	return db.execOne(ctx, amigo.Errorf(amigo.ECONFLICT, "The post-conversation job was claimed by another runner."),
		`UPDATE post_conversation_jobs SET lease_owner = NULL, lease_until = NULL, available_at = $1, last_error = $2
		WHERE id = $3 AND lease_owner = $4`, ts(at), reason, job.ID, owner)
}
