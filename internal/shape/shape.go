// Package shape converts between the domain's types and their wire and
// storage forms: struct types with the same field names and kinds that
// differ in their tags, their methods and the named types of their fields.
// The HTTP layer (api/wire) and storage (sqldb) keep their own shapes of
// the domain's documents so that renaming a field in one never touches the
// other; Convert moves values between them without a hand-kept list of
// fields per type.
//
// Conversion is strict: a field of either type that the other lacks is a
// programming error and panics (a field tagged `shape:"-"` is neither read
// nor written: what one side carries beside the document), so a test that converts a value once fails
// as soon as the shapes drift apart. It depends only on the standard
// library.
package shape

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Convert returns src converted to T.
func Convert[T any](src any) T {
	var dst T
	convert(reflect.ValueOf(&dst).Elem(), reflect.ValueOf(src))
	return dst
}

// Into converts src into the value dst points to.
func Into(dst, src any) {
	convert(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src))
}

// convert sets the settable dst to src.
func convert(dst, src reflect.Value) {
	if !src.IsValid() {
		dst.SetZero()
		return
	}
	if src.Type() == dst.Type() {
		dst.Set(src)
		return
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if src.Kind() != reflect.Pointer {
			mismatch(dst, src)
		} else if src.IsNil() {
			dst.SetZero()
			return
		}
		p := reflect.New(dst.Type().Elem())
		convert(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		if src.Kind() != reflect.Struct {
			mismatch(dst, src)
		}
		for _, f := range pairs(dst.Type(), src.Type()) {
			convert(dst.Field(f[0]), src.Field(f[1]))
		}
	case reflect.Slice:
		if src.Kind() != reflect.Slice {
			mismatch(dst, src)
		} else if src.IsNil() {
			dst.SetZero()
			return
		}
		s := reflect.MakeSlice(dst.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			convert(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.Kind() != reflect.Map {
			mismatch(dst, src)
		} else if src.IsNil() {
			dst.SetZero()
			return
		}
		m := reflect.MakeMapWithSize(dst.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(dst.Type().Key()).Elem()
			convert(k, it.Key())
			v := reflect.New(dst.Type().Elem()).Elem()
			convert(v, it.Value())
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	default:
		if !src.Type().ConvertibleTo(dst.Type()) || src.Kind() != dst.Kind() {
			mismatch(dst, src)
		}
		dst.Set(src.Convert(dst.Type()))
	}
}

func mismatch(dst, src reflect.Value) {
	panic(fmt.Sprintf("shape: cannot convert %s to %s", src.Type(), dst.Type()))
}

var pairCache sync.Map // [2]reflect.Type → [][2]int

// pairs matches the exported fields of dst and src by name: each element
// holds a field index of dst and of src. It panics unless both have
// exactly the same exported field names.
func pairs(dst, src reflect.Type) [][2]int {
	key := [2]reflect.Type{dst, src}
	if p, ok := pairCache.Load(key); ok {
		return p.([][2]int)
	}
	var out [][2]int
	seen := 0
	for i := range dst.NumField() {
		f := dst.Field(i)
		if !f.IsExported() || f.Tag.Get("shape") == "-" {
			continue
		}
		sf, ok := src.FieldByName(f.Name)
		if !ok || len(sf.Index) != 1 || sf.Tag.Get("shape") == "-" {
			panic(fmt.Sprintf("shape: %s has field %s, %s has not", dst, f.Name, src))
		}
		out = append(out, [2]int{i, sf.Index[0]})
		seen++
	}
	for i := range src.NumField() {
		if f := src.Field(i); f.IsExported() && f.Tag.Get("shape") != "-" {
			seen--
		}
	}
	if seen != 0 {
		panic(fmt.Sprintf("shape: %s has fields that %s lacks", src, dst))
	}
	pairCache.Store(key, out)
	return out
}

// MarshalList returns the JSON encoding of src converted to T, a struct,
// as json.Marshal(Convert[T](src)) writes it, but converts and encodes the
// items of T's slice field named list one at a time, through one encoder
// and one item: a document holding a list of 50,000 items is never copied
// whole into T to be encoded, and an item costs no allocation of its own.
// The buffer is sized once from the first item's encoding. A nil list is
// encoded as Convert would.
func MarshalList[T any](src any, list string) ([]byte, error) {
	sv := reflect.ValueOf(src)
	items := sv.FieldByName(list)
	if items.IsNil() {
		return json.Marshal(Convert[T](src))
	}
	head := reflect.New(sv.Type()).Elem()
	head.Set(sv)
	head.FieldByName(list).Set(reflect.MakeSlice(items.Type(), 0, 0))
	var dst T
	convert(reflect.ValueOf(&dst).Elem(), head)
	field, _ := reflect.TypeFor[T]().FieldByName(list)
	doc, err := json.Marshal(dst)
	if err != nil {
		return nil, err
	}
	at, err := emptyListAt(doc, strings.Split(field.Tag.Get("json"), ",")[0])
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, len(doc)+64))
	out.Write(doc[:at])
	enc := json.NewEncoder(out)
	ref := reflect.New(field.Type.Elem())
	item, itemRef := ref.Elem(), ref.Interface()
	for i := range items.Len() {
		if i > 0 {
			out.WriteByte(',')
		}
		start := out.Len()
		convert(item, items.Index(i))
		if err := enc.Encode(itemRef); err != nil {
			return nil, err
		}
		out.Truncate(out.Len() - 1) // Encode's newline
		if i == 0 {
			n := out.Len() - start + 1
			out.Grow(n*(items.Len()-1) + n*items.Len()/8 + len(doc) - at)
		}
	}
	out.Write(doc[at:])
	return out.Bytes(), nil
}

// MarshalMap returns the JSON encoding of m converted to map[string]T, as
// json.Marshal(Convert[map[string]T](m)) writes it (AppendMap).
func MarshalMap[T, V any](m map[string]V) ([]byte, error) {
	return AppendMap[T](nil, m)
}

// AppendMap appends to dst the JSON encoding of m converted to
// map[string]T, as json.Marshal(Convert[map[string]T](m)) writes it, but
// converts and encodes its values one at a time in key order, through one
// encoder and one value of each type: a map of 80,000 entries is never
// copied whole to be encoded, and an entry costs no allocation of its
// own. dst grows once, by the size of the first entry times their number
// and an eighth more, when the entries are alike.
func AppendMap[T, V any](dst []byte, m map[string]V) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := bytes.NewBuffer(dst)
	enc := json.NewEncoder(out)
	out.WriteByte('{')
	var key string
	var item T
	var value V
	keyRef, itemRef := any(&key), any(&item)
	to, from := reflect.ValueOf(&item).Elem(), reflect.ValueOf(&value).Elem()
	for i, k := range keys {
		if i > 0 {
			out.WriteByte(',')
		}
		start := out.Len()
		// Encode ends each value with a newline, dropped here.
		key = k
		if err := enc.Encode(keyRef); err != nil {
			return nil, err
		}
		out.Truncate(out.Len() - 1)
		out.WriteByte(':')
		value = m[k]
		convert(to, from)
		if err := enc.Encode(itemRef); err != nil {
			return nil, err
		}
		out.Truncate(out.Len() - 1)
		if i == 0 {
			n := out.Len() - start + 1
			out.Grow(n*(len(keys)-1) + n*len(keys)/8 + 1)
		}
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// emptyListAt returns the offset just inside the empty list that is the
// value of the top-level key of the object doc.
func emptyListAt(doc []byte, key string) (int, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	if _, err := d.Token(); err != nil {
		return 0, err
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return 0, err
		}
		if k == key {
			at := int(d.InputOffset())
			if !bytes.HasPrefix(doc[at:], []byte(":[]")) {
				break
			}
			return at + 2, nil
		}
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("shape: no empty list %q in %.40s", key, doc)
}
