package core

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// rows is a fake table whose pages behave like the stores': at most limit
// rows from offset, and whether more follow.
type rows struct {
	ids     []int
	fetches int
}

func (r *rows) fetch(offset, limit int) ([]int, bool, error) {
	r.fetches++
	if offset >= len(r.ids) {
		return nil, false, nil
	}
	end := min(offset+limit, len(r.ids))
	return r.ids[offset:end], end < len(r.ids), nil
}

func idAttrs(id int) amigo.Attributes { return amigo.Attributes{"id": {strconv.Itoa(id)}} }

func callerWith(gs ...amigo.Grant) *amigo.Caller {
	return &amigo.Caller{OrgID: "acme", UserID: "u", Role: &amigo.Role{Grants: gs}}
}

// onlyIDs is a caller who may get the services with the given ids.
func onlyIDs(ids ...int) *amigo.Caller {
	vals := make([]string, len(ids))
	for i, id := range ids {
		vals[i] = strconv.Itoa(id)
	}
	return callerWith(amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"id": vals}})
}

func TestListAllowedPaginatesFilteredRows(t *testing.T) {
	table := &rows{}
	for i := range 250 {
		table.ids = append(table.ids, i)
	}
	for _, tc := range []struct {
		name    string
		visible []int
	}{
		{"none visible", nil},
		{"one visible at the start", []int{0}},
		{"one visible at the end", []int{249}},
		{"sparse", []int{3, 4, 99, 100, 101, 180, 181, 249}},
		{"every tenth", func() (v []int) {
			for i := 0; i < 250; i += 10 {
				v = append(v, i)
			}
			return v
		}()},
	} {
		for _, limit := range []int{1, 2, 3, 10, 20} {
			t.Run(tc.name+"/limit "+strconv.Itoa(limit), func(t *testing.T) {
				caller := onlyIDs(tc.visible...)
				var got []int
				offset, pages := 0, 0
				for {
					items, next, more, err := listAllowed(caller, amigo.PermGetService, offset, limit, table.fetch, idAttrs)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					got = append(got, items...)
					if len(items) > limit {
						t.Fatalf("page of %d items, limit %d", len(items), limit)
					}
					if !more {
						if next != nil {
							t.Fatalf("has_more false with token %d", *next)
						}
						break
					}
					// has_more is exact: a promised page is never empty, and
					// the token is the raw offset of its first visible row.
					if next == nil || len(items) != limit || !slices.Contains(tc.visible, table.ids[*next]) {
						t.Fatalf("has_more with token %v after %d items", next, len(items))
					}
					offset = *next
				}
				if !slices.Equal(got, tc.visible) {
					t.Fatalf("listed %v, want %v", got, tc.visible)
				}
				if want := max(1, (len(tc.visible)+limit-1)/limit); pages != want {
					t.Fatalf("%d pages, want %d", pages, want)
				}
			})
		}
	}
}

func TestListAllowedFastPath(t *testing.T) {
	table := &rows{ids: []int{0, 1, 2, 3, 4}}
	caller := callerWith(amigo.Grant{Permission: amigo.PermGetService})
	items, next, more, err := listAllowed(caller, amigo.PermGetService, 1, 2, table.fetch, func(int) amigo.Attributes {
		t.Fatal("an unconditional grant consulted attributes")
		return nil
	})
	if err != nil || !slices.Equal(items, []int{1, 2}) || !more || next == nil || *next != 3 {
		t.Fatalf("got %v, %v, %v, %v", items, next, more, err)
	}
	if table.fetches != 1 {
		t.Fatalf("%d fetches, want one page", table.fetches)
	}
	items, next, more, _ = listAllowed(caller, amigo.PermGetService, 3, 2, table.fetch, idAttrs)
	if !slices.Equal(items, []int{3, 4}) || more || next != nil {
		t.Fatalf("last page: %v, %v, %v", items, next, more)
	}
}

func TestListAllowedLimitZero(t *testing.T) {
	table := &rows{ids: []int{0, 1, 2, 3}}
	items, next, more, err := listAllowed(onlyIDs(2), amigo.PermGetService, 0, 0, table.fetch, idAttrs)
	if err != nil || len(items) != 0 || !more || next == nil || *next != 2 {
		t.Fatalf("got %v, %v, %v, %v", items, next, more, err)
	}
	_, _, more, _ = listAllowed(onlyIDs(2), amigo.PermGetService, 3, 0, table.fetch, idAttrs)
	if more {
		t.Fatal("has_more with nothing visible after the offset")
	}
}

func TestListAllowedRefusals(t *testing.T) {
	table := &rows{ids: []int{0, 1}}
	_, _, _, err := listAllowed(callerWith(amigo.Grant{Permission: amigo.PermGetAgent}), amigo.PermGetService, 0, 10, table.fetch, idAttrs)
	if amigo.ErrorCode(err) != amigo.EFORBIDDEN || amigo.ErrorMessage(err) != "Missing required permission Service:GetService." {
		t.Fatalf("no grant: %v", err)
	}
	if table.fetches != 0 {
		t.Fatal("a refused caller reached the store")
	}
	boom := errors.New("boom")
	_, _, _, err = listAllowed(onlyIDs(1), amigo.PermGetService, 0, 10, func(int, int) ([]int, bool, error) { return nil, false, boom }, idAttrs)
	if !errors.Is(err, boom) {
		t.Fatalf("store error: %v", err)
	}
}

func TestAllowedOf(t *testing.T) {
	items := []int{1, 2, 3}
	got, err := allowedOf(onlyIDs(1, 3), amigo.PermGetService, items, idAttrs)
	if err != nil || !slices.Equal(got, []int{1, 3}) {
		t.Fatalf("conditional: %v, %v", got, err)
	}
	if !slices.Equal(items, []int{1, 2, 3}) {
		t.Fatal("allowedOf changed its input")
	}
	if _, err := allowedOf(callerWith(), amigo.PermGetService, items, idAttrs); amigo.ErrorCode(err) != amigo.EFORBIDDEN {
		t.Fatalf("no grant: %v", err)
	}
}

func TestAttributeBuilders(t *testing.T) {
	if got := userAttrs("", "a@example.com", "DefaultUserRole"); got["id"] != nil || got["email"][0] != "a@example.com" || got["role"][0] != "DefaultUserRole" {
		t.Fatalf("userAttrs without id: %v", got)
	}
	if got := apiKeyAttrs("k", "R"); len(got) != 2 {
		t.Fatalf("apiKeyAttrs: %v", got)
	}
}
