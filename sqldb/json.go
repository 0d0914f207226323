package sqldb

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonText encodes v for a TEXT column. The values stored this way are the
// server's own types, so encoding cannot fail.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqldb: encode %T: %v", v, err))
	}
	return ownedString(b)
}

// fromJSON decodes a TEXT column into v.
func fromJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode stored %T: %w", v, err)
	}
	return nil
}

// nonNil returns s, or an empty slice for nil, so that it is stored as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// jsonStrings encodes list as jsonText(nonNil(list)) does, one item at a
// time into one buffer sized for the list: a user's 270,000 additional
// context texts (3.3 MB) are written once, without json.Marshal's
// growing buffer and its copy of the result.
func jsonStrings(list []string) string {
	size := 2
	for _, s := range list {
		size += len(s) + 3
	}
	out := bytes.NewBuffer(make([]byte, 0, size+size/16))
	enc := json.NewEncoder(out)
	out.WriteByte('[')
	var item string
	ref := any(&item)
	for i, s := range list {
		if i > 0 {
			out.WriteByte(',')
		}
		item = s
		if err := enc.Encode(ref); err != nil {
			panic(fmt.Sprintf("sqldb: encode a list of strings: %v", err))
		}
		out.Truncate(out.Len() - 1) // Encode's newline
	}
	out.WriteByte(']')
	return ownedString(out.Bytes())
}
