package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// The conversation rules two servers must agree on are the database's:
// the partial unique index conversations_one_open admits one unfinished
// conversation per user and service, and the lease columns of a
// conversation change only through compare-and-set UPDATEs (WHERE the
// lease is free, expired, or held by the caller), so of two servers
// racing for a conversation exactly one changes the row.

const conversationColumns = `id, org_id, service_id, user_id, version_set_name, agent_id, agent_version,
	state_machine_id, state_machine_version, llm_model_preferences, tags, is_finished, finished_at,
	created_at, updated_at, engine_state, lease_interaction_id, lease_owner, lease_until,
	interactions, num_messages, final_message_id, final_message, completed_post_processings`

func scanConversation(row Row) (*amigo.Conversation, error) {
	var c amigo.Conversation
	var prefs, tags, post string
	var finishedAt, leaseUntil sql.NullInt64
	var leaseInteraction, leaseOwner, finalID sql.NullString
	var created, updated int64
	if err := row.Scan(&c.ID, &c.OrgID, &c.ServiceID, &c.UserID, &c.VersionSetName, &c.AgentID, &c.AgentVersion,
		&c.StateMachineID, &c.StateMachineVersion, &prefs, &tags, &c.Finished, &finishedAt,
		&created, &updated, &c.EngineState, &leaseInteraction, &leaseOwner, &leaseUntil,
		&c.Interactions, &c.NumMessages, &finalID, &c.FinalMessage, &post); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt, c.FinalMessageID = fromTS(created), fromTS(updated), finalID.String
	if finishedAt.Valid {
		t := fromTS(finishedAt.Int64)
		c.FinishedAt = &t
	}
	if leaseOwner.Valid {
		c.Lease = &amigo.Lease{InteractionID: leaseInteraction.String, Owner: leaseOwner.String, Until: fromTS(leaseUntil.Int64)}
	}
	if err := loadStored[map[string]storedLLMConfig](prefs, &c.LLMModelPreferences); err != nil {
		return nil, err
	} else if err := fromJSON(tags, &c.Tags); err != nil {
		return nil, err
	}
	return &c, fromJSON(post, &c.CompletedPostProcessings)
}

