package wire

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/amigo-oss/amigo-server"
)

// Every request body is decoded the way the reference implementation's
// pydantic models validate it, so that one 422 can list every problem at
// once, always in the same order:
//
//   - keys match json tags exactly (encoding/json would also accept "NAME");
//   - unknown keys are ignored, as the spec's schemas do not forbid them;
//   - a value of the wrong type, or null where null is not allowed, is
//     reported at its location and leaves the field at its zero value;
//   - an absent field is reported as missing unless its tag says omitempty;
//   - map keys are visited in sorted order, never Go's map order;
//   - a string holding a NUL character is refused: PostgreSQL cannot store
//     one, and SQLite must not store what PostgreSQL refuses.
//
// Null is allowed exactly for pointer fields. The cost is linear in the
// body: it is checked once, the members of its objects are split out, and
// the items of its lists are parsed one at a time, so no generic tree of
// the whole body is ever held; at most amigo.MaxFieldErrors violations are
// kept, the rest only counted.

// Decode reads body into dst, a pointer to a wire shape. A body that is not
// JSON is an EINVALID error located in the body (In "body"), returned as
// err. Otherwise the violations found while decoding, located relative to
// the body, are returned as malformed (nil if there are none), for package
// core to report together with its own.
func Decode(body []byte, dst any) (malformed *amigo.Error, err error) {
	if !json.Valid(body) {
		return nil, syntaxError(body)
	}
	var c collector
	decodeRaw(body, reflect.ValueOf(dst).Elem(), nil, &c)
	return c.err(), nil
}

// syntaxError locates the first syntax error of body, which is not valid
// JSON, as FastAPI does: ["body", index of the offending byte], or the
// body's length when it ends too soon.
func syntaxError(body []byte) error {
	offset := len(body)
	var syntax *json.SyntaxError
	err := json.Unmarshal(body, new(struct{}))
	if errors.As(err, &syntax) && !errors.Is(err, io.ErrUnexpectedEOF) && syntax.Error() != "unexpected end of JSON input" {
		// Offset counts the bytes read, the offending one included;
		// Python's pos is the offending character's index.
		offset = max(int(syntax.Offset)-1, 0)
	}
	msg := "JSON decode error"
	if err != nil {
		msg += ": " + err.Error()
	}
	return amigo.Invalid(amigo.FieldError{In: "body", Loc: []any{offset}, Msg: msg, Type: "json_invalid"})
}

// collector keeps the first amigo.MaxFieldErrors violations and counts the
// others, so a body of a million broken items costs a bounded answer.
type collector struct {
	errs []amigo.FieldError
	more int
}

func (c *collector) add(e amigo.FieldError) {
	if len(c.errs) < amigo.MaxFieldErrors {
		e.Loc = slices.Clone(e.Loc)
		c.errs = append(c.errs, e)
	} else {
		c.more++
	}
}

// err returns the violations as one EINVALID error, or nil.
func (c *collector) err() *amigo.Error {
	if len(c.errs) == 0 {
		return nil
	}
	e := amigo.Invalid(c.errs...)
	e.More = c.more
	return e
}

// fieldDecoder is implemented by the types whose JSON shape is a union or a
// tuple (State, NextState, Reference).
type fieldDecoder interface {
	decodeJSON(x any, loc []any, c *collector)
}

type structField struct {
	name     string
	index    int
	required bool
}

var structFieldsCache sync.Map // reflect.Type → []structField

// structFields lists the exported, tagged fields of t in declaration order.
func structFields(t reflect.Type) []structField {
	if fs, ok := structFieldsCache.Load(t); ok {
		return fs.([]structField)
	}
	var fs []structField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("json")
		if !f.IsExported() || !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		optional := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" })
		fs = append(fs, structField{name: name, index: i, required: !optional})
	}
	structFieldsCache.Store(t, fs)
	return fs
}

