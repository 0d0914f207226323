package core

import (
	"context"
	"fmt"

	"github.com/amigo-oss/amigo-server"
)

// setWrite is one write of a version set: the next revision of Name.
type setWrite struct {
	serviceID, name string
	// ifMatch, when set, must be the set's current revision.
	ifMatch *int
	// revisionOp and changeOp name the write in the revision history and
	// in the change log.
	revisionOp, changeOp string
	// reads names the other sets content reads: the service is read
	// with these and name only, so a write costs in proportion to them.
	reads []string
	// content returns the new content from the service and its pinned
	// resources, read and locked inside the transaction.
	content func(s *amigo.Service, p amigo.Pinned) (amigo.VersionSet, string, error)
}

// writeVersionSet stores the content of w as the next revision of the set,
// with its revision and change records, in one transaction, and returns
// the new revision number.
func (a *App) writeVersionSet(ctx context.Context, t *Tenant, w setWrite) (int, error) {
	caller := amigo.CallerFromContext(ctx)
	ctx, j := journal(ctx)
	var revision int
	sets := append([]string{w.name}, w.reads...)
	_, err := t.Store.UpdateVersionSets(ctx, t.Placement.OrgID, w.serviceID, sets, func(s *amigo.Service, pin amigo.PinFunc) error {
		before, exists := s.VersionSets[w.name]
		perm := amigo.PermCreateVersionSet
		if exists {
			perm = amigo.PermUpdateVersionSet
		}
		if err := caller.Require(perm, versionSetAttrs(s, w.name)); err != nil {
			return err
		}
		if err := checkIfMatch(w.name, exists, s.Revisions[w.name], w.ifMatch); err != nil {
			return err
		}
		p, err := pin(s.AgentID, s.StateMachineID)
		if err != nil {
			return err
		}
		vs, summary, err := w.content(s, p)
		if err != nil {
			return err
		}
		if err := checkPinnedVersions(w.name, vs, p); err != nil {
			return err
		}
		now := a.Now()
		s.VersionSets[w.name] = vs
		s.UpdatedByOrgID, s.UpdatedByUserID, s.UpdatedAt = caller.OrgID, caller.UserID, now
		revision = s.Revisions[w.name] + 1
		var beforeDoc *amigo.VersionSet
		if exists {
			beforeDoc = &before
		}
		j.RecordRevision(&amigo.VersionSetRevision{
			OrgID: s.OrgID, ServiceID: s.ID, Name: w.name, Revision: revision, Time: now,
			Actor: amigo.ActorOf(caller), Operation: w.revisionOp, Set: &vs,
		})
		return a.record(ctx, j, change{
			orgID: s.OrgID, operation: w.changeOp, resourceType: resVersionSet, resourceID: s.ID + "/" + w.name,
			summary: fmt.Sprintf("%s (revision %d)", summary, revision), before: beforeDoc, after: &vs,
		})
	})
	return revision, err
}

// checkIfMatch refuses a write whose If-Match is not the set's current
// revision; a set that does not exist matches no revision.
func checkIfMatch(name string, exists bool, current int, ifMatch *int) error {
	switch {
	case ifMatch == nil:
		return nil
	case !exists:
		return amigo.Errorf(amigo.EPRECONDITION, "Version set %s does not exist, so it has no revision %d.", name, *ifMatch)
	case *ifMatch != current:
		return amigo.Errorf(amigo.EPRECONDITION, "Version set %s is at revision %d, not %d; read it again before changing it.", name, current, *ifMatch)
	}
	return nil
}

// checkWritable refuses edge, which is never written.
func checkWritable(name string) error {
	if name == amigo.VersionSetEdge {
		return amigo.Errorf(amigo.EBADREQUEST, "The edge version set always uses the latest versions and cannot be written.")
	}
	return nil
}

