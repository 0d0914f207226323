package conformance

import (
	"strings"
	"sync"

	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// declared holds the extension operations the server declares from its
// operations table (Extend), the one place extensions are listed:
// operations the spec does not have (the state machine graph, the change
// log, version diffs, version set history). No official SDK calls them, so the spec cannot judge their
// bodies; what it still requires of them is the error shape every answer
// of the API shares.
var declared struct {
	sync.RWMutex
	routes []*route
}

// Extend declares the extension operation method on the path template, as
// the server's operations table spells it.
func Extend(method, template string) {
	r := &route{template: template, ops: map[string]*v3.Operation{strings.ToUpper(method): nil}}
	for _, seg := range strings.Split(template, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			seg = ""
		} else if seg == "" {
			seg = "/"
		}
		r.segments = append(r.segments, seg)
	}
	declared.Lock()
	defer declared.Unlock()
	declared.routes = append(declared.routes, r)
}

// isExtension reports whether method and path name a declared extension.
func isExtension(method, escapedPath string) bool {
	segments := strings.Split(escapedPath, "/")
	declared.RLock()
	defer declared.RUnlock()
	for _, r := range declared.routes {
		if _, ok := r.match(segments); ok {
			if _, has := r.ops[method]; has {
				return true
			}
		}
	}
	return false
}
