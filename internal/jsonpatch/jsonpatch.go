// Package jsonpatch computes the RFC 6902 JSON Patch from one JSON document
// to another, for the change log and version diffs.
//
// It works on the documents' bytes (as encoding/json writes them) and never
// decodes them into Go values, so its cost is linear in the documents:
// arrays are compared element by element in one pass, objects by their
// sorted keys. Where the operations for an array or an object would take
// more bytes than one "replace" of it, the patch holds that replace
// instead, and stops comparing it as soon as it knows: a patch is never
// much larger than the document it leads to, whatever changed (975,000
// changed list items are one replace, not 975,000 operations).
//
// It depends only on the standard library.
package jsonpatch

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Operation kinds.
const (
	Add     = "add"
	Remove  = "remove"
	Replace = "replace"
)

// Op is one operation of a patch, without its value.
type Op struct {
	Type string
	// Path is the JSON Pointer the operation applies to ("/a/0", "" for
	// the whole document).
	Path string
}

// Patch is a JSON Patch.
type Patch struct {
	// JSON is the patch as a JSON array, "[]" when the documents are
	// equal.
	JSON []byte
	// Ops are its operations in order.
	Ops []Op
}

// Diff returns the patch from document a to document b, in their JSON
// encodings (encoding/json's; a json.RawMessage is taken as it is, once
// checked). A nil document is JSON null: the patch from null to a document
// is one "add" of the whole document at "" (and the reverse is an "add" of
// null), as RFC 6902 replaces a whole document.
func Diff(a, b any) (Patch, error) {
	ja, err := encode(a)
	if err != nil {
		return Patch{}, err
	}
	jb, err := encode(b)
	if err != nil {
		return Patch{}, err
	}
	return diffJSON(ja, jb), nil
}

// encode returns v's JSON encoding. A json.RawMessage that is already
// compact is used as it is, not copied: a multi-megabyte document encoded
// by its owner is held once.
func encode(v any) ([]byte, error) {
	if r, ok := v.(json.RawMessage); ok && json.Valid(r) && compact(r) {
		return r, nil
	}
	return json.Marshal(v)
}

// compact says whether the valid JSON v has no space between its tokens.
func compact(v []byte) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ' ', '\t', '\n', '\r':
			return false
		case '"':
			i = skipString(v, i) - 1
		}
	}
	return true
}

// diffJSON returns the patch from a to b, valid JSON documents without
// spaces between tokens (as encoding/json writes them).
func diffJSON(a, b []byte) Patch {
	d := &differ{out: append(make([]byte, 0, 64), '[')}
	switch {
	case bytes.Equal(a, b):
	case kind(a) != kind(b) || kind(a) == 'n':
		d.write(Add, b)
	default:
		d.diff(a, b, false)
	}
	d.out = append(d.out, ']')
	paths := string(d.paths)
	ops := make([]Op, len(d.ops))
	for i, op := range d.ops {
		ops[i] = Op{op.typ, paths[op.start:op.end]}
	}
	return Patch{JSON: d.out, Ops: ops}
}

// differ writes the operations of a patch as it finds them.
type differ struct {
	out []byte
	ops []op
	// paths holds the paths of ops, end to end.
	paths []byte
	// path is the JSON Pointer of the values being compared; a
	// comparison appends its segment and cuts it off when done.
	path []byte
}

// push appends a segment to the path and returns the length to restore.
func (d *differ) push(seg string) int {
	n := len(d.path)
	d.path = append(append(d.path, '/'), seg...)
	return n
}

func (d *differ) pushIndex(i int) int {
	n := len(d.path)
	d.path = strconv.AppendInt(append(d.path, '/'), int64(i), 10)
	return n
}

// diff writes the operations from a to b, two values at the path. A
// container that differs is compared member by member unless one replace
// of it is shorter (rationalize, false only at the root).
func (d *differ) diff(a, b []byte, rationalize bool) {
	if bytes.Equal(a, b) {
		return
	}
	ka, kb := kind(a), kind(b)
	if ka != kb || (ka != '{' && ka != '[') {
		d.write(Replace, b)
		return
	}
	limit := -1
	start, startOps := len(d.out), len(d.ops)
	if rationalize {
		limit = start + opLen(len(d.path), b)
	}
	var done bool
	if ka == '[' {
		done = d.arrays(a, b, limit)
	} else {
		done = d.objects(a, b, limit)
	}
	if !done {
		if startOps < len(d.ops) {
			d.paths = d.paths[:d.ops[startOps].start]
		}
		d.out, d.ops = d.out[:start], d.ops[:startOps]
		d.write(Replace, b)
	}
}

// over says whether the operations written so far pass limit (-1: none).
func (d *differ) over(limit int) bool { return limit >= 0 && len(d.out) > limit }

