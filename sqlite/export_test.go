package sqlite

import "time"

// SetCheckpointInterval makes the databases opened from now on checkpoint
// every d, until the returned function is called.
func SetCheckpointInterval(d time.Duration) (restore func()) {
	old := checkpointInterval.Swap(int64(d))
	return func() { checkpointInterval.Store(old) }
}
