package core

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

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
	// loads lets the requests that miss one key together share one
	// directory read. Every entry expires each ttl, so under load every
	// request in flight at that moment would read it at once, each on a
	// connection of its own: on PostgreSQL, a burst of 16 made the
	// directory's pool open 15 connections, one after another, and the
	// last request wait 300 ms for its own.
	loads singleflight.Group

	mu      sync.Mutex
	entries map[string]cached
	// gen counts forget calls: a read that began before one is neither
	// shared with a caller that comes after it nor kept.
	gen uint64
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
	e, err := c.load(ctx, "org:"+orgID, func(ctx context.Context) (cached, error) {
		p, err := c.dir.Lookup(ctx, orgID)
		if amigo.ErrorCode(err) == amigo.ENOTFOUND {
			p, err = nil, nil
		}
		return cached{p: p}, err
	})
	return e.p, err
}

func (c *placementCache) regionMaintenance(ctx context.Context, region string) (bool, error) {
	e, err := c.load(ctx, "region:"+region, func(ctx context.Context) (cached, error) {
		on, err := c.dir.RegionMaintenance(ctx, region)
		return cached{on: on}, err
	})
	return e.on, err
}

// load returns the entry of key, from the cache or from fetch, which the
// callers that miss key together share.
func (c *placementCache) load(ctx context.Context, key string, fetch func(context.Context) (cached, error)) (cached, error) {
	if e, ok := c.get(key); ok {
		return e, nil
	}
	if c.ttl <= 0 {
		return fetch(ctx)
	}
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	shared, err, _ := c.loads.Do(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		e, err := fetch(ctx)
		if err == nil {
			c.put(key, e, gen)
		}
		return e, err
	})
	// The read ran under the first caller's context; if that request
	// ended, the others read under their own.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fetch(ctx)
	}
	e, _ := shared.(cached)
	return e, err
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

// put keeps e, read at generation gen, unless an entry was forgotten
// since.
func (c *placementCache) put(key string, e cached, gen uint64) {
	e.expires = c.now().Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) > 100_000 {
		clear(c.entries) // crude bound; entries are cheap to refetch
	}
	c.entries[key] = e
}

// forget drops the entry of orgID after this server changed it.
func (c *placementCache) forget(orgID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, "org:"+orgID)
}
