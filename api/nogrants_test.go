package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// permissionOf is the permission each operation's description names first;
// ../shared/spec/ENDPOINTS.md lists them.
var permissionOf = map[string]string{
	"create-organization": "Organization:CreateOrganization", "modify-organization": "Organization:ModifyOrganization",
	"delete-organization": "Organization:DeleteOrganization", "get-user-dimensions": "Organization:GetOrganizationDetails",
	"create-agent": "Organization:CreateAgent", "get-agents": "Organization:GetAgent",
	"create-agent-version": "Organization:CreateAgentVersion", "delete-agent": "Organization:DeleteAgent",
	"get-agent-versions":                                "Organization:GetAgent",
	"create-service-hierarchical-state-machine":         "Organization:CreateServiceHierarchicalStateMachine",
	"get-service-hierarchical-state-machines":           "Organization:GetServiceHierarchicalStateMachine",
	"create-service-hierarchical-state-machine-version": "Organization:CreateServiceHierarchicalStateMachineVersion",
	"delete-service-hierarchical-state-machine":         "Organization:DeleteServiceHierarchicalStateMachine",
	"get-service-hierarchical-state-machine-versions":   "Organization:GetServiceHierarchicalStateMachine",
	"get-service-hierarchical-state-machine-graph":      "Organization:GetServiceHierarchicalStateMachine",
	"create-api-key": "Organization:CreateAPIKey", "get-api-keys": "Organization:GetAPIKey", "delete-api-key": "Organization:DeleteAPIKey",
	"get-services": "Service:GetService", "create-service": "Service:CreateService",
	"upsert-service-version-set": "Service:CreateVersionSet or Service:UpdateVersionSet", "delete-service-version-set": "Service:DeleteVersionSet",
	"update-service": "Service:UpdateService",
	"get-changes":    "Organization:GetChangeLog", "get-agent-version-diff": "Organization:GetAgent",
	"get-service-hierarchical-state-machine-version-diff": "Organization:GetServiceHierarchicalStateMachine",
	"get-service-version-set-revisions":                   "Service:GetService",
	"promote-service-version-set":                         "Service:CreateVersionSet or Service:UpdateVersionSet",
	"rollback-service-version-set":                        "Service:CreateVersionSet or Service:UpdateVersionSet",
	"get-users":                                           "User:GetUserInfo", "create-invited-user": "User:InviteUser", "delete-user": "User:DeleteUser",
	"update-user-role": "User:UpdateUserRole",
}

// TestNoGrantsNoAccess sends every operation, as a user whose role grants
// nothing, with a well-formed but empty request: each is refused with 403
// naming its permission before anything else is looked at.
func TestNoGrantsNoAccess(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	org := env.CreateOrg(t, "acme")
	putRole(t, env, "acme", "Nobody")
	nobody, _ := newRoster(env, org).member(t, "Nobody")
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, op := range api.Operations() {
		if op.ID == "get-organization" || op.ID == "sign-in-with-api-key" {
			continue // they need no permission
		}
		t.Run(op.ID, func(t *testing.T) {
			path := param.ReplaceAllStringFunc(op.Path, func(p string) string {
				switch p {
				case "{organization}":
					return "acme"
				case "{version_set_name}":
					return "canary"
				case "{api_key_id}":
					return "00000000-0000-4000-8000-000000000000"
				}
				return "aaaaaaaaaaaaaaaaaaaaaaaa"
			})
			var body any
			if op.Method == "POST" || op.Method == "PUT" {
				body = map[string]any{}
			}
			c := nobody
			switch op.ID {
			case "create-organization":
				path = "/v1/newco/organization/"
				c = nobody.With("X-ORG-ID", "acme")
			}
			r := c.Do(t, op.Method, path, body, testenv.Header("x-mongo-cluster-name", "default"))
			if r.Status != 403 {
				t.Fatalf("status %d, want 403; body %s", r.Status, r.Body)
			}
			if want := permissionOf[op.ID]; op.ID != "create-organization" && !strings.Contains(r.Detail(), want) {
				t.Fatalf("detail %q does not name %s", r.Detail(), want)
			}
		})
	}
}