// PromoteVersionSet copies the version set from into name (a name api
// has validated) as a new
// revision, in one transaction. Promoting from edge pins the versions edge
// resolves to at that instant, since edge itself means "the latest".
func (a *App) PromoteVersionSet(ctx context.Context, t *Tenant, serviceID, name, from string, ifMatch *int) (int, error) {
	if err := checkWritable(name); err != nil {
		return 0, err
	}
	return a.writeVersionSet(ctx, t, setWrite{
		serviceID: serviceID, name: name, ifMatch: ifMatch, revisionOp: amigo.RevisionPromote, changeOp: "promote-service-version-set",
		reads: []string{from},
		content: func(s *amigo.Service, p amigo.Pinned) (amigo.VersionSet, string, error) {
			if err := amigo.CallerFromContext(ctx).Require(amigo.PermGetService, versionSetAttrs(s, from)); err != nil {
				return amigo.VersionSet{}, "", err
			}
			src, ok := s.VersionSets[from]
			if !ok {
				return amigo.VersionSet{}, "", amigo.Errorf(amigo.ENOTFOUND, "Version set %s not found.", from)
			}
			if from == amigo.VersionSetEdge {
				if err := checkUsable(p); err != nil {
					return amigo.VersionSet{}, "", err
				}
				src = edgeVersionSet()
				agentV, smV := *p.Agent.LatestVersion, *p.StateMachine.LatestVersion
				src.AgentVersion, src.StateMachineVersion = &agentV, &smV
			}
			return normalized(src), fmt.Sprintf("Promoted version set %s to %s", from, name), nil
		},
	})
}

// RollbackVersionSet restores the content of an earlier revision of name
// as its next revision; history is never rewritten. The revision's agent
// and state machine versions must still be usable.
func (a *App) RollbackVersionSet(ctx context.Context, t *Tenant, serviceID, name string, toRevision int, ifMatch *int) (int, error) {
	if err := checkWritable(name); err != nil {
		return 0, err
	}
	if toRevision < 1 {
		return 0, amigo.Invalid(amigo.FieldError{Loc: []any{"to_revision"}, Type: "greater_than", Msg: "Input should be greater than 0"})
	}
	return a.writeVersionSet(ctx, t, setWrite{
		serviceID: serviceID, name: name, ifMatch: ifMatch, revisionOp: amigo.RevisionRollback, changeOp: "rollback-service-version-set",
		content: func(s *amigo.Service, p amigo.Pinned) (amigo.VersionSet, string, error) {
			rev, err := t.Store.FindVersionSetRevision(ctx, s.OrgID, s.ID, name, toRevision)
			if err != nil {
				return amigo.VersionSet{}, "", err
			}
			if rev.Set == nil {
				return amigo.VersionSet{}, "", amigo.Errorf(amigo.EBADREQUEST, "Revision %d of version set %s is its deletion; roll back to a revision with content.", toRevision, name)
			}
			if rev.Set.AgentVersion != nil && p.Agent.Deprecated {
				return amigo.VersionSet{}, "", amigo.Errorf(amigo.EBADREQUEST, "Revision %d pins agent %s version %d, but the agent is deprecated.", toRevision, p.Agent.ID, *rev.Set.AgentVersion)
			}
			if rev.Set.StateMachineVersion != nil && p.StateMachine.Deprecated {
				return amigo.VersionSet{}, "", amigo.Errorf(amigo.EBADREQUEST, "Revision %d pins state machine %s version %d, but the state machine is deprecated.", toRevision, p.StateMachine.ID, *rev.Set.StateMachineVersion)
			}
			return normalized(*rev.Set), fmt.Sprintf("Rolled version set %s back to revision %d", name, toRevision), nil
		},
	})
}

// ListVersionSetRevisions returns one page of a version set's revisions,
// newest first, for a caller who may get the service.
func (a *App) ListVersionSetRevisions(ctx context.Context, t *Tenant, serviceID, name string, offset, limit int) ([]*amigo.VersionSetRevision, bool, error) {
	s, err := t.Store.FindService(ctx, t.Placement.OrgID, serviceID)
	if err != nil {
		return nil, false, err
	}
	if err := amigo.CallerFromContext(ctx).Require(amigo.PermGetService, versionSetAttrs(s, name)); err != nil {
		return nil, false, err
	}
	revs, more, err := t.Store.ListVersionSetRevisions(ctx, t.Placement.OrgID, serviceID, name, offset, limit)
	if err == nil && offset == 0 && len(revs) == 0 {
		err = amigo.Errorf(amigo.ENOTFOUND, "Version set %s not found.", name)
	}
	return revs, more, err
}
