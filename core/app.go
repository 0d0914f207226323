// Package core holds the business rules of amigo-server: validation beyond
// decoding, permission checks, and the orchestration of the directory and the
// cluster stores. Handlers in package api call it; it calls the storage
// interfaces of package amigo. It knows nothing of HTTP.
package core

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/token"
)

// App is one region's view of the system: its clusters, the directory, and
// the keys it signs tokens with.
type App struct {
	Region         string
	BaseURL        string
	Directory      amigo.Directory
	Clusters       map[string]amigo.ClusterStore
	DefaultCluster string
	Keys           *token.KeySet
	Logger         *slog.Logger
	// Voices is the catalogue of voice ids agents may use; empty accepts any.
	Voices VoiceCatalog
	// Now is the clock; tests replace it.
	Now amigo.Clock
	// Document returns a domain document in the shape API users see, so
	// that the JSON Patches of the change log and of version diffs use the
	// API's field names (core may not import package api/wire, which
	// provides it).
	Document func(any) any

	placements *placementCache
	auth       *authCaches
	platform   atomic.Value // string: the platform organization, once known
}

// Config collects what NewApp needs.
type Config struct {
	Region         string
	BaseURL        string
	Directory      amigo.Directory
	Clusters       map[string]amigo.ClusterStore
	DefaultCluster string
	Keys           *token.KeySet
	Logger         *slog.Logger
	Voices         VoiceCatalog
	// DirectoryCacheTTL bounds how stale this server's view of the
	// directory, and of the callers behind tokens, may be for changes made
	// by other servers or operator commands.
	DirectoryCacheTTL time.Duration
	Now               amigo.Clock
	// Document is App.Document; required.
	Document func(any) any
}

// NewApp returns an App for cfg.
func NewApp(cfg Config) *App {
	now := cfg.Now
	if now == nil {
		now = amigo.SystemClock
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Document == nil {
		panic("core: Config.Document is required")
	}
	a := &App{
		Region: cfg.Region, BaseURL: cfg.BaseURL, Directory: cfg.Directory, Clusters: cfg.Clusters,
		DefaultCluster: cfg.DefaultCluster, Keys: cfg.Keys, Logger: logger, Voices: cfg.Voices, Now: now, Document: cfg.Document,
		placements: newPlacementCache(cfg.Directory, cfg.DirectoryCacheTTL, now),
	}
	a.auth = newAuthCaches(cfg.DirectoryCacheTTL, func() time.Time { return a.Now() })
	return a
}

// Tenant is an organization resolved to the cluster that holds its data.
type Tenant struct {
	Placement *amigo.Placement
	Store     amigo.ClusterStore
}

// ResolveOptions tune Resolve for the few operations that need it.
type ResolveOptions struct {
	// ClusterHeader is the x-mongo-cluster-name header, if sent; naming a
	// cluster other than the organization's fails with ENOTFOUND rather
	// than touching the wrong cluster.
	ClusterHeader string
	// AllowDeleting lets DELETE resume an interrupted deletion.
	AllowDeleting bool
}

// Resolve finds the cluster of orgID. An organization that does not exist,
// lives in another region or is being deleted is ENOTFOUND with the seed's
// wording; one under maintenance (or in a region under maintenance) is
// EUNAVAILABLE.
func (a *App) Resolve(ctx context.Context, orgID string, opt ResolveOptions) (*Tenant, error) {
	if err := a.checkRegionMaintenance(ctx); err != nil {
		return nil, err
	}
	p, err := a.placements.lookup(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if p == nil || p.Region != a.Region || (p.State == amigo.OrgDeleting && !opt.AllowDeleting) {
		return nil, amigo.Errorf(amigo.ENOTFOUND, amigo.MsgOrgNotFound)
	}
	if opt.ClusterHeader != "" && opt.ClusterHeader != p.Cluster {
		return nil, amigo.Errorf(amigo.ENOTFOUND, "%s: it does not live on cluster %s.", amigo.MsgOrgNotFound, opt.ClusterHeader)
	}
	if p.Maintenance {
		return nil, amigo.Errorf(amigo.EUNAVAILABLE, amigo.MsgMaintenance)
	}
	store, ok := a.Clusters[p.Cluster]
	if !ok {
		a.Logger.ErrorContext(ctx, "organization placed on an unknown cluster", "org", orgID, "cluster", p.Cluster)
		return nil, amigo.Errorf(amigo.EUNAVAILABLE, amigo.MsgMaintenance)
	}
	return &Tenant{Placement: p, Store: store}, nil
}

func (a *App) checkRegionMaintenance(ctx context.Context) error {
	on, err := a.placements.regionMaintenance(ctx, a.Region)
	if err != nil {
		return err
	} else if on {
		return amigo.Errorf(amigo.EUNAVAILABLE, amigo.MsgMaintenance)
	}
	return nil
}

// Ready reports whether the directory and every cluster answer.
func (a *App) Ready(ctx context.Context) error {
	type pinger interface{ Ping(context.Context) error }
	if p, ok := a.Directory.(pinger); ok {
		if err := p.Ping(ctx); err != nil {
			return err
		}
	}
	for _, s := range a.Clusters {
		if err := s.Ping(ctx); err != nil {
			return err
		}
	}
	return nil
}

// CheckRegionAvailable returns EUNAVAILABLE while this region is in
// maintenance; operations that address no existing organization use it.
func (a *App) CheckRegionAvailable(ctx context.Context) error {
	return a.checkRegionMaintenance(ctx)
}
