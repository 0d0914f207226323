package main

import (
	"encoding/json"
)

// covers reports whether have already holds everything want says, as
// JSON: objects compare over want's keys only (a key have lacks reads as
// null), lists element by element, and null, [] and {} are alike, since
// the API fills defaults the manifest may leave out. Apply uses it to
// decide whether a resource needs a new version.
func covers(want, have any) bool {
	if empty(want) && empty(have) {
		return true
	}
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !covers(v, h[k]) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !covers(w[i], h[i]) {
				return false
			}
		}
		return true
	}
	return want == have
}

// sameJSON reports whether a and b hold the same content in both
// directions of covers.
func sameJSON(a, b any) bool {
	x, y := generic(a), generic(b)
	return covers(x, y) && covers(y, x)
}

// coversJSON is covers on two encodable values.
func coversJSON(want, have any) bool { return covers(generic(want), generic(have)) }

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// generic round-trips v through JSON into maps, slices and scalars.
func generic(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return nil
	}
	return out
}
