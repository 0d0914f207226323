// Package ratelimit decides whether a request may proceed under a per-key
// limit such as "10 requests per minute", and reports what the HTTP layer
// needs for the X-RateLimit-* and Retry-After headers.
//
// Two backends implement Limiter: Memory, for a single server, and Redis, so
// that replicas share their counts (build its client from RedisOptions). Fallback
// counts in Memory while Redis is unreachable, so an outage leaves each
// replica enforcing the limits on its own rather than none at all. Mode
// parses the self-hoster's setting ("on", "off", "10x", "0.5x").
//
// # Algorithm
//
// Both backends use the generic cell rate algorithm (GCRA), the form of a
// token bucket that stores one number per key: the theoretical arrival time
// (TAT), the instant at which the key's bucket would be full again. A limit of
// N requests per window W lets a key burst N requests at once and then
// replenishes one request every W/N. We chose it over the alternatives because:
//
//   - A fixed window lets a client spend N at the end of one window and N
//     more at the start of the next: 2N within milliseconds. GCRA never admits
//     more than N at once, and after a burst it spaces requests evenly.
//   - A client that hits the limit waits W/N for its next request, not until
//     the end of the window; with the spec's limits of 5 to 60 per minute
//     that is seconds rather than up to a minute.
//   - The state is one integer per key, with no counter to reset, so memory
//     stays small and a key whose TAT has passed is exactly equivalent to an
//     absent one: evicting it (Memory) or letting it expire (Redis, via PX)
//     loses nothing.
//   - An exact sliding log would need N timestamps per key, up to 500 for the
//     spec's most generous limit; GCRA's precision is enough for the 429s of
//     an API.
//
// Like every token bucket, GCRA can admit up to 2N-1 requests in a rolling
// window of length W (a burst of N, then one every W/N), but it can never
// admit more than N in an instant, which is what the concurrency tests check.
//
// The Redis backend runs GCRA in a Lua script that reads the clock with the
// TIME command, so replicas with skewed clocks still agree, and each check
// costs one round trip.
//
// This package depends on the standard library, go-redis and the Prometheus
// client; it must not depend on the domain (package amigo) or on HTTP.
package ratelimit
