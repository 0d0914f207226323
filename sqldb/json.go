package sqldb

import (
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
