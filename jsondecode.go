package amigo

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Request bodies with many nested fields (agent and state machine versions)
// are decoded the way the reference implementation's pydantic models
// validate them, so that one 422 can list every problem at once:
//
//   - keys match json tags exactly (encoding/json would also accept "NAME");
//   - unknown keys are ignored, as the spec's schemas do not forbid them;
//   - a value of the wrong type, or null where null is not allowed, is
//     reported at its location and leaves the field at its zero value;
//   - an absent field is reported as missing unless its tag says omitempty.
//
// Null is allowed exactly for pointer fields. Stored documents are decoded
// strictly with plain encoding/json.

// fieldDecoder is implemented by the types whose JSON shape is a union or a
// tuple (State, NextState, Reference).
type fieldDecoder interface {
	decodeJSON(x any, loc []any, errs *[]FieldError)
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

// decodeFields decodes the JSON object data into the struct pointed to by
// dst, appending every problem to errs with its location below loc. It
// ignores dst's own UnmarshalJSON, so that method may call it. The body is
// parsed once into a generic tree, which is then walked.
func decodeFields(data []byte, dst any, loc []any, errs *[]FieldError) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		x = nil // not JSON at all: reported as not an object
	}
	decodeStruct(x, reflect.ValueOf(dst).Elem(), loc, errs)
}

// decodeInto decodes the generic JSON value x into the value dst points to.
func decodeInto(x any, dst any, loc []any, errs *[]FieldError) {
	decodeValue(x, reflect.ValueOf(dst).Elem(), loc, errs)
}

// decodeValue decodes x, a value of a tree parsed with UseNumber, into the
// addressable v.
func decodeValue(x any, v reflect.Value, loc []any, errs *[]FieldError) {
	if d, ok := v.Addr().Interface().(fieldDecoder); ok {
		d.decodeJSON(x, loc, errs)
		return
	}
	if x == nil {
		if v.Kind() == reflect.Pointer {
			v.SetZero()
		} else {
			*errs = append(*errs, typeError(loc, v.Type()))
		}
		return
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		if b, err := json.Marshal(x); err != nil || u.UnmarshalJSON(b) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
		}
		return
	}
	ok := true
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		decodeValue(x, p.Elem(), loc, errs)
		v.Set(p)
	case reflect.Struct:
		decodeStruct(x, v, loc, errs)
	case reflect.Slice:
		var items []any
		if items, ok = x.([]any); ok {
			s := reflect.MakeSlice(v.Type(), len(items), len(items))
			for i, item := range items {
				decodeValue(item, s.Index(i), At(loc, i), errs)
			}
			v.Set(s)
		}
	case reflect.Map:
		var m map[string]any
		if m, ok = x.(map[string]any); ok {
			out := reflect.MakeMapWithSize(v.Type(), len(m))
			for _, k := range slices.Sorted(maps.Keys(m)) {
				elem := reflect.New(v.Type().Elem()).Elem()
				decodeValue(m[k], elem, At(loc, k), errs)
				out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
			}
			v.Set(out)
		}
	case reflect.String:
		var s string
		if s, ok = x.(string); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		var b bool
		if b, ok = x.(bool); ok {
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		decodeInt(x, v, loc, errs)
	case reflect.Float32, reflect.Float64:
		var n json.Number
		if n, ok = x.(json.Number); ok {
			f, err := n.Float64()
			ok = err == nil
			v.SetFloat(f)
		}
	default:
		ok = false
	}
	if !ok {
		*errs = append(*errs, typeError(loc, v.Type()))
	}
}

// decodeStruct decodes a JSON object field by field, in declaration order.
func decodeStruct(x any, v reflect.Value, loc []any, errs *[]FieldError) {
	m, ok := x.(map[string]any)
	if !ok {
		*errs = append(*errs, typeError(loc, v.Type()))
		return
	}
	for _, f := range structFields(v.Type()) {
		item, ok := m[f.name]
		if !ok {
			if f.required {
				*errs = append(*errs, FieldError{Loc: At(loc, f.name), Msg: "Field required", Type: "missing"})
			}
			continue
		}
		decodeValue(item, v.Field(f.index), At(loc, f.name), errs)
	}
}

// decodeInt accepts integers and, like pydantic, floats without a
// fractional part.
func decodeInt(x any, v reflect.Value, loc []any, errs *[]FieldError) {
	num, ok := x.(json.Number)
	if !ok {
		*errs = append(*errs, typeError(loc, v.Type()))
		return
	}
	n, err := num.Int64()
	if err != nil {
		f, ferr := num.Float64()
		if ferr != nil || math.Abs(f) >= math.MaxInt64 {
			*errs = append(*errs, typeError(loc, v.Type()))
			return
		} else if f != math.Trunc(f) {
			*errs = append(*errs, FieldError{Loc: loc, Msg: "Input should be a valid integer, got a number with a fractional part", Type: "int_from_float"})
			return
		}
		n = int64(f)
	}
	if v.OverflowInt(n) {
		*errs = append(*errs, typeError(loc, v.Type()))
		return
	}
	v.SetInt(n)
}

// typeError is pydantic's error for a value that is not of type t.
func typeError(loc []any, t reflect.Type) FieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	e := FieldError{Loc: loc}
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
