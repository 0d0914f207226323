package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The server describes itself: GET /openapi.json is an OpenAPI 3.1
// document built from the operations table (routes, limits, permissions,
// authentication) and operationShapes (the wire types, by reflection), so
// declaring an operation documents it. It is not Amigo's document: it says
// what this server implements, extensions included.

type openAPIDoc struct {
	OpenAPI    string                              `json:"openapi"`
	Info       docInfo                             `json:"info"`
	Tags       []docTag                            `json:"tags"`
	Paths      map[string]map[string]*docOperation `json:"paths"`
	Components docComponents                       `json:"components"`
}

type docInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

type docTag struct {
	Name string `json:"name"`
}

type docComponents struct {
	Schemas         map[string]*schema           `json:"schemas"`
	SecuritySchemes map[string]docSecurityScheme `json:"securitySchemes"`
}

type docSecurityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme"`
	BearerFormat string `json:"bearerFormat"`
}

type docOperation struct {
	OperationID string                  `json:"operationId"`
	Summary     string                  `json:"summary,omitempty"`
	Tags        []string                `json:"tags"`
	Parameters  []docParameter          `json:"parameters,omitempty"`
	RequestBody *docRequestBody         `json:"requestBody,omitempty"`
	Responses   map[string]*docResponse `json:"responses"`
	Security    []map[string][]string   `json:"security"`
	RateLimit   docRateLimit            `json:"x-amigo-rate-limit"`
	// Permissions are the gate of the operations table: the caller holds,
	// for each inner list, at least one of its permissions on something.
	Permissions [][]string `json:"x-amigo-permissions"`
	Extension   bool       `json:"x-amigo-server-extension,omitempty"`
}

type docRateLimit struct {
	Requests int    `json:"requests"`
	Per      string `json:"per"`
	Window   string `json:"window"`
}

type docParameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *schema `json:"schema"`
	Style       string  `json:"style,omitempty"`
	Explode     *bool   `json:"explode,omitempty"`
}

type docRequestBody struct {
	Required bool                `json:"required"`
	Content  map[string]docMedia `json:"content"`
}

type docResponse struct {
	Description string              `json:"description"`
	Content     map[string]docMedia `json:"content,omitempty"`
}

type docMedia struct {
	Schema *schema `json:"schema"`
}

// errorDescriptions say when the server answers each error status.
var errorDescriptions = map[int]string{
	http.StatusBadRequest:            "The request is well-formed but not allowed (e.g. a reference to a missing or deprecated resource).",
	http.StatusUnauthorized:          "Missing, invalid or expired credentials.",
	http.StatusForbidden:             "The caller lacks the permission.",
	http.StatusNotFound:              "The organization or the resource does not exist.",
	http.StatusConflict:              "It exists already, or the expected version was taken.",
	http.StatusRequestEntityTooLarge: "The body is over its limit.",
	http.StatusUnprocessableEntity:   "Validation failed: every violation, located.",
	http.StatusTooManyRequests:       "Rate limit reached; see Retry-After.",
	http.StatusServiceUnavailable:    "Maintenance, or a database unavailable; see Retry-After.",
}

// errorStatuses are the error statuses of op: those of every operation of
// its kind, and those shapes declares.
func errorStatuses(op *operation, sh shapes) []int {
	codes := []int{http.StatusNotFound, http.StatusTooManyRequests, http.StatusServiceUnavailable}
	if op.Auth != authOptional {
		codes = append(codes, http.StatusUnauthorized)
	}
	if op.Auth == authRequired {
		codes = append(codes, http.StatusForbidden)
	}
	if sh.Request != nil {
		codes = append(codes, http.StatusRequestEntityTooLarge)
	}
	// Every operation reads headers (readHeaders), refused with a 422 when
	// no database could compare them.
	if sh.Request != nil || len(sh.Query) > 0 || len(op.pathParams()) > 0 || len(readHeaders(op)) > 0 {
		codes = append(codes, http.StatusUnprocessableEntity)
	}
	codes = append(codes, sh.Errors...)
	slices.Sort(codes)
	return slices.Compact(codes)
}

// idParam is the schema of the path parameters the spec constrains to an
// id (idPattern); checkPathIDs checks them before anything else.
var idParam = &schema{Type: "string", Pattern: idPattern.String()}

// pathParamSchemas says what each path parameter of the operations table
// other than the organization accepts, as the spec does; the server checks
// it before anything else (route.go, service.go). A test keeps every
// parameter of the table here, and the ids as the spec's.
var pathParamSchemas = map[string]*schema{
	"agent_id":                              idParam,
	"service_hierarchical_state_machine_id": idParam,
	"state_machine_id":                      idParam,
	"service_id":                            idParam,
	"conversation_id":                       idParam,
	"interaction_id":                        idParam,
	"message_id":                            idParam,
	"api_key_id":                            {Type: "string"},
	"requested_user_id":                     {Type: "string"},
	"user_id":                               {Type: "string"},
	"version_set_name":                      {Type: "string", Pattern: versionSetName.String(), Description: "Surrounding spaces are stripped."},
}

