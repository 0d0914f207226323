package sqldb

import (
	"reflect"
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// TestStoredGrantsKeepTheirKeys: roles.grants holds what the first schema
// stored, so roles written by any earlier release load, and what this one
// writes loads in them.
func TestStoredGrantsKeepTheirKeys(t *testing.T) {
	const column = `[{"permission":"Service:GetService","conditions":{"tags":["team:support"]}},{"permission":"Organization:GetAgent"}]`
	grants := []amigo.Grant{
		{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": {"team:support"}}},
		{Permission: amigo.PermGetAgent},
	}
	if got := stored[[]storedGrant](grants); got != column {
		t.Errorf("stored as %s, want %s", got, column)
	}
	var loaded []amigo.Grant
	if err := loadStored[[]storedGrant](column, &loaded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, grants) {
		t.Errorf("loaded %+v, want %+v", loaded, grants)
	}
	if got := stored[[]storedGrant]([]amigo.Grant{}); got != "[]" {
		t.Errorf("no grants stored as %s, want []", got)
	}
}
