package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/api"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// The cost of a request grows linearly with its body, and stays within a
// small multiple of it: docs/limits.md.

// behaviorsBody is a complete agent version whose behaviors are n copies
// of item: 4 bytes a behavior, so 975,000 make a 3.9 MB body.
func behaviorsBody(n int, item string) testenv.RawBody {
	body := agentVersionBody("AM")
	body["behaviors"] = []string{}
	b, _ := json.Marshal(body)
	list := strings.Repeat(`"`+item+`",`, n)
	return testenv.RawBody(strings.Replace(string(b), `"behaviors":[]`, `"behaviors":[`+list[:len(list)-1]+`]`, 1))
}

// TestLargeAgentVersions creates versions of 975,000 one-letter behaviors
// (3.9 MB, under the 4 MiB limit), the second changing every one of them,
// with the normal database deadline: both are stored, and the change log
// records the second as one replace of the list, not 975,000 operations.
func TestLargeAgentVersions(t *testing.T) {
	if raceDetector {
		t.Skip("multi-megabyte bodies: run without -race (the suite's first pass does)")
	}
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		id := createAgent(t, c, "acme", "large")
		path := "/v1/acme/organization/agent/" + id + "/"
		var v struct {
			Version int `json:"version"`
		}
		c.Do(t, "POST", path, behaviorsBody(975_000, "a")).Expect(201).Decode(&v)
		c.Do(t, "POST", path, behaviorsBody(975_000, "b")).Expect(201).Decode(&v)
		if v.Version != 2 {
			t.Fatalf("version %d, want 2", v.Version)
		}
		var changes struct {
			Changes []struct {
				Operation string            `json:"operation"`
				Diff      []json.RawMessage `json:"diff"`
			} `json:"changes"`
		}
		c.Do(t, "GET", "/v1/acme/changes/?limit=1", nil).Expect(200).Decode(&changes)
		if len(changes.Changes) != 1 || changes.Changes[0].Operation != "create-agent-version" || len(changes.Changes[0].Diff) != 1 {
			t.Fatalf("latest change: %d changes, want one create-agent-version with a one-operation diff", len(changes.Changes))
		}
		var op struct {
			Op, Path string
			Value    []string
		}
		if err := json.Unmarshal(changes.Changes[0].Diff[0], &op); err != nil || op.Op != "replace" || op.Path != "/behaviors" || len(op.Value) != 975_000 {
			t.Errorf("diff is %s %s with %d items (%v), want a replace of /behaviors with 975000", op.Op, op.Path, len(op.Value), err)
		}
	})
}

// TestAgentVersionCostIsProportional measures the memory a second agent
// version allocates (server and client, in this process) for bodies of
// 500,000 and 1,000,000 changed behaviors: twice the body must cost about
// twice the memory, and at most 64 bytes per byte of body (it was about
// 350 when the change log's diff held an operation per item). It runs alone
// (not in parallel), one backend after the other, so that nothing else
// allocates meanwhile.
func TestAgentVersionCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		c := env.CreateOrg(t, "acme").Admin
		cost := func(n int) float64 {
			path := "/v1/acme/organization/agent/" + createAgent(t, c, "acme", fmt.Sprint("agent", n)) + "/"
			c.Do(t, "POST", path, behaviorsBody(n, "a")).Expect(201)
			return allocated(t, env, c, "POST", path, behaviorsBody(n, "b"), 201, 64)
		}
		proportional(t, cost(500_000), cost(1_000_000))
	})
}

// costTest runs check on each backend in turn, alone (not in parallel),
// so that nothing else allocates while it measures, on a server of its
// own; multi-megabyte bodies are skipped under -race (the suite's first
// pass, without it, runs them).
func costTest(t *testing.T, check func(t *testing.T, b testenv.Backend, env *testenv.Env)) {
	t.Helper()
	if raceDetector {
		t.Skip("multi-megabyte bodies: run without -race (the suite's first pass does)")
	}
	for _, b := range testenv.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { check(t, b, testenv.Start(t, b)) })
	}
}

