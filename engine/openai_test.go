package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/engine"
)

// fakeServer speaks the chat-completions protocol: handle answers request
// n (from 0) and sees its decoded body.
type fakeServer struct {
	*httptest.Server
	calls  atomic.Int32
	mu     sync.Mutex
	bodies []map[string]any
}

func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int, body map[string]any)) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("request body: %v", err)
		}
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.mu.Unlock()
		handle(w, r, int(f.calls.Add(1))-1, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) body(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[i]
}

// sse writes a streamed answer: one chunk per piece, the last with
// finish_reason "stop" when finish, then [DONE] when finish.
func sse(w http.ResponseWriter, pieces []string, finish bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, p := range pieces {
		chunk(w, p, "")
	}
	if finish {
		chunk(w, "", "stop")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
	w.(http.Flusher).Flush()
}

func chunk(w http.ResponseWriter, content, finish string) {
	fr := "null"
	if finish != "" {
		fr = `"` + finish + `"`
	}
	c, _ := json.Marshal(content)
	fmt.Fprintf(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":%s},"finish_reason":%s}]}`+"\n\n", c, fr)
	w.(http.Flusher).Flush()
}

// whole writes a non-streamed answer.
func whole(w http.ResponseWriter, content string) {
	c, _ := json.Marshal(content)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, c)
}

func openAIModel(t testing.TB, f *fakeServer, tune func(*engine.Endpoint)) *engine.OpenAIModel {
	t.Helper()
	e := engine.Endpoint{BaseURL: f.URL + "/v1", APIKey: "test-key", Model: "default-model", MaxRetries: 1,
		Timeout: 10 * time.Second, FirstTokenTimeout: 5 * time.Second}
	if tune != nil {
		tune(&e)
	}
	fast := e
	fast.Model = "fast-model"
	m, err := engine.NewOpenAI(engine.OpenAIConfig{Default: e, Endpoints: map[string]engine.Endpoint{"openai_gpt-5-nano-2025-08-07": fast}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// engage runs Engage on the fixture's welcome state and returns the
// pieces.
func engage(ctx context.Context, m engine.Model, llm *amigo.LLMConfig, onPiece func()) ([]string, string, error) {
	d := intake().Definition
	req := &engine.EngageRequest{Call: engine.Call{Kind: engine.KindEngageUser, LLM: llm, Agent: &agent().Definition, Machine: &d, State: &d.States[0],
		Input: engine.Input{Kind: engine.InputMessage, Message: "hi"}}, Action: "Greet the user", First: true}
	var pieces []string
	name, err := m.Engage(ctx, req, func(p string) error {
		pieces = append(pieces, p)
		if onPiece != nil {
			onPiece()
		}
		return nil
	})
	return pieces, name, err
}

func TestOpenAIStreamsReply(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		if r.Header.Get("Authorization") != "Bearer test-key" {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		sse(w, []string{"Hello", ", I'm", " Robin."}, true)
	})
	m := openAIModel(t, f, nil)
	temp, topK := 0.25, 7
	llm := &amigo.LLMConfig{LLMName: "openai_gpt-5-nano-2025-08-07", Temperature: &temp, TopK: &topK,
		Params: map[string]json.RawMessage{"top_p": json.RawMessage("0.5")}}
	pieces, name, err := engage(context.Background(), m, llm, nil)
	if err != nil || strings.Join(pieces, "|") != "Hello|, I'm| Robin." || name != "fast-model" {
		t.Fatalf("pieces %q, model %q, err %v", pieces, name, err)
	}
	b := f.body(0)
	if b["model"] != "fast-model" || b["stream"] != true || b["temperature"] != 0.25 || b["top_p"] != 0.5 || b["top_k"] != float64(7) {
		t.Errorf("request: model %v stream %v temperature %v top_p %v top_k %v", b["model"], b["stream"], b["temperature"], b["top_p"], b["top_k"])
	}
	msgs, _ := b["messages"].([]any)
	sys, _ := msgs[0].(map[string]any)
	for _, want := range []string{"You are Robin", "Short sentences", "Never give medical advice", "Learn what the user needs"} {
		if !strings.Contains(fmt.Sprint(sys["content"]), want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys["content"])
		}
	}
	// An unconfigured LLM name uses the default endpoint.
	if _, name, err := engage(context.Background(), m, &amigo.LLMConfig{LLMName: "google_gemini-2.5-pro"}, nil); err != nil || name != "default-model" {
		t.Errorf("unconfigured name: model %q, err %v", name, err)
	}
	if _, hasTopK := f.body(1)["top_k"]; hasTopK {
		t.Error("top_k sent without a preference")
	}
}

func TestOpenAIRetriesAfter429(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
			return
		}
		sse(w, []string{"ok"}, true)
	})
	pieces, _, err := engage(context.Background(), openAIModel(t, f, nil), nil, nil)
	if err != nil || len(pieces) != 1 || f.calls.Load() != 2 {
		t.Fatalf("pieces %q, err %v, calls %d", pieces, err, f.calls.Load())
	}
}

