package api

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// The two generated tables of docs/roles.md: the default roles' grants
// (from amigo.DefaultRoles and amigo.PermissionAttributes) and which
// operation needs what (from the operations table's gates, with the checks
// core makes beyond the gate in operationChecks).
const (
	rolesBegin      = "<!-- default roles table: generated from amigo.DefaultRoles; go test ./api -run TestDocsRoleTables -update -->\n"
	rolesEnd        = "<!-- end of default roles table -->\n"
	operationsBegin = "<!-- operation permissions table: generated from api/operations.go; go test ./api -run TestDocsRoleTables -update -->\n"
	operationsEnd   = "<!-- end of operation permissions table -->\n"
)

// operationChecks says, for the operations that have any, what core checks
// besides the operation's gate (the permission column). Documentation
// only: the checks themselves are core's.
var operationChecks = map[string]string{
	"get-organization":    "`default_user_preferences` and `tenant_id` are filled only for a caller holding `Organization:GetOrganizationDetails` on the organization",
	"create-organization": "only super administrators of the platform organization; `id` is the new organization's",
	"create-api-key":      "the key's role must be included in the caller's",
	"get-api-keys":        "lists only the keys the caller holds the permission on (`id` is the key_id)",
	"delete-api-key":      "the key's role must be included in the caller's",
	"get-agents":          "lists only the agents the caller holds the permission on",
	"get-service-hierarchical-state-machines": "lists only the state machines the caller holds the permission on",
	"get-services":                      "lists only the services the caller holds the permission on",
	"create-service":                    "`Service:CreateVersionSet` on the `edge` and `release` sets it creates",
	"upsert-service-version-set":        "`Service:CreateVersionSet` for a new set, `Service:UpdateVersionSet` for an existing one, on the service with the set's name as `version_set`",
	"delete-service-version-set":        "on the service with the set's name as `version_set`",
	"get-service-version-set-revisions": "on the service with the set's name as `version_set`",
	"promote-service-version-set":       "as upsert-service-version-set on the target; also `Service:GetService` on the source set",
	"rollback-service-version-set":      "as upsert-service-version-set",
	"sign-in-with-api-key":              "the key's role must include the user's",
	"get-users":                         "lists only the users the caller holds the permission on",
	"create-invited-user":               "the new user's role must be included in the caller's",
	"delete-user":                       "the user's role must be included in the caller's; revokes the keys the user created",
	"update-user-info":                  "the user's role must be included in the caller's; `id` holds `self` for the caller",
	"update-user-role":                  "on the user with their current role and with the new one; both roles must be included in the caller's",
	"get-user-model":                    "`id` holds `self` for the caller",
	"get-conversations":                 "lists only the conversations the caller holds the permission on; `final_message` needs `Conversation:GetMessage`, `version_set_info` `Service:GetService` on the service (the spec's `Service:GetVersionSet`)",
	"create-conversation":               "`user_id` holds `self` for the caller's own conversations, as in every `Conversation:*` check",
	"finish-conversation":               "`User:UpdateUserInfo` on the conversation's user",
	"interact-with-conversation":        "`User:UpdateUserInfo` on the conversation's user",
}

// defaultRolesTable renders which permission each default role grants, and
// on what: ✓ for every resource, the conditions otherwise.
func defaultRolesTable() string {
	roles := amigo.DefaultRoles()
	var b strings.Builder
	b.WriteString("| permission | attributes |")
	for _, r := range roles {
		fmt.Fprintf(&b, " `%s` |", r.Name)
	}
	b.WriteString("\n|---|---|" + strings.Repeat(":-:|", len(roles)) + "\n")
	for _, perm := range amigo.AllPermissions {
		name := "`" + perm + "`"
		if permissionIsExtension(perm) {
			name += " (extension)"
		}
		fmt.Fprintf(&b, "| %s | `%s` |", name, strings.Join(amigo.PermissionAttributes[perm], "`, `"))
		for _, r := range roles {
			fmt.Fprintf(&b, " %s |", grantCell(r.Grants, perm))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// permissionIsExtension reports whether every operation that needs perm is
// an extension, so that the spec does not know the permission.
func permissionIsExtension(perm string) bool {
	used := false
	for _, op := range operations {
		if slices.ContainsFunc(op.Gate, func(anyOf []string) bool { return slices.Contains(anyOf, perm) }) {
			if !op.Extension {
				return false
			}
			used = true
		}
	}
	return used
}

// grantCell says on what gs grant perm: ✓ for everything, each grant's
// conditions otherwise, or nothing.
func grantCell(gs []amigo.Grant, perm string) string {
	var conds []string
	for _, g := range gs {
		if g.Permission != perm {
			continue
		}
		if len(g.Conditions) == 0 {
			return "✓"
		}
		var parts []string
		for _, attr := range slices.Sorted(maps.Keys(g.Conditions)) {
			parts = append(parts, attr+": "+strings.Join(g.Conditions[attr], " or "))
		}
		conds = append(conds, "`"+strings.Join(parts, ", ")+"`")
	}
	return strings.Join(conds, " or ")
}

// operationPermissionsTable renders each operation's gate and what core
// checks beyond it.
func operationPermissionsTable() string {
	var b strings.Builder
	b.WriteString("| operation | permission | also |\n|---|---|---|\n")
	for _, op := range operations {
		id := op.ID
		if op.Extension {
			id += " (extension)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", id, gateText(op), operationChecks[op.ID])
	}
	return b.String()
}

// gateText writes op's gate as the docs do: "none", or each required
// permission, alternatives joined by "or".
func gateText(op *operation) string {
	if len(op.Gate) == 0 {
		return "none"
	}
	all := make([]string, len(op.Gate))
	for i, anyOf := range op.Gate {
		all[i] = "`" + strings.Join(anyOf, "` or `") + "`"
	}
	return strings.Join(all, " and ")
}

// TestDocsRoleTables fails when docs/roles.md's default roles table or its
// operation permissions table is not the one the code renders.
func TestDocsRoleTables(t *testing.T) {
	checkGenerated(t, "../docs/roles.md", rolesBegin, rolesEnd, defaultRolesTable(), "TestDocsRoleTables")
	checkGenerated(t, "../docs/roles.md", operationsBegin, operationsEnd, operationPermissionsTable(), "TestDocsRoleTables")
}

// TestOperationChecksNameOperations keeps operationChecks to operations
// that exist, and every permission to some operation's gate.
func TestOperationChecksNameOperations(t *testing.T) {
	ids := map[string]bool{}
	gated := map[string]bool{}
	for _, op := range operations {
		ids[op.ID] = true
		for _, anyOf := range op.Gate {
			for _, p := range anyOf {
				gated[p] = true
			}
		}
	}
	for id := range operationChecks {
		if !ids[id] {
			t.Errorf("operationChecks names %q, which is no operation", id)
		}
	}
	for _, p := range amigo.AllPermissions {
		if !gated[p] {
			t.Errorf("no operation's gate needs %s", p)
		}
	}
}

// checkGenerated fails t when the text of the file at path between begin
// and end is not want, or with -update rewrites it. test names the test
// that regenerates it.
func checkGenerated(t *testing.T, path, begin, end, want, test string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), begin)
	got, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no generated table between %q and %q", path, begin, end)
	}
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, []byte(before+begin+want+end+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's table between %q and %q differs from the code; run go test ./api -run %s -update\n got:\n%s\nwant:\n%s", path, begin, end, test, got, want)
}
