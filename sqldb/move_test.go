package sqldb

import (
	"bytes"
	"testing"
)

// TestMoveValuesAreEngineNeutral checks that a value read from SQLite and
// the same value read from PostgreSQL hash alike, whatever Go type each
// driver returns for it.
func TestMoveValuesAreEngineNeutral(t *testing.T) {
	for _, tc := range []struct {
		name               string
		sqliteType, pgType string
		sqliteVal, pgVal   any
	}{
		{"boolean", "BOOLEAN", "BOOL", int64(1), true},
		{"false", "BOOLEAN", "BOOL", int64(0), false},
		{"bytes", "BLOB", "BYTEA", "png", []byte("png")},
		{"text", "TEXT", "TEXT", []byte("héllo"), "héllo"},
		{"bigint", "BIGINT", "INT8", int64(1700000000000000), int64(1700000000000000)},
		{"integer", "INTEGER", "INT4", int64(3), int64(3)},
		{"null", "INTEGER", "INT4", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := canonical(neutral(kindOf(tc.sqliteType), tc.sqliteVal))
			b := canonical(neutral(kindOf(tc.pgType), tc.pgVal))
			if !bytes.Equal(a, b) {
				t.Fatalf("SQLite %q, PostgreSQL %q", a, b)
			}
		})
	}
	t.Run("different values differ", func(t *testing.T) {
		for _, pair := range [][2]any{{true, false}, {int64(1), true}, {nil, ""}, {int64(1), "1"}} {
			if bytes.Equal(canonical(pair[0]), canonical(pair[1])) {
				t.Errorf("%#v and %#v encode alike", pair[0], pair[1])
			}
		}
	})
	t.Run("a row's hash depends on column names, not order", func(t *testing.T) {
		a := rowHash([]string{"id", "name"}, []any{"1", "x"})
		b := rowHash([]string{"name", "id"}, []any{"x", "1"})
		c := rowHash([]string{"id", "title"}, []any{"1", "x"})
		if !bytes.Equal(a, b) || bytes.Equal(a, c) {
			t.Fatal("row hashes")
		}
	})
}
