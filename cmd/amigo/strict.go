package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/internal/usage"
)

// Manifests are decoded strictly, unlike the API's bodies (whose schemas
// allow unknown keys): a misspelt key in a file kept in Git is a mistake,
// and passed through it would be silently dropped by the server, so that
// apply reported "no change" for an edit it never saw.

// specShapes are the shapes a manifest's spec is checked against, by kind.
var specShapes = map[string]reflect.Type{
	KindAgent:        reflect.TypeFor[wire.AgentVersionRequest](),
	KindStateMachine: reflect.TypeFor[machineSpecShape](),
	KindService:      reflect.TypeFor[serviceSpec](),
}

// machineSpecShape is a StateMachine spec: the API's definition, with
// references by name ([machine, version]) instead of by id.
type machineSpecShape struct {
	wire.StateMachineDefinition
	References map[string]json.RawMessage `json:"references"`
}

// unknownKeys returns a field error for every key of the manifest's spec
// that its kind does not have, with the nearest known key as a hint.
func unknownKeys(m *manifest) []fieldError {
	t, ok := specShapes[m.Kind]
	if !ok || !m.hasSpec() {
		return nil
	}
	var out []fieldError
	checkKeys(m.Spec, t, "spec", &out)
	return out
}

var (
	rawType   = reflect.TypeFor[json.RawMessage]()
	stateType = reflect.TypeFor[wire.State]()
)

// checkKeys walks raw along t, appending an error for each unknown key.
// Values of the wrong type are left to the validation that follows.
func checkKeys(raw json.RawMessage, t reflect.Type, path string, out *[]fieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == rawType:
		return
	case t == stateType:
		// A state's keys are its type's: the variant the "type" selects.
		var s wire.State
		if json.Unmarshal(raw, &s) != nil {
			return
		}
		v := reflect.ValueOf(s)
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
				checkObject(raw, f.Type().Elem(), path, []string{"type"}, out)
			}
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		checkObject(raw, t, path, nil, out)
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			for i, it := range items {
				checkKeys(it, t.Elem(), fmt.Sprintf("%s.%d", path, i), out)
			}
		}
	case reflect.Map:
		var items map[string]json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			for _, k := range slices.Sorted(maps.Keys(items)) {
				checkKeys(items[k], t.Elem(), path+"."+k, out)
			}
		}
	}
}

// checkObject checks the keys of a JSON object against the json tags of
// struct t (embedded structs' fields included) and extra.
func checkObject(raw json.RawMessage, t reflect.Type, path string, extra []string, out *[]fieldError) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return
	}
	fields := jsonFields(t)
	known := slices.Concat(extra, slices.Sorted(maps.Keys(fields)))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		ft, ok := fields[k]
		if ok {
			checkKeys(obj[k], ft, path+"."+k, out)
			continue
		}
		if slices.Contains(extra, k) {
			continue
		}
		msg := fmt.Sprintf("unknown key %q", k)
		if s := nearest(k, known); s != "" {
			msg += fmt.Sprintf(", did you mean %q?", s)
		}
		*out = append(*out, fieldError{path + "." + k, msg})
	}
}

// jsonFields maps the JSON names of struct t's fields to their types; a
// field of an embedded struct is shadowed by one of the outer struct.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f.Type)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, e := range embedded {
		for k, v := range jsonFields(e) {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out
}

// nearest returns the candidate closest to s, if it is close enough to be
// a misspelling of it (at most a third of its letters differ), else "".
func nearest(s string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := usage.Distance(strings.ToLower(s), c)
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(1, len(best)/3) {
		return ""
	}
	return best
}