func TestOpenAIGivesUpOn500(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		http.Error(w, `{"error":{"message":"boom"}}`, http.StatusInternalServerError)
	})
	_, _, err := engage(context.Background(), openAIModel(t, f, nil), nil, nil)
	if !errors.Is(err, engine.ErrModelUnavailable) || f.calls.Load() != 2 {
		t.Fatalf("err %v, calls %d (want ErrModelUnavailable after 1 retry)", err, f.calls.Load())
	}
}

func TestOpenAIRetryAfterBeyondBoundIsNotAwaited(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, `{"error":{"message":"come back in an hour"}}`, http.StatusTooManyRequests)
	})
	_, _, err := engage(context.Background(), openAIModel(t, f, nil), nil, nil)
	if !errors.Is(err, engine.ErrModelUnavailable) || f.calls.Load() != 1 {
		t.Fatalf("err %v, calls %d (want ErrModelUnavailable without waiting an hour)", err, f.calls.Load())
	}
}

func TestOpenAIStreamCutMidway(t *testing.T) {
	for _, hijack := range []bool{false, true} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
			sse(w, []string{"Hel", "lo"}, false)
			if hijack { // the connection drops mid-chunk
				conn, buf, _ := w.(http.Hijacker).Hijack()
				buf.WriteString("data: {\"id\":")
				buf.Flush()
				conn.Close()
			}
		})
		pieces, _, err := engage(context.Background(), openAIModel(t, f, nil), nil, nil)
		if !errors.Is(err, engine.ErrModelUnavailable) || len(pieces) != 2 {
			t.Errorf("hijack %v: pieces %q, err %v (want the two pieces, then ErrModelUnavailable)", hijack, pieces, err)
		}
	}
}

func TestOpenAISlowFirstToken(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // never a token
	})
	m := openAIModel(t, f, func(e *engine.Endpoint) { e.FirstTokenTimeout = 200 * time.Millisecond })
	_, _, err := engage(context.Background(), m, nil, nil)
	if !errors.Is(err, engine.ErrModelUnavailable) || !strings.Contains(err.Error(), "sent nothing within") {
		t.Fatalf("err %v, want the first-token timeout", err)
	}
}

func TestOpenAICancelledMidStream(t *testing.T) {
	gone := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		sse(w, []string{"Hel"}, false)
		<-r.Context().Done() // the server sees the client hang up
		close(gone)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pieces, _, err := engage(ctx, openAIModel(t, f, nil), nil, cancel)
	if !errors.Is(err, context.Canceled) || len(pieces) != 1 {
		t.Fatalf("pieces %q, err %v, want context.Canceled after one piece", pieces, err)
	}
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the model call was not cancelled")
	}
}

