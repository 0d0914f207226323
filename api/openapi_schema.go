package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// schema is a JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as
// far as the server's document uses it.
type schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Const                string             `json:"const,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Pattern              string             `json:"pattern,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	Minimum              *int               `json:"minimum,omitempty"`
	ExclusiveMinimum     *int               `json:"exclusiveMinimum,omitempty"`
	Maximum              *int               `json:"maximum,omitempty"`
	Default              any                `json:"default,omitempty"`
	Items                *schema            `json:"items,omitempty"`
	PrefixItems          []*schema          `json:"prefixItems,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	Properties           map[string]*schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *schema            `json:"additionalProperties,omitempty"`
	AnyOf                []*schema          `json:"anyOf,omitempty"`
}

func intp(n int) *int { return &n }

// schemaRef is the reference to a component schema.
func schemaRef(name string) *schema { return &schema{Ref: "#/components/schemas/" + name} }

// reflector derives schemas from the wire shapes by the rules of their
// decoder (api/wire/decode.go) and of encoding/json: a field is required
// unless its tag says omitempty or omitzero, null is allowed exactly for
// pointer fields, and a named struct becomes a component schema. We keep
// our own ~150 lines rather than invopop/jsonschema or kin-openapi's
// openapi3gen: both would make pointers non-nullable unless every field
// were tagged again, i.e. a second declaration of a rule the decoder
// already enforces, and neither emits 3.1's prefixItems for the tuples.
type reflector struct {
	components map[string]*schema
	names      map[reflect.Type]string
}

func newReflector() *reflector {
	return &reflector{components: map[string]*schema{}, names: map[reflect.Type]string{}}
}

// custom are the wire shapes with their own JSON form (MarshalJSON and the
// decoder's decodeJSON): unions and tuples the struct does not show. It is
// filled in init, as its functions call back into the reflector.
var custom map[reflect.Type]func(r *reflector) *schema

func init() {
	custom = customSchemas
}

var customSchemas = map[reflect.Type]func(r *reflector) *schema{
	reflect.TypeFor[wire.State](): func(r *reflector) *schema {
		var variants []*schema
		t := reflect.TypeFor[wire.State]()
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Type.Kind() != reflect.Pointer {
				continue
			}
			v := r.inline(f.Type.Elem())
			v.Properties["type"] = &schema{Type: "string", Const: stateTypeName(f.Name)}
			v.Required = append([]string{"type"}, v.Required...)
			variants = append(variants, v)
		}
		return &schema{AnyOf: variants, Description: "A state: an object whose \"type\" selects its variant."}
	},
	reflect.TypeFor[wire.NextState](): func(*reflector) *schema {
		return &schema{Description: `A state of this machine by name, or ["reference.state", "jumpback"] to enter a referenced machine.`, AnyOf: []*schema{
			{Type: "string"},
			{Type: "array", PrefixItems: []*schema{{Type: "string"}, {Type: "string"}}, MinItems: intp(2), MaxItems: intp(2)},
		}}
	},
	reflect.TypeFor[wire.Reference](): func(*reflector) *schema {
		return &schema{Type: "array", Description: "[state machine id, version number]",
			PrefixItems: []*schema{{Type: "string", Pattern: idPattern.String()}, {Type: "integer", Minimum: intp(1)}}, MinItems: intp(2), MaxItems: intp(2)}
	},
	reflect.TypeFor[wire.Patch](): func(r *reflector) *schema {
		return &schema{Type: "array", Description: "An RFC 6902 JSON Patch.", Items: r.of(reflect.TypeFor[wire.PatchOperation]())}
	},
	reflect.TypeFor[wire.ErrorBody](): func(r *reflector) *schema {
		return &schema{Type: "object", Required: []string{"detail"}, Properties: map[string]*schema{
			"detail": {AnyOf: []*schema{{Type: "string"}, {Type: "array", Items: r.of(reflect.TypeFor[wire.Violation]())}}},
		}}
	},
	reflect.TypeFor[wire.Violation](): func(*reflector) *schema {
		return &schema{Type: "object", Required: []string{"loc", "msg", "type"}, Properties: map[string]*schema{
			"loc":  {Type: "array", Items: &schema{AnyOf: []*schema{{Type: "string"}, {Type: "integer"}}}},
			"msg":  {Type: "string"},
			"type": {Type: "string"},
		}}
	},
}

// stateTypeName is the "type" of a wire.State variant field: ToolCall is
// "tool-call", Action "action".
func stateTypeName(field string) string {
	var b strings.Builder
	for i, c := range field {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// of returns the schema of t, a reference for a named struct.
func (r *reflector) of(t reflect.Type) *schema {
	switch t {
	case reflect.TypeFor[time.Time]():
		return &schema{Type: "string", Format: "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		return &schema{}
	}
	if build, ok := custom[t]; ok || (t.Kind() == reflect.Struct && t.Name() != "") {
		return schemaRef(r.component(t, build))
	}
	switch t.Kind() {
	case reflect.Pointer:
		return &schema{AnyOf: []*schema{r.of(t.Elem()), {Type: "null"}}}
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &schema{Type: "integer"}
	case reflect.Float32, reflect.Float64:
		return &schema{Type: "number"}
	case reflect.Slice, reflect.Array:
		return &schema{Type: "array", Items: r.of(t.Elem())}
	case reflect.Map:
		return &schema{Type: "object", AdditionalProperties: r.of(t.Elem())}
	case reflect.Struct:
		return r.inline(t)
	case reflect.Interface:
		return &schema{}
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

// component registers t's schema under its type name once and returns the
// name; a name already taken by another type gets the package as prefix.
func (r *reflector) component(t reflect.Type, build func(*reflector) *schema) string {
	if name, ok := r.names[t]; ok {
		return name
	}
	name := t.Name()
	if _, taken := r.components[name]; taken {
		name = t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + name
	}
	r.names[t] = name
	r.components[name] = &schema{} // a placeholder, for recursive shapes
	if build != nil {
		r.components[name] = build(r)
	} else {
		r.components[name] = r.inline(t)
	}
	return name
}

// inline returns the object schema of the struct t: its tagged fields, and
// the fields of its untagged embedded structs as encoding/json flattens
// them.
func (r *reflector) inline(t reflect.Type) *schema {
	s := &schema{Type: "object", Properties: map[string]*schema{}}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, tagged := f.Tag.Lookup("json")
		if f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct {
			embedded := r.inline(f.Type)
			for k, v := range embedded.Properties {
				s.Properties[k] = v
			}
			s.Required = append(s.Required, embedded.Required...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		s.Properties[name] = r.of(f.Type)
		if !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
			s.Required = append(s.Required, name)
		}
	}
	return s
}