// decodeRaw decodes the valid JSON raw into v. An object is split into its
// members and a list is parsed item by item, so that only one item's
// generic tree exists at a time, and a string of printable ASCII is taken
// as it is; other values are parsed whole.
func decodeRaw(raw []byte, v reflect.Value, loc []any, c *collector) {
	raw = bytes.TrimSpace(raw)
	_, special := v.Addr().Interface().(fieldDecoder)
	if _, ok := v.Addr().Interface().(json.Unmarshaler); ok || special || len(raw) == 0 {
		decodeParsed(raw, v, loc, c)
		return
	}
	if v.Kind() == reflect.Pointer && raw[0] != 'n' {
		p := reflect.New(v.Type().Elem())
		decodeRaw(raw, p.Elem(), loc, c)
		v.Set(p)
		return
	}
	switch {
	case v.Kind() == reflect.String && plainASCII(raw):
		v.SetString(string(raw[1 : len(raw)-1]))
	case v.Kind() == reflect.Struct && raw[0] == '{':
		fs := structFields(v.Type())
		// The value of each field, the last one when a key is repeated.
		var buf [16][]byte
		values := buf[:0]
		if len(fs) > len(buf) {
			values = make([][]byte, len(fs))
		}
		values = values[:len(fs)]
		for key, item := range members(raw) {
			for i := range fs {
				if fs[i].name == key {
					values[i] = item
				}
			}
		}
		for i, f := range fs {
			if values[i] == nil {
				if f.required {
					c.add(amigo.FieldError{Loc: At(loc, f.name), Msg: "Field required", Type: "missing"})
				}
				continue
			}
			decodeRaw(values[i], v.Field(f.index), At(loc, f.name), c)
		}
	case v.Kind() == reflect.Map && raw[0] == '{' && v.Type().Key().Kind() == reflect.String:
		v.Set(decodeMap(raw, v.Type(), loc, c))
	case v.Kind() == reflect.Slice && raw[0] == '[' && plainString(v.Type().Elem()):
		v.Set(decodeStrings(raw, v.Type(), loc, c))
	case v.Kind() == reflect.Slice && raw[0] == '[':
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		d.Token() // the opening bracket
		s := reflect.MakeSlice(v.Type(), countItems(raw), countItems(raw))
		for i := 0; d.More() && i < s.Len(); i++ {
			var x any
			if d.Decode(&x) != nil {
				break // cannot happen: raw is valid JSON
			}
			decodeValue(x, s.Index(i), At(loc, i), c)
		}
		v.Set(s)
	default:
		decodeParsed(raw, v, loc, c)
	}
}

// decodeMap decodes raw, a valid JSON object, into a new map of type t,
// whose keys are strings, without parsing the object whole: its members
// are split out and decoded one at a time in key order, so that violations
// are always listed in the same order; of repeated keys the last wins, as
// in encoding/json. One location serves every key: the collector copies
// the locations it keeps.
func decodeMap(raw []byte, t reflect.Type, loc []any, c *collector) reflect.Value {
	type member struct {
		key   string
		value []byte
		n     int
	}
	ms := make([]member, 0, countItems(raw))
	sorted := true
	for key, value := range members(raw) {
		sorted = sorted && (len(ms) == 0 || ms[len(ms)-1].key < key)
		ms = append(ms, member{key: key, value: value, n: len(ms)})
	}
	if !sorted {
		slices.SortFunc(ms, func(a, b member) int { return cmp.Or(strings.Compare(a.key, b.key), a.n-b.n) })
		last := ms[:0]
		for i, m := range ms {
			if i+1 == len(ms) || ms[i+1].key != m.key {
				last = append(last, m)
			}
		}
		ms = last
	}
	out := reflect.MakeMapWithSize(t, len(ms))
	key, elem := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	at := At(loc, "")
	for _, m := range ms {
		at[len(at)-1] = m.key
		checkText(m.key, at, c)
		elem.SetZero()
		decodeRaw(m.value, elem, at, c)
		key.SetString(m.key)
		out.SetMapIndex(key, elem)
	}
	return out
}

