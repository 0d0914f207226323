package amigo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
)

func TestGrantCovers(t *testing.T) {
	support := amigo.Attributes{"id": {"s1"}, "name": {"triage"}, "tags": {"team:support", "tier:"}}
	sales := amigo.Attributes{"id": {"s2"}, "name": {"pitch"}, "tags": {"team:sales"}}
	untagged := amigo.Attributes{"id": {"s3"}, "name": {"plain"}}
	for _, tc := range []struct {
		name  string
		grant amigo.Grant
		attrs amigo.Attributes
		want  bool
	}{
		{"unconditional covers any resource", amigo.Grant{Permission: amigo.PermGetService}, sales, true},
		{"unconditional covers an unknown resource", amigo.Grant{Permission: amigo.PermGetService}, nil, true},
		{"other permission", amigo.Grant{Permission: amigo.PermUpdateService}, sales, false},
		{"tag matches", tagged("team:support"), support, true},
		{"tag differs", tagged("team:support"), sales, false},
		{"no tags at all", tagged("team:support"), untagged, false},
		{"conditional never covers an unknown resource", tagged("team:support"), nil, false},
		{"key:* matches any value of the key", tagged("team:*"), sales, true},
		{"key:* matches a null value", tagged("tier:*"), support, true},
		{"key:* needs the key", tagged("team:*"), untagged, false},
		{"key: matches a null value", tagged("tier:"), support, true},
		{"key: does not match a set value", tagged("team:"), sales, false},
		{"values of one condition are ORed", tagged("team:sales", "team:support"), support, true},
		{"conditions are ANDed: both met", amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": {"team:support"}, "name": {"triage"}}}, support, true},
		{"conditions are ANDed: one unmet", amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": {"team:support"}, "name": {"pitch"}}}, support, false},
		{"id condition", amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"id": {"s2"}}}, sales, true},
		{"* is not a wildcard outside tags", amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"id": {"*"}}}, sales, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.grant.Covers(amigo.PermGetService, tc.attrs); got != tc.want {
				t.Fatalf("Covers = %v, want %v", got, tc.want)
			}
		})
	}
}

func tagged(tags ...string) amigo.Grant {
	return amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": tags}}
}

func TestTagValues(t *testing.T) {
	v := "support"
	got := amigo.TagValues(map[string]*string{"team": &v, "beta": nil})
	if want := []string{"beta:", "team:support"}; !slices.Equal(got, want) {
		t.Fatalf("TagValues = %v, want %v", got, want)
	}
}