// arrays compares two arrays index by index, then removes or appends the
// rest; false when it gave up because a replace is shorter.
func (d *differ) arrays(a, b []byte, limit int) bool {
	ia, ib := 1, 1 // past '['
	i := 0
	for {
		ia, ib = skipSpace(a, ia), skipSpace(b, ib)
		if a[ia] == ']' || b[ib] == ']' {
			break
		}
		ea, eb := skipValue(a, ia), skipValue(b, ib)
		n := d.pushIndex(i)
		d.diff(a[ia:ea], b[ib:eb], true)
		d.path = d.path[:n]
		if d.over(limit) {
			return false
		}
		ia, ib = next(a, ea), next(b, eb)
		i++
	}
	// Items past the end of b are removed: each removal shifts the next
	// one to index i.
	n := d.pushIndex(i)
	defer func() { d.path = d.path[:n] }()
	for a[ia] != ']' {
		d.write(Remove, nil)
		if d.over(limit) {
			return false
		}
		ia = skipSpace(a, next(a, skipValue(a, ia)))
	}
	d.path = append(d.path[:n], "/-"...)
	for b[ib] != ']' {
		eb := skipValue(b, ib)
		d.write(Add, b[ib:eb])
		if d.over(limit) {
			return false
		}
		ib = skipSpace(b, next(b, eb))
	}
	return true
}

// op is an operation written: its type and where its path is in paths.
type op struct {
	typ        string
	start, end int
}

// member is an object's member: its key (as encoded) and its value.
type member struct{ key, val []byte }

// objects compares two objects key by key, in key order; false when it
// gave up because a replace is shorter.
func (d *differ) objects(a, b []byte, limit int) bool {
	ma, mb := members(a), members(b)
	for len(ma) > 0 || len(mb) > 0 {
		var c int
		switch {
		case len(ma) == 0:
			c = 1
		case len(mb) == 0:
			c = -1
		default:
			c = bytes.Compare(ma[0].key, mb[0].key)
		}
		switch {
		case c == 0:
			n := d.push(segment(ma[0].key))
			d.diff(ma[0].val, mb[0].val, true)
			d.path = d.path[:n]
			ma, mb = ma[1:], mb[1:]
		case c < 0:
			n := d.push(segment(ma[0].key))
			d.write(Remove, nil)
			d.path = d.path[:n]
			ma = ma[1:]
		default:
			n := d.push(segment(mb[0].key))
			d.write(Add, mb[0].val)
			d.path = d.path[:n]
			mb = mb[1:]
		}
		if d.over(limit) {
			return false
		}
	}
	return true
}

// members lists an object's members sorted by key.
func members(obj []byte) []member {
	var out []member
	for i := skipSpace(obj, 1); obj[i] != '}'; {
		ke := skipValue(obj, i)
		key := obj[i+1 : ke-1]
		vs := skipSpace(obj, skipSpace(obj, ke)+1) // past ':'
		ve := skipValue(obj, vs)
		out = append(out, member{key, obj[vs:ve]})
		i = skipSpace(obj, next(obj, ve))
	}
	slices.SortStableFunc(out, func(x, y member) int { return bytes.Compare(x.key, y.key) })
	return out
}

// segment turns an encoded key into a JSON Pointer segment.
func segment(key []byte) string {
	s := string(key)
	if bytes.IndexByte(key, '\\') >= 0 {
		if err := json.Unmarshal([]byte(`"`+s+`"`), &s); err != nil {
			s = string(key)
		}
	}
	if strings.ContainsAny(s, "~/") {
		s = strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
	}
	return s
}

// write appends one operation at the path; value is nil for a removal.
func (d *differ) write(typ string, value []byte) {
	if len(d.out) > 1 {
		d.out = append(d.out, ',')
	}
	d.out = append(d.out, '{')
	if value != nil {
		d.out = append(d.out, `"value":`...)
		d.out = append(d.out, value...)
		d.out = append(d.out, ',')
	}
	d.out = append(d.out, `"op":"`...)
	d.out = append(d.out, typ...)
	d.out = append(d.out, `","path":`...)
	d.out = appendString(d.out, d.path)
	d.out = append(d.out, '}')
	d.ops = append(d.ops, op{typ, len(d.paths), len(d.paths) + len(d.path)})
	d.paths = append(d.paths, d.path...)
}

// opLen is the length of a replace of value at a path of pathLen bytes,
// with its comma.
func opLen(pathLen int, value []byte) int {
	return len(`,{"value":,"op":"replace","path":""}`) + len(value) + pathLen + 8
}

// appendString appends s as a JSON string.
func appendString(out, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			b, _ := json.Marshal(string(s))
			return append(out, b...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

// kind is the first byte of a value: '{', '[', '"', 'n', 't', 'f', or a
// digit or '-'.
func kind(v []byte) byte {
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// next returns the index after the comma that follows a value ending at
// i, or the index of the closing bracket.
func next(b []byte, i int) int {
	i = skipSpace(b, i)
	if b[i] == ',' {
		return i + 1
	}
	return i
}

// skipValue returns the index just past the value starting at i. The
// document is valid JSON (Diff checks), so brackets balance.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != ']' && b[i] != '}' && b[i] != ' ' && b[i] != '\n' && b[i] != '\t' && b[i] != '\r' {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}
