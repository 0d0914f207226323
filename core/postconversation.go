package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// UserModelInput is what a user-model update reads: a finished
// conversation, the agent and state machine versions it was pinned to
// (each nil if deleted since), its messages (every type, oldest first),
// the user and the user's model so far (nil before the first).
type UserModelInput struct {
	// Organization holds the user dimensions the model is asked along.
	Organization *amigo.Organization
	Conversation *amigo.Conversation
	Agent        *amigo.AgentVersion
	StateMachine *amigo.StateMachineVersion
	Messages     []*amigo.Message
	User         *amigo.User
	Previous     *amigo.UserModel
}

// UserModelFunc computes a user's models from a finished conversation. The
// conversation engine's Model provides it; an error leaves the job to be
// retried.
type UserModelFunc func(ctx context.Context, in UserModelInput) ([]amigo.UserModelEntry, error)

// PostConversationRunner claims the post-conversation jobs of every
// cluster and runs them: for PostUserModels, it calls UserModel and
// stores the result as the user's model. Jobs are rows claimed with a
// lease, so a job enqueued before a restart runs after it, a runner that
// dies mid-job leaves it to another once the lease expires, and no two
// runners hold one job at once. Every replica may run one.
type PostConversationRunner struct {
	Clusters  map[string]amigo.ClusterStore
	UserModel UserModelFunc
	Now       amigo.Clock
	Logger    *slog.Logger
	// Owner identifies this runner in the jobs' claims; unique per process.
	Owner string
	// Lease is how long a claim lasts (default 2 minutes): a job whose
	// runner died runs again after it.
	Lease time.Duration
	// Poll is how often the runner looks for due jobs (default 1 s).
	Poll time.Duration
}

// NewPostConversationRunner returns a runner for the clusters with the
// defaults above.
func NewPostConversationRunner(clusters map[string]amigo.ClusterStore, userModel UserModelFunc, now amigo.Clock, logger *slog.Logger) *PostConversationRunner {
	return &PostConversationRunner{Clusters: clusters, UserModel: userModel, Now: now, Logger: logger,
		Owner: amigo.NewUUID(), Lease: 2 * time.Minute, Poll: time.Second}
}

// Run runs due jobs until ctx is done.
func (r *PostConversationRunner) Run(ctx context.Context) {
	tick := time.NewTicker(r.Poll)
	defer tick.Stop()
	for {
		r.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunDue runs every job due now on every cluster and returns how many
// completed. A cluster that fails is logged and skipped until next time.
func (r *PostConversationRunner) RunDue(ctx context.Context) int {
	done := 0
	for name, c := range r.Clusters {
		for ctx.Err() == nil {
			now := r.Now()
			job, err := c.ClaimPostConversationJob(ctx, r.Owner, now, now.Add(r.Lease))
			if amigo.ErrorCode(err) == amigo.ENOTFOUND {
				break
			} else if err != nil {
				r.Logger.ErrorContext(ctx, "claiming a post-conversation job failed", "cluster", name, "error", err)
				break
			}
			if err := r.run(ctx, c, job); err != nil {
				r.retry(ctx, c, job, err)
				continue
			}
			if err := c.CompletePostConversationJob(ctx, job, r.Owner); err != nil {
				r.Logger.WarnContext(ctx, "completing a post-conversation job failed", "job", job.ID, "error", err)
				continue
			}
			done++
		}
	}
	return done
}

// retry releases a failed job for a later attempt, after a backoff that
// doubles with each attempt up to about 17 minutes: a job is never
// dropped, since the model it waits for may come back.
func (r *PostConversationRunner) retry(ctx context.Context, c amigo.ClusterStore, job *amigo.PostConversationJob, cause error) {
	log := r.Logger.With("job", job.ID, "org", job.OrgID, "conversation", job.ConversationID, "attempt", job.Attempts, "error", cause)
	log.WarnContext(ctx, "post-conversation job failed; will retry")
	backoff := time.Duration(1<<min(job.Attempts, 10)) * time.Second
	backoff += time.Duration(rand.Int64N(int64(backoff)/2 + 1))
	if err := c.RetryPostConversationJob(ctx, job, r.Owner, r.Now().Add(backoff), cause.Error()); err != nil {
		log.WarnContext(ctx, "releasing a post-conversation job failed", "release_error", err)
	}
}

// run does one job's work.
func (r *PostConversationRunner) run(ctx context.Context, c amigo.ClusterStore, job *amigo.PostConversationJob) error {
	if job.Kind != amigo.PostUserModels {
		return fmt.Errorf("unknown post-conversation job kind %q", job.Kind)
	}
	if r.UserModel == nil {
		return errors.New("no user-model function is configured")
	}
	ctx, cancel := context.WithTimeout(ctx, r.Lease)
	defer cancel()
	conv, err := c.FindConversation(ctx, job.OrgID, job.ConversationID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil // deleted since, with its organization or by a move
	} else if err != nil {
		return err
	}
	in := UserModelInput{Conversation: conv}
	if in.Organization, err = c.FindOrganization(ctx, job.OrgID); amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil // deleted since, or moved
	} else if err != nil {
		return err
	}
	if in.Agent, in.StateMachine, err = pinnedForJob(ctx, c, conv); err != nil {
		return err
	}
	for offset := 0; ; {
		page, more, err := c.ListMessages(ctx, job.OrgID, conv.ID, amigo.MessageFilter{
			Sort: []amigo.SortField{{Field: "created_at"}}, Offset: offset, Limit: 500})
		if err != nil {
			return err
		}
		in.Messages, offset = append(in.Messages, page...), offset+len(page)
		if !more {
			break
		}
	}
	if in.User, err = c.FindUser(ctx, job.OrgID, job.UserID); amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil // the user is gone, and their model with them
	} else if err != nil {
		return err
	}
	if in.Previous, err = c.FindUserModel(ctx, job.OrgID, job.UserID); amigo.ErrorCode(err) == amigo.ENOTFOUND {
		in.Previous = nil
	} else if err != nil {
		return err
	}
	models, err := r.UserModel(ctx, in)
	if err != nil {
		return err
	}
	return c.PutUserModel(ctx, &amigo.UserModel{OrgID: job.OrgID, UserID: job.UserID, Models: models, UpdatedAt: r.Now()})
}

// pinnedForJob loads the agent and state machine versions a conversation
// ran on; a version gone since (its agent or machine deleted) is nil.
func pinnedForJob(ctx context.Context, c amigo.ClusterStore, conv *amigo.Conversation) (*amigo.AgentVersion, *amigo.StateMachineVersion, error) {
	var av *amigo.AgentVersion
	var mv *amigo.StateMachineVersion
	if conv.AgentID != "" {
		avs, _, err := c.ListAgentVersions(ctx, conv.OrgID, conv.AgentID, amigo.VersionFilter{From: conv.AgentVersion, To: conv.AgentVersion, Limit: 1})
		if err != nil && amigo.ErrorCode(err) != amigo.ENOTFOUND {
			return nil, nil, err
		} else if len(avs) == 1 {
			av = avs[0]
		}
	}
	if conv.StateMachineID != "" {
		mvs, _, err := c.ListStateMachineVersions(ctx, conv.OrgID, conv.StateMachineID, amigo.VersionFilter{From: conv.StateMachineVersion, To: conv.StateMachineVersion, Limit: 1})
		if err != nil && amigo.ErrorCode(err) != amigo.ENOTFOUND {
			return nil, nil, err
		} else if len(mvs) == 1 {
			mv = mvs[0]
		}
	}
	return av, mv, nil
}