// members yields the key and the value of each member of raw, a valid
// JSON object, in order, without parsing the values.
func members(raw []byte) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for at := skipSpace(raw, 1); at < len(raw) && raw[at] != '}'; {
			end := itemEnd(raw, at)
			key := raw[at:end]
			at = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
			end = itemEnd(raw, at)
			if !yield(jsonString(key), raw[at:end]) {
				return
			}
			at = skipSpace(raw, end)
			if at < len(raw) && raw[at] == ',' {
				at = skipSpace(raw, at+1)
			}
		}
	}
}

// jsonString returns the text of item, a valid JSON string.
func jsonString(item []byte) string {
	if plainASCII(item) {
		return string(item[1 : len(item)-1])
	}
	var s string
	json.Unmarshal(item, &s) // cannot fail: item is a valid JSON string
	return s
}

// plainString says whether t is a string type decoded as any string is.
func plainString(t reflect.Type) bool {
	if t.Kind() != reflect.String {
		return false
	}
	p := reflect.PointerTo(t)
	return !p.Implements(reflect.TypeFor[json.Unmarshaler]()) && !p.Implements(reflect.TypeFor[fieldDecoder]())
}

// decodeStrings decodes raw, a valid JSON list, into a new slice of type t
// of strings. An item that is a string of printable ASCII without escapes
// (nearly all of them) is taken as it is, without a parse or a location
// of its own; any other goes through decodeValue like an item of any
// other list.
func decodeStrings(raw []byte, t reflect.Type, loc []any, c *collector) reflect.Value {
	s := reflect.MakeSlice(t, countItems(raw), countItems(raw))
	i := 0
	for at := skipSpace(raw, 1); at < len(raw) && raw[at] != ']' && i < s.Len(); i++ {
		end := itemEnd(raw, at)
		if item := raw[at:end]; plainASCII(item) {
			s.Index(i).SetString(string(item[1 : len(item)-1]))
		} else {
			var x any
			d := json.NewDecoder(bytes.NewReader(item))
			d.UseNumber()
			if d.Decode(&x) != nil {
				break // cannot happen: raw is valid JSON
			}
			decodeValue(x, s.Index(i), At(loc, i), c)
		}
		at = skipSpace(raw, end)
		if at < len(raw) && raw[at] == ',' {
			at = skipSpace(raw, at+1)
		}
	}
	return s
}

// plainASCII says whether item is a JSON string of printable ASCII
// characters without escapes, whose text is its bytes between the quotes.
func plainASCII(item []byte) bool {
	if len(item) < 2 || item[0] != '"' {
		return false
	}
	for _, b := range item[1 : len(item)-1] {
		if b < 0x20 || b >= 0x80 || b == '\\' || b == '"' {
			return false
		}
	}
	return true
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// itemEnd returns the index just past the JSON value starting at i of
// raw, which is valid JSON.
func itemEnd(raw []byte, i int) int {
	depth, inString, escaped := 0, false, false
	for j := i; j < len(raw); j++ {
		b := raw[j]
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if b == '\\' {
				escaped = true
			} else if b == '"' {
				inString = false
				if depth == 0 {
					return j + 1
				}
			}
		case b == '"':
			inString = true
		case b == '[' || b == '{':
			depth++
		case b == ']' || b == '}':
			if depth == 0 {
				return j
			}
			depth--
			if depth == 0 {
				return j + 1
			}
		case depth == 0 && (b == ',' || b == ' ' || b == '\t' || b == '\n' || b == '\r'):
			return j
		}
	}
	return len(raw)
}

