package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// chatServer speaks OpenAI's chat-completions protocol, streamed and not,
// misbehaving as its mode says.
type chatServer struct {
	mu       sync.Mutex
	mode     string
	streams  atomic.Int64 // streamed requests received
	requests atomic.Int64
	asked    []string // the bodies of the requests not streamed
	// holds keeps a streamed answer whose request contains a key after its
	// first chunk, until the channel closes or the request ends; held
	// receives the key then.
	holds map[string]chan struct{}
	held  chan string
}

// hold makes the streamed answers to requests that contain key wait after
// their first chunk until the returned function is called.
func (c *chatServer) hold(key string) (release func()) {
	ch := make(chan struct{})
	c.mu.Lock()
	if c.holds == nil {
		c.holds = map[string]chan struct{}{}
	}
	if c.held == nil {
		c.held = make(chan string, 16)
	}
	c.holds[key] = ch
	c.mu.Unlock()
	return sync.OnceFunc(func() { close(ch) })
}

// holdFor returns the hold of a request's body, and its key.
func (c *chatServer) holdFor(body []byte) (string, chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, ch := range c.holds {
		if bytes.Contains(body, []byte(key)) {
			return key, ch
		}
	}
	return "", nil
}

func (c *chatServer) set(mode string) {
	c.mu.Lock()
	c.mode = mode
	c.holds = nil
	c.mu.Unlock()
	c.streams.Store(0)
	c.requests.Store(0)
	c.mu.Lock()
	c.asked = nil
	c.mu.Unlock()
}

// answers returns how many requests not streamed asked for a task whose
// answer has key, and the last of them.
func (c *chatServer) answers(key string) (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, last := 0, ""
	for _, b := range c.asked {
		if strings.Contains(b, `\"`+key+`\"`) {
			n, last = n+1, b
		}
	}
	return n, last
}

// The JSON answers of the tasks not streamed, by the key the task asks
// for: recommended responses, conversation starters, the user model, and
// otherwise a choice.
var chatAnswers = []struct{ key, answer string }{
	{"responses", `{"responses": ["When do you open?", "Can I come on Monday?"]}`},
	{"starters", `{"starters": [{"prompt": "Book me in", "facets": ["booking"]}, {"prompt": "What are your hours?", "facets": ["hours"]}]}`},
	{"dimensions", `{"content": "Prefers mornings.", "dimensions": [{"description": "schedule", "tags": ["morning"]}]}`},
	{"", `{"exit": 0, "action": 1}`},
}

func (c *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream bool `json:"stream"`
	}
	body, _ := io.ReadAll(r.Body)
	json.Unmarshal(body, &req)
	c.mu.Lock()
	mode := c.mode
	c.mu.Unlock()
	c.requests.Add(1)
	n := int64(0)
	if req.Stream {
		n = c.streams.Add(1)
	}
	switch {
	case mode == "429" || (mode == "429 once" && req.Stream && n == 1):
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}`)
		return
	case mode == "500":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"boom","type":"server_error"}}`)
		return
	}
	if !req.Stream {
		c.mu.Lock()
		c.asked = append(c.asked, string(body))
		first := len(c.asked) == 1
		c.mu.Unlock()
		var content string
		for _, a := range chatAnswers {
			if bytes.Contains(body, []byte(`\"`+a.key+`\"`)) || a.key == "" {
				content = a.answer
				break
			}
		}
		if mode == "bad choice" || (mode == "bad once" && first) {
			content = "I would rather not say."
		}
		b, _ := json.Marshal(content)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, b)
		return
	}
	if mode == "slow" {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(content, finish string) {
		f := "null"
		if finish != "" {
			f = `"` + finish + `"`
		}
		b, _ := json.Marshal(content)
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":%s}]}\n\n", b, f)
		w.(http.Flusher).Flush()
	}
	chunk("Hello ", "")
	if key, hold := c.holdFor(body); hold != nil {
		c.held <- key
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	chunk("from the ", "")
	if mode == "cut" {
		// The connection drops mid-answer.
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	chunk("model.", "")
	chunk("", "stop")
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// TestOpenAICompatibleModel configures an OpenAI-compatible server as the
// model and shows what clients see when it misbehaves: a 429 with
// Retry-After is retried; persistent 429s, 500s, a stream cut mid-way and
// a first token too slow are one error event with 503 after the status
// line; an unparseable choice falls back to the built-in model's rule.
// Each failure leaves nothing behind and the conversation usable.
func TestOpenAICompatibleModel(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		chat, env := openAIEnv(t, b)
		cl := newClinic(t, env, "clinic")
		s := cl.create(t, cl.admin, "", nil)
		if done := s.complete(t); done["full_message"] != "Hello from the model." {
			t.Fatalf("the reply is not the model's: %v", done)
		}
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		before := agentMessages(t, cl, id)

		for _, tc := range []struct {
			mode   string
			failed bool
		}{
			{"429 once", false}, {"bad choice", false},
			{"429", true}, {"500", true}, {"cut", true}, {"slow", true},
		} {
			t.Run(tc.mode, func(t *testing.T) {
				chat.set(tc.mode)
				s := cl.interact(t, cl.admin, id, "", form{Message: "Tell me about your hours"})
				if s.Status != 200 {
					t.Fatalf("status %d: %s", s.Status, s.Body)
				}
				last := s.Events[len(s.Events)-1]
				if !tc.failed {
					if done := s.complete(t); done["full_message"] != "Hello from the model." {
						t.Fatalf("reply %v", done)
					}
					before += 2
					return
				}
				if last["type"] != "error" || last["http_error_code"] != float64(503) {
					t.Fatalf("the stream ends with %v, want an error event with 503:\n%s", last, strings.Join(s.Lines, "\n"))
				}
				if n := agentMessages(t, cl, id); n != before {
					t.Fatalf("%d messages after a failed interaction, want %d", n, before)
				}
			})
		}
		chat.set("ok")
		cl.interact(t, cl.admin, id, "", form{Message: "Still there?"}).complete(t)
		if n := chat.requests.Load(); n != 2 {
			t.Errorf("%d model requests for one interaction, want 2 (a choice, then the reply)", n)
		}
	})
}