// headerParams are the request headers op reads beside Authorization
// (the document's bearer security scheme).
func headerParams(op *operation) []docParameter {
	var ps []docParameter
	switch op.Auth {
	case authAPIKey:
		for _, h := range []string{"x-api-key", "x-api-key-id", "x-user-id"} {
			ps = append(ps, docParameter{Name: h, In: "header", Required: true, Schema: &schema{Type: "string"}})
		}
	case authRequired, authOptional:
		ps = append(ps, docParameter{Name: "X-ORG-ID", In: "header", Schema: &schema{Type: "string"},
			Description: "A platform administrator's own organization, when working on another one."})
	}
	return append(ps, docParameter{Name: "x-mongo-cluster-name", In: "header", Schema: &schema{Type: "string"},
		Description: "The cluster the caller expects the organization on (docs/regions.md)."})
}

// readHeaders are the names of the request headers op reads: its header
// parameters, and Authorization unless it signs in.
func readHeaders(op *operation) []string {
	var names []string
	if op.Auth != authAPIKey {
		names = append(names, "Authorization")
	}
	for _, p := range headerParams(op) {
		names = append(names, p.Name)
	}
	return names
}

// buildOpenAPI returns the document of ops.
func buildOpenAPI(ops []*operation) *openAPIDoc {
	r := newReflector()
	doc := &openAPIDoc{
		OpenAPI: "3.1.0",
		Info: docInfo{Title: "amigo-server", Version: "1",
			Description: "The Amigo Classic API as this server implements it, generated from its operations table and wire types. " +
				"Rate limits are per minute; x-amigo-server-extension marks operations beyond the Amigo spec."},
		Paths: map[string]map[string]*docOperation{},
		Components: docComponents{SecuritySchemes: map[string]docSecurityScheme{
			"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT from sign-in-with-api-key"},
		}},
	}
	errRef := r.of(typeOfErrorBody)
	for _, op := range ops {
		sh := operationShapes[op.ID]
		d := &docOperation{
			OperationID: op.ID, Summary: sh.Summary, Tags: []string{cmp.Or(sh.Tag, "Other")},
			Responses:   map[string]*docResponse{},
			RateLimit:   docRateLimit{Requests: op.Limit, Per: limitKey(op), Window: "minute"},
			Permissions: append([][]string{}, op.Gate...),
			Extension:   op.Extension,
			Security:    []map[string][]string{},
		}
		if op.Auth == authRequired {
			d.Security = []map[string][]string{{"bearer": {}}}
		} else if op.Auth == authOptional {
			d.Security = []map[string][]string{{}, {"bearer": {}}}
		}
		d.Parameters = parameters(op, sh)
		if sh.Request != nil {
			body := r.of(sh.Request)
			if len(sh.Requires) > 0 {
				body = &schema{AnyOf: []*schema{body}, Required: sh.Requires}
			}
			media := "application/json"
			if sh.Form {
				media = "multipart/form-data"
			}
			d.RequestBody = &docRequestBody{Required: true, Content: map[string]docMedia{media: {Schema: body}}}
		}
		ok := &docResponse{Description: "Success."}
		if sh.Response != nil {
			ok.Content = map[string]docMedia{"application/json": {Schema: r.of(sh.Response)}}
		}
		for _, m := range sh.Media {
			if ok.Content == nil {
				ok.Content = map[string]docMedia{}
			}
			ok.Content[m] = docMedia{Schema: &schema{Type: "string"}}
		}
		d.Responses[strconv.Itoa(cmp.Or(sh.Status, http.StatusOK))] = ok
		for _, code := range errorStatuses(op, sh) {
			d.Responses[strconv.Itoa(code)] = &docResponse{Description: errorDescriptions[code],
				Content: map[string]docMedia{"application/json": {Schema: errRef}}}
		}
		if doc.Paths[op.Path] == nil {
			doc.Paths[op.Path] = map[string]*docOperation{}
		}
		doc.Paths[op.Path][strings.ToLower(op.Method)] = d
		if !slices.ContainsFunc(doc.Tags, func(t docTag) bool { return t.Name == d.Tags[0] }) {
			doc.Tags = append(doc.Tags, docTag{Name: d.Tags[0]})
		}
	}
	doc.Components.Schemas = r.components
	return doc
}

var typeOfErrorBody = typeOf[wire.ErrorBody]()

// limitKey says what op's rate limit counts against (route.go's authenticate).
func limitKey(op *operation) string {
	switch op.Auth {
	case authAPIKey:
		return "API key, user and client address"
	case authOptional:
		return "client address"
	}
	return "user"
}

// parameters lists op's path, query and header parameters.
func parameters(op *operation, sh shapes) []docParameter {
	ps := []docParameter{{Name: "organization", In: "path", Required: true, Schema: &schema{Type: "string"}, Description: "The organization's id."}}
	for _, name := range op.pathParams() {
		ps = append(ps, docParameter{Name: name, In: "path", Required: true, Schema: pathParamSchemas[name]})
	}
	for _, q := range sh.Query {
		s := q.Schema
		p := docParameter{Name: q.Name, In: "query", Description: q.Description, Schema: &s}
		if q.List {
			explode := true
			p.Schema, p.Style, p.Explode = &schema{Type: "array", Items: &s}, "form", &explode
		}
		ps = append(ps, p)
	}
	return append(ps, headerParams(op)...)
}

// openAPIJSON is the document of the operations table, built once.
var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(buildOpenAPI(operations), "", "  ")
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	return b
})

// OpenAPIDocument returns the server's own OpenAPI document, for tests that
// check traffic against it.
func OpenAPIDocument() []byte { return openAPIJSON() }

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIJSON())
}
