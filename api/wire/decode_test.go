package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
)

type probe struct {
	Name  string                   `json:"name"`
	Count int                      `json:"count,omitempty"`
	Ratio float64                  `json:"ratio,omitempty"`
	On    bool                     `json:"on,omitempty"`
	List  []string                 `json:"list,omitempty"`
	Map   map[string]string        `json:"map,omitempty"`
	Inner *RelationshipToDeveloper `json:"inner,omitempty"`
}

func decodeProbe(t testing.TB, body string) (probe, []amigo.FieldError) {
	t.Helper()
	var p probe
	bad, err := Decode([]byte(body), &p)
	if err != nil {
		t.Fatalf("Decode(%s): %v", body, err)
	}
	if bad == nil {
		return p, nil
	}
	return p, bad.Fields
}

// TestDecodeTypes checks pydantic's error type for each kind of bad value,
// and pydantic's lax readings of strings and numbers.
func TestDecodeTypes(t *testing.T) {
	for _, tc := range []struct {
		body, loc, typ string
	}{
		{`{}`, "name", "missing"},
		{`{"name": 5}`, "name", "string_type"},
		{`{"name": null}`, "name", "string_type"},
		{`{"name": "x", "count": "many"}`, "count", "int_parsing"},
		{`{"name": "x", "count": true}`, "count", "int_type"},
		{`{"name": "x", "count": 2.5}`, "count", "int_from_float"},
		{`{"name": "x", "ratio": "lots"}`, "ratio", "float_parsing"},
		{`{"name": "x", "on": "maybe"}`, "on", "bool_parsing"},
		{`{"name": "x", "on": 2}`, "on", "bool_type"},
		{`{"name": "x", "list": "a"}`, "list", "list_type"},
		{`{"name": "x", "map": []}`, "map", "dict_type"},
		{`{"name": "x", "inner": "owned"}`, "inner", "model_type"},
		{`{"name": "a\u0000b"}`, "name", "value_error"},
		{`{"name": "x", "map": {"a\u0000": "b"}}`, "map.a\x00", "value_error"},
		{`[]`, "", "model_attributes_type"},
	} {
		_, errs := decodeProbe(t, tc.body)
		if len(errs) != 1 || fmt.Sprint(joinLoc(errs[0].Loc)) != tc.loc || errs[0].Type != tc.typ {
			t.Errorf("%s: got %+v, want one %s at %q", tc.body, errs, tc.typ, tc.loc)
		}
	}
	p, errs := decodeProbe(t, `{"name": "x", "count": " 7 ", "ratio": "0.5", "on": "Yes"}`)
	if errs != nil || p.Count != 7 || p.Ratio != 0.5 || !p.On {
		t.Errorf("lax readings: %+v %+v", p, errs)
	}
}