// openAIEnv starts a server on b whose default model is an
// OpenAI-compatible chat-completions server, configured further by
// configure if given.
func openAIEnv(t *testing.T, b testenv.Backend, configure ...func(*server.Config)) (*chatServer, *testenv.Env) {
	t.Helper()
	chat := &chatServer{mode: "ok"}
	model := httptest.NewServer(chat)
	t.Cleanup(model.Close)
	env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) {
		cfg.LLMs = map[string]*server.LLMEndpoint{"fake": {BaseURL: model.URL + "/v1", Model: "m", Timeout: 20 * time.Second, FirstTokenTimeout: 2 * time.Second}}
		cfg.DefaultLLM = "fake"
		for _, c := range configure {
			c(cfg)
		}
	}})
	return chat, env
}

// TestOpenAIExtras asks an OpenAI-compatible model for recommended
// responses, conversation starters and, after finish, the user's model:
// each is asked for as strict JSON; an unparseable answer is asked again
// once, and a second one falls back to the built-in model's answer. The
// user model is written by the conversation's pinned agent.
func TestOpenAIExtras(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		chat, env := openAIEnv(t, b)
		cl := newClinic(t, env, "clinic")
		s := cl.create(t, cl.admin, "", nil)
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		interaction := s.complete(t)["interaction_id"].(string)
		recommend := func() []any {
			t.Helper()
			path := "/v1/clinic/conversation/" + id + "/interaction/" + interaction + "/recommend_responses"
			return cl.admin.Do(t, "POST", path, map[string]any{"context": "A parent booking for a child."}).Expect(200).JSON()["recommended_responses"].([]any)
		}
		starters := func() []any {
			t.Helper()
			return cl.admin.Do(t, "POST", "/v1/clinic/conversation/conversation_starter", map[string]any{
				"service_id": cl.service, "facets": []string{"booking", "hours"}, "min_count": 1, "max_count": 3, "generation_instructions": "Keep them short.",
			}).Expect(200).JSON()["prompts"].([]any)
		}
		for _, tc := range []struct {
			mode  string
			asked int  // requests per answer
			model bool // the answer is the model's, not the fallback's
		}{
			{"ok", 1, true}, {"bad once", 2, true}, {"bad choice", 2, false},
		} {
			t.Run(tc.mode, func(t *testing.T) {
				chat.set(tc.mode)
				got := recommend()
				n, last := chat.answers("responses")
				if n != tc.asked || !strings.Contains(last, "A parent booking for a child.") {
					t.Errorf("recommend asked the model %d times, want %d; last %s", n, tc.asked, last)
				}
				if isModel := len(got) == 2 && got[0] == "When do you open?"; isModel != tc.model || len(got) == 0 {
					t.Errorf("recommended %v; the model's answer: %v, want %v", got, isModel, tc.model)
				}

				chat.set(tc.mode)
				prompts := starters()
				n, last = chat.answers("starters")
				if n != tc.asked || !strings.Contains(last, "Robin") {
					t.Errorf("starters asked the model %d times, want %d, as Robin; last %s", n, tc.asked, last)
				}
				first, _ := prompts[0].(map[string]any)
				if isModel := len(prompts) == 2 && first["prompt"] == "Book me in"; isModel != tc.model {
					t.Errorf("starters %v; the model's answer: %v, want %v", prompts, isModel, tc.model)
				}
			})
		}

		// After finish, the post-conversation job asks the model, as the
		// conversation's pinned agent (not the agent's newer version), for
		// the user's model.
		newer := agentVersionBody("RN")
		newer["identity"].(map[string]any)["name"] = "Sam"
		cl.admin.Do(t, "POST", "/v1/clinic/organization/agent/"+cl.agent+"/", newer).Expect(201)
		// It is asked along the organization's user dimensions.
		cl.admin.Do(t, "POST", "/v1/clinic/organization/", map[string]any{"user_dimensions": []map[string]any{
			{"description": "Preferred visit time", "tags": []string{"mornings", "evenings"}}}}).Expect(204)
		chat.set("bad once")
		cl.admin.Do(t, "POST", "/v1/clinic/conversation/"+id+"/finish/", nil).Expect(204)
		if n := env.Runtime.PostConversation.RunDue(t.Context()); n != 1 {
			t.Fatalf("%d post-conversation jobs ran, want 1", n)
		}
		n, last := chat.answers("dimensions")
		if n != 2 || !strings.Contains(last, "You are Robin, the clinic's intake nurse") || !strings.Contains(last, "Hello from the model.") || strings.Contains(last, "Sam") {
			t.Errorf("the user model asked the model %d times, want 2 (a retry), as Robin with the conversation; last %s", n, last)
		}
		if !strings.Contains(last, "- Preferred visit time: mornings, evenings") {
			t.Errorf("the user model was not asked along the organization's user dimensions: %s", last)
		}
		got := cl.admin.Do(t, "GET", "/v1/clinic/user/"+cl.org.UserID+"/user_model", nil).Expect(200).JSON()
		models := got["user_models"].([]any)
		if len(models) != 1 || models[0].(map[string]any)["content"] != "Prefers mornings." {
			t.Fatalf("user model %v", got)
		}
	})
}
