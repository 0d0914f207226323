package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// Service is one element of get-services.
type Service struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	VersionSets    map[string]VersionSet `json:"version_sets"`
	Description    string                `json:"description"`
	IsActive       bool                  `json:"is_active"`
	StateMachineID string                `json:"service_hierarchical_state_machine_id"`
	AgentID        string                `json:"agent_id"`
	Tags           []Tag                 `json:"tags"`
	Keyterms       []string              `json:"keyterms"`
	Creator        UserInfo              `json:"creator"`
	UpdatedBy      UserInfo              `json:"updated_by"`
}

// Tag is a service tag; a nil Value is a tag without value.
type Tag struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// VersionSet pins an agent version and a state-machine version (nil: the
// latest) and LLM preferences by interaction name.
type VersionSet struct {
	AgentVersion        *int                 `json:"agent_version_number"`
	StateMachineVersion *int                 `json:"service_hierarchical_state_machine_version_number"`
	LLMModelPreferences map[string]LLMConfig `json:"llm_model_preferences"`
}

// LLMConfig is the preferred model of one LLM interaction. Sampling
// parameters go in Params, as the spec has it; some clients write them
// beside llm_name instead, which the server keeps as given.
type LLMConfig struct {
	LLMName     string         `json:"llm_name"`
	Params      map[string]any `json:"params,omitempty"`
	TopP        *float64       `json:"top_p,omitempty"`
	Temperature *float64       `json:"temperature,omitempty"`
	TopK        *int           `json:"top_k,omitempty"`
}

// CreateServiceRequest is the body of create-service.
type CreateServiceRequest struct {
	StateMachineID    string             `json:"service_hierarchical_state_machine_id"`
	AgentID           string             `json:"agent_id"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	IsActive          bool               `json:"is_active"`
	ReleaseVersionSet *VersionSet        `json:"release_version_set,omitempty"`
	Keyterms          []string           `json:"keyterms"`
	Tags              map[string]*string `json:"tags"`
}

// UpdateServiceRequest is the body of update-service; nil fields are left
// unchanged.
type UpdateServiceRequest struct {
	Name           *string             `json:"name,omitempty"`
	Description    *string             `json:"description,omitempty"`
	IsActive       *bool               `json:"is_active,omitempty"`
	AgentID        *string             `json:"agent_id,omitempty"`
	StateMachineID *string             `json:"service_hierarchical_state_machine_id,omitempty"`
	Tags           *map[string]*string `json:"tags,omitempty"`
	Keyterms       *[]string           `json:"keyterms,omitempty"`
}

// ServiceListOptions select services.
type ServiceListOptions struct {
	IDs      []string
	IsActive *bool
	// Tags are "key:value", "key:*" (any value) or "key:" (no value).
	Tags  []string
	Sort  []string
	Limit int
}

// ServicePage is one page of get-services.
type ServicePage struct {
	Services []Service `json:"services"`
	Page
	FilterValues *struct {
		Tags []string `json:"tags"`
	} `json:"filter_values"`
}

// CreateService creates a service and returns its id (create-service).
func (c *Client) CreateService(ctx context.Context, in *CreateServiceRequest) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if in != nil && in.ReleaseVersionSet != nil {
		cp := *in
		cp.ReleaseVersionSet = withPreferences(in.ReleaseVersionSet)
		in = &cp
	}
	err := c.do(ctx, &request{op: "create-service", method: http.MethodPost, path: c.orgPath("/service/"), body: in, out: &out})
	return out.ID, err
}

// ListServices returns one page of services (get-services).
func (c *Client) ListServices(ctx context.Context, opts ServiceListOptions, token int) (*ServicePage, error) {
	q := listQuery{}
	q.list("id", opts.IDs)
	q.bool("is_active", opts.IsActive)
	q.list("tags", opts.Tags)
	q.list("sort_by", opts.Sort)
	q.int("limit", opts.Limit)
	q.int("continuation_token", token)
	var out ServicePage
	err := c.do(ctx, &request{op: "get-services", method: http.MethodGet, path: c.orgPath("/service/"), query: url.Values(q), retry: true, out: &out})
	return &out, err
}

// Services iterates every service selected by opts.
func (c *Client) Services(ctx context.Context, opts ServiceListOptions) iter.Seq2[Service, error] {
	return all(ctx, func(ctx context.Context, token int) ([]Service, Page, error) {
		p, err := c.ListServices(ctx, opts, token)
		return p.Services, p.Page, err
	})
}

// UpdateService changes the set fields of a service (update-service).
// Setting fields is idempotent, so it is retried.
func (c *Client) UpdateService(ctx context.Context, serviceID string, in *UpdateServiceRequest) error {
	return c.do(ctx, &request{op: "update-service", method: http.MethodPost, path: c.orgPath("/service/%s/", serviceID), body: in, retry: true})
}

// UpsertVersionSet creates or replaces a version set
// (upsert-service-version-set).
func (c *Client) UpsertVersionSet(ctx context.Context, serviceID, name string, vs *VersionSet) error {
	vs = withPreferences(vs)
	return c.do(ctx, &request{op: "upsert-service-version-set", method: http.MethodPut, path: c.orgPath("/service/%s/version_sets/%s/", serviceID, name),
		body: struct {
			VersionSet *VersionSet `json:"version_set"`
		}{vs}, retry: true})
}

// DeleteVersionSet removes a version set (delete-service-version-set).
func (c *Client) DeleteVersionSet(ctx context.Context, serviceID, name string) error {
	return c.do(ctx, &request{op: "delete-service-version-set", method: http.MethodDelete, path: c.orgPath("/service/%s/version_sets/%s/", serviceID, name), retry: true})
}

// withPreferences returns vs with its preferences as an object, as the
// spec requires them: none is {}, not null.
func withPreferences(vs *VersionSet) *VersionSet {
	if vs == nil || vs.LLMModelPreferences != nil {
		return vs
	}
	cp := *vs
	cp.LLMModelPreferences = map[string]LLMConfig{}
	return &cp
}
