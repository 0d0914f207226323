package core

import (
	"context"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// placementCache keeps directory answers for a short TTL so that routing a
// request does not cost a directory round trip. Changes made through this
// server invalidate their entry at once; changes made by other servers (or
// operator commands) are seen within the TTL.
type placementCache struct {
	dir amigo.Directory
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	p       *amigo.Placement // nil: the organization does not exist
	on      bool             // region maintenance
	expires time.Time
}

func newPlacementCache(dir amigo.Directory, ttl time.Duration, now func() time.Time) *placementCache {
	return &placementCache{dir: dir, ttl: ttl, now: now, entries: map[string]cached{}}
}

// lookup returns the placement of orgID, or nil if there is none.
func (c *placementCache) lookup(ctx context.Context, orgID string) (*amigo.Placement, error) {
	if e, ok := c.get("org:" + orgID); ok {
		return e.p, nil
	}
	p, err := c.dir.Lookup(ctx, orgID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		p, err = nil, nil
	} else if err != nil {
		return nil, err
	}
	c.put("org:"+orgID, cached{p: p})
	return p, nil
}

func (c *placementCache) regionMaintenance(ctx context.Context, region string) (bool, error) {
	if e, ok := c.get("region:" + region); ok {
		return e.on, nil
	}
	on, err := c.dir.RegionMaintenance(ctx, region)
	if err != nil {
		return false, err
	}
	c.put("region:"+region, cached{on: on})
	return on, nil
}

func (c *placementCache) get(key string) (cached, bool) {
	if c.ttl <= 0 {
		return cached{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		return cached{}, false
	}
	return e, true
}

func (c *placementCache) put(key string, e cached) {
	if c.ttl <= 0 {
		return
	}
	e.expires = c.now().Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 100_000 {
		clear(c.entries) // crude bound; entries are cheap to refetch
	}
	c.entries[key] = e
}

// forget drops the entry of orgID after this server changed it.
func (c *placementCache) forget(orgID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, "org:"+orgID)
}
