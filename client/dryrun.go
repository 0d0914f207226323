package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// ErrDryRunUnsupported is CheckAgentVersion's answer for a server that does
// not document ?dry_run=true on create-agent-version.
var ErrDryRunUnsupported = errors.New("the server does not document dry_run on create-agent-version")

// agentVersionPath is create-agent-version's path template as OpenAPI
// documents name it.
const agentVersionPath = "/v1/{organization}/organization/agent/{agent_id}/"

// documentsAgentDryRun reports whether the server's /openapi.json lists a
// dry_run parameter of create-agent-version; a server without the document
// does not. The answer is asked once per client.
func (c *Client) documentsAgentDryRun(ctx context.Context) (bool, error) {
	c.dryRunMu.Lock()
	defer c.dryRunMu.Unlock()
	if c.dryRunKnown {
		return c.dryRunOK, nil
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	var raw []byte
	err := c.do(ctx, &request{op: "openapi", method: http.MethodGet, path: "/openapi.json", anonymous: true, retry: true, raw: &raw})
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	case json.Unmarshal(raw, &doc) == nil:
		for _, p := range doc.Paths[agentVersionPath]["post"].Parameters {
			if p.Name == "dry_run" && p.In == "query" {
				c.dryRunOK = true
			}
		}
	}
	c.dryRunKnown = true
	return c.dryRunOK, nil
}
