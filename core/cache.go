package core

import (
	"context"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// placementCache keeps directory answers for a short TTL so that routing a
// request does not cost a directory round trip. Changes made through this
// server invalidate their entry at once; changes made by other servers (or
// operator commands) are seen within the TTL. It is two auth caches
// (callers.go) with generations of their own: the requests that find an
// entry expired together share one directory read. Every entry expires each
// TTL, so under load every request in flight at that moment would read it
// at once, each on a connection of its own: on PostgreSQL, a burst of 16
// made the directory's pool open 15 connections, one after another, and the
// last request wait 300 ms for its own.
type placementCache struct {
	dir     amigo.Directory
	gens    authGens
	orgs    *authCache[*amigo.Placement] // nil: the organization does not exist
	regions *authCache[bool]             // region maintenance
}

func newPlacementCache(dir amigo.Directory, ttl time.Duration, now func() time.Time) *placementCache {
	c := &placementCache{dir: dir}
	c.orgs = newAuthCache[*amigo.Placement](ttl, now, &c.gens)
	c.regions = newAuthCache[bool](ttl, now, &c.gens)
	return c
}

// lookup returns the placement of orgID, or nil if there is none.
func (c *placementCache) lookup(ctx context.Context, orgID string) (*amigo.Placement, error) {
	return c.orgs.load(orgID, orgID, func() (*amigo.Placement, time.Time, error) {
		p, err := c.dir.Lookup(ctx, orgID)
		if amigo.ErrorCode(err) == amigo.ENOTFOUND {
			p, err = nil, nil
		}
		return p, time.Time{}, err
	})
}

func (c *placementCache) regionMaintenance(ctx context.Context, region string) (bool, error) {
	return c.regions.load("", region, func() (bool, time.Time, error) {
		on, err := c.dir.RegionMaintenance(ctx, region)
		return on, time.Time{}, err
	})
}

// forget drops the entry of orgID after this server changed it.
func (c *placementCache) forget(orgID string) { c.gens.forget(orgID) }