// countItems counts the items of raw, a valid JSON list, without parsing
// them, so that the list is allocated once at its size.
func countItems(raw []byte) int {
	commas, depth, empty := 0, 0, true
	inString, escaped := false, false
	for _, b := range raw {
		if depth >= 1 && b > ' ' && !(depth == 1 && b == ']') {
			empty = false
		}
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if b == '\\' {
				escaped = true
			} else if b == '"' {
				inString = false
			}
		case b == '"':
			inString = true
		case b == '[' || b == '{':
			depth++
		case b == ']' || b == '}':
			depth--
		case b == ',' && depth == 1:
			commas++
		}
	}
	if empty {
		return 0
	}
	return commas + 1
}

// decodeParsed parses raw whole and decodes the tree into v.
func decodeParsed(raw []byte, v reflect.Value, loc []any, c *collector) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		c.add(typeError(loc, v.Type()))
		return
	}
	decodeValue(x, v, loc, c)
}

// decodeInto decodes the generic JSON value x into the value dst points to.
func decodeInto(x any, dst any, loc []any, c *collector) {
	decodeValue(x, reflect.ValueOf(dst).Elem(), loc, c)
}

// decodeValue decodes x, a value of a tree parsed with UseNumber, into the
// addressable v.
func decodeValue(x any, v reflect.Value, loc []any, c *collector) {
	if d, ok := v.Addr().Interface().(fieldDecoder); ok {
		d.decodeJSON(x, loc, c)
		return
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		// Such a type (json.RawMessage) reads null itself.
		if b, err := json.Marshal(x); err != nil || u.UnmarshalJSON(b) != nil {
			c.add(typeError(loc, v.Type()))
		}
		return
	}
	if x == nil {
		if v.Kind() == reflect.Pointer {
			v.SetZero()
		} else {
			c.add(typeError(loc, v.Type()))
		}
		return
	}
	ok := true
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		decodeValue(x, p.Elem(), loc, c)
		v.Set(p)
	case reflect.Struct:
		decodeStruct(x, v, loc, c)
	case reflect.Slice:
		var items []any
		if items, ok = x.([]any); ok {
			s := reflect.MakeSlice(v.Type(), len(items), len(items))
			for i, item := range items {
				decodeValue(item, s.Index(i), At(loc, i), c)
			}
			v.Set(s)
		}
	case reflect.Map:
		var m map[string]any
		if m, ok = x.(map[string]any); ok {
			out := reflect.MakeMapWithSize(v.Type(), len(m))
			elem := reflect.New(v.Type().Elem()).Elem()
			for _, k := range slices.Sorted(maps.Keys(m)) {
				at := At(loc, k)
				checkText(k, at, c)
				elem.SetZero()
				decodeValue(m[k], elem, at, c)
				out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
			}
			v.Set(out)
		}
	case reflect.String:
		var s string
		if s, ok = x.(string); ok {
			checkText(s, loc, c)
			v.SetString(s)
		}
	case reflect.Bool:
		decodeBool(x, v, loc, c)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		decodeInt(x, v, loc, c)
	case reflect.Float32, reflect.Float64:
		switch x := x.(type) {
		case json.Number:
			f, err := x.Float64()
			ok = err == nil
			v.SetFloat(f)
		case string:
			// pydantic's lax mode reads numbers written as strings.
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				v.SetFloat(f)
			} else {
				c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid number, unable to parse string as a number", Type: "float_parsing"})
			}
		default:
			ok = false
		}
	default:
		ok = false
	}
	if !ok {
		c.add(typeError(loc, v.Type()))
	}
}

// decodeStruct decodes a JSON object field by field, in declaration order.
func decodeStruct(x any, v reflect.Value, loc []any, c *collector) {
	m, ok := x.(map[string]any)
	if !ok {
		c.add(modelError(loc, v.Type()))
		return
	}
	for _, f := range structFields(v.Type()) {
		item, ok := m[f.name]
		if !ok {
			if f.required {
				c.add(amigo.FieldError{Loc: At(loc, f.name), Msg: "Field required", Type: "missing"})
			}
			continue
		}
		decodeValue(item, v.Field(f.index), At(loc, f.name), c)
	}
}