// choose asks the model the fixture's welcome exits with the given input.
func choose(t *testing.T, m engine.Model, msg string) engine.Choice {
	t.Helper()
	d := intake().Definition
	a := d.States[0].Action
	c, err := m.Choose(context.Background(), &engine.ChoiceRequest{Call: engine.Call{Agent: &agent().Definition, Machine: &d, State: &d.States[0],
		Input: engine.Input{Kind: engine.InputMessage, Message: msg}}, Exits: a.ExitConditions, Actions: a.Actions, CanStay: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpenAIChoiceRetriedThenFallback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []string
		want    engine.Choice
		calls   int32
	}{
		{"good", []string{`{"exit": 2, "action": 0}`}, engine.Choice{Exit: 1}, 1},
		{"fenced stay", []string{"```json\n{\"exit\": 0, \"action\": 1}\n```"}, engine.Choice{Exit: -1, Action: 0}, 1},
		{"bad then good", []string{"The second one.", `{"exit": 2, "action": 0}`}, engine.Choice{Exit: 1}, 2},
		{"out of range twice", []string{`{"exit": 9, "action": 0}`, `{"exit": 0, "action": 5}`}, engine.Choice{Exit: 1}, 2},
		{"unparseable twice", []string{"goodbye?", `{"exit": "two"}`}, engine.Choice{Exit: 1}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
				if body["stream"] == true {
					t.Error("a choice was streamed")
				}
				whole(w, tc.answers[min(n, len(tc.answers)-1)])
			})
			// The message says goodbye: the built-in fallback picks exit 2 too.
			if got := choose(t, openAIModel(t, f, nil), "Goodbye then"); got != tc.want || f.calls.Load() != tc.calls {
				t.Errorf("choice %+v after %d calls, want %+v after %d", got, f.calls.Load(), tc.want, tc.calls)
			}
		})
	}
}

// TestOpenAIWalk runs a whole interaction on the OpenAI model: the walker
// gets its choices as JSON and its reply streamed.
func TestOpenAIWalk(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		if body["stream"] == true {
			sse(w, []string{"Which day ", "suits you?"}, true)
			return
		}
		msgs := body["messages"].([]any)
		task := fmt.Sprint(msgs[len(msgs)-1].(map[string]any)["content"])
		switch {
		case strings.Contains(task, "Reflect"):
			whole(w, "Mornings seem best.")
		case strings.Contains(task, "search queries"):
			whole(w, `{"queries": ["working days"]}`)
		case strings.Contains(task, "urgent"):
			whole(w, `{"exit": 2, "action": 0}`)
		case strings.Contains(task, "choice of days"):
			whole(w, `{"exit": 0, "action": 1}`)
		default:
			whole(w, `{"exit": 1, "action": 0}`)
		}
	})
	w := engine.New(openAIModel(t, f, nil))
	state := &engine.State{Stack: []engine.Frame{{Machine: amigo.Reference{MachineID: intakeID, Version: 3}}}, Current: "welcome"}
	var kinds []string
	o, err := w.Run(context.Background(), engine.Turn{Agent: agent(), Machine: intake(),
		References: map[amigo.Reference]*amigo.StateMachineVersion{schedRef: sched()}, State: state,
		Input: engine.Input{Kind: engine.InputMessage, Message: "book me in"}}, func(e engine.Event) error {
		if e.Action != nil {
			kinds = append(kinds, e.Action.Type)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Reply != "Which day suits you?" || o.Model != "default-model" || o.State.Current != "pick" || len(o.InnerThoughts) != 2 {
		t.Errorf("reply %q, model %q, state %q, %d inner thoughts", o.Reply, o.Model, o.State.Current, len(o.InnerThoughts))
	}
	if len(kinds) < 10 {
		t.Errorf("steps: %q", kinds)
	}
}

// BenchmarkOpenAIEngage is one streamed reply of three pieces from a
// local chat-completions server: what the model client costs per call.
func BenchmarkOpenAIEngage(b *testing.B) {
	f := newFake(b, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		sse(w, []string{"Hello", ", I'm", " Robin."}, true)
	})
	m := openAIModel(b, f, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := engage(context.Background(), m, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAIEngageParallel is the same with 16 calls at a time.
func BenchmarkOpenAIEngageParallel(b *testing.B) {
	f := newFake(b, func(w http.ResponseWriter, r *http.Request, n int, body map[string]any) {
		sse(w, []string{"Hello", ", I'm", " Robin."}, true)
	})
	m := openAIModel(b, f, nil)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := engage(context.Background(), m, nil, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
