package amigo

import (
	"maps"
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
	// PermGetChangeLog reads the organization's change log (an extension).
	PermGetChangeLog = "Organization:GetChangeLog"

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
	// PermUpdateUserInfo allows update-user-info, also on oneself.
	PermUpdateUserInfo = "User:UpdateUserInfo"
	// PermUpdateUserRole changes a user's role (an extension).
	PermUpdateUserRole = "User:UpdateUserRole"
	PermGetUserModel   = "User:GetUserModel"

	PermCreateConversation       = "Conversation:CreateConversation"
	PermGetConversation          = "Conversation:GetConversation"
	PermGetMessage               = "Conversation:GetMessage"
	PermFinishConversation       = "Conversation:FinishConversation"
	PermGetRecommendedResponses  = "Conversation:GetRecommendedResponses"
	PermGetInteractionInsights   = "Conversation:GetInteractionInsights"
	PermInteractWithConversation = "Conversation:InteractWithConversation"
	PermModifyConversation       = "Conversation:ModifyConversation"
)

// ConversationPermissions lists the Conversation:* permissions.
var ConversationPermissions = []string{
	PermCreateConversation, PermGetConversation, PermGetMessage, PermFinishConversation,
	PermGetRecommendedResponses, PermGetInteractionInsights, PermInteractWithConversation, PermModifyConversation,
}

// Self is the attribute value that stands for the caller: a user's "id",
// and a conversation's "user_id", hold it beside the id itself when the
// user is the caller. A grant conditioned on {"user_id": ["self"]} thus
// covers exactly the caller's own conversations.
const Self = "self"

// AllPermissions lists every permission the server knows, in a stable order.
var AllPermissions = []string{
	PermGetOrganizationDetails, PermCreateOrganization, PermModifyOrganization, PermDeleteOrganization,
	PermCreateAPIKey, PermGetAPIKey, PermDeleteAPIKey,
	PermCreateAgent, PermGetAgent, PermCreateAgentVersion, PermDeleteAgent,
	PermCreateStateMachine, PermGetStateMachine, PermCreateStateMachineVersion, PermDeleteStateMachine,
	PermGetService, PermCreateService, PermUpdateService, PermCreateVersionSet, PermUpdateVersionSet, PermDeleteVersionSet,
	PermGetUserInfo, PermInviteUser, PermDeleteUser, PermUpdateUserInfo,
	PermGetChangeLog, PermUpdateUserRole,
	PermGetUserModel,
	PermCreateConversation, PermGetConversation, PermGetMessage, PermFinishConversation,
	PermGetRecommendedResponses, PermGetInteractionInsights, PermInteractWithConversation, PermModifyConversation,
}

// IsPermission reports whether name is a known permission.
func IsPermission(name string) bool { return slices.Contains(AllPermissions, name) }

// Grant gives one permission, optionally only on resources whose attributes
// match every condition. A condition maps an attribute name to the values it
// accepts; a resource meets it when any of its values for that attribute is
// accepted (see [MatchValue]). Conditions are ANDed, values within one
// condition ORed. A grant without conditions covers every resource.
//
// For example, Permission Service:UpdateService with Conditions
// {"tags": ["team:support"]} allows updating services tagged team:support
// and no others. Its JSON shapes are sqldb's (stored) and api/wire's (files,
// the change log).
type Grant struct {
	Permission string
	Conditions map[string][]string
}

// Attributes describe the resource a permission is checked on, e.g.
// {"id": ["6650…"], "name": ["triage"], "tags": ["team:support", "tier:"]}.
// Each permission's checks use the attribute names listed in
// PermissionAttributes, with the values known at the time of the check (a
// resource being created has no id yet). Tags are written "key:value", and
// "key:" for a tag whose value is null; [TagValues] builds them.
//
// A nil Attributes stands for "some resource of this kind", used when the
// resource is not known; only unconditional grants match it.
type Attributes map[string][]string

// PermissionAttributes names the attributes each permission's checks
// describe their resource with. A grant's conditions may use only these
// (ValidateGrants refuses others, which would never match).
var PermissionAttributes = map[string][]string{}

func init() {
	set := func(attrs []string, perms ...string) {
		for _, p := range perms {
			PermissionAttributes[p] = attrs
		}
	}
	set([]string{"id"}, PermGetOrganizationDetails, PermCreateOrganization, PermModifyOrganization, PermDeleteOrganization, PermGetChangeLog)
	set([]string{"id", "role"}, PermCreateAPIKey, PermGetAPIKey, PermDeleteAPIKey)
	set([]string{"id", "name"}, PermCreateAgent, PermGetAgent, PermCreateAgentVersion, PermDeleteAgent,
		PermCreateStateMachine, PermGetStateMachine, PermCreateStateMachineVersion, PermDeleteStateMachine)
	set([]string{"id", "name", "tags"}, PermGetService, PermCreateService, PermUpdateService)
	set([]string{"id", "name", "tags", "version_set"}, PermCreateVersionSet, PermUpdateVersionSet, PermDeleteVersionSet)
	set([]string{"id", "email", "role"}, PermGetUserInfo, PermInviteUser, PermDeleteUser, PermUpdateUserInfo, PermUpdateUserRole, PermGetUserModel)
	// A conversation being created has no id yet.
	set([]string{"id", "user_id", "service_id", "tags"}, ConversationPermissions...)
}