// nullTS is a nullable timestamp.
func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// CreateConversation implements amigo.ConversationStore.
func (db *ClusterStore) CreateConversation(ctx context.Context, c *amigo.Conversation, first *amigo.Interaction) error {
	if c.Lease == nil || c.Lease.InteractionID != first.ID {
		return amigo.Errorf(amigo.EINTERNAL, "a new conversation must hold its first interaction's lease")
	}
	if c.Tags == nil {
		c.Tags = map[string]*string{}
	}
	c.Interactions, c.NumMessages, c.FinalMessage, c.FinalMessageID, c.CompletedPostProcessings = 1, 0, "", "", []string{}
	first.Sequence, first.Status, first.ConversationID, first.OrgID = 1, amigo.InteractionRunning, c.ID, c.OrgID
	// The client waits on this commit for its first event. A database
	// crash may lose it: the interaction then fails at its own commit,
	// which is durable and so makes this one durable too.
	b := &Batch{Early: true}
	b.Exec(`INSERT INTO conversations (`+conversationColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, NULL, '', '[]')`,
		c.ID, c.OrgID, c.ServiceID, c.UserID, c.VersionSetName, c.AgentID, c.AgentVersion,
		c.StateMachineID, c.StateMachineVersion, stored[map[string]storedLLMConfig](nonNilMap(c.LLMModelPreferences)), jsonText(c.Tags),
		c.Finished, nullTS(c.FinishedAt), ts(c.CreatedAt), ts(c.UpdatedAt), c.EngineState,
		c.Lease.InteractionID, c.Lease.Owner, ts(c.Lease.Until), c.Interactions, c.NumMessages)
	queueConversationTags(b, c.OrgID, c.ID, c.Tags)
	b.Exec(`INSERT INTO interactions (`+interactionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)`,
		first.ID, first.OrgID, first.ConversationID, first.Sequence, string(first.Status), first.Model, ts(first.StartedAt))
	err := db.runBatch(ctx, b)
	if db.dialect.IsUniqueViolation(err) {
		return amigo.Errorf(amigo.ECONFLICT, "The user has an unfinished conversation of this service.")
	}
	return err
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// writeConversationTags replaces the conversation's rows in the tag index.
func writeConversationTags(ctx context.Context, tx *sql.Tx, orgID, id string, tags map[string]*string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_tags WHERE conversation_id = $1`, id); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if _, err := tx.ExecContext(ctx, insertConversationTag, orgID, id, k, tags[k]); err != nil {
			return err
		}
	}
	return nil
}

// queueConversationTags queues the tag index rows of a new conversation.
func queueConversationTags(b *Batch, orgID, id string, tags map[string]*string) {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		b.Exec(insertConversationTag, orgID, id, k, tags[k])
	}
}

const insertConversationTag = `INSERT INTO conversation_tags (org_id, conversation_id, key, value) VALUES ($1, $2, $3, $4)`

// ConversationBasis implements amigo.ConversationStore: one read batch
// of the service, its tags and version sets, the latest versions of its
// agent and state machine, and the user's finished conversations of it.
func (db *ClusterStore) ConversationBasis(ctx context.Context, orgID, serviceID, userID string) (*amigo.ConversationBasis, error) {
	basis := &amigo.ConversationBasis{}
	var svc *amigo.Service
	b := &Batch{}
	b.QueryRow(func(row Row) error {
		var err error
		if svc, err = scanService(row); errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}, `SELECT `+serviceColumnsAt+` FROM services WHERE org_id = $1 AND id = $2`, orgID, serviceID)
	details, args := detailsQuery([]string{serviceID}, nil)
	b.Query(func(rows Rows) error {
		if svc == nil {
			return nil
		}
		return scanDetails(rows, []*amigo.Service{svc})
	}, details, args...)
	b.Query(func(rows Rows) error {
		for rows.Next() {
			var id string
			var latest sql.NullInt64
			if err := rows.Scan(&id, &latest); err != nil {
				return err
			}
			if svc != nil && id == svc.AgentID {
				basis.AgentFound, basis.LatestAgentVersion = true, nullInt(latest)
			}
			if svc != nil && id == svc.StateMachineID {
				basis.StateMachineFound, basis.LatestStateMachineVersion = true, nullInt(latest)
			}
		}
		return rows.Err()
	}, `SELECT r.id, r.latest_version FROM services s JOIN resources r ON r.org_id = s.org_id AND r.id IN (s.agent_id, s.state_machine_id)
		WHERE s.org_id = $1 AND s.id = $2`, orgID, serviceID)
	b.QueryRow(func(row Row) error { return row.Scan(&basis.Returning) },
		`SELECT EXISTS (SELECT 1 FROM conversations WHERE org_id = $1 AND user_id = $2 AND service_id = $3 AND is_finished)`, orgID, userID, serviceID)
	if err := db.readBatch(ctx, b); err != nil {
		return nil, err
	}
	if svc == nil {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Service %s not found.", serviceID)
	}
	basis.Service = svc
	return basis, nil
}

// FindConversation implements amigo.ConversationStore.
func (db *ClusterStore) FindConversation(ctx context.Context, orgID, id string) (*amigo.Conversation, error) {
	c, err := scanConversation(db.read.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE org_id = $1 AND id = $2`, orgID, id))
	return c, notFound(err, "Conversation %s not found.", id)
}

// findConversationTx reads the conversation inside tx, locking its row
// for the rest of the transaction.
func findConversationTx(ctx context.Context, tx *sql.Tx, orgID, id string) (*amigo.Conversation, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET id = id WHERE org_id = $1 AND id = $2`, orgID, id); err != nil {
		return nil, err
	}
	c, err := scanConversation(tx.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE org_id = $1 AND id = $2`, orgID, id))
	return c, notFound(err, "Conversation %s not found.", id)
}

