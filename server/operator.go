package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/sqldb"
)

// clusterOpenTimeout bounds how long an operator command waits for a
// cluster that does not answer.
const clusterOpenTimeout = 15 * time.Second

// OpenOperator assembles what an operator command needs: the directory
// and, when withClusters is set, the region's clusters. Unlike Open it
// neither loads signing keys nor builds the HTTP API, and a cluster that
// cannot be opened is logged and left out rather than fatal, so that
// work on the other clusters can proceed; core reports the missing cluster
// if the command needs it.
func OpenOperator(ctx context.Context, cfg Config, logger *slog.Logger, withClusters bool) (*Runtime, error) {
	rt := &Runtime{Config: cfg, Logger: logger, Clusters: map[string]*sqldb.DB{}}
	dir, err := OpenDB(ctx, cfg.DirectoryURL, true)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	rt.Directory = dir
	stores := map[string]core.Store{}
	if withClusters {
		for name, url := range cfg.Clusters {
			openCtx, cancel := context.WithTimeout(ctx, clusterOpenTimeout)
			db, err := OpenDB(openCtx, url, false)
			cancel()
			if err != nil {
				logger.Warn("cluster unavailable", "cluster", name, "err", err)
				continue
			}
			rt.Clusters[name], stores[name] = db, db
		}
	}
	rt.App = core.NewApp(core.Config{
		Region: cfg.Region, BaseURL: cfg.BaseURL, Directory: dir, Clusters: stores, DefaultCluster: cfg.DefaultCluster,
		Logger: logger, DirectoryCacheTTL: cfg.DirectoryCacheTTL,
	})
	return rt, nil
}
