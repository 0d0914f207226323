package core

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/token"
)

// maxCachedEntries bounds each auth cache: about 1 KB an entry.
const maxCachedEntries = 20_000

// The auth caches keep what authenticating a request and signing in read
// on every call: the caller behind a verified token (its claims, user, role
// and platform flag), and the roles, users and API keys sign-in checks.
// Without them every request pays a signature check and two database
// reads, which a profile of the list-services path put at a fifth of its
// time, and sign-in four reads, half of its time.
//
// Staleness: a change made through this server (deleting a user or an API
// key, set-role, roles put) drops its organization's entries in every auth
// cache at once, through authGens.forget. A change made anywhere else
// (another replica, an operator command run elsewhere) is seen once the
// entry expires, at most ttl after it was loaded; ttl is the directory
// cache TTL, so one bound covers maintenance switches and callers alike.

// authGens counts, per organization, the changes this server made to its
// users, roles and API keys. An entry loaded before a change is never used
// after it: the entry records the generation it was loaded at.
type authGens struct {
	mu   sync.Mutex
	gens map[string]uint64
}

func (g *authGens) get(orgID string) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gens[orgID]
}

// forget invalidates every cached entry of orgID. Call it after the change
// is committed, so that no load can read the old rows with the new count.
func (g *authGens) forget(orgID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gens == nil {
		g.gens = map[string]uint64{}
	}
	g.gens[orgID]++
}

// authCache keeps values of type V by key, per organization, for ttl.
type authCache[V any] struct {
	ttl  time.Duration
	now  func() time.Time
	gens *authGens
	// loads lets concurrent misses of one key share one fetch: when an
	// entry expires under load, every request in flight would otherwise
	// fetch it at once (a signature check or a query each), which showed
	// in the p99 of listings once a second.
	loads singleflight.Group

	mu      sync.Mutex
	entries map[string]authEntry[V]
}

type authEntry[V any] struct {
	orgID   string
	value   V
	gen     uint64
	expires time.Time
}

func newAuthCache[V any](ttl time.Duration, now func() time.Time, gens *authGens) *authCache[V] {
	return &authCache[V]{ttl: ttl, now: now, gens: gens, entries: map[string]authEntry[V]{}}
}

// get returns the value of key while it is fresh and its organization has
// not been forgotten since it was loaded.
func (c *authCache[V]) get(key string) (V, bool) {
	var none V
	if c.ttl <= 0 {
		return none, false
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) || c.gens.get(e.orgID) != e.gen {
		return none, false
	}
	return e.value, true
}

// load returns the value of key in orgID from the cache, or from fetch,
// keeping what fetch returns for ttl (or until, if sooner and not zero).
func (c *authCache[V]) load(orgID, key string, fetch func() (V, time.Time, error)) (V, error) {
	if v, ok := c.get(key); ok {
		return v, nil
	}
	if c.ttl <= 0 {
		v, _, err := fetch()
		return v, err
	}
	// The generation is part of the flight's key: a caller that comes
	// after an invalidation never shares a fetch that began before it.
	gen := c.gens.get(orgID)
	shared, err, _ := c.loads.Do(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		v, until, err := fetch()
		if err == nil {
			c.put(orgID, key, v, gen, until)
		}
		return v, err
	})
	// The fetch ran under the first caller's context; if that request
	// ended, the others fetch under their own.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		v, _, err := fetch()
		return v, err
	}
	v, _ := shared.(V)
	return v, err
}

// put keeps v, loaded at generation gen, for ttl (or until, if sooner and
// not zero), unless orgID was forgotten since: a value read before an
// invalidation must not replace one read after it.
func (c *authCache[V]) put(orgID, key string, v V, gen uint64, until time.Time) {
	if c.gens.get(orgID) != gen {
		return
	}
	now := c.now()
	expires := now.Add(c.ttl)
	if !until.IsZero() && until.Before(expires) {
		expires = until
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedEntries {
		c.sweep(now)
	}
	c.entries[key] = authEntry[V]{orgID: orgID, value: v, gen: gen, expires: expires}
}

// sweep drops expired entries, and everything if that is not enough: the
// entries are cheap to load again. Called with mu held.
func (c *authCache[V]) sweep(now time.Time) {
	for key, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, key)
		}
	}
	if len(c.entries) >= maxCachedEntries*3/4 {
		clear(c.entries)
	}
}

// authCaches are the caches of one App.
type authCaches struct {
	gens   authGens
	tokens *authCache[*token.Claims] // verified tokens, by raw token
	users  *authCache[*amigo.User]   // by org/id
	roles  *authCache[*amigo.Role]   // by org/id
	keys   *authCache[*amigo.APIKey] // by org/key id
	// revoked says whether a console session was signed out, by token id.
	revoked *authCache[bool]
}

func newAuthCaches(ttl time.Duration, now func() time.Time) *authCaches {
	c := &authCaches{}
	c.tokens = newAuthCache[*token.Claims](ttl, now, &c.gens)
	c.users = newAuthCache[*amigo.User](ttl, now, &c.gens)
	c.roles = newAuthCache[*amigo.Role](ttl, now, &c.gens)
	c.keys = newAuthCache[*amigo.APIKey](ttl, now, &c.gens)
	c.revoked = newAuthCache[bool](ttl, now, &c.gens)
	return c
}

// verify checks a token's signature once per ttl: the answer depends on
// nothing that changes, but its expiry, which caps the entry.
func (a *App) verify(raw string) (*token.Claims, error) {
	return a.auth.tokens.load("", raw, func() (*token.Claims, time.Time, error) {
		c, err := a.Keys.Verify(raw)
		if err != nil || c.ExpiresAt == nil {
			return c, time.Time{}, err
		}
		return c, c.ExpiresAt.Time, nil
	})
}

// findUser is store.FindUser through the cache.
func (a *App) findUser(ctx context.Context, store amigo.ClusterStore, orgID, id string) (*amigo.User, error) {
	return a.auth.users.load(orgID, orgID+"/"+id, func() (*amigo.User, time.Time, error) {
		u, err := store.FindUser(ctx, orgID, id)
		return u, time.Time{}, err
	})
}

// findRole is store.FindRole through the cache.
func (a *App) findRole(ctx context.Context, store amigo.ClusterStore, orgID, id string) (*amigo.Role, error) {
	return a.auth.roles.load(orgID, orgID+"/"+id, func() (*amigo.Role, time.Time, error) {
		r, err := store.FindRole(ctx, orgID, id)
		return r, time.Time{}, err
	})
}

// findAPIKey is store.FindAPIKey through the cache, until the key expires.
func (a *App) findAPIKey(ctx context.Context, store amigo.ClusterStore, orgID, keyID string) (*amigo.APIKey, error) {
	return a.auth.keys.load(orgID, orgID+"/"+keyID, func() (*amigo.APIKey, time.Time, error) {
		k, err := store.FindAPIKey(ctx, orgID, keyID)
		if err != nil {
			return k, time.Time{}, err
		}
		return k, k.ExpiresAt, nil
	})
}
