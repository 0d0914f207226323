package conformance

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// noticeOnce makes the missing-spec notice one line per test binary.
var noticeOnce sync.Once

// announceMissingSpec says, once, that responses go unvalidated because the
// spec is absent. "go test ./..." hides a passing package's output, so the
// line goes to the terminal when there is one (the newcomer running the
// tests sees it without -v) and to standard error otherwise (CI logs, -v,
// failures). Several test binaries of one "go test" run share a marker file
// so the run prints the line once, not once per package.
func announceMissingSpec(err error) {
	noticeOnce.Do(func() {
		if !firstInRun() {
			return
		}
		var w io.Writer = os.Stderr
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			defer tty.Close()
			w = tty
		}
		writeNotice(w, err)
	})
}

func writeNotice(w io.Writer, err error) {
	fmt.Fprintf(w, "conformance: %v: HTTP tests run and assert, but responses are NOT validated against the spec "+
		"(check out the shared/ directory beside the repository, or set %s=/path/to/openapi.json)\n", err, SpecPathEnv)
}

// firstInRun reports whether no other test binary started by the same
// parent process (the go command) has printed the notice yet. A marker
// older than the parent is a recycled process id's, and is replaced.
func firstInRun() bool {
	ppid := strconv.Itoa(os.Getppid())
	parent, err := os.Stat(filepath.Join("/proc", ppid))
	if err != nil {
		return true
	}
	marker := filepath.Join(os.TempDir(), "amigo-spec-notice-"+ppid)
	if m, err := os.Stat(marker); err == nil && m.ModTime().Before(parent.ModTime()) {
		os.Remove(marker)
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return !os.IsExist(err)
	}
	f.Close()
	return true
}
