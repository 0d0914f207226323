package api

import (
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

// operation is one operation of the spec: its route, its rate limit and how
// it authenticates. The table below mirrors ../shared/spec/ENDPOINTS.md and
// is the single place that lists them; routing, rate limiting and metrics
// all read it.
type operation struct {
	ID     string // the spec's operationId
	Method string
	Path   string // the spec's path, trailing slash included
	// Limit is the spec's requests per minute per user (per API key and
	// user for sign-in, per client address for get-organization).
	Limit int
	Auth  authMode
	Org   orgMode
	// Gate lists the permissions (the spec's permission column) a caller
	// must hold on at least some resource before the operation looks
	// anything up or validates anything; each inner list is met by any one
	// of its permissions. The decision on the resource itself, with its
	// attributes, is core's. Operations without authentication have none.
	Gate [][]string
	// Extension marks an operation the Amigo spec does not have; the
	// docs/ pages document it.
	Extension bool
	// Interaction marks the operations that stream an interaction, whose
	// phases are timed (amigo_interaction_phase_seconds).
	Interaction bool
	handler     func(s *Server, w http.ResponseWriter, r *http.Request, t *core.Tenant) error
}

// Extensions returns "METHOD path" for every extension operation, for the
// conformance checks of tests, which cannot judge them against the spec.
func Extensions() []string {
	var out []string
	for _, op := range operations {
		if op.Extension {
			out = append(out, op.Method+" "+op.Path)
		}
	}
	return out
}

// pathParams returns the names of the parameters of op's path other than
// the organization, in path order.
func (op *operation) pathParams() []string {
	var names []string
	for rest := op.Path; ; {
		_, after, ok := strings.Cut(rest, "{")
		if !ok {
			return names
		}
		name, tail, _ := strings.Cut(after, "}")
		if name != "organization" {
			names = append(names, name)
		}
		rest = tail
	}
}

// pattern returns the http.ServeMux pattern matching exactly the spec path.
func (op *operation) pattern() string {
	p := op.Path
	if strings.HasSuffix(p, "/") {
		p += "{$}"
	}
	return op.Method + " " + p
}

// getOrganizationLimit is the per-address limit of get-organization, which
// the spec does not give; documented in docs/roles.md.
const getOrganizationLimit = 60

var operations = []*operation{
	{ID: "get-organization", Method: "GET", Path: "/v1/{organization}/organization/", Limit: getOrganizationLimit, Auth: authOptional, handler: (*Server).getOrganization},
	{ID: "create-organization", Method: "PUT", Path: "/v1/{organization}/organization/", Limit: 5, Org: orgNew, Gate: [][]string{{amigo.PermCreateOrganization}}, handler: (*Server).createOrganization},
	{ID: "modify-organization", Method: "POST", Path: "/v1/{organization}/organization/", Limit: 10, Gate: [][]string{{amigo.PermModifyOrganization}}, handler: (*Server).modifyOrganization},
	{ID: "delete-organization", Method: "DELETE", Path: "/v1/{organization}/organization/", Limit: 5, Org: orgDeleting, Gate: [][]string{{amigo.PermDeleteOrganization}}, handler: (*Server).deleteOrganization},
	{ID: "get-user-dimensions", Method: "GET", Path: "/v1/{organization}/organization/user_dimensions/", Limit: 20, Gate: [][]string{{amigo.PermGetOrganizationDetails}}, handler: (*Server).getUserDimensions},

	{ID: "create-api-key", Method: "POST", Path: "/v1/{organization}/organization/api_key/", Limit: 5, Gate: [][]string{{amigo.PermCreateAPIKey}}, handler: (*Server).createAPIKey},
	{ID: "get-api-keys", Method: "GET", Path: "/v1/{organization}/organization/api_key/", Limit: 10, Gate: [][]string{{amigo.PermGetAPIKey}}, handler: (*Server).getAPIKeys},
	{ID: "delete-api-key", Method: "DELETE", Path: "/v1/{organization}/organization/api_key/{api_key_id}/", Limit: 10, Gate: [][]string{{amigo.PermDeleteAPIKey}}, handler: (*Server).deleteAPIKey},

	{ID: "create-agent", Method: "POST", Path: "/v1/{organization}/organization/agent", Limit: 10, Gate: [][]string{{amigo.PermCreateAgent}}, handler: (*Server).createAgent},
	{ID: "get-agents", Method: "GET", Path: "/v1/{organization}/organization/agent", Limit: 20, Gate: [][]string{{amigo.PermGetAgent}}, handler: (*Server).getAgents},
	{ID: "create-agent-version", Method: "POST", Path: "/v1/{organization}/organization/agent/{agent_id}/", Limit: 10, Gate: [][]string{{amigo.PermCreateAgentVersion}}, handler: (*Server).createAgentVersion},
	{ID: "delete-agent", Method: "DELETE", Path: "/v1/{organization}/organization/agent/{agent_id}/", Limit: 10, Gate: [][]string{{amigo.PermDeleteAgent}}, handler: (*Server).deleteAgent},
	{ID: "get-agent-versions", Method: "GET", Path: "/v1/{organization}/organization/agent/{agent_id}/version", Limit: 20, Gate: [][]string{{amigo.PermGetAgent}}, handler: (*Server).getAgentVersions},

	{ID: "create-service-hierarchical-state-machine", Method: "POST", Path: "/v1/{organization}/organization/service_hierarchical_state_machine", Limit: 10, Gate: [][]string{{amigo.PermCreateStateMachine}}, handler: (*Server).createStateMachine},
	{ID: "get-service-hierarchical-state-machines", Method: "GET", Path: "/v1/{organization}/organization/service_hierarchical_state_machine", Limit: 20, Gate: [][]string{{amigo.PermGetStateMachine}}, handler: (*Server).getStateMachines},
	{ID: "create-service-hierarchical-state-machine-version", Method: "POST", Path: "/v1/{organization}/organization/service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/", Limit: 10, Gate: [][]string{{amigo.PermCreateStateMachineVersion}}, handler: (*Server).createStateMachineVersion},
	{ID: "delete-service-hierarchical-state-machine", Method: "DELETE", Path: "/v1/{organization}/organization/service_hierarchical_state_machine/{state_machine_id}/", Limit: 10, Gate: [][]string{{amigo.PermDeleteStateMachine}}, handler: (*Server).deleteStateMachine},
	{ID: "get-service-hierarchical-state-machine-versions", Method: "GET", Path: "/v1/{organization}/organization/service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/version", Limit: 20, Gate: [][]string{{amigo.PermGetStateMachine}}, handler: (*Server).getStateMachineVersions},
	// An extension beyond the spec: the machine drawn as a graph (smgraph).
	{ID: "get-service-hierarchical-state-machine-graph", Extension: true, Method: "GET", Path: "/v1/{organization}/organization/service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/graph", Limit: 20, Gate: [][]string{{amigo.PermGetStateMachine}}, handler: (*Server).getStateMachineGraph},

	{ID: "get-services", Method: "GET", Path: "/v1/{organization}/service/", Limit: 50, Gate: [][]string{{amigo.PermGetService}}, handler: (*Server).getServices},
	{ID: "create-service", Method: "POST", Path: "/v1/{organization}/service/", Limit: 20, Gate: [][]string{{amigo.PermCreateService}, {amigo.PermCreateVersionSet}}, handler: (*Server).createService},
	{ID: "update-service", Method: "POST", Path: "/v1/{organization}/service/{service_id}/", Limit: 20, Gate: [][]string{{amigo.PermUpdateService}}, handler: (*Server).updateService},
	{ID: "upsert-service-version-set", Method: "PUT", Path: "/v1/{organization}/service/{service_id}/version_sets/{version_set_name}/", Limit: 30, Gate: [][]string{{amigo.PermCreateVersionSet, amigo.PermUpdateVersionSet}}, handler: (*Server).upsertVersionSet},
	{ID: "delete-service-version-set", Method: "DELETE", Path: "/v1/{organization}/service/{service_id}/version_sets/{version_set_name}/", Limit: 30, Gate: [][]string{{amigo.PermDeleteVersionSet}}, handler: (*Server).deleteVersionSet},

	// Extensions (docs/history.md): not in the Amigo spec, so no
	// official SDK calls them; limits follow their neighbours.
	{ID: "get-changes", Extension: true, Method: "GET", Path: "/v1/{organization}/changes/", Limit: 20, Gate: [][]string{{amigo.PermGetChangeLog}}, handler: (*Server).getChanges},
	{ID: "get-agent-version-diff", Extension: true, Method: "GET", Path: "/v1/{organization}/organization/agent/{agent_id}/version/diff", Limit: 20, Gate: [][]string{{amigo.PermGetAgent}}, handler: (*Server).getAgentVersionDiff},
	{ID: "get-service-hierarchical-state-machine-version-diff", Extension: true, Method: "GET", Path: "/v1/{organization}/organization/service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/version/diff", Limit: 20, Gate: [][]string{{amigo.PermGetStateMachine}}, handler: (*Server).getStateMachineVersionDiff},
	{ID: "get-service-version-set-revisions", Extension: true, Method: "GET", Path: "/v1/{organization}/service/{service_id}/version_sets/{version_set_name}/revisions/", Limit: 20, Gate: [][]string{{amigo.PermGetService}}, handler: (*Server).getVersionSetRevisions},
	{ID: "promote-service-version-set", Extension: true, Method: "POST", Path: "/v1/{organization}/service/{service_id}/version_sets/{version_set_name}/promote", Limit: 30, Gate: [][]string{{amigo.PermCreateVersionSet, amigo.PermUpdateVersionSet}}, handler: (*Server).promoteVersionSet},
	{ID: "rollback-service-version-set", Extension: true, Method: "POST", Path: "/v1/{organization}/service/{service_id}/version_sets/{version_set_name}/rollback", Limit: 30, Gate: [][]string{{amigo.PermCreateVersionSet, amigo.PermUpdateVersionSet}}, handler: (*Server).rollbackVersionSet},

	// Conversations (conversations.json): the two streams answer NDJSON.
	{ID: "create-conversation", Method: "POST", Path: "/v1/{organization}/conversation/", Limit: 5, Gate: [][]string{{amigo.PermCreateConversation}}, Interaction: true, handler: (*Server).createConversation},
	{ID: "interact-with-conversation", Method: "POST", Path: "/v1/{organization}/conversation/{conversation_id}/interact", Limit: 15, Gate: [][]string{{amigo.PermUpdateUserInfo}, {amigo.PermInteractWithConversation}}, Interaction: true, handler: (*Server).interactWithConversation},
	{ID: "recommend-responses-for-interaction", Method: "POST", Path: "/v1/{organization}/conversation/{conversation_id}/interaction/{interaction_id}/recommend_responses", Limit: 20, Gate: [][]string{{amigo.PermGetRecommendedResponses}}, handler: (*Server).recommendResponses},
	{ID: "get-interaction-insights", Method: "GET", Path: "/v1/{organization}/conversation/{conversation_id}/interaction/{interaction_id}/insights", Limit: 20, Gate: [][]string{{amigo.PermGetInteractionInsights}, {amigo.PermGetStateMachine}}, handler: (*Server).getInteractionInsights},
	{ID: "generate-conversation-starter", Method: "POST", Path: "/v1/{organization}/conversation/conversation_starter", Limit: 10, Gate: [][]string{{amigo.PermCreateConversation}}, handler: (*Server).generateConversationStarter},

	{ID: "sign-in-with-api-key", Method: "POST", Path: "/v1/{organization}/user/signin_with_api_key", Limit: 5, Auth: authAPIKey, handler: (*Server).signIn},
	{ID: "get-users", Method: "GET", Path: "/v1/{organization}/user/", Limit: 60, Gate: [][]string{{amigo.PermGetUserInfo}}, handler: (*Server).getUsers},
	{ID: "create-invited-user", Method: "POST", Path: "/v1/{organization}/user/", Limit: 50, Gate: [][]string{{amigo.PermInviteUser}}, handler: (*Server).createInvitedUser},
	{ID: "update-user-info", Method: "POST", Path: "/v1/{organization}/user/{requested_user_id}", Limit: 50, Gate: [][]string{{amigo.PermUpdateUserInfo}}, handler: (*Server).updateUserInfo},
	{ID: "delete-user", Method: "DELETE", Path: "/v1/{organization}/user/{requested_user_id}", Limit: 500, Gate: [][]string{{amigo.PermDeleteUser}}, handler: (*Server).deleteUser},
	// An extension (docs/roles.md, "Changing a user's role"): the spec's
	// update-user-info has no role; the limit is update-user-info's.
	{ID: "get-user-model", Method: "GET", Path: "/v1/{organization}/user/{user_id}/user_model", Limit: 60, Gate: [][]string{{amigo.PermGetUserModel}}, handler: (*Server).getUserModel},

	// The conversation operations of ../shared/spec/conversations.json
	// that answer without streaming (limits and permissions from
	// CONVERSATIONS.md).
	{ID: "get-conversations", Method: "GET", Path: "/v1/{organization}/conversation/", Limit: 15, Gate: [][]string{{amigo.PermGetConversation}}, handler: (*Server).getConversations},
	{ID: "get-conversation-messages", Method: "GET", Path: "/v1/{organization}/conversation/{conversation_id}/messages/", Limit: 20, Gate: [][]string{{amigo.PermGetMessage}}, handler: (*Server).getConversationMessages},
	{ID: "finish-conversation", Method: "POST", Path: "/v1/{organization}/conversation/{conversation_id}/finish/", Limit: 5, Gate: [][]string{{amigo.PermUpdateUserInfo}, {amigo.PermFinishConversation}}, handler: (*Server).finishConversation},
	{ID: "retrieve-message-source", Method: "GET", Path: "/v1/{organization}/conversation/{conversation_id}/messages/{message_id}/source", Limit: 30, Gate: [][]string{{amigo.PermGetMessage}}, handler: (*Server).retrieveMessageSource},
	{ID: "modify-tags-of-conversation", Method: "POST", Path: "/v1/{organization}/conversation/{conversation_id}/tags/", Limit: 50, Gate: [][]string{{amigo.PermModifyConversation}}, handler: (*Server).modifyConversationTags},

	{ID: "update-user-role", Extension: true, Method: "PUT", Path: "/v1/{organization}/user/{requested_user_id}/role", Limit: 50, Gate: [][]string{{amigo.PermUpdateUserRole}}, handler: (*Server).updateUserRole},
}
