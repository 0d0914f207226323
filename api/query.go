package api

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// queryParams parses query parameters, collecting every violation with its
// ["query", name] location.
type queryParams struct {
	values url.Values
	errs   []amigo.FieldError
}

func newQuery(u *url.URL) *queryParams { return &queryParams{values: u.Query()} }

func (q *queryParams) fail(name, typ, msg string) {
	q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{name}, Msg: msg, Type: typ})
}

// int returns the integer parameter name, def when absent, checked to lie
// within [min, max] (max < 0: no upper bound).
func (q *queryParams) int(name string, def, min, max int) int {
	n, ok := q.parseInt(name, def)
	if ok && n < min {
		q.fail(name, "greater_than_equal", "Input should be greater than or equal to "+strconv.Itoa(min))
	} else if ok {
		q.atMost(name, n, max)
	}
	return n
}

// intAbove is int for the spec's exclusive minimums: n must exceed gt.
func (q *queryParams) intAbove(name string, def, gt, max int) int {
	n, ok := q.parseInt(name, def)
	if ok && n <= gt {
		q.fail(name, "greater_than", "Input should be greater than "+strconv.Itoa(gt))
	} else if ok {
		q.atMost(name, n, max)
	}
	return n
}

// parseInt returns the parameter name, or def when absent; ok is false when
// absent or not an integer.
func (q *queryParams) parseInt(name string, def int) (n int, ok bool) {
	s := q.values.Get(name)
	if s == "" {
		return def, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		q.fail(name, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		return def, false
	}
	return n, true
}

// atMost checks n <= max unless max < 0.
func (q *queryParams) atMost(name string, n, max int) {
	if max >= 0 && n > max {
		q.fail(name, "less_than_equal", "Input should be less than or equal to "+strconv.Itoa(max))
	}
}

// optIntAbove returns an optional integer parameter that must exceed gt.
func (q *queryParams) optIntAbove(name string, gt int) *int {
	if q.values.Get(name) == "" {
		return nil
	}
	n := q.intAbove(name, 0, gt, -1)
	return &n
}

// bool returns an optional boolean parameter.
func (q *queryParams) bool(name string) *bool {
	s := q.values.Get(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(name, "bool_parsing", "Input should be a valid boolean, unable to interpret input")
		return nil
	}
	return &b
}

// list returns a repeated parameter; each value must match pattern if given.
func (q *queryParams) list(name string, pattern *regexp.Regexp) []string {
	vals := q.values[name]
	for i, v := range vals {
		if pattern != nil && !pattern.MatchString(v) {
			q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{name, i}, Type: "string_pattern_mismatch",
				Msg: "String should match pattern '" + pattern.String() + "'"})
		}
	}
	return vals
}

// err returns the collected violations, or nil.
func (q *queryParams) err() error {
	if len(q.errs) == 0 {
		return nil
	}
	return amigo.Invalid(q.errs...)
}

var idPattern = regexp.MustCompile(`^[a-f0-9]{24}$`)

// versionFilter parses the version, sort_by, limit and continuation_token
// parameters of the version listings.
func (q *queryParams) versionFilter() amigo.VersionFilter {
	f, err := parseVersionSelector(q.values.Get("version"))
	q.errs = append(q.errs, amigo.ErrorFields(err)...)
	desc, err := parseVersionSort(q.values["sort_by"])
	q.errs = append(q.errs, amigo.ErrorFields(err)...)
	f.Descending = desc
	f.Limit = q.intAbove("limit", 10, 0, 10)
	f.Offset = q.int("continuation_token", 0, 0, -1)
	return f
}

// sort parses a repeated sort_by parameter ("+field", "-field", or a bare
// field, ascending). columns maps each sortable field to its column; a
// field mapped to "" is accepted but orders nothing (the user statistics,
// which this server does not keep, are all equal).
func (q *queryParams) sort(columns map[string]string) []amigo.SortField {
	var out []amigo.SortField
	for i, raw := range q.values["sort_by"] {
		// An unencoded "+name" arrives as " name"; read it as meant.
		raw = strings.Replace(raw, " ", "+", 1)
		field := strings.TrimLeft(raw, "+-")
		col, ok := columns[field]
		if !ok || len(raw)-len(field) > 1 {
			q.errs = append(q.errs, amigo.FieldError{In: "query", Loc: []any{"sort_by", i}, Type: "value_error",
				Msg: "Cannot sort by " + strconv.Quote(raw) + "; the sortable fields are " + strings.Join(slices.Sorted(maps.Keys(columns)), ", ") + "."})
			continue
		}
		if col != "" {
			out = append(out, amigo.SortField{Field: col, Desc: strings.HasPrefix(raw, "-")})
		}
	}
	return out
}