// allocated sends body and returns the bytes allocated meanwhile (by
// server and client, in this process), failing unless the answer has the
// status and the allocation is at most limit bytes per byte of body.
func allocated(t *testing.T, env *testenv.Env, c *testenv.Client, method, path string, body testenv.RawBody, status int, limit float64) float64 {
	t.Helper()
	cost, _ := allocatedAs(t, env, c, method, path, "", []byte(body), status, limit)
	return cost
}

// allocatedAs is allocated for a body of the given content type ("" sends
// none); it also returns the answer's last bytes (a stream's last event).
func allocatedAs(t *testing.T, env *testenv.Env, c *testenv.Client, method, path, contentType string, body []byte, status int, limit float64) (float64, string) {
	t.Helper()
	req, _ := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	var end tail
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&end, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if resp.StatusCode != status {
		t.Fatalf("%s %s of %d bytes: %d, want %d", method, path, len(body), resp.StatusCode, status)
	}
	perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(body))
	t.Logf("%s %s, %d bytes: %.1f bytes allocated per byte of body", method, path, len(body), perByte)
	if perByte > limit {
		t.Errorf("%s %s of %d bytes: %.1f bytes allocated per byte of body, want at most %g", method, path, len(body), perByte, limit)
	}
	return perByte * float64(len(body)), string(end.last[:end.n])
}

// tail keeps the last bytes written to it, without allocating.
type tail struct {
	last [4096]byte
	n    int
}

func (w *tail) Write(p []byte) (int, error) {
	if len(p) >= len(w.last) {
		w.n = copy(w.last[:], p[len(p)-len(w.last):])
		return len(p), nil
	}
	if keep := len(w.last) - len(p); w.n > keep {
		copy(w.last[:], w.last[w.n-keep:w.n])
		w.n = keep
	}
	w.n += copy(w.last[w.n:], p)
	return len(p), nil
}

// proportional fails when twice the body costs more than 2.5 times as much.
func proportional(t *testing.T, one, two float64) {
	t.Helper()
	if two/one > 2.5 {
		t.Errorf("twice the body allocates %.2f times as much", two/one)
	}
}

// TestStateMachineVersionCostIsProportional measures a state machine
// version of 25,000 and 50,000 states in a chain (2 and 4 MB), which is
// stored and diffed one state at a time: at most 48 bytes allocated per
// byte of body (33-37 measured; in peak RSS 18-19 times the body before,
// about 14 after, docs/limits.md).
func TestStateMachineVersionCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		c := env.CreateOrg(t, "acme").Admin
		cost := func(n int) float64 {
			path := "/v1/acme/organization/service_hierarchical_state_machine/" + createMachine(t, c, "acme", fmt.Sprint("chain", n)) + "/"
			return allocated(t, env, c, "POST", path, chainMachine(n), 201, 48)
		}
		proportional(t, cost(25_000), cost(50_000))
	})
}

// TestRefusedServiceCostIsProportional sends create-service bodies whose
// tags (or keyterms) are far over their 20-item bound: the 422 says so
// and costs memory linear in the body, without checking each item: at
// most 24 bytes allocated per byte of body (10.5 for tags, decoded member
// by member, 31 when the decoder parsed the object whole; 3 for keyterms
// measured).
func TestRefusedServiceCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		c := env.CreateOrg(t, "acme").Admin
		service := func(field string, n int) testenv.RawBody {
			var list strings.Builder
			for i := range n {
				if i > 0 {
					list.WriteByte(',')
				}
				if field == "tags" {
					fmt.Fprintf(&list, `"t%07d":"v"`, i)
				} else {
					fmt.Fprintf(&list, `"k%07d"`, i)
				}
			}
			tags, keyterms := "{}", "[]"
			if field == "tags" {
				tags = "{" + list.String() + "}"
			} else {
				keyterms = "[" + list.String() + "]"
			}
			return testenv.RawBody(`{"name":"big","description":"d","is_active":true,"agent_id":"0123456789abcdef01234567",` +
				`"service_hierarchical_state_machine_id":"0123456789abcdef01234567","tags":` + tags + `,"keyterms":` + keyterms + `}`)
		}
		r := c.Do(t, "POST", "/v1/acme/service/", service("tags", 1000)).Expect(422)
		if locs := r.Locs(); len(locs) != 1 || locs[0] != "body.tags" {
			t.Errorf("1000 tags: errors at %v, want only body.tags", locs)
		}
		for _, field := range []string{"tags", "keyterms"} {
			one := allocated(t, env, c, "POST", "/v1/acme/service/", service(field, 130_000), 422, 24)
			two := allocated(t, env, c, "POST", "/v1/acme/service/", service(field, 260_000), 422, 24)
			proportional(t, one, two)
		}
	})
}

