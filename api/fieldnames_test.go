package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCoreLocationNamesAreWireNames: every field name core's validators put
// in an error location (["body", "behaviors", 3]) is the JSON name of a
// field of some operation's request shape in api/wire, or one of its query
// or path parameters, so a client can find the field an error names. The
// names are read from core's source: the string arguments of at and join,
// the key argument of fieldErrs' methods, and the strings of []any
// location literals.
func TestCoreLocationNamesAreWireNames(t *testing.T) {
	known := map[string]bool{"[key]": true} // pydantic's location of a mapping's key
	for _, op := range operations {
		sh := operationShapes[op.ID]
		if sh.Request != nil {
			wireNames(sh.Request, known, map[reflect.Type]bool{})
		}
		for _, q := range sh.Query {
			known[q.Name] = true
		}
		for _, p := range op.pathParams() {
			known[p] = true
		}
	}
	used := coreLocationNames(t)
	if len(used) < 50 {
		t.Fatalf("found only %d names in core's locations; has the way core builds them changed?", len(used))
	}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		if !known[name] {
			t.Errorf("core names %q in an error location (%s), which no request shape or parameter has", name, strings.Join(used[name], ", "))
		}
	}
}

// wireNames adds the JSON names of t's fields, and of the types they hold,
// to names.
func wireNames(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
		wireNames(f.Type, names, seen)
	}
}

// coreLocationNames returns the field names core's source puts in error
// locations, each with where it does.
func coreLocationNames(t *testing.T) map[string][]string {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../core/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	// The position of the key parameter of each fieldErrs method.
	keyArg := map[string]int{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !isFieldErrs(fn.Recv.List[0].Type) {
				continue
			}
			i := 0
			for _, p := range fn.Type.Params.List {
				for _, n := range p.Names {
					if n.Name == "key" {
						keyArg[fn.Name.Name] = i
					}
					i++
				}
			}
		}
	}
	names := map[string][]string{}
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, _ := strconv.Unquote(lit.Value)
		names[s] = append(names[s], fset.Position(lit.Pos()).String())
	}
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				switch fun := n.Fun.(type) {
				case *ast.Ident:
					switch fun.Name {
					case "at":
						for _, a := range n.Args {
							add(a)
						}
					case "join":
						for _, a := range n.Args[1:] {
							add(a)
						}
					}
				case *ast.SelectorExpr:
					if i, ok := keyArg[fun.Sel.Name]; ok && i < len(n.Args) {
						add(n.Args[i])
					}
				}
			case *ast.CompositeLit:
				if arr, ok := n.Type.(*ast.ArrayType); ok && isAny(arr.Elt) {
					for _, e := range n.Elts {
						add(e)
					}
				}
			}
			return true
		})
	}
	return names
}

func isFieldErrs(e ast.Expr) bool {
	star, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "fieldErrs"
}

func isAny(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "any"
}
