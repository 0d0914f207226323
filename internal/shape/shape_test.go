package shape

import (
	"strings"
	"testing"
)

type domainDoc struct {
	Name  string
	Items []domainItem
	Next  *domainItem
	Tags  map[string]*string
	n     int
}

type domainItem struct {
	Label string
	Count int
}

type wireDoc struct {
	Name  string             `json:"name"`
	Items []wireItem         `json:"items"`
	Next  *wireItem          `json:"next"`
	Tags  map[string]*string `json:"tags"`
}

type wireItem struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

func TestConvertRoundTrip(t *testing.T) {
	v := "x"
	d := domainDoc{Name: "a", Items: []domainItem{{"b", 2}}, Next: &domainItem{"c", 3}, Tags: map[string]*string{"k": &v, "n": nil}, n: 9}
	w := Convert[wireDoc](d)
	if w.Name != "a" || len(w.Items) != 1 || w.Items[0] != (wireItem{"b", 2}) || *w.Next != (wireItem{"c", 3}) || *w.Tags["k"] != "x" || w.Tags["n"] != nil {
		t.Fatalf("converted %+v", w)
	}
	back := Convert[domainDoc](w)
	if back.Name != d.Name || back.Items[0] != d.Items[0] || *back.Next != *d.Next || back.n != 0 {
		t.Fatalf("back %+v", back)
	}
	if z := Convert[wireDoc](domainDoc{}); z.Items != nil || z.Next != nil || z.Tags != nil {
		t.Fatalf("nil fields became %+v", z)
	}
}

func TestConvertRefusesDrift(t *testing.T) {
	type extra struct {
		Name, Label string
	}
	type short struct{ Name string }
	for name, f := range map[string]func(){
		"field missing in src": func() { Convert[extra](short{}) },
		"field missing in dst": func() { Convert[short](extra{}) },
		"kind mismatch":        func() { Convert[wireItem](struct{ Label, Count string }{}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "shape: ") {
					t.Errorf("%s: recovered %v, want a shape panic", name, r)
				}
			}()
			f()
		}()
	}
}
