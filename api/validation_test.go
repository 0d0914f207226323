package api_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

type violation struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

func violations(t *testing.T, r *testenv.Response) []violation {
	t.Helper()
	var body struct {
		Detail []violation `json:"detail"`
	}
	r.Decode(&body)
	return body.Detail
}

// TestValidationAnswers checks the 422s of the one decoder through HTTP:
// every violation at once with pydantic's type names, keys matched
// case-sensitively, the same bytes for the same request every time (map
// keys included), and a bounded answer however broken the body.
func TestValidationAnswers(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		machineID := createMachine(t, c, "acme", "main")

		t.Run("the same request gives the same bytes", func(t *testing.T) {
			body := map[string]any{
				"service_hierarchical_state_machine_id": "nope", "agent_id": 5, "name": " ", "is_active": "maybe",
				"keyterms": []any{"UPPER", 3}, "description": "d",
				"tags":                map[string]any{"z z!": "v", "a-a": 1, "m": "ok!", "b": nil, "y": "fine", "k!": "x"},
				"release_version_set": map[string]any{"agent_version_number": "x", "llm_model_preferences": map[string]any{"q": map[string]any{}, "c": 1, "a": map[string]any{}}},
			}
			first := c.Do(t, "POST", "/v1/acme/service/", body).Expect(422).Body
			for range 20 {
				if again := c.Do(t, "POST", "/v1/acme/service/", body).Expect(422).Body; !bytes.Equal(first, again) {
					t.Fatalf("422 bodies differ:\n%s\n%s", first, again)
				}
			}
			var types []string
			var d struct{ Detail []violation }
			if err := json.Unmarshal(first, &d); err != nil {
				t.Fatal(err)
			}
			for _, v := range d.Detail {
				types = append(types, v.Type)
			}
			for _, want := range []string{"string_type", "bool_parsing", "int_parsing", "string_pattern_mismatch", "string_too_short", "model_type", "missing"} {
				if !slices.Contains(types, want) {
					t.Errorf("no %s among %v", want, types)
				}
			}
		})
		t.Run("invite: every violation, in a stable order", func(t *testing.T) {
			body := map[string]any{"first_name": 1, "email": "not-an-address", "role_name": "DefaultAdministratorRole",
				"nonsensitive_user_variables": map[string]any{"Z": "1", "b!": "2", "a": 3, "1x": "4"}}
			r := c.Do(t, "POST", "/v1/acme/user/", body).Expect(422)
			want := []string{"body.first_name", "body.last_name", "body.email", "body.nonsensitive_user_variables.1x",
				"body.nonsensitive_user_variables.Z", "body.nonsensitive_user_variables.a", "body.nonsensitive_user_variables.b!"}
			if got := r.Locs(); !slices.Equal(sortedCopy(got), sortedCopy(want)) {
				t.Fatalf("locations %v, want %v", got, want)
			}
			for range 10 {
				if again := c.Do(t, "POST", "/v1/acme/user/", body).Expect(422); !bytes.Equal(again.Body, r.Body) {
					t.Fatalf("422 bodies differ:\n%s\n%s", r.Body, again.Body)
				}
			}
		})
		t.Run("keys are case-sensitive", func(t *testing.T) {
			r := c.Do(t, "POST", "/v1/acme/organization/agent", map[string]any{"Agent_Name": "amy", "AGENT_NAME": "amy"}).Expect(422)
			if v := violations(t, r); len(v) != 1 || v[0].Type != "missing" || r.Locs()[0] != "body.agent_name" {
				t.Fatalf("got %+v", v)
			}
		})
		t.Run("not JSON", func(t *testing.T) {
			r := c.Do(t, "POST", "/v1/acme/organization/agent", testenv.RawBody(`{"agent_name": "a",}`)).Expect(422)
			if v := violations(t, r); len(v) != 1 || v[0].Type != "json_invalid" || r.Locs()[0] != "body.19" {
				t.Fatalf("got %+v %v", v, r.Locs())
			}
		})
		t.Run("a body of a million empty states gets a short answer", func(t *testing.T) {
			states := strings.Repeat("{},", 1_200_000)
			body := `{"description": "d", "states": [` + states[:len(states)-1] + `], "new_user_initial_state": "a",
				"returning_user_initial_state": "a", "terminal_state": "a", "references": {},
				"global_intra_state_navigation_guidelines": [], "global_action_guidelines": [], "global_boundary_constraints": []}`
			r := c.Do(t, "POST", "/v1/acme/organization/service_hierarchical_state_machine/"+machineID+"/", testenv.RawBody(body)).Expect(422)
			v := violations(t, r)
			if len(v) != 101 || v[100].Type != "too_many_errors" || !strings.Contains(v[100].Msg, "1199900 more") {
				t.Fatalf("%d violations, the last %+v", len(v), v[len(v)-1])
			}
			if len(r.Body) > 32<<10 {
				t.Fatalf("a %d-byte answer to a %d-byte body", len(r.Body), len(body))
			}
		})
	})
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