func TestRoleIncludes(t *testing.T) {
	role := func(gs ...amigo.Grant) *amigo.Role { return &amigo.Role{Grants: gs} }
	get := amigo.Grant{Permission: amigo.PermGetService}
	update := amigo.Grant{Permission: amigo.PermUpdateService}
	getSupport, updateSupport := tagged("team:support"), amigo.Grant{Permission: amigo.PermUpdateService, Conditions: map[string][]string{"tags": {"team:support"}}}
	getAnyTeam := tagged("team:*")
	getSupportOrSales := tagged("team:support", "team:sales")
	getSupportTriage := amigo.Grant{Permission: amigo.PermGetService, Conditions: map[string][]string{"tags": {"team:support"}, "name": {"triage"}}}
	for _, tc := range []struct {
		name        string
		wider, less *amigo.Role
		want        bool
	}{
		{"a role includes itself", role(get, update), role(get, update), true},
		{"the empty role is included in any", role(get), role(), true},
		{"superset", role(get, update), role(get), true},
		{"subset", role(get), role(get, update), false},
		{"unconditional includes conditional", role(get, update), role(getSupport, updateSupport), true},
		{"conditional does not include unconditional", role(getSupport), role(get), false},
		{"key:* includes a value of the key", role(getAnyTeam), role(getSupport), true},
		{"a value does not include key:*", role(getSupport), role(getAnyTeam), false},
		{"more values include fewer", role(getSupportOrSales), role(getSupport), true},
		{"fewer values do not include more", role(getSupport), role(getSupportOrSales), false},
		{"an extra condition narrows", role(getSupport), role(getSupportTriage), true},
		{"a missing condition widens", role(getSupportTriage), role(getSupport), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.wider.Includes(tc.less); got != tc.want {
				t.Fatalf("Includes = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDefaultRoles(t *testing.T) {
	roles := map[string]*amigo.Role{}
	for _, r := range amigo.DefaultRoles() {
		roles[r.Name] = r
		if !r.Builtin {
			t.Errorf("%s is not builtin", r.Name)
		}
		if err := amigo.ValidateGrants(r.Grants); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
	user, admin, amigoAdmin, super := roles[amigo.RoleUser], roles[amigo.RoleAdministrator], roles[amigo.RoleAmigoAdministrator], roles[amigo.RoleSuperAdministrator]
	// Each role is strictly less permissive than the next.
	for _, pair := range [][2]*amigo.Role{{user, admin}, {admin, amigoAdmin}, {amigoAdmin, super}} {
		if !pair[1].Includes(pair[0]) || pair[0].Includes(pair[1]) {
			t.Errorf("%s is not strictly less permissive than %s", pair[0].Name, pair[1].Name)
		}
	}
	for _, p := range amigo.AllPermissions {
		if !super.Allows(p, nil) {
			t.Errorf("super administrator lacks %s", p)
		}
	}
	wantUser := []string{amigo.PermGetService, amigo.PermGetAgent, amigo.PermGetStateMachine}
	for _, p := range amigo.AllPermissions {
		if got := user.Allows(p, nil); got != slices.Contains(wantUser, p) {
			t.Errorf("user role: %s allowed = %v", p, got)
		}
	}
	// A plain user holds the conversation permissions on their own
	// conversations only, and their own user model and details.
	for _, p := range amigo.ConversationPermissions {
		if !user.Allows(p, amigo.Attributes{"user_id": {"u1", amigo.Self}}) || user.Allows(p, amigo.Attributes{"user_id": {"u1"}}) {
			t.Errorf("user role: %s is not exactly on the caller's own conversations", p)
		}
	}
	for _, p := range []string{amigo.PermGetUserModel, amigo.PermUpdateUserInfo} {
		if !user.Allows(p, amigo.Attributes{"id": {"u1", amigo.Self}}) || user.Allows(p, amigo.Attributes{"id": {"u1"}}) {
			t.Errorf("user role: %s is not exactly on the caller", p)
		}
	}
	for _, p := range []string{amigo.PermCreateOrganization, amigo.PermDeleteOrganization} {
		if admin.AllowsSome(p) || amigoAdmin.AllowsSome(p) {
			t.Errorf("an administrator role holds %s", p)
		}
	}
	if admin.AllowsSome(amigo.PermModifyOrganization) || !amigoAdmin.Allows(amigo.PermModifyOrganization, nil) {
		t.Error("only the Amigo administrator may modify the organization")
	}
}

func TestValidateGrants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		grants []amigo.Grant
		want   string // substring of the error; empty: valid
	}{
		{"valid", []amigo.Grant{tagged("team:support"), {Permission: amigo.PermGetAgent}}, ""},
		{"unknown permission", []amigo.Grant{{Permission: "Service:Everything"}}, "unknown permission"},
		{"dotted spelling is refused", []amigo.Grant{{Permission: "User.DeleteUser"}}, "unknown permission"},
		{"unknown attribute", []amigo.Grant{{Permission: amigo.PermGetService, Conditions: map[string][]string{"tag": {"team:support"}}}}, `no attribute "tag"`},
		{"attribute of another resource", []amigo.Grant{{Permission: amigo.PermGetAgent, Conditions: map[string][]string{"tags": {"team:support"}}}}, `no attribute "tags"`},
		{"empty condition", []amigo.Grant{{Permission: amigo.PermGetService, Conditions: map[string][]string{"id": {}}}}, "at least one value"},
		{"empty value", []amigo.Grant{{Permission: amigo.PermGetService, Conditions: map[string][]string{"name": {""}}}}, "at least one value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := amigo.ValidateGrants(tc.grants)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			case tc.want != "" && amigo.ErrorCode(err) != amigo.EBADREQUEST:
				t.Fatalf("code %s, want %s", amigo.ErrorCode(err), amigo.EBADREQUEST)
			}
		})
	}
}

func TestCallerRequire(t *testing.T) {
	c := &amigo.Caller{Role: &amigo.Role{Grants: []amigo.Grant{tagged("team:support")}}}
	if err := c.RequireSome(amigo.PermGetService); err != nil {
		t.Fatalf("RequireSome: %v", err)
	}
	if err := c.Require(amigo.PermGetService, amigo.Attributes{"tags": {"team:support"}}); err != nil {
		t.Fatalf("Require on a covered resource: %v", err)
	}
	for _, err := range []error{
		c.Require(amigo.PermGetService, amigo.Attributes{"tags": {"team:sales"}}),
		c.Require(amigo.PermGetService, nil),
		c.RequireSome(amigo.PermUpdateService),
	} {
		if amigo.ErrorCode(err) != amigo.EFORBIDDEN || !strings.Contains(amigo.ErrorMessage(err), "Service:") {
			t.Errorf("error %v: want EFORBIDDEN naming the permission", err)
		}
	}
	var nobody *amigo.Caller
	if amigo.ErrorCode(nobody.Require(amigo.PermGetService, nil)) != amigo.EUNAUTHORIZED {
		t.Error("a missing caller is not EUNAUTHORIZED")
	}
}
