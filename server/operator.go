package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
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
	rt, err := openDatabases(ctx, cfg, logger, amigo.SystemClock, withClusters, true)
	if err != nil {
		return nil, err
	}
	rt.App = core.NewApp(core.Config{
		Region: cfg.Region, BaseURL: cfg.BaseURL, Directory: rt.Directory, Clusters: rt.stores(), DefaultCluster: cfg.DefaultCluster,
		Logger: logger, DirectoryCacheTTL: cfg.DirectoryCacheTTL, Document: wire.Document,
	})
	return rt, nil
}
