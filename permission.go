package amigo

import (
	"slices"
	"strings"
)

// Permission names, as the spec's operation descriptions spell them. The spec
// writes the user-deletion permission once as "User.DeleteUser"; we normalise
// it to the colon form like every other name.
const (
	PermGetOrganizationDetails = "Organization:GetOrganizationDetails"
	PermCreateOrganization     = "Organization:CreateOrganization"
	PermModifyOrganization     = "Organization:ModifyOrganization"
	PermDeleteOrganization     = "Organization:DeleteOrganization"
	PermCreateAPIKey           = "Organization:CreateAPIKey"
	PermGetAPIKey              = "Organization:GetAPIKey"
	PermDeleteAPIKey           = "Organization:DeleteAPIKey"

	PermCreateAgent        = "Organization:CreateAgent"
	PermGetAgent           = "Organization:GetAgent"
	PermCreateAgentVersion = "Organization:CreateAgentVersion"
	PermDeleteAgent        = "Organization:DeleteAgent"

	PermCreateStateMachine        = "Organization:CreateServiceHierarchicalStateMachine"
	PermGetStateMachine           = "Organization:GetServiceHierarchicalStateMachine"
	PermCreateStateMachineVersion = "Organization:CreateServiceHierarchicalStateMachineVersion"
	PermDeleteStateMachine        = "Organization:DeleteServiceHierarchicalStateMachine"

	PermGetService       = "Service:GetService"
	PermCreateService    = "Service:CreateService"
	PermUpdateService    = "Service:UpdateService"
	PermCreateVersionSet = "Service:CreateVersionSet"
	PermUpdateVersionSet = "Service:UpdateVersionSet"
	PermDeleteVersionSet = "Service:DeleteVersionSet"

	PermGetUserInfo = "User:GetUserInfo"
	PermInviteUser  = "User:InviteUser"
	PermDeleteUser  = "User:DeleteUser"
)

// AllPermissions lists every permission the server knows, in a stable order.
var AllPermissions = []string{
	PermGetOrganizationDetails, PermCreateOrganization, PermModifyOrganization, PermDeleteOrganization,
	PermCreateAPIKey, PermGetAPIKey, PermDeleteAPIKey,
	PermCreateAgent, PermGetAgent, PermCreateAgentVersion, PermDeleteAgent,
	PermCreateStateMachine, PermGetStateMachine, PermCreateStateMachineVersion, PermDeleteStateMachine,
	PermGetService, PermCreateService, PermUpdateService, PermCreateVersionSet, PermUpdateVersionSet, PermDeleteVersionSet,
	PermGetUserInfo, PermInviteUser, PermDeleteUser,
}

// IsPermission reports whether name is a known permission.
func IsPermission(name string) bool { return slices.Contains(AllPermissions, name) }

// Grant gives one permission, optionally only on resources whose attributes
// match every condition. A condition maps an attribute name ("id", "tags",
// "name") to the values it accepts; a resource matches a condition when any of
// its values for that attribute is among them. A grant without conditions
// covers every resource.
type Grant struct {
	Permission string              `json:"permission"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

// Attributes describe a resource for conditional grants, e.g.
// {"id": ["6650…"], "tags": ["team:support", "tier:*"]}. A nil Attributes
// stands for "some resource of this kind", used to check a permission before
// the resource is known; only unconditional grants match it.
type Attributes map[string][]string

// Covers reports whether g allows perm on a resource with attributes attrs.
func (g Grant) Covers(perm string, attrs Attributes) bool {
	if g.Permission != perm {
		return false
	}
	for attr, allowed := range g.Conditions {
		if attrs == nil || !slices.ContainsFunc(attrs[attr], func(v string) bool { return slices.Contains(allowed, v) }) {
			return false
		}
	}
	return true
}

// includes reports whether g grants at least everything h grants.
func (g Grant) includes(h Grant) bool {
	if g.Permission != h.Permission {
		return false
	}
	for attr, allowed := range g.Conditions {
		narrower, ok := h.Conditions[attr]
		if !ok {
			return false
		}
		for _, v := range narrower {
			if !slices.Contains(allowed, v) {
				return false
			}
		}
	}
	return true
}

// Role is a named set of grants in one organization.
type Role struct {
	ID          string  `json:"id"`
	OrgID       string  `json:"org_id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Grants      []Grant `json:"grants"`
	// Builtin marks the four default roles, which cannot be deleted.
	Builtin bool `json:"builtin"`
}

