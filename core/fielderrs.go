package core

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/amigo-oss/amigo-server"
)

// fieldErrs collects the violations of a command so that one 422 lists
// them all. Messages follow pydantic's wording. If subject is set, what it
// returns prefixes each message (`State "greet": `) so a client can tell
// which element of a long list is at fault; it is called only for a
// violation. Locations are paths inside the command (["states", 3,
// "name"]); the layer that decoded the command says where it came from.
//
// It keeps at most amigo.MaxFieldErrors violations and counts the rest, and
// each violation costs time in proportion to the depth of its location, so
// checking a command is linear in its size however broken it is.
type fieldErrs struct {
	errs    []amigo.FieldError
	more    int
	subject func() string
	// reported holds the locations of problems found while decoding, and
	// below holds every proper prefix of them: nothing at, above or below
	// a reported location is reported again, since the value there is a
	// zero stand-in. Both are keyed by locKey.
	reported, below map[string]bool
}

// decoded records the violations the decoder found (malformed may be nil).
// subject names the element a location belongs to, or is nil.
func (f *fieldErrs) decoded(malformed *amigo.Error, subject func(loc []any) string) {
	if malformed == nil {
		return
	}
	f.more += malformed.More
	if f.reported == nil {
		f.reported, f.below = map[string]bool{}, map[string]bool{}
	}
	for _, e := range malformed.Fields {
		if subject != nil {
			e.Msg = subject(e.Loc) + e.Msg
		}
		f.keep(e)
		f.reported[locKey(e.Loc)] = true
		for i := range e.Loc {
			f.below[locKey(e.Loc[:i])] = true
		}
	}
}

// keep stores e unless the cap is reached, and counts it either way.
func (f *fieldErrs) keep(e amigo.FieldError) {
	if len(f.errs) < amigo.MaxFieldErrors {
		f.errs = append(f.errs, e)
	} else {
		f.more++
	}
}

// locKey encodes a location for the sets of fieldErrs; keys never contain
// NUL, which the decoder refuses, so NUL separates the parts.
func locKey(loc []any) string {
	var b strings.Builder
	for _, p := range loc {
		switch p := p.(type) {
		case int:
			b.WriteByte('#')
			b.WriteString(strconv.Itoa(p))
		default:
			b.WriteByte('$')
			fmt.Fprint(&b, p)
		}
		b.WriteByte(0)
	}
	return b.String()
}

// covered reports whether a decoding problem was recorded at or above loc.
func (f *fieldErrs) covered(loc []any) bool {
	if len(f.reported) == 0 {
		return false
	}
	for i := range len(loc) + 1 {
		if f.reported[locKey(loc[:i])] {
			return true
		}
	}
	return false
}

// broken reports whether a problem was already recorded at, below or above
// loc while decoding.
func (f *fieldErrs) broken(loc []any) bool {
	return f.covered(loc) || f.below[locKey(loc)]
}

// add records a violation at loc, followed by key unless key is nil,
// unless decoding already reported one at or above that location. Callers
// pass loc and key separately so that the location is only built for a
// violation.
func (f *fieldErrs) add(loc []any, key any, typ, format string, args ...any) {
	if key != nil {
		loc = join(loc, key)
	}
	if f.covered(loc) {
		return
	}
	if len(f.errs) >= amigo.MaxFieldErrors {
		f.more++
		return
	}
	msg := fmt.Sprintf(format, args...)
	if f.subject != nil {
		msg = f.subject() + msg
	}
	f.errs = append(f.errs, amigo.FieldError{Loc: loc, Msg: msg, Type: typ})
}

// invalid records the violation of a rule beyond the field's schema.
func (f *fieldErrs) invalid(loc []any, key any, format string, args ...any) {
	f.add(loc, key, "value_error", format, args...)
}

// required records a missing field at loc unless present.
func (f *fieldErrs) required(loc []any, present bool) bool {
	if !present {
		f.add(loc, nil, "missing", "Field required")
	}
	return present
}