// ListConversations implements amigo.ConversationStore.
func (db *ClusterStore) ListConversations(ctx context.Context, orgID string, f amigo.ConversationFilter) ([]*amigo.Conversation, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.in("id", f.IDs)
	q.in("user_id", f.UserIDs)
	q.in("service_id", f.ServiceIDs)
	if f.Finished != nil {
		q.add("is_finished = ?", *f.Finished)
	}
	for _, t := range f.Tags {
		const in = "id IN (SELECT conversation_id FROM conversation_tags WHERE org_id = ? AND key = ?"
		if t.Any {
			q.add(in+")", orgID, t.Key)
		} else if t.Value == nil {
			q.add(in+" AND value IS NULL)", orgID, t.Key)
		} else {
			q.add(in+" AND value = ?)", orgID, t.Key, *t.Value)
		}
	}
	rows, err := db.read.Query(ctx, `SELECT `+conversationColumns+` FROM conversations`+q.clause()+orderBy(f.Sort, "created_at")+q.page(f.Offset, f.Limit), q.args...)
	out, err := collect(rows, err, scanConversation)
	if err != nil {
		return nil, false, err
	}
	out, more := trimPage(out, f.Limit)
	return out, more, nil
}

// BeginInteraction implements amigo.ConversationStore. It is one batch:
// the lease is taken by the one UPDATE that finds it free or expired (a
// concurrent taker finds the row changed and matches nothing), the
// statements after it act only where the conversation now holds this
// interaction's lease, and the history is read with them.
func (db *ClusterStore) BeginInteraction(ctx context.Context, i *amigo.Interaction, lease amigo.Lease, history int) (*amigo.Conversation, []*amigo.Message, error) {
	var c *amigo.Conversation
	now := ts(i.StartedAt)
	// As CreateConversation's: the lease may be lost in a database crash,
	// and the interaction with it.
	b := &Batch{Early: true}
	// RETURNING gives the conversation as it now stands, without a
	// statement to read it again.
	b.QueryRow(func(row Row) error {
		var err error
		if c, err = scanConversation(row); errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}, `UPDATE conversations SET lease_interaction_id = $1, lease_owner = $2, lease_until = $3,
		interactions = interactions + 1, updated_at = $4
		WHERE org_id = $5 AND id = $6 AND NOT is_finished AND (lease_until IS NULL OR lease_until <= $4)
		RETURNING `+conversationColumns, i.ID, lease.Owner, ts(lease.Until), now, i.OrgID, i.ConversationID)
	// An interaction still running under an expired lease never
	// finished: its server died or lost the database, and nothing it
	// produced counts. Only the lease holder's interaction runs, and it
	// is the conversation's latest: the one before this.
	b.Exec(`UPDATE interactions SET status = $1, finished_at = $2
		WHERE conversation_id = $3 AND status = $4
		AND sequence = (SELECT interactions - 1 FROM conversations WHERE id = $3 AND lease_interaction_id = $5)`,
		string(amigo.InteractionFailed), now, i.ConversationID, string(amigo.InteractionRunning), i.ID)
	// Its sequence is the count the lease's UPDATE raised; its start
	// that UPDATE's time.
	b.Exec(`INSERT INTO interactions (`+interactionColumns+`)
		SELECT $1, org_id, id, interactions, $2, $3, updated_at, NULL, NULL FROM conversations
		WHERE org_id = $4 AND id = $5 AND lease_interaction_id = $1`,
		i.ID, string(amigo.InteractionRunning), i.Model, i.OrgID, i.ConversationID)
	var msgs []*amigo.Message
	if history > 0 {
		b.Query(func(rows Rows) error {
			var err error
			msgs, err = collect(rows, nil, scanMessage)
			return err
		}, `SELECT `+messageColumns+` FROM messages WHERE org_id = $1 AND conversation_id = $2 ORDER BY position DESC LIMIT $3`,
			i.OrgID, i.ConversationID, history)
	}
	if err := db.runBatch(ctx, b); err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, conversationRefusal(ctx, db.read, i.OrgID, i.ConversationID)
	}
	i.Sequence, i.Status, i.FinishedAt = c.Interactions, amigo.InteractionRunning, nil
	return c, msgs, nil
}