// pydanticBools are the strings pydantic's lax mode reads as booleans.
var pydanticBools = map[string]bool{
	"0": false, "off": false, "f": false, "false": false, "n": false, "no": false,
	"1": true, "on": true, "t": true, "true": true, "y": true, "yes": true,
}

// decodeBool accepts booleans and, like pydantic's lax mode, the integers 0
// and 1 and the strings of pydanticBools.
func decodeBool(x any, v reflect.Value, loc []any, c *collector) {
	switch x := x.(type) {
	case bool:
		v.SetBool(x)
		return
	case json.Number:
		if x == "0" || x == "1" {
			v.SetBool(x == "1")
			return
		}
	case string:
		if b, ok := pydanticBools[strings.ToLower(strings.TrimSpace(x))]; ok {
			v.SetBool(b)
			return
		}
		c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid boolean, unable to interpret input", Type: "bool_parsing"})
		return
	}
	c.add(typeError(loc, v.Type()))
}

// decodeInt accepts integers and, like pydantic, floats without a
// fractional part and strings that hold an integer.
func decodeInt(x any, v reflect.Value, loc []any, c *collector) {
	if s, isString := x.(string); isString {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(n) {
			c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid integer, unable to parse string as an integer", Type: "int_parsing"})
			return
		}
		v.SetInt(n)
		return
	}
	num, ok := x.(json.Number)
	if !ok {
		c.add(typeError(loc, v.Type()))
		return
	}
	n, err := num.Int64()
	if err != nil {
		f, ferr := num.Float64()
		if ferr != nil || math.Abs(f) >= math.MaxInt64 {
			c.add(typeError(loc, v.Type()))
			return
		} else if f != math.Trunc(f) {
			c.add(amigo.FieldError{Loc: loc, Msg: "Input should be a valid integer, got a number with a fractional part", Type: "int_from_float"})
			return
		}
		n = int64(f)
	}
	if v.OverflowInt(n) {
		c.add(typeError(loc, v.Type()))
		return
	}
	v.SetInt(n)
}

// checkText refuses a string holding a NUL character.
func checkText(s string, loc []any, c *collector) {
	if strings.IndexByte(s, 0) >= 0 {
		c.add(amigo.FieldError{Loc: loc, Msg: "Value error, text cannot contain the NUL character (\\u0000)", Type: "value_error"})
	}
}

// modelError is pydantic's error for a value that is not an object of the
// model t: at the root of the body FastAPI's, below it pydantic's.
func modelError(loc []any, t reflect.Type) amigo.FieldError {
	if len(loc) == 0 {
		return typeError(loc, t)
	}
	return amigo.FieldError{Loc: loc, Msg: "Input should be a valid dictionary or instance of " + t.Name(), Type: "model_type"}
}

// typeError is pydantic's error for a value that is not of type t.
func typeError(loc []any, t reflect.Type) amigo.FieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	e := amigo.FieldError{Loc: loc}
	switch t.Kind() {
	case reflect.String:
		e.Type, e.Msg = "string_type", "Input should be a valid string"
	case reflect.Bool:
		e.Type, e.Msg = "bool_type", "Input should be a valid boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.Type, e.Msg = "int_type", "Input should be a valid integer"
	case reflect.Float32, reflect.Float64:
		e.Type, e.Msg = "float_type", "Input should be a valid number"
	case reflect.Slice:
		e.Type, e.Msg = "list_type", "Input should be a valid list"
	case reflect.Map:
		e.Type, e.Msg = "dict_type", "Input should be a valid dictionary"
	default:
		e.Type, e.Msg = "model_attributes_type", "Input should be a valid dictionary or object to extract fields from"
	}
	return e
}

// At returns a new location: loc followed by more. It never shares loc's
// backing array, so callers may keep extending loc.
func At(loc []any, more ...any) []any {
	l := make([]any, 0, len(loc)+len(more))
	return append(append(l, loc...), more...)
}
