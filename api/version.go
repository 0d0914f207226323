package api

import (
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// parseVersionSelector parses the version query parameter: "" (every
// version), "3", "latest", "2-5" or "1-latest" (bounds are inclusive).
// Returns EINVALID located at ["query", "version"].
func parseVersionSelector(s string) (amigo.VersionFilter, error) {
	var f amigo.VersionFilter
	if s == "" {
		return f, nil
	} else if s == "latest" {
		f.Latest = true
		return f, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	from, ok := parseVersionNumber(lo)
	if !ok {
		return f, invalidVersionSelector(s)
	}
	f.From, f.To = from, from
	if isRange {
		if hi == "latest" {
			f.To = 0
		} else if to, ok := parseVersionNumber(hi); !ok || to < from {
			return f, invalidVersionSelector(s)
		} else {
			f.To = to
		}
	}
	return f, nil
}

func parseVersionNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && !strings.HasPrefix(s, "+")
}

func invalidVersionSelector(s string) error {
	return amigo.Invalid(amigo.FieldError{
		In: "query", Loc: []any{"version"},
		Msg:  "Value error, version must be a positive version number, \"latest\", or a range \"N-M\" or \"N-latest\" with N <= M, not " + strconv.Quote(s),
		Type: "value_error",
	})
}

// parseVersionSort parses the sort_by query parameter of the version
// listings, whose only field is "version" ("+version" ascending,
// "-version" descending; a bare name ascends). Later fields only break ties,
// so the first decides. Returns EINVALID located at ["query", "sort_by", i].
func parseVersionSort(fields []string) (descending bool, err error) {
	for i, f := range fields {
		if strings.TrimLeft(f, "+-") != "version" || len(f) > len("version")+1 {
			return false, amigo.Invalid(amigo.FieldError{
				In: "query", Loc: []any{"sort_by", i},
				Msg:  "Value error, the only sortable field is version, not " + strconv.Quote(f),
				Type: "value_error",
			})
		}
	}
	return len(fields) > 0 && strings.HasPrefix(fields[0], "-"), nil
}
