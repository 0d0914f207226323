package api_test

import (
	"encoding/json"
	"fmt"
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
}

func (c *chatServer) set(mode string) {
	c.mu.Lock()
	c.mode = mode
	c.mu.Unlock()
	c.streams.Store(0)
	c.requests.Store(0)
}

func (c *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream bool `json:"stream"`
	}
	json.NewDecoder(r.Body).Decode(&req)
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
		content := `{"exit": 0, "action": 1}`
		if mode == "bad choice" {
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
	chat := &chatServer{mode: "ok"}
	model := httptest.NewServer(chat)
	defer model.Close()
	env := testenv.Start(t, testenv.SQLite(), testenv.Options{Configure: func(cfg *server.Config) {
		cfg.LLMs = map[string]*server.LLMEndpoint{"fake": {BaseURL: model.URL + "/v1", Model: "m", Timeout: 20 * time.Second, FirstTokenTimeout: 2 * time.Second}}
		cfg.DefaultLLM = "fake"
	}})
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
}
