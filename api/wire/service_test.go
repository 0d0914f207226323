package wire

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

// TestNewVersionSetMatchesShape holds the listings' hand-written version
// set conversion to shape.Convert's: every field of the domain's version
// set is filled, so a field that newVersionSet does not copy (added to the
// domain and the wire after it was written) makes the two differ.
func TestNewVersionSetMatchesShape(t *testing.T) {
	var vs amigo.VersionSet
	fill(reflect.ValueOf(&vs).Elem())
	want := shape.Convert[VersionSet](vs)
	if got := newVersionSet(vs); !reflect.DeepEqual(got, want) {
		t.Fatalf("newVersionSet = %+v\nshape.Convert = %+v", got, want)
	}
}

// fill sets every field reachable from v to a value other than its zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		key, elem := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(key)
		fill(elem)
		v.SetMapIndex(key, elem)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.SetBytes([]byte(`1`))
			return
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		fill(elem)
		v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), elem))
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(0.5)
	case reflect.Bool:
		v.SetBool(true)
	default:
		panic("fill: no value for " + v.Type().String())
	}
}

// TestVersionSetJSONMatchesMarshal checks that the preference-by-preference
// encoding of a version set, which the change log diffs, is what
// json.Marshal writes of its wire shape.
func TestVersionSetJSONMatchesMarshal(t *testing.T) {
	one, topK := 1, 3
	sets := []amigo.VersionSet{{}, {AgentVersion: &one, LLMModelPreferences: map[string]amigo.LLMConfig{}}, {
		StateMachineVersion: &one,
		LLMModelPreferences: map[string]amigo.LLMConfig{"b<&>": {LLMName: "m", TopK: &topK}, "a": {Params: map[string]json.RawMessage{"x": json.RawMessage(`1`)}}, "é": {}},
	}}
	for _, vs := range sets {
		want, err := json.Marshal(NewVersionSet(vs))
		if err != nil {
			t.Fatal(err)
		}
		if got := versionSetJSON(vs); string(got) != string(want) {
			t.Errorf("versionSetJSON:\n%s\nwant\n%s", got, want)
		}
	}
}