// Allows reports whether the role grants perm on a resource with attrs.
func (r *Role) Allows(perm string, attrs Attributes) bool {
	return slices.ContainsFunc(r.Grants, func(g Grant) bool { return g.Covers(perm, attrs) })
}

// AllowsSome reports whether the role grants perm on at least some resources,
// conditionally or not. List endpoints use it to decide between 403 and
// filtering.
func (r *Role) AllowsSome(perm string) bool {
	return slices.ContainsFunc(r.Grants, func(g Grant) bool { return g.Permission == perm })
}

// Includes reports whether r holds every privilege of other: each grant of
// other is included in some grant of r. "Less permissive" in the spec means
// exactly this subset relation; API-key creation, user invitation and
// sign-in all use it.
func (r *Role) Includes(other *Role) bool {
	for _, h := range other.Grants {
		if !slices.ContainsFunc(r.Grants, func(g Grant) bool { return g.includes(h) }) {
			return false
		}
	}
	return true
}

// Names of the four roles every organization is created with.
const (
	RoleUser               = "DefaultUserRole"
	RoleAdministrator      = "DefaultAdministratorRole"
	RoleAmigoAdministrator = "DefaultAmigoAdministratorRole"
	RoleSuperAdministrator = "DefaultSuperAdministratorRole"
)

// DefaultRoles returns the grant sets of the four default roles, documented
// in the README:
//   - DefaultUserRole reads services, agents and state machines.
//   - DefaultAdministratorRole manages everything inside the organization
//     (agents, state machines, services, users, API keys) and reads the
//     organization's details, but cannot modify or delete the organization.
//   - DefaultAmigoAdministratorRole is an administrator who may also modify
//     the organization's settings (logos, descriptions, preferences).
//   - DefaultSuperAdministratorRole holds every permission, including
//     deleting the organization and, in the platform organization, creating
//     and deleting other organizations.
func DefaultRoles() []*Role {
	user := []string{PermGetService, PermGetAgent, PermGetStateMachine}
	admin := slices.DeleteFunc(slices.Clone(AllPermissions), func(p string) bool {
		return p == PermCreateOrganization || p == PermModifyOrganization || p == PermDeleteOrganization
	})
	amigoAdmin := append(slices.Clone(admin), PermModifyOrganization)
	return []*Role{
		{Name: RoleUser, Description: "Reads services, agents and state machines.", Grants: grants(user), Builtin: true},
		{Name: RoleAdministrator, Description: "Manages the organization's resources, users and API keys.", Grants: grants(admin), Builtin: true},
		{Name: RoleAmigoAdministrator, Description: "An administrator who may also modify the organization's settings.", Grants: grants(amigoAdmin), Builtin: true},
		{Name: RoleSuperAdministrator, Description: "Holds every permission.", Grants: grants(AllPermissions), Builtin: true},
	}
}

func grants(perms []string) []Grant {
	gs := make([]Grant, len(perms))
	for i, p := range perms {
		gs[i] = Grant{Permission: p}
	}
	return gs
}

// ValidateGrants checks a grant list read from a file or request.
func ValidateGrants(gs []Grant) error {
	for i, g := range gs {
		if !IsPermission(g.Permission) {
			return Errorf(EBADREQUEST, "Grant %d names unknown permission %q.", i, g.Permission)
		}
		for attr, vals := range g.Conditions {
			if strings.TrimSpace(attr) == "" || len(vals) == 0 {
				return Errorf(EBADREQUEST, "Grant %d has an empty condition %q.", i, attr)
			}
		}
	}
	return nil
}
