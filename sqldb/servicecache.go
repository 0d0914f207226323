package sqldb

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// serviceCache keeps the services a listing has decoded, by id, together
// with the rev their row had. A listing reads its page as (id, rev) pairs
// and takes from here every service whose rev still matches, so the
// database decides on every request which services a page holds and
// whether each changed, here and on every other replica, and only a
// service that changed is read and decoded again. Without it a page of ten
// services cost its own query plus one for their tags and version sets,
// and decoding them was more than half of a listing's time.
//
// Entries also expire after serviceCacheTTL. No write of this release
// leaves a rev unchanged; the bound covers a writer that does not stamp
// rev at all, an older release during a rolling upgrade.
//
// Cached services are shared between requests: callers must not modify
// what a listing returns.
type serviceCache struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cachedService
}

type cachedService struct {
	rev     int64
	s       *amigo.Service
	expires time.Time
}

const (
	serviceCacheTTL = time.Second
	// maxCachedServices bounds the cache at a few tens of megabytes.
	maxCachedServices = 50_000
)

func newServiceCache(now func() time.Time) *serviceCache {
	return &serviceCache{now: now, entries: map[string]cachedService{}}
}

// get returns the service id at rev, if it is cached and fresh.
func (c *serviceCache) get(id string, rev int64) (*amigo.Service, bool) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok || e.rev != rev || !now.Before(e.expires) {
		return nil, false
	}
	return e.s, true
}

// put keeps s, read at rev, and returns the value to use: the one already
// kept for that rev if there is one, so that requests which missed
// together share one value (and the encoding api keeps for it) instead of
// each leaving a copy behind.
func (c *serviceCache) put(s *amigo.Service, rev int64) *amigo.Service {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[s.ID]; ok && e.rev == rev {
		s = e.s
	} else if len(c.entries) >= maxCachedServices {
		clear(c.entries) // cheap to read again; a sweep would cost as much
	}
	c.entries[s.ID] = cachedService{rev: rev, s: s, expires: now.Add(serviceCacheTTL)}
	return s
}

// tagLists keeps, by organization, the last tag list a listing decoded
// for filter_values, with the JSON the database answered: a listing reads
// the JSON on every request and decodes it only when it changed. The
// lists are shared between requests: callers must not modify them.
type tagLists struct {
	mu    sync.Mutex
	byOrg map[string]tagList
}

type tagList struct {
	json string
	tags []string
}

// maxTagLists bounds tagLists at one entry per organization of a large
// cluster.
const maxTagLists = 10_000

// decode returns the tags of raw, a JSON array of strings read for orgID.
func (c *tagLists) decode(orgID string, raw []byte) ([]string, error) {
	c.mu.Lock()
	l, ok := c.byOrg[orgID]
	c.mu.Unlock()
	if ok && l.json == string(raw) {
		return l.tags, nil
	}
	var tags []string
	if err := fromJSON(string(raw), &tags); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byOrg == nil || len(c.byOrg) >= maxTagLists {
		c.byOrg = make(map[string]tagList)
	}
	c.byOrg[orgID] = tagList{string(raw), tags}
	return tags, nil
}

// newRev returns the rev a write stamps on a service's rows: random, so a
// writer needs not read the previous one, and 63 bits, so two writes of
// one service never share one.
func newRev() int64 { return rand.Int64() }
