package jsonpatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestDiffOperations(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{`null`, `null`, `[]`},
		{`{"a":1}`, `{"a":1}`, `[]`},
		{`null`, `{"a":1}`, `[{"value":{"a":1},"op":"add","path":""}]`},
		{`{"a":1}`, `null`, `[{"value":null,"op":"add","path":""}]`},
		{`{"a":"x","b":1}`, `{"a":"y","b":1}`, `[{"value":"y","op":"replace","path":"/a"}]`},
		{`{"a":[1,2,3,4,5,6,7,8,9,10]}`, `{"a":[1,2,3,4,5,6,7,8,9]}`, `[{"op":"remove","path":"/a/9"}]`},
		{`{"a":[1,2,3,4,5,6,7,8,9]}`, `{"a":[1,2,3,4,5,6,7,8,9,10]}`, `[{"value":10,"op":"add","path":"/a/-"}]`},
		{`{"a":1,"b":"x"}`, `{"a":1,"c":null}`, `[{"op":"remove","path":"/b"},{"value":null,"op":"add","path":"/c"}]`},
		{`{"a/b~":1,"z":[0,0,0,0,0]}`, `{"a/b~":2,"z":[0,0,0,0,0]}`, `[{"value":2,"op":"replace","path":"/a~1b~0"}]`},
		{`{"k\u003c\"":1,"z":"zzzzzzzzzzzzzzzz"}`, `{"k\u003c\"":2,"z":"zzzzzzzzzzzzzzzz"}`, `[{"value":2,"op":"replace","path":"/k\u003c\""}]`},
		// Changing every item of a list is one replace of the list.
		{`{"l":["a","a","a","a"],"x":1}`, `{"l":["b","b","b","b"],"x":1}`, `[{"value":["b","b","b","b"],"op":"replace","path":"/l"}]`},
	} {
		p, err := Diff(json.RawMessage(c.a), json.RawMessage(c.b))
		if err != nil || string(p.JSON) != c.want {
			t.Errorf("Diff(%s, %s) = %s, %v; want %s", c.a, c.b, p.JSON, err, c.want)
		}
		var ops []map[string]any
		if err := json.Unmarshal(p.JSON, &ops); err != nil || len(ops) != len(p.Ops) {
			t.Errorf("Diff(%s, %s): %d ops listed, JSON %s (%v)", c.a, c.b, len(p.Ops), p.JSON, err)
		}
	}
	if _, err := Diff(json.RawMessage(`{"a":`), json.RawMessage(`{}`)); err == nil {
		t.Errorf("invalid document: no error")
	}
}

// TestDiffApplies applies the patches of random pairs of documents and
// checks that each leads from the first to the second.
func TestDiffApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		a := randomValue(r, 0)
		b := mutate(r, a, 0)
		ja, _ := json.Marshal(map[string]any{"doc": a})
		jb, _ := json.Marshal(map[string]any{"doc": b})
		p := diffJSON(ja, jb)
		var doc, want any
		json.Unmarshal(ja, &doc)
		json.Unmarshal(jb, &want)
		got, err := apply(doc, p.JSON)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: patch %s from %s does not lead to %s: got %v (%v)", n, p.JSON, ja, jb, got, err)
		}
		if len(p.JSON) > len(jb)+64 {
			t.Fatalf("case %d: patch of %d bytes to a %d-byte document", n, len(p.JSON), len(jb))
		}
	}
}

