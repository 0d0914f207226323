package core

import (
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/amigo-oss/amigo-server"
)

// checker collects every validation violation of a request, so the client
// gets them all in one 422 rather than one per round trip.
type checker struct {
	errs []amigo.FieldError
}

// add records a violation at loc.
func (c *checker) add(loc []any, typ, format string, args ...any) {
	c.errs = append(c.errs, amigo.FieldError{Loc: loc, Msg: fmt.Sprintf(format, args...), Type: typ})
}

// required records a missing field unless present.
func (c *checker) required(loc []any, present bool) bool {
	if !present {
		c.add(loc, "missing", "Field required")
	}
	return present
}

// str checks a string's length in characters and, if pattern is not nil,
// its form.
func (c *checker) str(loc []any, s string, min, max int, pattern *regexp.Regexp) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		c.add(loc, "string_too_short", "String should have at least %d character(s)", min)
	case max > 0 && n > max:
		c.add(loc, "string_too_long", "String should have at most %d characters", max)
	case pattern != nil && !pattern.MatchString(s):
		c.add(loc, "string_pattern_mismatch", "String should match pattern '%s'", pattern.String())
	}
}

// err returns the collected violations as one EINVALID error, or nil.
func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return amigo.Invalid(c.errs...)
}

// at builds a location path.
func at(parts ...any) []any { return parts }
