package server

import (
	"context"
	"time"
)

// pruneChangeLog erases, on every cluster, the change log records older
// than the retention, now and then every interval until ctx is done. Every
// replica prunes; the deletes are idempotent, so they need no election.
func (rt *Runtime) pruneChangeLog(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		rt.PruneChangeLog(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// PruneChangeLog erases the change log records older than the configured
// retention on every cluster; a cluster that fails is logged and skipped.
func (rt *Runtime) PruneChangeLog(ctx context.Context) {
	if rt.Config.ChangeLogRetention <= 0 {
		return
	}
	before := rt.App.Now().Add(-rt.Config.ChangeLogRetention)
	for name, c := range rt.Clusters {
		n, err := c.PruneChanges(ctx, before)
		if err != nil {
			rt.Logger.ErrorContext(ctx, "pruning the change log failed", "cluster", name, "error", err)
			continue
		}
		if n > 0 {
			rt.Logger.InfoContext(ctx, "pruned the change log", "cluster", name, "records", n, "older_than", before)
		}
	}
}
