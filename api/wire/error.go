package wire

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// Violation is one item of a 422's detail, as FastAPI writes it.
type Violation struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// Path returns Loc joined with dots, e.g. "body.states.3.name".
func (v Violation) Path() string {
	parts := make([]string, len(v.Loc))
	for i, p := range v.Loc {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// ErrorBody is every error response: {"detail": "message"} or, for
// validation errors, {"detail": [violation, ...]}.
type ErrorBody struct {
	Detail any `json:"detail"`
}

// Violations returns the violations of e in their wire form. A violation of
// the command itself (In "") is located in the body, since the HTTP layer
// makes commands only of request bodies. When e counts violations beyond
// those it lists, a last item says how many, so a client sees that the list
// is cut.
func Violations(e *amigo.Error) []Violation {
	out := make([]Violation, 0, len(e.Fields)+1)
	for _, f := range e.Fields {
		in := f.In
		if in == "" {
			in = "body"
		}
		loc := make([]any, 0, len(f.Loc)+1)
		out = append(out, Violation{Loc: append(append(loc, in), f.Loc...), Msg: f.Msg, Type: f.Type})
	}
	if e.More > 0 {
		out = append(out, Violation{
			Loc:  []any{"body"},
			Msg:  strconv.Itoa(e.More) + " more violations are not listed; at most " + strconv.Itoa(amigo.MaxFieldErrors) + " are.",
			Type: "too_many_errors",
		})
	}
	return out
}
