package core

import (
	"context"
	"fmt"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Steps of a move, in order; MoveOptions.AfterStep sees each name.
const (
	MoveStepMaintenance = "maintenance" // maintenance on, state moving
	MoveStepSettled     = "settled"     // every server has seen the maintenance
	MoveStepCopied      = "copied"      // the target holds a copy
	MoveStepVerified    = "verified"    // counts and checksums agree
	MoveStepSwitched    = "switched"    // the directory points at the target
	MoveStepErased      = "erased"      // the old copy is gone
	MoveStepDone        = "done"        // state active, maintenance off
)

// MoveOptions tune MoveOrganization.
type MoveOptions struct {
	// Settle is how long to wait after switching maintenance on before
	// copying, so that servers caching the old placement stop writing: at
	// least the largest directory cache TTL of the region's servers.
	Settle time.Duration
	// AfterStep, if set, runs after each step; an error stops the move
	// there, as a crash would. Tests inject failures with it.
	AfterStep func(step string) error
	// Progress, if set, is told each step as it completes.
	Progress func(step string)
}

// MoveOrganization moves orgID's data to cluster to of this region. The
// move is a state machine recorded in the directory, so running it again
// after an interruption at any point finishes it:
//
//	active ─▶ moving (maintenance on; copy, verify) ─▶ moved (switched; erase old copy) ─▶ active
//
// The copy replaces whatever the target held for the organization, so a
// repeated copy never duplicates a row. The directory switches only after
// the target's row counts and checksums equal the source's; the old copy
// is erased only after the switch. Naming the organization's current
// cluster while it is still in state moving cancels the move: the target's
// copy is erased and maintenance ends.
func (a *App) MoveOrganization(ctx context.Context, orgID, to string, opt MoveOptions) error {
	dir, ok := a.Directory.(amigo.OperatorDirectory)
	if !ok {
		return fmt.Errorf("move: the directory does not support moves")
	}
	m := &move{App: a, dir: dir, orgID: orgID, to: to, opt: opt}
	p, err := m.placement(ctx)
	if err != nil {
		return err
	}
	switch p.State {
	case amigo.OrgActive:
		if p.Cluster == to {
			return m.step(MoveStepDone) // nothing left to do: a finished move run again
		}
		// Both clusters must be open before anything changes.
		for _, c := range []string{p.Cluster, to} {
			if _, err := m.store(c); err != nil {
				return err
			}
		}
		if err := m.begin(ctx); err != nil {
			return err
		}
		return m.copyPhase(ctx, p.Cluster)
	case amigo.OrgMoving:
		if to == p.Cluster {
			return m.cancel(ctx, p.MoveTarget)
		} else if to != p.MoveTarget {
			return amigo.Errorf(amigo.ECONFLICT, "Organization %s is being moved to cluster %s; finish that move first (or cancel it by naming cluster %s).", orgID, p.MoveTarget, p.Cluster)
		}
		return m.copyPhase(ctx, p.Cluster)
	case amigo.OrgMoved:
		if to != p.Cluster {
			return amigo.Errorf(amigo.ECONFLICT, "Organization %s has been switched to cluster %s; finish that move first.", orgID, p.Cluster)
		}
		return m.finish(ctx, p.MoveTarget)
	default:
		return amigo.Errorf(amigo.ECONFLICT, "Organization %s is %s and cannot be moved.", orgID, p.State)
	}
}

// move is one run of MoveOrganization.
type move struct {
	*App
	dir   amigo.OperatorDirectory
	orgID string
	to    string
	opt   MoveOptions
}

// placement looks the organization up, bypassing the cache.
func (m *move) placement(ctx context.Context) (*amigo.Placement, error) {
	p, err := m.dir.Lookup(ctx, m.orgID)
	if err != nil {
		return nil, err
	}
	if p.Region != m.Region {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Organization %s lives in region %s, not %s.", m.orgID, p.Region, m.Region)
	}
	return p, nil
}

// store returns the movable store of a configured, reachable cluster.
func (m *move) store(cluster string) (amigo.MovableStore, error) {
	s, ok := m.Clusters[cluster]
	if !ok {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "Cluster %s is not configured in region %s, or could not be opened.", cluster, m.Region)
	}
	ms, ok := s.(amigo.MovableStore)
	if !ok {
		return nil, fmt.Errorf("move: cluster %s cannot move organizations", cluster)
	}
	return ms, nil
}

