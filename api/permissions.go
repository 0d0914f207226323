package api

import (
	"context"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// permissionGates mirrors the permission column of
// ../shared/spec/ENDPOINTS.md: for each operation, the permissions a caller
// must hold on at least some resource before the operation looks anything
// up or validates anything. Each inner list is met by any one of its
// permissions. Operations missing here (get-organization, sign-in) need
// none.
//
// The gate is coarse on purpose: it answers 403 naming the permission to a
// caller who holds it on nothing, so such a caller never learns which ids
// exist. The decision on the resource itself, with its attributes, is
// core's.
var permissionGates = map[string][][]string{
	"create-organization": {{amigo.PermCreateOrganization}},
	"modify-organization": {{amigo.PermModifyOrganization}},
	"delete-organization": {{amigo.PermDeleteOrganization}},
	"get-user-dimensions": {{amigo.PermGetOrganizationDetails}},

	"create-agent":         {{amigo.PermCreateAgent}},
	"get-agents":           {{amigo.PermGetAgent}},
	"create-agent-version": {{amigo.PermCreateAgentVersion}},
	"delete-agent":         {{amigo.PermDeleteAgent}},
	"get-agent-versions":   {{amigo.PermGetAgent}},

	"create-service-hierarchical-state-machine":         {{amigo.PermCreateStateMachine}},
	"get-service-hierarchical-state-machines":           {{amigo.PermGetStateMachine}},
	"create-service-hierarchical-state-machine-version": {{amigo.PermCreateStateMachineVersion}},
	"delete-service-hierarchical-state-machine":         {{amigo.PermDeleteStateMachine}},
	"get-service-hierarchical-state-machine-versions":   {{amigo.PermGetStateMachine}},

	"create-api-key": {{amigo.PermCreateAPIKey}},
	"get-api-keys":   {{amigo.PermGetAPIKey}},
	"delete-api-key": {{amigo.PermDeleteAPIKey}},

	"get-services":               {{amigo.PermGetService}},
	"create-service":             {{amigo.PermCreateService}, {amigo.PermCreateVersionSet}},
	"upsert-service-version-set": {{amigo.PermCreateVersionSet, amigo.PermUpdateVersionSet}},
	"delete-service-version-set": {{amigo.PermDeleteVersionSet}},
	"update-service":             {{amigo.PermUpdateService}},

	"get-users":           {{amigo.PermGetUserInfo}},
	"create-invited-user": {{amigo.PermInviteUser}},
	"delete-user":         {{amigo.PermDeleteUser}},
}

// checkGate applies op's permission gate to the caller of ctx.
func checkGate(ctx context.Context, op *operation) error {
	caller := amigo.CallerFromContext(ctx)
	for _, anyOf := range permissionGates[op.ID] {
		if caller == nil {
			return caller.RequireSome(anyOf[0])
		}
		met := false
		for _, perm := range anyOf {
			met = met || caller.RequireSome(perm) == nil
		}
		if !met {
			return amigo.Errorf(amigo.EFORBIDDEN, "Missing required permission %s.", strings.Join(anyOf, " or "))
		}
	}
	return nil
}