// TestDiffCostIsLinear compares the allocations of diffs of documents of
// one size and twice that size, with every list item changed: the second
// must cost about twice the first, and the patch be one replace.
func TestDiffCostIsLinear(t *testing.T) {
	docs := func(n int) ([]byte, []byte) {
		a := `{"behaviors":[` + strings.Repeat(`"a",`, n) + `"a"],"x":1}`
		return []byte(a), []byte(strings.ReplaceAll(a, `"a"`, `"b"`))
	}
	cost := func(n int) (allocs, bytes float64) {
		a, b := docs(n)
		var p Patch
		allocs = testing.AllocsPerRun(3, func() { p = diffJSON(a, b) })
		if len(p.Ops) != 1 || p.Ops[0] != (Op{Replace, "/behaviors"}) {
			t.Fatalf("%d items: %d ops, want one replace of /behaviors", n, len(p.Ops))
		}
		return allocs, float64(len(p.JSON))
	}
	a1, b1 := cost(100_000)
	a2, b2 := cost(200_000)
	if a2/a1 > 2.5 || b2/b1 > 2.1 {
		t.Errorf("twice the items: %.2f times the allocations, a patch %.2f times larger", a2/a1, b2/b1)
	}
}

func BenchmarkDiffChangedList(b *testing.B) {
	for _, n := range []int{250_000, 500_000, 1_000_000} {
		a := []byte(`{"behaviors":[` + strings.Repeat(`"a",`, n) + `"a"]}`)
		c := bytes.ReplaceAll(a, []byte(`"a"`), []byte(`"b"`))
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(a)))
			b.ReportAllocs()
			for b.Loop() {
				diffJSON(a, c)
			}
		})
	}
}

func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(6); {
	case depth > 3 || k == 0:
		return []any{nil, true, 1.5, "s", "t~/", "x\"y"}[r.IntN(6)]
	case k <= 2:
		out := make([]any, r.IntN(5))
		for i := range out {
			out[i] = randomValue(r, depth+1)
		}
		return out
	default:
		out := map[string]any{}
		for range r.IntN(5) {
			out[[]string{"a", "b", "c/d", "e~", "é"}[r.IntN(5)]] = randomValue(r, depth+1)
		}
		return out
	}
}

// mutate returns a copy of v with random changes.
func mutate(r *rand.Rand, v any, depth int) any {
	if r.IntN(5) == 0 {
		return randomValue(r, depth)
	}
	switch x := v.(type) {
	case []any:
		out := []any{}
		for _, e := range x {
			if r.IntN(5) > 0 {
				out = append(out, mutate(r, e, depth+1))
			}
		}
		for range r.IntN(3) {
			out = append(out, randomValue(r, depth+1))
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if r.IntN(5) > 0 {
				out[k] = mutate(r, e, depth+1)
			}
		}
		if r.IntN(2) == 0 {
			out["new"] = randomValue(r, depth+1)
		}
		return out
	}
	return v
}

// apply applies a patch of add, remove and replace operations to a
// decoded document: the reference semantics of RFC 6902.
func apply(doc any, patch []byte) (any, error) {
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(patch, &ops); err != nil {
		return nil, err
	}
	for _, op := range ops {
		var val any
		json.Unmarshal(op.Value, &val)
		if op.Path == "" {
			doc = val
			continue
		}
		parts := strings.Split(op.Path[1:], "/")
		for i, p := range parts {
			parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
		}
		var err error
		if doc, err = applyAt(doc, parts, op.Op, val); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func applyAt(doc any, parts []string, op string, val any) (any, error) {
	last := len(parts) == 1
	switch d := doc.(type) {
	case map[string]any:
		k := parts[0]
		if !last {
			child, err := applyAt(d[k], parts[1:], op, val)
			d[k] = child
			return d, err
		}
		switch op {
		case Remove:
			delete(d, k)
		default:
			d[k] = val
		}
		return d, nil
	case []any:
		if last && parts[0] == "-" && op == Add {
			return append(d, val), nil
		}
		i, err := strconv.Atoi(parts[0])
		if err != nil || i < 0 || i >= len(d) {
			return nil, fmt.Errorf("bad index %q", parts[0])
		}
		if !last {
			d[i], err = applyAt(d[i], parts[1:], op, val)
			return d, err
		}
		switch op {
		case Remove:
			return append(d[:i], d[i+1:]...), nil
		case Replace:
			d[i] = val
			return d, nil
		}
	}
	return nil, fmt.Errorf("cannot %s at %v in %T", op, parts, doc)
}