// step reports a completed step and gives the test hook its chance to stop.
func (m *move) step(name string) error {
	if m.opt.Progress != nil {
		m.opt.Progress(name)
	}
	if m.opt.AfterStep != nil {
		return m.opt.AfterStep(name)
	}
	return nil
}

// begin puts the organization into maintenance, then into state moving.
func (m *move) begin(ctx context.Context) error {
	if err := m.dir.SetOrgMaintenance(ctx, m.orgID, true); err != nil {
		return err
	}
	if err := m.dir.SetState(ctx, m.orgID, amigo.OrgMoving, m.to); err != nil {
		return err
	}
	m.placements.forget(m.orgID)
	return m.step(MoveStepMaintenance)
}

// copyPhase copies from the source, verifies, and switches the directory.
// If the source or the target cannot be reached it fails here and the
// directory keeps pointing at the source.
func (m *move) copyPhase(ctx context.Context, from string) error {
	// A run resumed after an operator lifted maintenance must restore it
	// before copying, or writes could slip past the copy.
	if err := m.dir.SetOrgMaintenance(ctx, m.orgID, true); err != nil {
		return err
	}
	m.placements.forget(m.orgID)
	src, err := m.store(from)
	if err != nil {
		return err
	}
	dst, err := m.store(m.to)
	if err != nil {
		return err
	}
	select {
	case <-time.After(m.opt.Settle):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := m.step(MoveStepSettled); err != nil {
		return err
	}
	if err := dst.ReplaceOrganization(ctx, m.orgID, src); err != nil {
		return fmt.Errorf("copy %s from cluster %s to %s: %w", m.orgID, from, m.to, err)
	}
	if err := m.step(MoveStepCopied); err != nil {
		return err
	}
	if err := verifyCopy(ctx, src, dst, m.orgID); err != nil {
		return fmt.Errorf("verify the copy of %s on cluster %s: %w", m.orgID, m.to, err)
	}
	if err := m.step(MoveStepVerified); err != nil {
		return err
	}
	if err := m.dir.SwitchCluster(ctx, m.orgID, from, m.to); err != nil {
		return err
	}
	m.placements.forget(m.orgID)
	if err := m.step(MoveStepSwitched); err != nil {
		return err
	}
	return m.finish(ctx, from)
}

// verifyCopy compares the row counts and checksums of every tenant table.
func verifyCopy(ctx context.Context, src, dst amigo.MovableStore, orgID string) error {
	want, err := src.OrganizationChecksums(ctx, orgID)
	if err != nil {
		return err
	}
	got, err := dst.OrganizationChecksums(ctx, orgID)
	if err != nil {
		return err
	}
	if want[0].Rows == 0 {
		return fmt.Errorf("the source holds no organization row")
	}
	return amigo.CompareChecksums(want, got)
}

// finish erases the old copy, then ends maintenance, then marks the
// organization active. If the old cluster cannot be reached the
// organization stays in maintenance until a run can erase it.
func (m *move) finish(ctx context.Context, old string) error {
	src, err := m.store(old)
	if err != nil {
		return err
	}
	if err := src.EraseOrganizationRows(ctx, m.orgID); err != nil {
		return fmt.Errorf("erase the old copy of %s on cluster %s: %w", m.orgID, old, err)
	}
	if err := m.step(MoveStepErased); err != nil {
		return err
	}
	// The move changes the directory, not the cluster, so its record is
	// written on its own, on the cluster that now holds the log.
	if err := m.recordOperator(ctx, m.orgID, m.to, "move-org", "Moved the organization from cluster "+old+" to "+m.to,
		&placementDoc{Cluster: old}, &placementDoc{Cluster: m.to}); err != nil {
		return err
	}
	return m.end(ctx)
}

// cancel abandons a move that has not switched yet: the target's copy, if
// any, is erased and the organization is served from its cluster again.
func (m *move) cancel(ctx context.Context, target string) error {
	dst, err := m.store(target)
	if err != nil {
		return err
	}
	if err := dst.EraseOrganizationRows(ctx, m.orgID); err != nil {
		return fmt.Errorf("erase the partial copy of %s on cluster %s: %w", m.orgID, target, err)
	}
	return m.end(ctx)
}

// end lifts maintenance before marking the placement active, so that a
// run interrupted between the two still recognises an unfinished move.
func (m *move) end(ctx context.Context) error {
	if err := m.dir.SetOrgMaintenance(ctx, m.orgID, false); err != nil {
		return err
	}
	if err := m.dir.SetState(ctx, m.orgID, amigo.OrgActive, ""); err != nil {
		return err
	}
	m.placements.forget(m.orgID)
	return m.step(MoveStepDone)
}
