package amigo

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
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
	decodeJSON(data []byte, loc []any, errs *[]FieldError)
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
// ignores dst's own UnmarshalJSON, so that method may call it.
func decodeFields(data []byte, dst any, loc []any, errs *[]FieldError) {
	decodeStruct(bytes.TrimSpace(data), reflect.ValueOf(dst).Elem(), loc, errs)
}

// decodeInto decodes any JSON value into the value dst points to.
func decodeInto(data []byte, dst any, loc []any, errs *[]FieldError) {
	decodeValue(bytes.TrimSpace(data), reflect.ValueOf(dst).Elem(), loc, errs)
}

func decodeValue(data []byte, v reflect.Value, loc []any, errs *[]FieldError) {
	if d, ok := v.Addr().Interface().(fieldDecoder); ok {
		d.decodeJSON(data, loc, errs)
		return
	}
	if string(data) == "null" {
		if v.Kind() == reflect.Pointer {
			v.SetZero()
		} else {
			*errs = append(*errs, typeError(loc, v.Type()))
		}
		return
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		if u.UnmarshalJSON(data) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		decodeValue(data, p.Elem(), loc, errs)
		v.Set(p)
	case reflect.Struct:
		decodeStruct(data, v, loc, errs)
	case reflect.Slice:
		var items []json.RawMessage
		if data[0] != '[' || json.Unmarshal(data, &items) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			decodeValue(item, s.Index(i), At(loc, i), errs)
		}
		v.Set(s)
	case reflect.Map:
		var m map[string]json.RawMessage
		if data[0] != '{' || json.Unmarshal(data, &m) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
			return
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			elem := reflect.New(v.Type().Elem()).Elem()
			decodeValue(m[k], elem, At(loc, k), errs)
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), elem)
		}
		v.Set(out)
	case reflect.String:
		var s string
		if data[0] != '"' || json.Unmarshal(data, &s) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
			return
		}
		v.SetString(s)
	case reflect.Bool:
		switch string(data) {
		case "true", "false":
			v.SetBool(data[0] == 't')
		default:
			*errs = append(*errs, typeError(loc, v.Type()))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		decodeInt(data, v, loc, errs)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(data), 64)
		if !isNumber(data) || err != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
			return
		}
		v.SetFloat(f)
	default:
		if json.Unmarshal(data, v.Addr().Interface()) != nil {
			*errs = append(*errs, typeError(loc, v.Type()))
		}
	}
}

// decodeStruct decodes a JSON object field by field, in declaration order.
func decodeStruct(data []byte, v reflect.Value, loc []any, errs *[]FieldError) {
	var m map[string]json.RawMessage
	if len(data) == 0 || data[0] != '{' || json.Unmarshal(data, &m) != nil {
		*errs = append(*errs, typeError(loc, v.Type()))
		return
	}
	for _, f := range structFields(v.Type()) {
		raw, ok := m[f.name]
		if !ok {
			if f.required {
				*errs = append(*errs, FieldError{Loc: At(loc, f.name), Msg: "Field required", Type: "missing"})
			}
			continue
		}
		decodeValue(raw, v.Field(f.index), At(loc, f.name), errs)
	}
}

// decodeInt accepts integers and, like pydantic, floats without a
// fractional part.
func decodeInt(data []byte, v reflect.Value, loc []any, errs *[]FieldError) {
	if !isNumber(data) {
		*errs = append(*errs, typeError(loc, v.Type()))
		return
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(data), 64)
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

func isNumber(data []byte) bool {
	return len(data) > 0 && (data[0] == '-' || data[0] >= '0' && data[0] <= '9')
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
