package core

import (
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/token"
)

// maxCachedCallers bounds the caller cache: about 1 KB an entry.
const maxCachedCallers = 20_000

// callerCache remembers, for at most ttl, who a verified token is: its
// claims and the caller behind them (user, role, platform flag). Without it
// every request pays a signature check and two database reads, which a
// profile of the list-services path put at a sixth of its time.
//
// Staleness: a change made through this server (deleting a user or an API
// key) drops its organization's entries at once, through forgetOrg. A
// change made anywhere else (another replica, an operator command such as
// users set-role or roles put) is seen once the entry expires, at most ttl
// after it was loaded; ttl is the directory cache TTL, so one bound covers
// maintenance switches and callers alike.
type callerCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*cachedCaller // by raw token
	gens    map[string]uint64        // by organization; bumped by forgetOrg
}

// cachedCaller is one verified token and its caller as loaded at gen.
type cachedCaller struct {
	claims  *token.Claims
	caller  *amigo.Caller
	gen     uint64
	expires time.Time
}

func newCallerCache(ttl time.Duration, now func() time.Time) *callerCache {
	return &callerCache{ttl: ttl, now: now, entries: map[string]*cachedCaller{}, gens: map[string]uint64{}}
}

// get returns the entry of raw while it is fresh and its organization has
// not been forgotten since it was loaded.
func (c *callerCache) get(raw string) (*cachedCaller, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[raw]
	if !ok || !now.Before(e.expires) || c.gens[e.claims.OrgID] != e.gen {
		return nil, false
	}
	return e, true
}

// generation is read before loading a caller of orgID and handed to put,
// so that a load racing with forgetOrg is never kept.
func (c *callerCache) generation(orgID string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gens[orgID]
}

// put keeps caller for raw until ttl passes or the token expires.
func (c *callerCache) put(raw string, claims *token.Claims, caller *amigo.Caller, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	now := c.now()
	expires := now.Add(c.ttl)
	if claims.ExpiresAt != nil && claims.ExpiresAt.Time.Before(expires) {
		expires = claims.ExpiresAt.Time
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gens[claims.OrgID] != gen {
		return
	}
	if len(c.entries) >= maxCachedCallers {
		c.sweep(now)
	}
	c.entries[raw] = &cachedCaller{claims: claims, caller: caller, gen: gen, expires: expires}
}

// sweep drops expired entries, and everything if that is not enough: the
// entries are cheap to load again. Called with mu held.
func (c *callerCache) sweep(now time.Time) {
	for raw, e := range c.entries {
		if !now.Before(e.expires) || c.gens[e.claims.OrgID] != e.gen {
			delete(c.entries, raw)
		}
	}
	if len(c.entries) >= maxCachedCallers*3/4 {
		clear(c.entries)
	}
}

// forgetOrg drops every cached caller of orgID, after this server deleted
// or changed one of its users, roles or API keys.
func (c *callerCache) forgetOrg(orgID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[orgID]++
}