// str checks a string at loc: its length in characters and, if pattern is
// not nil, its form.
func (f *fieldErrs) str(loc []any, s string, min, max int, pattern *regexp.Regexp) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < min:
		f.add(loc, nil, "string_too_short", "String should have at least %d %s", min, countNoun(min, "character"))
	case max > 0 && n > max:
		f.add(loc, nil, "string_too_long", "String should have at most %d %s", max, countNoun(max, "character"))
	case pattern != nil && !pattern.MatchString(s):
		f.add(loc, nil, "string_pattern_mismatch", "String should match pattern '%s'", pattern.String())
	}
}

// at builds a location path.
func at(parts ...any) []any { return parts }

// join returns a new location: loc followed by more. It never shares loc's
// backing array, so callers may keep extending loc.
func join(loc []any, more ...any) []any {
	l := make([]any, 0, len(loc)+len(more))
	return append(append(l, loc...), more...)
}

// The checks below look at the value at loc + key.

// text checks a StrippedNonemptyString: it strips *s in place, as the
// spec's models do, then requires at least one and, if max > 0, at most max
// characters.
func (f *fieldErrs) text(loc []any, key any, s *string, max int) bool {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		f.add(loc, key, "string_too_short", "String should have at least 1 character")
		return false
	} else if n := utf8.RuneCountInString(*s); max > 0 && n > max {
		f.add(loc, key, "string_too_long", "String should have at most %d %s", max, countNoun(max, "character"))
		return false
	}
	return true
}

// texts checks a list of StrippedNonemptyStrings holding at least min and,
// if max > 0, at most max items.
func (f *fieldErrs) texts(loc []any, key any, list []string, min, max int) {
	f.items(loc, key, len(list), min, max)
	for i := range list {
		if strings.TrimSpace(list[i]) != list[i] || list[i] == "" {
			f.text(join(loc, key), i, &list[i], 0)
		}
	}
}

// items checks the length n of a list.
func (f *fieldErrs) items(loc []any, key any, n, min, max int) bool {
	if n < min {
		f.add(loc, key, "too_short", "List should have at least %d %s after validation, not %d", min, countNoun(min, "item"), n)
		return false
	} else if max > 0 && n > max {
		f.add(loc, key, "too_long", "List should have at most %d %s after validation, not %d", max, countNoun(max, "item"), n)
		return false
	}
	return true
}

// specPattern is a pattern of the spec with a hand-written matcher, since
// these are checked for every state and reference.
type specPattern struct {
	text  string
	match func(string) bool
}

// match checks s against a pattern of the spec.
func (f *fieldErrs) match(loc []any, key any, s string, p specPattern) bool {
	if !p.match(s) {
		f.add(loc, key, "string_pattern_mismatch", "String should match pattern '%s'", p.text)
		return false
	}
	return true
}

// interval checks gt < x <= le.
func (f *fieldErrs) interval(loc []any, key any, x, gt, le float64) {
	if !(x > gt) {
		f.add(loc, key, "greater_than", "Input should be greater than %s", fmtBound(gt))
	} else if x > le {
		f.add(loc, key, "less_than_equal", "Input should be less than or equal to %s", fmtBound(le))
	}
}

// positive checks n > 0.
func (f *fieldErrs) positive(loc []any, key any, n int) {
	if n <= 0 {
		f.add(loc, key, "greater_than", "Input should be greater than 0")
	}
}

// enum checks that s is one of allowed.
func (f *fieldErrs) enum(loc []any, key any, s string, allowed ...string) bool {
	if slices.Contains(allowed, s) {
		return true
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = "'" + a + "'"
	}
	list := quoted[0]
	if len(quoted) > 1 {
		list = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	}
	f.add(loc, key, "enum", "Input should be %s", list)
	return false
}

// err returns the collected violations as one EINVALID error, or nil.
func (f *fieldErrs) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	e := amigo.Invalid(f.errs...)
	e.More = f.more
	return e
}

// countNoun returns word in the singular or plural form for n.
func countNoun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// fmtBound formats a numeric bound the short way: 0, 10, 2.5.
func fmtBound(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