// chainMachine is a machine of n states in a chain (an action state, then
// annotation states), each leading to the next, and a terminal state:
// about 80 bytes a state.
func chainMachine(n int) testenv.RawBody {
	var b strings.Builder
	b.WriteString(`{"description":"A chain.","global_intra_state_navigation_guidelines":[],"global_action_guidelines":[],"global_boundary_constraints":[],"new_user_initial_state":"s0","returning_user_initial_state":"s0","terminal_state":"end","references":{},"states":[`)
	action := func(name, exits string) {
		fmt.Fprintf(&b, `{"type":"action","name":%q,"objective":"o","actions":["a"],"intra_state_navigation_guidelines":[],"action_guidelines":[],`+
			`"boundary_constraints":[],"exit_conditions":[%s],"action_tool_call_specs":[],"exit_condition_tool_call_specs":[],"skip_active_memory_retrieval":false}`, name, exits)
	}
	next := func(i int) string {
		if i == n-1 {
			return "end"
		}
		return fmt.Sprint("s", i+1)
	}
	// The entry state must be an action state.
	action("s0", `{"description":"d","next_state":"`+next(0)+`"}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,{"type":"annotation","name":"s%d","inner_thought":"t","next_state":%q}`, i, next(i))
	}
	b.WriteString(",")
	action("end", "")
	return testenv.RawBody(b.String() + "]}")
}

// TestGraphOfA50000StateChain draws a 50,000-state chain (a 3.98 MB
// machine, which create accepts): JSON lists every state, and SVG, over
// the drawing bound, is a 422 that names the bound instead of minutes of
// layout.
func TestGraphOfA50000StateChain(t *testing.T) {
	if raceDetector {
		t.Skip("multi-megabyte bodies: run without -race (the suite's first pass does)")
	}
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		id := createMachine(t, c, "acme", "chain")
		base := "/v1/acme/organization/service_hierarchical_state_machine/" + id
		c.Do(t, "POST", base+"/", chainMachine(50_000)).Expect(201)
		var g struct {
			Nodes []struct {
				ID string `json:"id"`
			} `json:"nodes"`
		}
		c.Do(t, "GET", base+"/graph?format=json", nil).Expect(200).Decode(&g)
		if len(g.Nodes) != 50_001 {
			t.Errorf("%d nodes, want 50001", len(g.Nodes))
		}
		r := c.Do(t, "GET", base+"/graph?format=svg", nil).Expect(422)
		if locs := r.Locs(); len(locs) != 1 || locs[0] != "query.format" || !strings.Contains(string(r.Body), "limited to 10000 states") {
			t.Errorf("svg of 50001 states: %v %s", locs, r.Body)
		}
	})
}

// TestGraphDrawingStopsWhenTheClientLeaves holds a drawing until its
// client has hung up: the layout then stops without drawing, as the
// server's metrics count.
func TestGraphDrawingStopsWhenTheClientLeaves(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		c := env.CreateOrg(t, "acme").Admin
		id := createMachine(t, c, "acme", "chain")
		base := "/v1/acme/organization/service_hierarchical_state_machine/" + id
		// The hook holds the drawing until the client leaves, whatever the
		// machine's size: a small one keeps the test quick under -race.
		c.Do(t, "POST", base+"/", chainMachine(200)).Expect(201)

		started := make(chan struct{})
		defer api.SetBeforeDraw(func(ctx context.Context, machineID string) {
			if machineID == id {
				close(started)
				<-ctx.Done()
			}
		})()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", env.URL+base+"/graph?format=svg", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		type outcome struct {
			status string
			err    error
		}
		results := make(chan outcome, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			o := outcome{err: err}
			if err == nil {
				o.status = resp.Status
				resp.Body.Close()
			}
			results <- o
		}()
		select {
		case <-started:
		case o := <-results:
			t.Fatalf("the drawing never started: answered %q, %v", o.status, o.err)
		}
		cancel()
		if o := <-results; o.err == nil {
			t.Fatal("the request was answered although its client left")
		}
		testenv.Eventually(t, 10*time.Second, "the drawing to be counted as cancelled", func() bool {
			m := metricsText(t, env)
			return strings.Contains(m, `amigo_graph_drawings_total{outcome="cancelled"} 1`) && !strings.Contains(m, `outcome="drawn"`)
		})
	})
}

