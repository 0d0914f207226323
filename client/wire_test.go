package client_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// declaredShapes are the structs with JSON tags the SDK may declare itself,
// by the function that declares them, with the reason.
var declaredShapes = map[string]string{
	// The server's /openapi.json is read to learn whether it documents
	// ?dry_run=true; its document types are package api's, which the SDK
	// must not link, and the SDK reads three keys of it.
	"documentsAgentDryRun": "reads the OpenAPI document, not an API shape",
}

// TestDeclaresNoWireShapes keeps every request and response shape of the
// SDK the server's own (package api/wire, by alias): no struct with JSON
// tags is declared in the package, as a named type or inline in a
// function, but for the exceptions above.
func TestDeclaresNoWireShapes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			where := "package level"
			if fn, ok := decl.(*ast.FuncDecl); ok {
				where = fn.Name.Name
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				st, ok := n.(*ast.StructType)
				if !ok || !hasJSONTag(st) {
					return true
				}
				if _, allowed := declaredShapes[where]; allowed {
					seen[where] = true
					return true
				}
				t.Errorf("%s: a struct with JSON tags (%s): use or alias the server's shape in package api/wire, or list it in declaredShapes with the reason",
					fset.Position(st.Pos()), where)
				return true
			})
		}
	}
	for where, why := range declaredShapes {
		if !seen[where] {
			t.Errorf("declaredShapes lists %s (%s), which declares no such struct any more", where, why)
		}
	}
}

// hasJSONTag says whether a field of st has a json key in its tag.
func hasJSONTag(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if _, ok := reflect.StructTag(tag).Lookup("json"); err == nil && ok {
			return true
		}
	}
	return false
}
