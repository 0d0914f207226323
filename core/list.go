package core

import "github.com/amigo-oss/amigo-server"

// listScanPage is how many rows a filtered listing reads per round trip.
const listScanPage = 100

// listAllowed returns one page of the resources the caller holds perm on.
// A caller with an unconditional grant gets the store's page as it is. A
// caller whose grants are conditional gets the page filtered row by row:
// the continuation token is the offset of the next row not yet scanned, so
// has_more and the token stay exact however many rows are filtered out.
// A caller with no grant of perm at all is EFORBIDDEN.
func listAllowed[T any](caller *amigo.Caller, perm string, offset, limit int,
	fetch func(offset, limit int) ([]T, bool, error), attrs func(T) amigo.Attributes) ([]T, *int, bool, error) {
	if caller == nil || caller.Role == nil || !caller.Role.AllowsSome(perm) {
		return nil, nil, false, caller.Require(perm, nil)
	}
	if caller.Can(perm, nil) {
		items, more, err := fetch(offset, limit)
		if err != nil || !more {
			return items, nil, more, err
		}
		next := offset + len(items)
		return items, &next, true, nil
	}
	var out []T
	for scan := offset; ; {
		rows, more, err := fetch(scan, listScanPage)
		if err != nil {
			return nil, nil, false, err
		}
		for i, r := range rows {
			if !caller.Can(perm, attrs(r)) {
				continue
			}
			if len(out) == limit {
				next := scan + i
				return out, &next, true, nil
			}
			out = append(out, r)
		}
		if !more {
			return out, nil, false, nil
		}
		scan += len(rows)
	}
}
