package amigo

import "time"

// Clock tells the time. The server has one, handed to every part that reads
// the time while serving a request (core's rules, token issuing and
// verification, API-key expiry, the stores' timestamps), so that a test can
// move time for all of them at once instead of sleeping.
type Clock func() time.Time

// SystemClock is the wall clock, in UTC.
func SystemClock() time.Time { return time.Now().UTC() }