func metricsText(t *testing.T, env *testenv.Env) string {
	resp, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// TestRefusedVersionSetCostIsProportional upserts version sets of 70,000
// and 140,000 LLM preferences (2 and 3.9 MB) naming an unknown model: the
// 400 names the first preference in name order, though the body lists
// them in reverse, and costs memory linear in the body: at most 32 bytes
// allocated per byte of body (18 measured). The preferences are decoded member by
// member and checked without sorting (in peak RSS 37-44 times the body
// before, 13-15 after, docs/limits.md).
func TestRefusedVersionSetCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		f := newServiceFixture(t, env)
		c := f.org.Admin
		path := "/v1/acme/service/" + f.create(t, f.body("big", false, map[string]any{})) + "/version_sets/big/"
		set := func(n int) testenv.RawBody {
			var prefs strings.Builder
			for i := n - 1; i >= 0; i-- {
				fmt.Fprintf(&prefs, `"i%07d":{"llm_name":"m"}`, i)
				if i > 0 {
					prefs.WriteByte(',')
				}
			}
			return testenv.RawBody(`{"version_set":{"agent_version_number":null,"service_hierarchical_state_machine_version_number":null,` +
				`"llm_model_preferences":{` + prefs.String() + `}}}`)
		}
		r := c.Do(t, "PUT", path, set(1000)).Expect(400)
		if !strings.Contains(string(r.Body), `\"i0000000\" names unknown model \"m\"`) {
			t.Errorf("1000 preferences: %s, want the first by name refused", r.Body)
		}
		one := allocated(t, env, c, "PUT", path, set(70_000), 400, 32)
		two := allocated(t, env, c, "PUT", path, set(140_000), 400, 32)
		proportional(t, one, two)
	})
}

// TestStoredVersionSetCostIsProportional checks that a stored version set
// of many LLM preferences of a known model costs a bounded number of bytes
// allocated per byte of body: at most 32 (15-23 measured; 28-35 when the
// revision copied the stored set, 42-54 before the one-at-a-time
// encoding). Its preferences are converted and encoded one at a time, once
// for the stored copy and its revision and once for the change log, and a
// write reads and stores only the set it names (docs/limits.md).
func TestStoredVersionSetCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		f := newServiceFixture(t, env)
		c := f.org.Admin
		// Each set but the last is new and in a service of its own.
		service := func(name string) string {
			return "/v1/acme/service/" + f.create(t, f.body(name, false, map[string]any{}))
		}
		path := func(name string) string { return service(name) + "/version_sets/big/" }
		set := func(n int) testenv.RawBody {
			var prefs strings.Builder
			for i := range n {
				if i > 0 {
					prefs.WriteByte(',')
				}
				fmt.Fprintf(&prefs, `"i%07d":{"llm_name":"azure_gpt-4.1-2025-04-14"}`, i)
			}
			return testenv.RawBody(`{"version_set":{"agent_version_number":null,"service_hierarchical_state_machine_version_number":null,` +
				`"llm_model_preferences":{` + prefs.String() + `}}}`)
		}
		one := allocated(t, env, c, "PUT", path("one"), set(40_000), 204, 32)
		two := allocated(t, env, c, "PUT", path("two"), set(80_000), 204, 32)
		proportional(t, one, two)
		// A write of one set reads and stores only that set: beside a
		// set of 80,000 (4 MB), a set of 40,000 costs what it costs
		// alone, at most 1 byte more per byte of the other set (0
		// measured; 14-16 when every write read the service's other
		// sets, 19-24 when it rewrote them too, docs/limits.md).
		beside := service("beside")
		big := set(80_000)
		allocated(t, env, c, "PUT", beside+"/version_sets/big/", big, 204, 32)
		other := allocated(t, env, c, "PUT", beside+"/version_sets/other/", set(40_000), 204, 100)
		if extra := (other - one) / float64(len(big)); extra > 1 {
			t.Errorf("a set beside another allocates %.1f bytes more per byte of the other set than alone, want at most 1", extra)
		} else {
			t.Logf("beside a set of %d bytes: %.1f bytes more per byte of it", len(big), extra)
		}
	})
}

