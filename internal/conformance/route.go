package conformance

import (
	"strings"

	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// route is one path template of the spec, split on "/". A template that
// ends in "/" ends in an empty segment, so trailing slashes must match.
type route struct {
	template string
	segments []string // "" stands for a {parameter}, "/" for the empty segment beside a slash
	item     *v3.PathItem
	ops      map[string]*v3.Operation // by upper-case HTTP method
}

// buildRoutes indexes the spec's paths and operations.
func buildRoutes(m *v3.Document) []*route {
	var routes []*route
	if m.Paths == nil {
		return nil
	}
	for template, item := range m.Paths.PathItems.FromOldest() {
		r := &route{template: template, item: item, ops: map[string]*v3.Operation{}}
		for _, seg := range strings.Split(template, "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				seg = ""
			} else if seg == "" {
				seg = "/"
			}
			r.segments = append(r.segments, seg)
		}
		for method, op := range item.GetOperations().FromOldest() {
			r.ops[strings.ToUpper(method)] = op
		}
		routes = append(routes, r)
	}
	return routes
}

// match reports whether path (escaped, split on "/") fits the template, and
// how many literal segments it matched, so the most specific route wins.
func (r *route) match(segments []string) (literal int, ok bool) {
	if len(segments) != len(r.segments) {
		return 0, false
	}
	for i, want := range r.segments {
		got := segments[i]
		switch want {
		case "": // a parameter takes any non-empty segment
			if got == "" {
				return 0, false
			}
		case "/":
			if got != "" {
				return 0, false
			}
			literal++
		default:
			if got != want {
				return 0, false
			}
			literal++
		}
	}
	return literal, true
}

// find returns the route and operation for method and path. When the path
// matches but the method does not, it returns the route and a nil
// operation; when nothing matches, both are nil.
func (v *Validator) find(method, escapedPath string) (*route, *v3.Operation) {
	segments := strings.Split(escapedPath, "/")
	var best, bestAny *route
	bestScore, bestAnyScore := -1, -1
	for _, r := range v.routes {
		score, ok := r.match(segments)
		if !ok {
			continue
		}
		if score > bestAnyScore {
			bestAny, bestAnyScore = r, score
		}
		if r.ops[method] != nil && score > bestScore {
			best, bestScore = r, score
		}
	}
	if best != nil {
		return best, best.ops[method]
	}
	return bestAny, nil
}

// slashHint says whether toggling the trailing slash of path would have
// found an operation, to explain a miss that is easy to make.
func (v *Validator) slashHint(method, escapedPath string) string {
	other := escapedPath + "/"
	if strings.HasSuffix(escapedPath, "/") {
		other = strings.TrimSuffix(escapedPath, "/")
	}
	if r, op := v.find(method, other); op != nil {
		return " (the spec has " + method + " " + r.template + ": mind the trailing slash)"
	}
	return ""
}
