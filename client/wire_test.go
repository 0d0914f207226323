package client_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/client"
)

// TestWireFieldNames keeps the few shapes the SDK still declares itself
// (most are package api/wire's, by alias) in step with the server's: the
// same JSON field names, down through nested structs, lists and maps.
func TestWireFieldNames(t *testing.T) {
	for _, pair := range []struct{ sdk, server any }{
		{client.ChangePage{}, wire.ChangeList{}},
		{client.VersionDiff{}, wire.VersionDiff{}},
		{client.StateMachineDiff{}, wire.MachineDiff{}},
		{client.PromoteRequest{}, wire.PromoteInput{}},
		{client.RollbackRequest{}, wire.RollbackInput{}},
		// The requests the SDK still declares for itself.
		{client.InviteUserRequest{}, wire.InviteUserInput{}},
		{client.UpdateUserRequest{}, wire.UpdateUserInput{}},
	} {
		sdk, server := reflect.TypeOf(pair.sdk), reflect.TypeOf(pair.server)
		sameFields(t, "client."+sdk.Name(), sdk, server)
	}
}

// sameFields compares the JSON fields of two types where both are structs
// that encode field by field, and goes on into the fields they share.
func sameFields(t *testing.T, path string, sdk, server reflect.Type) {
	t.Helper()
	sdk, server = deref(sdk), deref(server)
	switch {
	case sdk.Kind() == reflect.Slice && server.Kind() == reflect.Slice, sdk.Kind() == reflect.Map && server.Kind() == reflect.Map:
		sameFields(t, path+"[]", sdk.Elem(), server.Elem())
		return
	case sdk.Kind() != reflect.Struct || server.Kind() != reflect.Struct || encodesItself(sdk) || encodesItself(server):
		return
	}
	a, b := jsonFields(sdk), jsonFields(server)
	names := func(m map[string]reflect.Type) []string {
		out := make([]string, 0, len(m))
		for n := range m {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(names(a), names(b)) {
		t.Errorf("%s: the SDK has fields %v, the server's %s %v", path, names(a), server, names(b))
	}
	for name, ta := range a {
		if tb, ok := b[name]; ok {
			sameFields(t, path+"."+name, ta, tb)
		}
	}
}

// jsonFields returns a struct's JSON field names and types, with embedded
// structs' fields promoted as encoding/json does.
func jsonFields(st reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range st.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous && tag == "" && deref(f.Type).Kind() == reflect.Struct:
			for n, ft := range jsonFields(deref(f.Type)) {
				out[n] = ft
			}
			continue
		case tag == "":
			tag = f.Name
		}
		out[tag] = f.Type
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// encodesItself says whether a type has its own JSON encoding (time.Time,
// unions), which field names do not describe.
func encodesItself(t reflect.Type) bool {
	m, u := reflect.TypeFor[json.Marshaler](), reflect.TypeFor[json.Unmarshaler]()
	p := reflect.PointerTo(t)
	return t.Implements(m) || p.Implements(m) || t.Implements(u) || p.Implements(u)
}
