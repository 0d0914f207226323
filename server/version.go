package server

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit may be set at link time:
//
//	go build -ldflags "-X github.com/amigo-oss/amigo-server/server.version=v1.2.0 -X github.com/amigo-oss/amigo-server/server.commit=$(git rev-parse --short HEAD)"
//
// Otherwise they come from the build information the go command embeds:
// the module version for `go install module@version`, "(devel)" for a
// build from a checkout, and the VCS revision unless built with
// -buildvcs=false.
var version, commit string

// BuildVersion describes this binary.
type BuildVersion struct {
	Version, Commit, Go string
}

// Version returns this binary's version, commit and Go version.
func Version() BuildVersion {
	v := BuildVersion{Version: version, Commit: commit, Go: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if ok && v.Version == "" {
		v.Version = info.Main.Version
	}
	if ok && v.Commit == "" {
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if len(v.Commit) > 12 {
			v.Commit = v.Commit[:12]
		}
		if modified {
			v.Commit += "-modified"
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	return v
}

func (v BuildVersion) String() string {
	return fmt.Sprintf("%s (commit %s, %s %s/%s)", v.Version, v.Commit, v.Go, runtime.GOOS, runtime.GOARCH)
}