// conversationRefusal says why a conversation could not be leased:
// ENOTFOUND, or ECONFLICT when it is finished or busy.
func conversationRefusal(ctx context.Context, r Reader, orgID, id string) error {
	var finished bool
	err := r.QueryRow(ctx, `SELECT is_finished FROM conversations WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&finished)
	if err != nil {
		return notFound(err, "Conversation %s not found.", id)
	} else if finished {
		return amigo.Errorf(amigo.ECONFLICT, "The conversation is already finished.")
	}
	return amigo.Errorf(amigo.ECONFLICT, "Another interaction with this conversation is in progress.")
}

// errLeaseLost is the refusal of a lease holder that no longer holds it.
func errLeaseLost() error {
	return amigo.Errorf(amigo.ECONFLICT, "The interaction lost its hold on the conversation to another one.")
}

// RenewLease implements amigo.ConversationStore.
func (db *ClusterStore) RenewLease(ctx context.Context, orgID, conversationID, interactionID, owner string, until time.Time) error {
	return db.execOne(ctx, errLeaseLost(), `UPDATE conversations SET lease_until = $1
		WHERE org_id = $2 AND id = $3 AND lease_interaction_id = $4 AND lease_owner = $5`,
		ts(until), orgID, conversationID, interactionID, owner)
}

// releaseLease clears the lease if owner holds it for interactionID,
// setting engine state when state is non-nil; errLeaseLost otherwise.
func releaseLease(ctx context.Context, tx *sql.Tx, orgID, conversationID, interactionID, owner string, at time.Time, state []byte, setState bool) error {
	set := ""
	args := []any{orgID, conversationID, interactionID, owner, ts(at)}
	if setState {
		set, args = ", engine_state = $6", append(args, state)
	}
	res, err := tx.ExecContext(ctx, `UPDATE conversations SET lease_interaction_id = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $5`+set+`
		WHERE org_id = $1 AND id = $2 AND lease_interaction_id = $3 AND lease_owner = $4`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errLeaseLost()
	}
	return nil
}

// CompleteInteraction implements amigo.ConversationStore. It is one
// batch, whose first statement finds the lease held and locks the
// conversation, and whose every other statement acts only where the lease
// is still held, until the last releases it: the conversation's UPDATE
// counts the messages and, when the conversation reached its terminal
// state, finishes it; the interaction's UPDATE marks it complete; one
// INSERT writes its messages after the conversation's so far (one per
// batchBytes of their text); one more enqueues the finished
// conversation's job.
func (db *ClusterStore) CompleteInteraction(ctx context.Context, r *amigo.InteractionResult) error {
	var final *amigo.Message
	for _, m := range r.Messages {
		m.OrgID, m.ConversationID, m.InteractionID = r.OrgID, r.ConversationID, r.InteractionID
		if m.Type != amigo.MessageInnerThought {
			final = m
		}
	}
	var finalID, finalText, finishedAt any
	if final != nil {
		finalID, finalText = final.ID, final.Content
	}
	if r.Finish != nil {
		finishedAt = ts(r.FinishedAt)
	}
	// $1 to $4 of every statement: the conversation, holding the lease.
	held := []any{r.OrgID, r.ConversationID, r.InteractionID, r.Owner}
	with := func(args ...any) []any { return append(slices.Clip(held), args...) }
	const leaseHeld = `org_id = $1 AND id = $2 AND lease_interaction_id = $3 AND lease_owner = $4`
	var userID string
	found := false
	b := &Batch{}
	b.QueryRow(func(row Row) error {
		err := row.Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	}, `UPDATE conversations SET updated_at = $5, engine_state = $6, num_messages = num_messages + $7,
		final_message_id = COALESCE($8, final_message_id), final_message = COALESCE($9, final_message),
		is_finished = (is_finished OR $10), finished_at = COALESCE($11, finished_at)
		WHERE `+leaseHeld+` RETURNING user_id`,
		with(ts(r.FinishedAt), r.EngineState, len(r.Messages), finalID, finalText, r.Finish != nil, finishedAt)...)
	b.Exec(`UPDATE interactions SET status = $5, finished_at = $6, insights = $7
		WHERE id = $3 AND EXISTS (SELECT 1 FROM conversations WHERE `+leaseHeld+`)`,
		with(string(amigo.InteractionComplete), ts(r.FinishedAt), r.Insights)...)
	for msgs := r.Messages; len(msgs) > 0; {
		n, size := 1, len(msgs[0].Content)
		for n < len(msgs) && size+len(msgs[n].Content) <= batchBytes {
			size += len(msgs[n].Content)
			n++
		}
		queueMessages(b, held, msgs[:n], len(msgs))
		msgs = msgs[n:]
	}
	if job := r.Finish; job != nil {
		b.Exec(`INSERT INTO post_conversation_jobs (id, org_id, conversation_id, user_id, kind, attempts, last_error,
			created_at, available_at, lease_owner, lease_until)
			SELECT $5, org_id, id, user_id, $6, 0, '', $7, $8, NULL, NULL FROM conversations WHERE `+leaseHeld,
			with(job.ID, job.Kind, ts(job.CreatedAt), ts(job.AvailableAt))...)
	}
	b.Exec(`UPDATE conversations SET lease_interaction_id = NULL, lease_owner = NULL, lease_until = NULL WHERE `+leaseHeld, held...)
	if err := db.runBatch(ctx, b); err != nil {
		return err
	} else if !found {
		return errLeaseLost()
	}
	if job := r.Finish; job != nil {
		job.OrgID, job.ConversationID, job.UserID = r.OrgID, r.ConversationID, userID
	}
	return nil
}

// queueMessages queues one INSERT of msgs, the first of the last left
// messages of an interaction, written only if the lease that held names
// ($1 to $4) is still held. The conversation's count already includes the
// interaction's messages: a message's position is the count less the
// messages from it to the interaction's last.
func queueMessages(b *Batch, held []any, msgs []*amigo.Message, left int) {
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (id, org_id, conversation_id, interaction_id, interaction_sequence, position,
		sender, message_type, content, format, created_at)
		SELECT v.column1, c.org_id, c.id, i.id, i.sequence, c.num_messages - v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
		FROM (VALUES `)
	args := slices.Clip(held)
	for k, m := range msgs {
		if k > 0 {
			q.WriteString(", ")
		}
		// Typed where the column is not text: a VALUES list in FROM
		// takes no type from the table.
		fmt.Fprintf(&q, "($%d, CAST($%d AS INTEGER), $%d, $%d, $%d, $%d, CAST($%d AS BIGINT))",
			len(args)+1, len(args)+2, len(args)+3, len(args)+4, len(args)+5, len(args)+6, len(args)+7)
		args = append(args, m.ID, left-k, m.Sender, string(m.Type), m.Content, m.Format, ts(m.CreatedAt))
	}
	q.WriteString(`) AS v
		JOIN conversations c ON c.org_id = $1 AND c.id = $2 AND c.lease_interaction_id = $3 AND c.lease_owner = $4
		JOIN interactions i ON i.id = c.lease_interaction_id`)
	b.Exec(q.String(), args...)
}