// TagValues returns a resource's tags as attribute values: "key:value", or
// "key:" when the value is nil.
func TagValues(tags map[string]*string) []string {
	out := make([]string, 0, len(tags))
	for k, v := range tags {
		if v == nil {
			out = append(out, k+":")
		} else {
			out = append(out, k+":"+*v)
		}
	}
	slices.Sort(out)
	return out
}

// MatchValue reports whether a condition value accepts an attribute value:
// they are equal, or the condition is "key:*" and the value is a tag with
// that key, whatever its value (null included). This is the syntax of
// get-services' tags filter, except that "key:" in a condition means
// exactly a null value.
func MatchValue(cond, value string) bool {
	if cond == value {
		return true
	}
	key, ok := strings.CutSuffix(cond, ":*")
	return ok && strings.HasPrefix(value, key+":")
}

// Covers reports whether g allows perm on a resource with attributes attrs.
func (g Grant) Covers(perm string, attrs Attributes) bool {
	if g.Permission != perm {
		return false
	}
	for attr, allowed := range g.Conditions {
		if !slices.ContainsFunc(attrs[attr], func(v string) bool { return accepts(allowed, v) }) {
			return false
		}
	}
	return true
}

// accepts reports whether any of the condition values matches v.
func accepts(allowed []string, v string) bool {
	return slices.ContainsFunc(allowed, func(c string) bool { return MatchValue(c, v) })
}

// includes reports whether g grants at least everything h grants: every
// condition of g is also a condition of h, at most as wide. Extra
// conditions of h only narrow it.
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
			if !accepts(allowed, v) {
				return false
			}
		}
	}
	return true
}

// Role is a named set of grants in one organization.
type Role struct {
	ID          string
	OrgID       string
	Name        string
	Description string
	Grants      []Grant
	// Builtin marks the four default roles, which cannot be deleted.
	Builtin bool
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
// in docs/roles.md:
//   - DefaultUserRole reads services, agents and state machines, and holds
//     the conversations of its own (every Conversation:* permission on
//     user_id self), its own user model, and update-user-info on itself,
//     which finishing and interacting with a conversation require.
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
	own := append(grants(user), Grant{Permission: PermUpdateUserInfo, Conditions: map[string][]string{"id": {Self}}},
		Grant{Permission: PermGetUserModel, Conditions: map[string][]string{"id": {Self}}})
	for _, p := range ConversationPermissions {
		own = append(own, Grant{Permission: p, Conditions: map[string][]string{"user_id": {Self}}})
	}
	admin := slices.DeleteFunc(slices.Clone(AllPermissions), func(p string) bool {
		return p == PermCreateOrganization || p == PermModifyOrganization || p == PermDeleteOrganization
	})
	amigoAdmin := append(slices.Clone(admin), PermModifyOrganization)
	return []*Role{
		{Name: RoleUser, Description: "Reads services, agents and state machines; holds its own conversations.", Grants: own, Builtin: true},
		{Name: RoleAdministrator, Description: "Manages the organization's resources, users and API keys.", Grants: grants(admin), Builtin: true},
		{Name: RoleAmigoAdministrator, Description: "An administrator who may also modify the organization's settings.", Grants: grants(amigoAdmin), Builtin: true},
		{Name: RoleSuperAdministrator, Description: "Holds every permission.", Grants: grants(AllPermissions), Builtin: true},
	}
}

// BuiltinGrants returns the grants of the default role named name, and
// whether there is one. Stores answer a default role with these grants
// rather than the copy written when the organization was created, so that a
// permission added in a later release reaches every organization.
func BuiltinGrants(name string) ([]Grant, bool) {
	for _, r := range DefaultRoles() {
		if r.Name == name {
			return r.Grants, true
		}
	}
	return nil, false
}

func grants(perms []string) []Grant {
	gs := make([]Grant, len(perms))
	for i, p := range perms {
		gs[i] = Grant{Permission: p}
	}
	return gs
}

// ValidateGrants checks a grant list read from a file or request: known
// permissions, and conditions on that permission's attributes with at
// least one non-empty value each.
func ValidateGrants(gs []Grant) error {
	for i, g := range gs {
		if !IsPermission(g.Permission) {
			return Errorf(EBADREQUEST, "Grant %d names unknown permission %q.", i, g.Permission)
		}
		for _, attr := range slices.Sorted(maps.Keys(g.Conditions)) {
			vals := g.Conditions[attr]
			if known := PermissionAttributes[g.Permission]; !slices.Contains(known, attr) {
				return Errorf(EBADREQUEST, "Grant %d: %s has no attribute %q; its attributes are %s.", i, g.Permission, attr, strings.Join(known, ", "))
			}
			if len(vals) == 0 || slices.Contains(vals, "") {
				return Errorf(EBADREQUEST, "Grant %d: condition %q needs at least one value, and no empty ones.", i, attr)
			}
		}
	}
	return nil
}
