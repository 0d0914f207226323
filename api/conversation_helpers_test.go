package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/conformance"
	"github.com/amigo-oss/amigo-server/internal/shape"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// clinic is an organization with a service whose state machine uses every
// state type and enters a referenced scheduling machine, which returns to
// "confirm" through its jumpback state.
type clinic struct {
	env     *testenv.Env
	org     *testenv.Org
	admin   *testenv.Client
	service string
	intake  string // the service's machine
	sched   string // the referenced machine
	agent   string
}

func newClinic(t *testing.T, env *testenv.Env, orgID string) *clinic {
	t.Helper()
	org := env.CreateOrg(t, orgID)
	c := &clinic{env: env, org: org, admin: org.Admin}
	a := org.Admin
	base := "/v1/" + orgID + "/organization"
	c.agent = createAgent(t, a, orgID, "Robin")
	body := agentVersionBody("RN")
	body["identity"].(map[string]any)["name"] = "Robin"
	body["identity"].(map[string]any)["role"] = "the clinic's intake nurse"
	a.Do(t, "POST", base+"/agent/"+c.agent+"/", body).Expect(201)
	c.sched = createMachine(t, a, orgID, "sched")
	a.Do(t, "POST", base+"/service_hierarchical_state_machine/"+c.sched+"/", machineJSON(schedMachine())).Expect(201)
	c.intake = createMachine(t, a, orgID, "intake")
	a.Do(t, "POST", base+"/service_hierarchical_state_machine/"+c.intake+"/", machineJSON(intakeMachine(c.sched))).Expect(201)
	var out struct {
		ID string `json:"id"`
	}
	a.Do(t, "POST", "/v1/"+orgID+"/service/", map[string]any{
		"service_hierarchical_state_machine_id": c.intake, "agent_id": c.agent,
		"name": "Intake", "description": "Books appointments.", "is_active": true, "keyterms": []string{}, "tags": map[string]any{},
	}).Expect(201).Decode(&out)
	c.service = out.ID
	return c
}

