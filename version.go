package amigo

import (
	"strconv"
	"strings"
)

// VersionFilter selects versions of one agent or state machine, as the
// version, sort_by, limit and continuation_token parameters of
// get-agent-versions and get-service-hierarchical-state-machine-versions
// describe.
type VersionFilter struct {
	// From and To bound the version numbers, inclusive; zero leaves a side
	// unbounded.
	From, To int
	// Latest selects only the latest version; From and To are ignored.
	Latest     bool
	Offset     int
	Limit      int
	Descending bool
}

// ParseVersionSelector parses the version query parameter: "" (every
// version), "3", "latest", "2-5" or "1-latest" (bounds are inclusive).
// Returns EINVALID located at ["query", "version"].
func ParseVersionSelector(s string) (VersionFilter, error) {
	var f VersionFilter
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
	return Invalid(FieldError{
		Loc:  []any{"query", "version"},
		Msg:  "Value error, version must be a positive version number, \"latest\", or a range \"N-M\" or \"N-latest\" with N <= M, not " + strconv.Quote(s),
		Type: "value_error",
	})
}

// ParseVersionSort parses the sort_by query parameter of the version
// listings, whose only field is "version" ("+version" ascending,
// "-version" descending; a bare name ascends). Later fields only break ties,
// so the first decides. Returns EINVALID located at ["query", "sort_by", i].
func ParseVersionSort(fields []string) (descending bool, err error) {
	for i, f := range fields {
		if strings.TrimLeft(f, "+-") != "version" || len(f) > len("version")+1 {
			return false, Invalid(FieldError{
				Loc:  []any{"query", "sort_by", i},
				Msg:  "Value error, the only sortable field is version, not " + strconv.Quote(f),
				Type: "value_error",
			})
		}
	}
	return len(fields) > 0 && strings.HasPrefix(fields[0], "-"), nil
}
