package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// get fetches one of the server's own pages, outside every spec.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// ownDoc is the part of /openapi.json these tests read.
type ownDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name, In string
			Schema   struct {
				Maximum          *int `json:"maximum"`
				Minimum          *int `json:"minimum"`
				ExclusiveMinimum *int `json:"exclusiveMinimum"`
				Pattern          string
			}
		} `json:"parameters"`
		Responses map[string]json.RawMessage `json:"responses"`
		RateLimit struct {
			Requests int `json:"requests"`
		} `json:"x-amigo-rate-limit"`
		Permissions [][]string `json:"x-amigo-permissions"`
		Extension   bool       `json:"x-amigo-server-extension"`
	} `json:"paths"`
}

// TestOpenAPIDocumentIsValidOpenAPI31: /openapi.json is a valid OpenAPI 3.1
// document (checked against the OpenAPI schema by libopenapi-validator)
// and names every operation the server routes, with its limit and
// permissions, the graph extension marked as one.
func TestOpenAPIDocumentIsValidOpenAPI31(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	resp, body := get(t, env.URL+"/openapi.json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if string(body) != string(api.OpenAPIDocument()) {
		t.Fatal("/openapi.json is not the document the tests validate traffic against")
	}
	doc, err := libopenapi.NewDocument(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("the document does not build: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, problems := v.ValidateDocument(); !ok {
		for _, p := range problems {
			t.Errorf("not valid OpenAPI 3.1: %s: %s", p.Message, p.Reason)
			for _, se := range p.SchemaValidationErrors {
				t.Errorf("\tat %s: %s", se.KeywordLocation, se.Reason)
			}
		}
	}

	var own ownDoc
	if err := json.Unmarshal(body, &own); err != nil {
		t.Fatal(err)
	}
	if own.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", own.OpenAPI)
	}
	count := 0
	for _, p := range own.Paths {
		count += len(p)
	}
	if ops := api.Operations(); count != len(ops) {
		t.Errorf("the document has %d operations, the server routes %d", count, len(ops))
	}
	for _, op := range api.Operations() {
		d, ok := own.Paths[op.Path][strings.ToLower(op.Method)]
		if !ok || d.OperationID != op.ID {
			t.Errorf("%s %s (%s) is missing from the document", op.Method, op.Path, op.ID)
			continue
		}
		if d.RateLimit.Requests <= 0 {
			t.Errorf("%s: no x-amigo-rate-limit", op.ID)
		}
		if _, ok := d.Responses["429"]; !ok {
			t.Errorf("%s: 429 is not documented", op.ID)
		}
	}
	graph := own.Paths["/v1/{organization}/organization/service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/graph"]["get"]
	if !graph.Extension || fmt.Sprint(graph.Permissions) != "[[Organization:GetServiceHierarchicalStateMachine]]" || graph.RateLimit.Requests != 20 {
		t.Errorf("graph extension: extension %v, permissions %v, limit %d", graph.Extension, graph.Permissions, graph.RateLimit.Requests)
	}
	if agents := own.Paths["/v1/{organization}/organization/agent"]["get"]; agents.Extension {
		t.Error("get-agents is marked as an extension")
	}
}

// TestOpenAPIQueryBoundsAreTheServers: every bound the document gives a
// query parameter is the one the server enforces: the value just past it
// is refused with a 422 at that parameter, the bound itself is not.
func TestOpenAPIQueryBoundsAreTheServers(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	c := env.Admin
	var own ownDoc
	if err := json.Unmarshal(api.OpenAPIDocument(), &own); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, item := range own.Paths {
		d, ok := item["get"]
		if !ok || strings.Count(path, "{") > 1 {
			continue // listings only: their paths need no resource ids
		}
		p := strings.ReplaceAll(path, "{organization}", testenv.PlatformOrg)
		for _, q := range d.Parameters {
			if q.In != "query" {
				continue
			}
			type probe struct {
				value   int
				refused bool
			}
			var probes []probe
			if m := q.Schema.Maximum; m != nil {
				probes = append(probes, probe{*m, false}, probe{*m + 1, true})
			}
			if m := q.Schema.Minimum; m != nil {
				probes = append(probes, probe{*m, false}, probe{*m - 1, true})
			}
			if m := q.Schema.ExclusiveMinimum; m != nil {
				probes = append(probes, probe{*m + 1, false}, probe{*m, true})
			}
			for _, pr := range probes {
				resp := c.Do(t, "GET", p+"?"+q.Name+"="+itoa(pr.value), nil)
				refused := resp.Status == 422 && slices.Contains(resp.Locs(), "query."+q.Name)
				if refused != pr.refused {
					t.Errorf("%s ?%s=%d: status %d %s; the document says refused=%v", d.OperationID, q.Name, pr.value, resp.Status, resp.Body, pr.refused)
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d bounds checked; the listings lost their documented bounds", checked)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDocsPage: /docs is one self-contained HTML page listing every
// operation with its method and path, that loads nothing from anywhere.
func TestDocsPage(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	resp, body := get(t, env.URL+"/docs")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	page := string(body)
	for _, op := range api.Operations() {
		if !strings.Contains(page, `id="`+op.ID+`"`) || !strings.Contains(page, op.Path) {
			t.Errorf("/docs lacks %s (%s %s)", op.ID, op.Method, op.Path)
		}
	}
	for _, want := range []string{"Rate limit", "Permission", "Organization:CreateAgent", "server extension", `id="schema-AgentVersionRequest"`, "<style>"} {
		if !strings.Contains(page, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`).FindString(page); external != "" {
		t.Errorf("/docs loads something from elsewhere: %s", external)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
}