func machineJSON(d *amigo.StateMachineDefinition) map[string]any {
	b, err := json.Marshal(shape.Convert[wire.StateMachineDefinition](*d))
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func exitTo(desc, next string) amigo.ExitCondition {
	return amigo.ExitCondition{Description: desc, NextState: amigo.NextState{Name: next}}
}

func actionState(name, objective string, actions []string, exits ...amigo.ExitCondition) amigo.State {
	if exits == nil {
		exits = []amigo.ExitCondition{}
	}
	return amigo.State{Type: amigo.StateAction, Action: &amigo.ActionState{
		Name: name, Objective: objective, Actions: actions, ExitConditions: exits,
		IntraStateNavigationGuidelines: []string{}, ActionGuidelines: []string{}, BoundaryConstraints: []string{},
		ActionToolCallSpecs: []amigo.ToolCallSpec{}, ExitConditionToolCallSpecs: []amigo.ToolCallSpec{},
	}}
}

// intakeMachine: welcome (action) → note (annotation) → lookup (recall) →
// consider (reflection) → route (decision) → urgent (tool call) → confirm,
// or → sched.days (a reference) and back to confirm → farewell (terminal).
func intakeMachine(schedID string) *amigo.StateMachineDefinition {
	queries := []string{"preferred appointment time"}
	return &amigo.StateMachineDefinition{
		Description:         "A clinic's intake.",
		NewUserInitialState: "welcome", ReturningUserInitialState: "welcome_back", TerminalState: "farewell",
		References:                           map[string]amigo.Reference{"sched": {MachineID: schedID, Version: 1}},
		GlobalIntraStateNavigationGuidelines: []string{}, GlobalActionGuidelines: []string{"Never give medical advice."}, GlobalBoundaryConstraints: []string{},
		States: []amigo.State{
			actionState("welcome", "Learn what the user needs.", []string{"Greet the user and ask what brings them here."},
				exitTo("The user wants to book an appointment.", "note"), exitTo("The user says goodbye.", "farewell")),
			actionState("welcome_back", "Learn what the returning user needs.", []string{"Welcome the user back."},
				exitTo("The user wants to book an appointment.", "note"), exitTo("The user says goodbye.", "farewell")),
			{Type: amigo.StateAnnotation, Annotation: &amigo.AnnotationState{Name: "note",
				InnerThought: "The user wants an appointment; check what we know first.", NextState: amigo.NextState{Name: "lookup"}}},
			{Type: amigo.StateRecall, Recall: &amigo.RecallState{Name: "lookup", Queries: &queries, NextState: amigo.NextState{Name: "consider"}}},
			{Type: amigo.StateReflection, Reflection: &amigo.ReflectionState{Name: "consider", Problem: "Which day suits the user best?", WordLimit: 12,
				NextState: amigo.NextState{Name: "route"}, ToolCallSpecs: []amigo.ToolCallSpec{}, AudioFillers: []string{}, AudioFillerTriggeredAfter: 1}},
			{Type: amigo.StateDecision, Decision: &amigo.DecisionState{Name: "route", Objective: "Route the request.",
				DecisionGuidelines: []string{}, ToolCallSpecs: []amigo.ToolCallSpec{}, AudioFillers: []string{}, AudioFillerTriggeredAfter: 1,
				ExitConditions: []amigo.ExitCondition{
					exitTo("The user mentioned an urgent problem.", "urgent"),
					{Description: "The user wants a regular appointment.", NextState: amigo.NextState{Name: "sched.days", Jumpback: "confirm", External: true}},
				}}},
			{Type: amigo.StateToolCall, ToolCall: &amigo.ToolCallState{Name: "urgent", NextState: amigo.NextState{Name: "confirm"},
				DesignatedTool: coretest.ToolCallSpec(),
				DesignatedToolCallParamsGenerationAudioFillers: []string{}, DesignatedToolCallParamsGenerationAudioFillerTriggeredAfter: 3,
				DesignatedToolCallGuidances: []string{}, DesignatedToolCallValidations: []string{},
				DesignatedToolCallObjective: "Flag the request as urgent.", DesignatedToolCallContext: "Urgent requests.", ToolCallSpecs: []amigo.ToolCallSpec{}}},
			actionState("confirm", "Confirm the booking.", []string{"Confirm the appointment details."},
				exitTo("The user confirms the details.", "farewell")),
			actionState("farewell", "End the conversation kindly.", []string{"Thank the user and say goodbye."}),
		},
	}
}

func schedMachine() *amigo.StateMachineDefinition {
	info := "the user's usual working days"
	return &amigo.StateMachineDefinition{
		Description:         "Scheduling.",
		NewUserInitialState: "pick", ReturningUserInitialState: "pick", TerminalState: "done",
		References:                           map[string]amigo.Reference{},
		GlobalIntraStateNavigationGuidelines: []string{}, GlobalActionGuidelines: []string{}, GlobalBoundaryConstraints: []string{},
		States: []amigo.State{
			{Type: amigo.StateRecall, Recall: &amigo.RecallState{Name: "days", RequestedInformation: &info, NextState: amigo.NextState{Name: "pick"}}},
			actionState("pick", "Find a day.", []string{"Offer the user a choice of days."}, exitTo("The user chooses a day.", "done")),
			actionState("done", "Close scheduling.", []string{"Close scheduling."}),
		},
	}
}

// stream is one streamed answer: the status, the headers and, for a 2xx,
// every event line decoded (each checked against the spec's schema).
type stream struct {
	Status int
	Header http.Header
	Body   []byte // the whole body of a refusal
	Events []map[string]any
	Lines  []string
}

// event returns the first event of type typ, failing the test without one.
func (s *stream) event(t *testing.T, typ string) map[string]any {
	t.Helper()
	for _, ev := range s.Events {
		if ev["type"] == typ {
			return ev
		}
	}
	t.Fatalf("no %s event in %s", typ, strings.Join(s.Lines, "\n"))
	return nil
}

// types lists the events' types.
func (s *stream) types() []string {
	out := make([]string, len(s.Events))
	for i, ev := range s.Events {
		out[i] = ev["type"].(string)
		if ev["type"] == "current-agent-action" {
			out[i] += ":" + ev["action"].(map[string]any)["type"].(string)
		}
	}
	return out
}

// complete returns the interaction-complete event, which must end the
// stream.
func (s *stream) complete(t *testing.T) map[string]any {
	t.Helper()
	if len(s.Events) == 0 || s.Events[len(s.Events)-1]["type"] != "interaction-complete" {
		t.Fatalf("the stream does not end with interaction-complete:\n%s", strings.Join(s.Lines, "\n"))
	}
	return s.Events[len(s.Events)-1]
}

// Response schemas of the streams in conversations.json.
const (
	createSchema   = "src__app__endpoints__conversation__create_conversation__Response"
	interactSchema = "src__app__endpoints__conversation__interact_with_conversation__Response"
)

// openStream sends a request as c and returns the response unread.
func openStream(t *testing.T, ctx context.Context, env *testenv.Env, c *testenv.Client, path, contentType string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// readStream reads a whole answer, checking every event line against
// schema and the stream's headers.
func readStream(t *testing.T, resp *http.Response, schema string) *stream {
	t.Helper()
	defer resp.Body.Close()
	s := &stream{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode >= 300 {
		s.Body, _ = io.ReadAll(resp.Body)
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("a refusal is %s, want application/json: %s", ct, s.Body)
		}
		if spec := conformance.ForTest(t); spec != nil {
			if err := spec.Check(resp.Request, resp.StatusCode, resp.Header, s.Body); err != nil {
				t.Errorf("the refusal does not conform to the spec: %v", err)
			}
		}
		return s
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q, want application/x-ndjson", ct)
	}
	if resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Errorf("X-Accel-Buffering %q, want no", resp.Header.Get("X-Accel-Buffering"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		s.Lines = append(s.Lines, line)
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("event line %q is not JSON: %v", line, err)
		}
		checkEvent(t, schema, []byte(line))
		s.Events = append(s.Events, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return s
}

// create starts a conversation of the clinic's service as c.
func (cl *clinic) create(t *testing.T, c *testenv.Client, query string, body map[string]any) *stream {
	t.Helper()
	if body == nil {
		body = map[string]any{"service_id": cl.service}
	}
	b, _ := json.Marshal(body)
	if query == "" {
		query = "response_format=text"
	}
	resp := openStream(t, context.Background(), cl.env, c, "/v1/"+cl.org.ID+"/conversation/?"+query, "application/json", bytes.NewReader(b))
	return readStream(t, resp, createSchema)
}

// form is the multipart body of interact-with-conversation.
type form struct {
	Type    string
	Message string
	AsFile  bool // recorded_message as the Python SDK sends it
	Events  [][2]string
	Omit    []string // fields to leave out
}

func (f form) encode() (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	omit := func(name string) bool {
		for _, o := range f.Omit {
			if o == name {
				return true
			}
		}
		return false
	}
	if !omit("initial_message_type") {
		mw.WriteField("initial_message_type", f.Type)
	}
	for _, ev := range f.Events {
		mw.WriteField("external_event_message_content", ev[0])
		mw.WriteField("external_event_message_timestamp", ev[1])
	}
	if !omit("recorded_message") {
		if f.AsFile {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="recorded_message"; filename="message.txt"`)
			h.Set("Content-Type", "text/plain; charset=utf-8")
			w, _ := mw.CreatePart(h)
			w.Write([]byte(f.Message))
		} else {
			mw.WriteField("recorded_message", f.Message)
		}
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// interact sends a message to conversation id as c.
func (cl *clinic) interact(t *testing.T, c *testenv.Client, id, query string, f form) *stream {
	t.Helper()
	return readStream(t, cl.openInteract(t, context.Background(), c, id, query, f), interactSchema)
}

func (cl *clinic) openInteract(t *testing.T, ctx context.Context, c *testenv.Client, id, query string, f form) *http.Response {
	t.Helper()
	if f.Type == "" {
		f.Type = "user-message"
	}
	if query == "" {
		query = "request_format=text&response_format=text"
	}
	ct, body := f.encode()
	return openStream(t, ctx, cl.env, c, "/v1/"+cl.org.ID+"/conversation/"+id+"/interact?"+query, ct, bytes.NewReader(body))
}

// ids are the resource ids of a transcript, replaced for golden files.
var ids = regexp.MustCompile(`"[a-f0-9]{24}"`)

// normalize replaces the ids of lines, in order of appearance, with
// <id1>, <id2>…, so a transcript compares across runs.
func normalize(lines []string, known map[string]string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(ids.ReplaceAllStringFunc(l, func(id string) string {
			if n, ok := known[id]; ok {
				return n
			}
			n := fmt.Sprintf(`"<id%d>"`, len(known)+1)
			known[id] = n
			return n
		}))
		b.WriteByte('\n')
	}
	return b.String()
}

// eventually retries check until it passes or d is over.
func eventually(t *testing.T, d time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