// insertJob enqueues a post-conversation job, unclaimed.
func insertJob(ctx context.Context, tx *sql.Tx, job *amigo.PostConversationJob) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO post_conversation_jobs (id, org_id, conversation_id, user_id, kind, attempts, last_error,
		created_at, available_at, lease_owner, lease_until) VALUES ($1, $2, $3, $4, $5, 0, '', $6, $7, NULL, NULL)`,
		job.ID, job.OrgID, job.ConversationID, job.UserID, job.Kind, ts(job.CreatedAt), ts(job.AvailableAt))
	return err
}

// FailInteraction implements amigo.ConversationStore.
func (db *ClusterStore) FailInteraction(ctx context.Context, orgID, conversationID, interactionID, owner string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := releaseLease(ctx, tx, orgID, conversationID, interactionID, owner, at, nil, false); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE interactions SET status = $1, finished_at = $2 WHERE id = $3 AND status = $4`,
			string(amigo.InteractionFailed), ts(at), interactionID, string(amigo.InteractionRunning))
		return err
	})
}

const interactionColumns = `id, org_id, conversation_id, sequence, status, model, started_at, finished_at, insights`

func scanInteraction(row Row) (*amigo.Interaction, error) {
	var i amigo.Interaction
	var status string
	var started int64
	var finished sql.NullInt64
	if err := row.Scan(&i.ID, &i.OrgID, &i.ConversationID, &i.Sequence, &status, &i.Model, &started, &finished, &i.Insights); err != nil {
		return nil, err
	}
	i.Status, i.StartedAt = amigo.InteractionStatus(status), fromTS(started)
	if finished.Valid {
		t := fromTS(finished.Int64)
		i.FinishedAt = &t
	}
	return &i, nil
}

// FindInteraction implements amigo.ConversationStore.
func (db *ClusterStore) FindInteraction(ctx context.Context, orgID, conversationID, id string) (*amigo.Interaction, error) {
	i, err := scanInteraction(db.read.QueryRow(ctx, `SELECT `+interactionColumns+` FROM interactions
		WHERE org_id = $1 AND conversation_id = $2 AND id = $3`, orgID, conversationID, id))
	return i, notFound(err, "Interaction %s not found.", id)
}

