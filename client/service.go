package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// The services' shapes, as the server declares them (package api/wire).
// A VersionSet pins an agent version and a state-machine version (nil:
// the latest) and LLM preferences by interaction name; an LLMConfig's
// sampling parameters go in Params, as the spec has it (some clients
// write them beside llm_name instead, which the server keeps as given).
// CreateServiceRequest and UpdateServiceRequest are the bodies of
// create-service and update-service: nil fields are left out (unchanged).
type (
	Service              = wire.ServiceInstance
	Tag                  = wire.Tag
	VersionSet           = wire.VersionSet
	LLMConfig            = wire.LLMConfig
	CreateServiceRequest = wire.ServiceInput
	UpdateServiceRequest = wire.ServiceInput
)

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
type ServicePage = wire.ServiceList

// CreateService creates a service and returns its id (create-service).
func (c *Client) CreateService(ctx context.Context, in *CreateServiceRequest) (string, error) {
	var out wire.Created
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
	in := wire.VersionSetInput{}
	if vs != nil {
		// The spec requires all three keys; preferences are {} when none.
		prefs := withPreferences(vs).LLMModelPreferences
		in.VersionSet = &wire.FullVersionSet{AgentVersion: vs.AgentVersion, StateMachineVersion: vs.StateMachineVersion, LLMModelPreferences: &prefs}
	}
	return c.do(ctx, &request{op: "upsert-service-version-set", method: http.MethodPut, path: c.orgPath("/service/%s/version_sets/%s/", serviceID, name),
		body: &in, retry: true})
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