func joinLoc(loc []any) string {
	parts := make([]string, len(loc))
	for i, p := range loc {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// TestDecodeKeysAreCaseSensitive checks that "NAME" is not "name", as in
// pydantic, where encoding/json would accept it.
func TestDecodeKeysAreCaseSensitive(t *testing.T) {
	p, errs := decodeProbe(t, `{"NAME": "x", "Name": "y"}`)
	if p.Name != "" || len(errs) != 1 || errs[0].Type != "missing" {
		t.Fatalf("got %+v %+v, want name missing", p, errs)
	}
}

// TestDecodeSyntax checks that a body that is not JSON is one json_invalid
// error at its byte offset in the body.
func TestDecodeSyntax(t *testing.T) {
	_, err := Decode([]byte(`{"name": "x",}`), new(probe))
	fields := amigo.ErrorFields(err)
	if len(fields) != 1 || fields[0].In != "body" || fields[0].Type != "json_invalid" || fields[0].Loc[0] != 13 {
		t.Fatalf("got %v %+v", err, fields)
	}
}

// TestDecodeIsDeterministic decodes a body with many problems, map keys
// among them, and checks the violations come in the same order every time:
// body order, map keys sorted.
func TestDecodeIsDeterministic(t *testing.T) {
	body := `{"name": 1, "map": {"z": 1, "a": 2, "m": 3, "b": [], "y": {}}, "list": [1, "ok", 2], "count": "x"}`
	_, first := decodeProbe(t, body)
	for range 50 {
		if _, again := decodeProbe(t, body); !slices.EqualFunc(first, again, func(a, b amigo.FieldError) bool {
			return joinLoc(a.Loc) == joinLoc(b.Loc) && a.Type == b.Type && a.Msg == b.Msg
		}) {
			t.Fatalf("violations differ between runs:\n%+v\n%+v", first, again)
		}
	}
	var locs []string
	for _, e := range first {
		locs = append(locs, joinLoc(e.Loc))
	}
	want := []string{"name", "count", "list.0", "list.2", "map.a", "map.b", "map.m", "map.y", "map.z"}
	if !slices.Equal(locs, want) {
		t.Fatalf("locations %v, want %v", locs, want)
	}
}

// TestDecodeRepeatedKeys checks that of repeated keys the last wins, in an
// object read as a struct or as a map, as encoding/json decides, with
// escaped keys read as their text and only the winner's violations listed.
func TestDecodeRepeatedKeys(t *testing.T) {
	p, errs := decodeProbe(t, `{"name": 1, "map": {"b": 1, "a": "x", "b": "y", "\u0061": "z", "c": 2}, "n\u0061me": "n"}`)
	if p.Name != "n" || !maps.Equal(p.Map, map[string]string{"a": "z", "b": "y", "c": ""}) {
		t.Errorf("decoded %+v", p)
	}
	if len(errs) != 1 || joinLoc(errs[0].Loc) != "map.c" || errs[0].Type != "string_type" {
		t.Errorf("violations %+v, want one string_type at map.c", errs)
	}
}

// brokenStates is a state machine body whose n states are all empty
// objects, each a violation.
func brokenStates(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"description": "d", "states": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{}`)
	}
	b.WriteString(`], "new_user_initial_state": "a", "returning_user_initial_state": "a", "terminal_state": "a", "references": {}, "global_intra_state_navigation_guidelines": [], "global_action_guidelines": [], "global_boundary_constraints": []}`)
	return b.Bytes()
}

// TestDecodeCapsViolations checks that a body with more violations than
// amigo.MaxFieldErrors lists that many and counts the rest.
func TestDecodeCapsViolations(t *testing.T) {
	var req StateMachineVersionRequest
	bad, err := Decode(brokenStates(10_000), &req)
	if err != nil || bad == nil {
		t.Fatal(err)
	}
	if len(bad.Fields) != amigo.MaxFieldErrors || bad.More != 10_000-amigo.MaxFieldErrors {
		t.Fatalf("%d listed, %d more", len(bad.Fields), bad.More)
	}
	if v := Violations(bad); len(v) != amigo.MaxFieldErrors+1 || v[len(v)-1].Type != "too_many_errors" {
		t.Fatalf("wire violations end with %+v", v[len(v)-1])
	}
}

// allocatedBytes returns the bytes f allocates, averaged over a few runs.
func allocatedBytes(f func()) uint64 {
	const runs = 3
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}

// maxAllocPerByte bounds what decoding may allocate per byte of body. The
// worst case is a body of empty objects: 3 bytes each, each a zero value
// (a State is 7 words) plus the parse of the item.
const maxAllocPerByte = 120

// TestDecodeMemoryIsProportional checks the allocation bound on the bodies
// of issue 11: 3.7 MB of empty states and a 4 MB user_dimensions list.
func TestDecodeMemoryIsProportional(t *testing.T) {
	states := brokenStates(1_200_000)
	dims := userDimensions(4 << 20)
	for name, tc := range map[string]struct {
		body []byte
		dst  func() any
	}{
		"empty states":    {states, func() any { return new(StateMachineVersionRequest) }},
		"user dimensions": {dims, func() any { return new(OrganizationInput) }},
	} {
		got := allocatedBytes(func() { Decode(tc.body, tc.dst()) })
		if per := got / uint64(len(tc.body)); per > maxAllocPerByte {
			t.Errorf("%s: %d bytes allocated for a %d-byte body (%d per byte, want at most %d)", name, got, len(tc.body), per, maxAllocPerByte)
		} else {
			t.Logf("%s: %.1f MB allocated for a %.1f MB body", name, float64(got)/1e6, float64(len(tc.body))/1e6)
		}
	}
}

// userDimensions is a create-organization body whose user_dimensions list
// fills about size bytes.
func userDimensions(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"org_name": "x", "user_dimensions": [`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"description": "d", "tags": ["a", "b"]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkDecodeBrokenStates(b *testing.B) {
	for _, n := range []int{10, 100, 1_000, 10_000} {
		body := brokenStates(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				Decode(body, new(StateMachineVersionRequest))
			}
		})
	}
}

func BenchmarkDecodeUserDimensions4MB(b *testing.B) {
	body := userDimensions(4 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Decode(body, new(OrganizationInput))
	}
}

// FuzzDecode feeds the decoder arbitrary bodies: it must never panic, must
// locate every violation inside the body, must answer the same twice, and
// must allocate in proportion to the body.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"description": "d", "states": [{"type": "action", "name": "a"}, {}, 3], "references": {"x": ["a", 1]}}`))
	f.Add([]byte(`{"states": [{"type": "recall", "next_state": ["a.b", "c", "d"]}], "references": {"\u0000": [1]}}`))
	f.Add([]byte(`[1, 2`))
	f.Add(brokenStates(50))
	f.Fuzz(func(t *testing.T, body []byte) {
		decode := func() (*amigo.Error, error) { return Decode(body, new(StateMachineVersionRequest)) }
		bad, err := decode()
		if err != nil && amigo.ErrorCode(err) != amigo.EINVALID {
			t.Fatalf("error %v", err)
		}
		again, _ := decode()
		if (bad == nil) != (again == nil) || bad != nil && (len(bad.Fields) != len(again.Fields) || bad.More != again.More) {
			t.Fatalf("two decodings differ")
		}
		if bad != nil {
			if len(bad.Fields) > amigo.MaxFieldErrors {
				t.Fatalf("%d violations listed", len(bad.Fields))
			}
			if _, err := json.Marshal(Violations(bad)); err != nil {
				t.Fatalf("violations do not encode: %v", err)
			}
		}
		// Small bodies carry fixed costs (a decoder, a first slice).
		if got := testing.AllocsPerRun(1, func() { decode() }); got > float64(64+4*len(body)) {
			t.Fatalf("%v allocations for a %d-byte body", got, len(body))
		}
	})
}

func TestCountItems(t *testing.T) {
	for raw, want := range map[string]int{
		`[]`: 0, ` [ ] `: 0, `[1]`: 1, `[{},{}]`: 2, `[[1,2],{"a":[3,4]},"x,]y\"[",5]`: 4, `[ "a" , "b" ]`: 2,
	} {
		if got := countItems([]byte(raw)); got != want {
			t.Errorf("countItems(%s) = %d, want %d", raw, got, want)
		}
	}
}
