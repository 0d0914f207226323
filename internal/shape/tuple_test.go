package shape

import "testing"

func TestTupleForms(t *testing.T) {
	for _, c := range []struct {
		in       string
		name, jb string
		external bool
		ok       bool
	}{
		{`"greet"`, "greet", "", false, true},
		{`["lib.start","greet"]`, "lib.start", "greet", true, true},
		{`["only"]`, "", "", false, false},
		{`7`, "", "", false, false},
	} {
		name, jb, ext, err := UnmarshalNextState([]byte(c.in))
		if (err == nil) != c.ok || name != c.name || jb != c.jb || ext != c.external {
			t.Errorf("UnmarshalNextState(%s) = %q, %q, %v, %v", c.in, name, jb, ext, err)
			continue
		}
		if c.ok {
			if b, _ := MarshalNextState(name, jb, ext); string(b) != c.in {
				t.Errorf("MarshalNextState round trip: %s, want %s", b, c.in)
			}
		}
	}
	id, v, err := UnmarshalReference(MarshalReference(`a"b`, 3))
	if err != nil || id != `a"b` || v != 3 {
		t.Errorf("reference round trip: %q, %d, %v", id, v, err)
	}
	if _, _, err := UnmarshalReference([]byte(`["a",1,2]`)); err == nil {
		t.Error("a 3-tuple reference decoded")
	}
	b, err := MarshalTagged("action", struct {
		Name string `json:"name"`
	}{"greet"})
	if string(b) != `{"type":"action","name":"greet"}` || err != nil {
		t.Errorf("MarshalTagged = %s, %v", b, err)
	}
	if typ, err := TypeOf(b); typ != "action" || err != nil {
		t.Errorf("TypeOf = %q, %v", typ, err)
	}
	if _, err := MarshalTagged("action", struct{}{}); err == nil {
		t.Error("MarshalTagged accepted a body without fields")
	}
}
