package api

import (
	"net/http"
	"reflect"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// shapes is what the server's OpenAPI document says of one operation beyond
// its row of the operations table: the wire types of its body and answer,
// and the query parameters its handler reads. A test fails when an
// operation of the table has no entry here, and when the behavioural
// suite sees an answer that the document does not describe.
type shapes struct {
	Tag     string
	Summary string
	Request reflect.Type // nil: no body
	// Form sends Request as multipart/form-data rather than JSON.
	Form bool
	// Requires lists body fields that the domain requires although the
	// wire shape leaves them optional (one shape read by two operations).
	Requires []string
	Status   int          // the success status
	Response reflect.Type // nil: no body (204), or Media only
	// Media lists other content types of the success answer, chosen by a
	// query parameter.
	Media []string
	Query []queryParam
	// Errors are statuses the operation answers beyond those every
	// operation of its kind does (see errorStatuses).
	Errors []int
}

// queryParam is one query parameter as the handler parses it (query.go).
type queryParam struct {
	Name        string
	Description string
	Schema      schema
	List        bool // repeatable: ?id=a&id=b
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// The query parameters the listings share, with the bounds query.go enforces.
var (
	qContinuation = queryParam{Name: "continuation_token", Description: "Offset of the page, from the previous page's continuation_token.", Schema: schema{Type: "integer", Minimum: intp(0), Default: 0}}
	qDeprecated   = queryParam{Name: "deprecated", Description: "Only deprecated (true) or live (false) ones.", Schema: schema{Type: "boolean"}}
	qIDs          = queryParam{Name: "id", Description: "Only these ids.", List: true, Schema: schema{Type: "string", Pattern: idPattern.String()}}
	qExpected     = queryParam{Name: "version", Description: "The version number the new version must get; 409 when another one was created first.", Schema: schema{Type: "integer", ExclusiveMinimum: intp(0)}}
	qVersion      = queryParam{Name: "version", Description: "A version number or a range N-M; latest when absent.", Schema: schema{Type: "string"}}
	qSort         = queryParam{Name: "sort_by", Description: "Fields to sort by, each prefixed with + or -.", List: true, Schema: schema{Type: "string"}}
)

// The query parameters of the conversation streams.
var (
	qResponseFormat = queryParam{Name: "response_format", Description: "text; voice is refused (400).", Schema: schema{Type: "string", Enum: []string{"text", "voice"}}}
	qActionType     = queryParam{Name: "current_agent_action_type", Description: "A regular expression selecting the current-agent-action events by type; ^$ for none.", Schema: schema{Type: "string", Default: "^.*$"}}
)

// qLimit is a page size above 0; qLimitFrom0 one that may be 0.
func qLimit(def, max int) queryParam {
	return queryParam{Name: "limit", Description: "Page size.", Schema: schema{Type: "integer", ExclusiveMinimum: intp(0), Maximum: intp(max), Default: def}}
}

func qLimitFrom0(def, max int) queryParam {
	return queryParam{Name: "limit", Description: "Page size.", Schema: schema{Type: "integer", Minimum: intp(0), Maximum: intp(max), Default: def}}
}

// operationShapes declares, by operation id, the shapes of every operation
// of the operations table.
var operationShapes = map[string]shapes{
	"get-organization":    {Tag: "Organization", Summary: "Get an organization's public settings (and more for its members).", Status: http.StatusOK, Response: typeOf[wire.Organization]()},
	"create-organization": {Tag: "Organization", Summary: "Create an organization.", Request: typeOf[wire.OrganizationInput](), Status: http.StatusCreated, Response: typeOf[wire.CreatedOrganization](), Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"modify-organization": {Tag: "Organization", Summary: "Change an organization's settings.", Request: typeOf[wire.OrganizationInput](), Status: http.StatusNoContent},
	"delete-organization": {Tag: "Organization", Summary: "Delete an organization and everything in it.", Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest}},
	"get-user-dimensions": {Tag: "Organization", Summary: "List the user dimensions of the organization.", Status: http.StatusOK, Response: typeOf[wire.UserDimensionList]()},

	"create-api-key": {Tag: "API keys", Summary: "Create an API key of a role included in the caller's; its secret is returned only here.", Request: typeOf[wire.APIKeyInput](), Requires: []string{"duration"}, Status: http.StatusCreated, Response: typeOf[wire.CreatedAPIKey](), Errors: []int{http.StatusBadRequest}},
	"get-api-keys":   {Tag: "API keys", Summary: "List the API keys the caller may see (never their secrets).", Status: http.StatusOK, Response: typeOf[wire.APIKeyList]()},
	"delete-api-key": {Tag: "API keys", Summary: "Delete an API key.", Status: http.StatusOK, Response: typeOf[wire.DeletedAPIKey]()},

	"create-agent":         {Tag: "Agents", Summary: "Create an agent.", Request: typeOf[wire.NameInput](), Requires: []string{"agent_name"}, Status: http.StatusCreated, Response: typeOf[wire.Created](), Errors: []int{http.StatusConflict}},
	"get-agents":           {Tag: "Agents", Summary: "List agents.", Status: http.StatusOK, Response: typeOf[wire.AgentList](), Query: []queryParam{qDeprecated, qIDs, qLimit(10, 20), qContinuation, qSort}},
	"create-agent-version": {Tag: "Agents", Summary: "Create the next version of an agent; unset fields carry over. ?dry_run=true only validates it (answer: null; an extension: Amigo's spec has dry_run on state machines only).", Request: typeOf[wire.AgentVersionRequest](), Status: http.StatusCreated, Response: typeOf[*wire.CreatedVersion](), Query: []queryParam{qExpected, {Name: "dry_run", Description: "Validate only, the version number included; nothing is stored. An extension of amigo-server.", Schema: schema{Type: "boolean", Default: false}}}, Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"delete-agent":         {Tag: "Agents", Summary: "Deprecate an agent.", Status: http.StatusOK, Response: typeOf[wire.Empty](), Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"get-agent-versions":   {Tag: "Agents", Summary: "List an agent's versions.", Status: http.StatusOK, Response: typeOf[wire.AgentVersionList](), Query: []queryParam{qVersion, qLimit(10, 10), qContinuation, qSort}},

	"create-service-hierarchical-state-machine":         {Tag: "State machines", Summary: "Create a state machine.", Request: typeOf[wire.NameInput](), Requires: []string{"state_machine_name"}, Status: http.StatusCreated, Response: typeOf[wire.Created](), Errors: []int{http.StatusConflict}},
	"get-service-hierarchical-state-machines":           {Tag: "State machines", Summary: "List state machines.", Status: http.StatusOK, Response: typeOf[wire.StateMachineList](), Query: []queryParam{qDeprecated, qIDs, qLimitFrom0(50, 50), qContinuation, qSort}},
	"create-service-hierarchical-state-machine-version": {Tag: "State machines", Summary: "Create the next version of a state machine; ?dry_run=true only validates it (answer: null).", Request: typeOf[wire.StateMachineVersionRequest](), Status: http.StatusCreated, Response: typeOf[*wire.CreatedVersion](), Query: []queryParam{qExpected, {Name: "dry_run", Description: "Validate only; nothing is stored.", Schema: schema{Type: "boolean", Default: false}}}, Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"delete-service-hierarchical-state-machine":         {Tag: "State machines", Summary: "Deprecate a state machine.", Status: http.StatusOK, Response: typeOf[wire.Empty](), Errors: []int{http.StatusConflict, http.StatusBadRequest}},
	"get-service-hierarchical-state-machine-versions":   {Tag: "State machines", Summary: "List a state machine's versions.", Status: http.StatusOK, Response: typeOf[wire.StateMachineVersionList](), Query: []queryParam{qVersion, qLimit(10, 10), qContinuation, qSort}},
	"get-service-hierarchical-state-machine-graph": {Tag: "State machines", Summary: "Draw a version of a state machine as a graph.", Status: http.StatusOK, Response: typeOf[wire.Graph](), Media: []string{"image/svg+xml", "text/vnd.graphviz", "text/plain"},
		Query: []queryParam{{Name: "version", Description: `A version number or "latest".`, Schema: schema{Type: "string", Pattern: `^([1-9][0-9]*|latest)$`, Default: "latest"}},
			{Name: "format", Description: "json (nodes, edges, lint), svg, dot or mermaid.", Schema: schema{Type: "string", Enum: []string{"json", "svg", "dot", "mermaid"}, Default: "json"}}}},

	"get-services":               {Tag: "Services", Summary: "List services.", Status: http.StatusOK, Response: typeOf[wire.ServiceList](), Query: []queryParam{qIDs, {Name: "is_active", Schema: schema{Type: "boolean"}}, qLimit(10, 20), qContinuation, qSort, {Name: "tags", Description: "Only services with this tag: key:value, key:* (any value) or key: (no value).", List: true, Schema: schema{Type: "string"}}}},
	"create-service":             {Tag: "Services", Summary: "Create a service with its release and edge version sets.", Request: typeOf[wire.ServiceInput](), Requires: []string{"service_hierarchical_state_machine_id", "agent_id", "name", "description"}, Status: http.StatusCreated, Response: typeOf[wire.Created](), Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"update-service":             {Tag: "Services", Summary: "Change a service's fields.", Request: typeOf[wire.ServiceInput](), Status: http.StatusOK, Response: typeOf[wire.Empty](), Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"upsert-service-version-set": {Tag: "Services", Summary: "Create or replace a version set (not edge); If-Match guards it.", Request: typeOf[wire.VersionSetInput](), Requires: []string{"version_set"}, Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest, http.StatusPreconditionFailed}},
	"delete-service-version-set": {Tag: "Services", Summary: "Delete a version set (not edge or release); If-Match guards it.", Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest, http.StatusPreconditionFailed}},

	"get-changes": {Tag: "History", Summary: "List the organization's change log, newest first.", Status: http.StatusOK, Response: typeOf[wire.ChangeList](),
		Query: []queryParam{qText("resource_type", "Only changes of this resource type."), qText("resource_id", "Only changes of this resource."),
			qText("actor_user_id", "Only changes made by this user."), qText("operation", "Only changes made by this operation or command."),
			qTime("since", "Only changes at or after this time (RFC 3339)."), qTime("until", "Only changes before this time (RFC 3339)."),
			{Name: "limit", Description: "Page size.", Schema: schema{Type: "integer", Minimum: intp(1), Maximum: intp(100), Default: 50}},
			qText("continuation_token", "The id of the last change of the previous page.")}},
	"get-agent-version-diff": {Tag: "History", Summary: "Diff two versions of an agent (RFC 6902 patch).", Status: http.StatusOK, Response: typeOf[wire.VersionDiff](),
		Query: []queryParam{qDiffEnd("from"), qDiffEnd("to")}, Errors: []int{http.StatusBadRequest}},
	"get-service-hierarchical-state-machine-version-diff": {Tag: "History", Summary: "Diff two versions of a state machine, with the states and transitions that changed.", Status: http.StatusOK, Response: typeOf[wire.MachineDiff](),
		Query: []queryParam{qDiffEnd("from"), qDiffEnd("to")}, Errors: []int{http.StatusBadRequest}},
	"get-service-version-set-revisions": {Tag: "History", Summary: "List a version set's revisions, newest first.", Status: http.StatusOK, Response: typeOf[wire.RevisionList](),
		Query: []queryParam{qLimit(10, 50), qContinuation}},
	"promote-service-version-set":  {Tag: "History", Summary: "Copy another version set into this one atomically (from edge: the versions edge resolves to now).", Request: typeOf[wire.PromoteInput](), Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest, http.StatusPreconditionFailed}},
	"rollback-service-version-set": {Tag: "History", Summary: "Restore an earlier revision of a version set as a new revision.", Request: typeOf[wire.RollbackInput](), Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest, http.StatusPreconditionFailed}},

	"create-conversation": {Tag: "Conversations", Summary: "Create a conversation and stream its first interaction (NDJSON events).", Request: typeOf[wire.CreateConversationInput](), Status: http.StatusCreated,
		Media: []string{"application/x-ndjson"}, Query: []queryParam{qResponseFormat, qActionType}, Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"interact-with-conversation": {Tag: "Conversations", Summary: "Send a message to a conversation and stream the agent's answer (NDJSON events).", Request: typeOf[wire.InteractForm](), Form: true, Status: http.StatusOK,
		Media: []string{"application/x-ndjson"}, Query: []queryParam{{Name: "request_format", Description: "text; voice is refused (400).", Schema: schema{Type: "string", Enum: []string{"text", "voice"}}}, qResponseFormat, qActionType},
		Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"recommend-responses-for-interaction": {Tag: "Conversations", Summary: "Suggest what the user could answer after the latest interaction.", Request: typeOf[wire.RecommendInput](), Status: http.StatusOK, Response: typeOf[wire.RecommendedResponses](), Errors: []int{http.StatusBadRequest}},
	"get-interaction-insights":            {Tag: "Conversations", Summary: "What the agent did in an interaction: its state, transitions and reflections.", Status: http.StatusOK, Response: typeOf[wire.InteractionInsights]()},
	"generate-conversation-starter":       {Tag: "Conversations", Summary: "Generate conversation starters for a service.", Request: typeOf[wire.StarterInput](), Status: http.StatusOK, Response: typeOf[wire.Starters]()},

	"sign-in-with-api-key": {Tag: "Users", Summary: "Exchange an API key for a user's token (Bearer).", Status: http.StatusOK, Response: typeOf[wire.SignIn]()},
	"get-users":            {Tag: "Users", Summary: "List users.", Status: http.StatusOK, Response: typeOf[wire.UserList](), Query: []queryParam{{Name: "user_id", List: true, Schema: schema{Type: "string"}}, {Name: "email", List: true, Schema: schema{Type: "string"}}, qLimitFrom0(100, 100), qContinuation, qSort}},
	"create-invited-user":  {Tag: "Users", Summary: "Invite a user into the organization.", Request: typeOf[wire.InviteUserInput](), Status: http.StatusCreated, Response: typeOf[wire.InvitedUser](), Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"update-user-info":     {Tag: "Users", Summary: "Change a user's details.", Request: typeOf[wire.UpdateUserInput](), Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest}},
	"delete-user":          {Tag: "Users", Summary: "Delete a user.", Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest}},
	"get-user-model":       {Tag: "Users", Summary: "A user's models, learnt after their conversations, and additional context.", Status: http.StatusOK, Response: typeOf[wire.UserModelResponse]()},

	"get-conversations": {Tag: "Conversations", Summary: "List conversations.", Status: http.StatusOK, Response: typeOf[wire.ConversationList](), Query: []queryParam{
		{Name: "user_id", List: true, Schema: schema{Type: "string"}}, {Name: "service_id", List: true, Schema: schema{Type: "string", Pattern: idPattern.String()}},
		{Name: "is_finished", Schema: schema{Type: "boolean"}}, qIDs, qLimit(150, 150), qContinuation, qSort,
		{Name: "tag", Description: "Only conversations with this tag: key:value, key:* (any value) or key: (no value).", List: true, Schema: schema{Type: "string"}}}},
	"get-conversation-messages": {Tag: "Conversations", Summary: "List a conversation's messages, newest first unless sort_by says otherwise.", Status: http.StatusOK, Response: typeOf[wire.MessageList](), Query: []queryParam{
		qIDs, {Name: "message_type", List: true, Schema: schema{Type: "string", Enum: []string{"user-message", "agent-message", "agent-inner-thought", "external-event"}}},
		{Name: "interaction_id", List: true, Schema: schema{Type: "string", Pattern: idPattern.String()}}, qLimit(500, 500), qContinuation, qSort}},
	"finish-conversation":         {Tag: "Conversations", Summary: "Finish a conversation (one without messages is deleted); post-conversation processing follows.", Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest, http.StatusConflict}},
	"retrieve-message-source":     {Tag: "Conversations", Summary: "The audio of a voice message; a text message has none (400).", Status: http.StatusOK, Response: typeOf[string](), Query: []queryParam{{Name: "long_lived", Schema: schema{Type: "boolean", Default: false}}}, Errors: []int{http.StatusBadRequest}},
	"modify-tags-of-conversation": {Tag: "Conversations", Summary: "Set and delete tags of a conversation.", Request: typeOf[wire.ModifyTagsInput](), Status: http.StatusNoContent, Errors: []int{http.StatusBadRequest}},
	"update-user-role":            {Tag: "Users", Summary: "Give a user another role; both roles must be included in the caller's.", Request: typeOf[wire.UserRoleInput](), Requires: []string{"role_name"}, Status: http.StatusNoContent},
}

// qText is an optional string query parameter.
func qText(name, desc string) queryParam {
	return queryParam{Name: name, Description: desc, Schema: schema{Type: "string"}}
}

// qTime is an optional RFC 3339 time query parameter.
func qTime(name, desc string) queryParam {
	return queryParam{Name: name, Description: desc, Schema: schema{Type: "string", Format: "date-time"}}
}

// qDiffEnd is one end of a version diff: a version number or "latest".
func qDiffEnd(name string) queryParam {
	return queryParam{Name: name, Description: `A version number or "latest".`, Schema: schema{Type: "string", Pattern: `^([1-9][0-9]*|latest)$`}}
}