// TestUserContextCostIsProportional updates a user's additional context
// with lists of 135,000 and 270,000 texts (1.6 and 3.3 MB), each replacing
// an empty list: at most 21 bytes allocated per byte of body (15.7-19.8
// measured, 19-23.9 when the change log copied the list and json.Marshal
// grew its buffers). The change log shares the list and encodes it one
// text at a time, and the store encodes it once into a buffer of its size
// (in peak RSS 17.5 times the body before, 14-15 after, docs/limits.md).
func TestUserContextCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		org := env.CreateOrg(t, "acme")
		c, path := org.Admin, "/v1/acme/user/"+org.UserID
		cost := func(n int) float64 {
			c.Do(t, "POST", path, map[string]any{"additional_context": []string{}}).Expect(204)
			var list strings.Builder
			for i := range n {
				if i > 0 {
					list.WriteByte(',')
				}
				fmt.Fprintf(&list, `"c%07d"`, i)
			}
			return allocated(t, env, c, "POST", path, testenv.RawBody(`{"additional_context":[`+list.String()+`]}`), 204, 21)
		}
		proportional(t, cost(135_000), cost(270_000))
	})
}

// TestInteractCostIsProportional sends interact-with-conversation forms of
// the largest message (32,768 four-byte characters, 128 KiB) and 20 or 40
// external events of 32,768 three-byte characters (2 and 4 MB): each is
// stored, in order, and answered by the built-in model, and costs at most
// 6 bytes allocated per byte of body on SQLite and 10 on PostgreSQL, whose
// driver copies the parameters into buffers that grow by doubling
// (docs/limits.md); the message is sent as a field once and as a file
// part (the Python SDK's message.txt) once.
func TestInteractCostIsProportional(t *testing.T) {
	costTest(t, func(t *testing.T, b testenv.Backend, env *testenv.Env) {
		cl := newClinic(t, env, "acme")
		// 3.9-4.3 measured on SQLite; 7.4-7.8 on PostgreSQL (15.5-16.6
		// when one statement wrote every message).
		limit := map[string]float64{"sqlite": 6, "postgres": 10}
		id := cl.create(t, cl.admin, "", nil).event(t, "conversation-created")["conversation_id"].(string)
		path := "/v1/acme/conversation/" + id + "/interact?request_format=text&response_format=text"
		cost := func(events int, asFile bool) float64 {
			f := form{Type: "user-message", Message: strings.Repeat("\U0001F600", core.MaxMessageChars), AsFile: asFile}
			// After the conversation's last message, in order.
			at := time.Now().UTC()
			for i := range events {
				text := fmt.Sprintf("%03d", i) + strings.Repeat("\u20ac", core.MaxMessageChars-3)
				f.Events = append(f.Events, [2]string{text, at.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano)})
			}
			ct, body := f.encode()
			cost, end := allocatedAs(t, env, cl.admin, "POST", path, ct, body, 200, limit[b.Name])
			// interaction-complete ends with conversation_completed, after the
			// reply (which quotes the message: more than the tail holds).
			if !strings.Contains(end, `"conversation_completed":`) {
				t.Fatalf("%d events: the stream ends with %s", events, end)
			}
			return cost
		}
		proportional(t, cost(20, false), cost(40, true))
		// Every event is stored, in order, though the 4 MB of them take
		// several statements.
		var order []string // newest first
		for _, m := range listMessages(t, cl.admin, id, "?limit=500").Messages {
			if strings.HasSuffix(m.Message, "\u20ac") {
				order = append(order, m.Message[:3])
			}
		}
		slices.Reverse(order)
		if len(order) != 60 || order[0] != "000" || order[19] != "019" || order[20] != "000" || order[59] != "039" || !slices.IsSorted(order[20:]) {
			t.Errorf("%d events stored, in the order %v", len(order), order)
		}
	})
}