// LastInteraction implements amigo.ConversationStore.
func (db *ClusterStore) LastInteraction(ctx context.Context, orgID, conversationID string) (*amigo.Interaction, error) {
	i, err := scanInteraction(db.read.QueryRow(ctx, `SELECT `+interactionColumns+` FROM interactions
		WHERE org_id = $1 AND conversation_id = $2 ORDER BY sequence DESC LIMIT 1`, orgID, conversationID))
	return i, notFound(err, "Conversation %s has no interaction.", conversationID)
}

const messageColumns = `id, org_id, conversation_id, interaction_id, sender, message_type, content, format, created_at`

func scanMessage(row Row) (*amigo.Message, error) {
	var m amigo.Message
	var typ string
	var created int64
	if err := row.Scan(&m.ID, &m.OrgID, &m.ConversationID, &m.InteractionID, &m.Sender, &typ, &m.Content, &m.Format, &created); err != nil {
		return nil, err
	}
	m.Type, m.CreatedAt = amigo.MessageType(typ), fromTS(created)
	return &m, nil
}

// ListMessages implements amigo.ConversationStore.
func (db *ClusterStore) ListMessages(ctx context.Context, orgID, conversationID string, f amigo.MessageFilter) ([]*amigo.Message, bool, error) {
	var q query
	q.add("org_id = ?", orgID)
	q.add("conversation_id = ?", conversationID)
	q.in("id", f.IDs)
	q.in("interaction_id", f.InteractionIDs)
	types := make([]string, len(f.Types))
	for i, t := range f.Types {
		types[i] = string(t)
	}
	q.in("message_type", types)
	order := " ORDER BY position DESC"
	if len(f.Sort) > 0 {
		order = " ORDER BY "
		for _, s := range f.Sort {
			col := "created_at"
			if s.Field == "interaction" {
				col = "interaction_sequence"
			}
			order += col + direction(s.Desc) + ", "
		}
		order += "position" + direction(f.Sort[len(f.Sort)-1].Desc)
	}
	rows, err := db.read.Query(ctx, `SELECT `+messageColumns+` FROM messages`+q.clause()+order+q.page(f.Offset, f.Limit), q.args...)
	out, err := collect(rows, err, scanMessage)
	if err != nil {
		return nil, false, err
	}
	out, more := trimPage(out, f.Limit)
	return out, more, nil
}

func direction(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

// FindMessage implements amigo.ConversationStore.
func (db *ClusterStore) FindMessage(ctx context.Context, orgID, conversationID, id string) (*amigo.Message, error) {
	m, err := scanMessage(db.read.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE org_id = $1 AND conversation_id = $2 AND id = $3`, orgID, conversationID, id))
	return m, notFound(err, "Message %s not found.", id)
}

// FinishConversation implements amigo.ConversationStore.
func (db *ClusterStore) FinishConversation(ctx context.Context, orgID, id string, at time.Time, check amigo.FinishCheck, job *amigo.PostConversationJob) (bool, error) {
	deleted := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := findConversationTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := check(c); err != nil {
			return err
		}
		if c.NumMessages == 0 {
			deleted = true
			_, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE org_id = $1 AND id = $2`, orgID, id)
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET is_finished = $1, finished_at = $2, updated_at = $2,
			lease_interaction_id = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $3`, true, ts(at), id); err != nil {
			return err
		}
		if job == nil {
			return nil
		}
		job.OrgID, job.ConversationID, job.UserID = orgID, id, c.UserID
		return insertJob(ctx, tx, job)
	})
	return deleted, err
}

// UpdateConversationTags implements amigo.ConversationStore.
func (db *ClusterStore) UpdateConversationTags(ctx context.Context, orgID, id string, at time.Time, apply func(map[string]*string) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := findConversationTx(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if err := apply(c.Tags); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET tags = $1, updated_at = $2 WHERE id = $3`, jsonText(c.Tags), ts(at), id); err != nil {
			return err
		}
		return writeConversationTags(ctx, tx, orgID, id, c.Tags)
	})
}
