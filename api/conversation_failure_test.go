package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// scripted is the built-in model whose replies can be held back or made
// to fail after their first piece, to show what clients see when a model
// is slow or fails mid-stream.
type scripted struct {
	engine.Builtin
	mu      sync.Mutex
	hold    chan struct{} // Engage waits for it (or its context) after its first piece
	fail    error         // Engage fails with it after its first piece
	started chan struct{} // receives once per Engage that began
	// ended receives, when watch is set, how each Engage's context ended
	// (waiting for it at most 10 s after Engage returns).
	watch bool
	ended chan error
}

func newScripted() *scripted {
	return &scripted{started: make(chan struct{}, 16), ended: make(chan error, 16)}
}

func (m *scripted) set(hold chan struct{}, fail error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hold, m.fail = hold, fail
}

func (m *scripted) Engage(ctx context.Context, e *engine.EngageRequest, emit func(string) error) (string, error) {
	m.mu.Lock()
	hold, fail, watch := m.hold, m.fail, m.watch
	m.mu.Unlock()
	m.started <- struct{}{}
	if watch {
		defer func() {
			select {
			case <-ctx.Done():
				m.ended <- ctx.Err()
			case <-time.After(10 * time.Second):
				m.ended <- errors.New("the context was not cancelled")
			}
		}()
	}
	first := true
	return m.Builtin.Engage(ctx, e, func(piece string) error {
		if err := emit(piece); err != nil || !first {
			return err
		}
		first = false
		if fail != nil {
			return fail
		}
		if hold != nil {
			select {
			case <-hold:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
}

// agentMessages counts the conversation's stored agent messages.
func agentMessages(t *testing.T, cl *clinic, id string) int {
	t.Helper()
	var out struct {
		Messages []json.RawMessage `json:"messages"`
	}
	cl.admin.Do(t, "GET", "/v1/"+cl.org.ID+"/conversation/"+id+"/messages/?message_type=agent-message&message_type=user-message", nil).Expect(200).Decode(&out)
	return len(out.Messages)
}

// TestInteractionFailures: after the status line, a failure is exactly one
// error event ending the stream; a client that hangs up cancels the
// model's call; a busy conversation refuses a second interaction with 409;
// in every case the interaction is recorded failed, nothing half-written
// is kept, and the conversation takes the next message at once.
func TestInteractionFailures(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		model := newScripted()
		env := testenv.Start(t, b, testenv.Options{Model: model})
		cl := newClinic(t, env, "clinic")
		s := cl.create(t, cl.admin, "", nil)
		<-model.started
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		before := agentMessages(t, cl, id)

		t.Run("the model fails mid-stream", func(t *testing.T) {
			model.set(nil, fmt.Errorf("%w: the connection was reset", engine.ErrModelUnavailable))
			s := cl.interact(t, cl.admin, id, "", form{Message: "Tell me more"})
			<-model.started
			last := s.Events[len(s.Events)-1]
			if last["type"] != "error" || last["http_error_code"] != float64(503) {
				t.Fatalf("the stream ends with %v, want one 503 error event:\n%v", last, s.Lines)
			}
			for _, ev := range s.Events[:len(s.Events)-1] {
				if ev["type"] == "error" || ev["type"] == "interaction-complete" {
					t.Fatalf("unexpected %v before the error", ev)
				}
			}
			if !slices.Contains(s.types(), "new-message") {
				t.Fatalf("no piece was streamed before the failure: %v", s.types())
			}
			if n := agentMessages(t, cl, id); n != before {
				t.Fatalf("%d messages after a failed interaction, want %d", n, before)
			}
		})

		t.Run("a busy conversation is 409 until the interaction ends", func(t *testing.T) {
			hold := make(chan struct{})
			model.set(hold, nil)
			resp := cl.openInteract(t, t.Context(), cl.admin, id, "", form{Message: "First"})
			<-model.started
			model.set(nil, nil)
			if s := cl.interact(t, cl.admin, id, "", form{Message: "Second"}); s.Status != 409 {
				t.Fatalf("a second interaction: %d, want 409", s.Status)
			}
			cl.admin.Do(t, "POST", "/v1/clinic/conversation/"+id+"/finish/", nil).Expect(409)
			close(hold)
			readStream(t, resp, interactSchema).complete(t)
		})

		t.Run("a client that hangs up cancels the model", func(t *testing.T) {
			before := agentMessages(t, cl, id)
			hold := make(chan struct{})
			defer close(hold)
			model.set(hold, nil)
			model.mu.Lock()
			model.watch = true
			model.mu.Unlock()
			ctx, cancel := context.WithCancel(t.Context())
			resp := cl.openInteract(t, ctx, cl.admin, id, "", form{Message: "Hang on"})
			rd := bufio.NewReader(resp.Body)
			if _, err := rd.ReadString('\n'); err != nil { // user-message-available
				t.Fatal(err)
			}
			<-model.started
			cancel()
			resp.Body.Close()
			select {
			case err := <-model.ended:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("the model's call ended with %v, want its context cancelled", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the model's call did not end when the client hung up")
			}
			model.set(nil, nil)
			model.mu.Lock()
			model.watch = false
			model.mu.Unlock()
			// The lease is released: the next message is taken at once.
			eventually(t, 5*time.Second, func() error {
				s := cl.interact(t, cl.admin, id, "", form{Message: "I am back"})
				if s.Status != 200 {
					// Refused (409 while the hang-up is still being
					// recorded): the model was never called.
					return fmt.Errorf("after a hang-up: %d %s", s.Status, s.Body)
				}
				<-model.started
				s.complete(t)
				return nil
			})
			if n := agentMessages(t, cl, id); n != before+2 {
				t.Fatalf("%d messages, want %d: the abandoned interaction left some", n, before+2)
			}
		})
	})
}

// TestLeaseRenewal: an interaction whose model takes several times the
// lease keeps its conversation, renewing the lease, and commits.
func TestLeaseRenewal(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		model := newScripted()
		env := testenv.Start(t, b, testenv.Options{Model: model, Configure: func(cfg *server.Config) { cfg.InteractionLease = 600 * time.Millisecond }})
		cl := newClinic(t, env, "clinic")
		s := cl.create(t, cl.admin, "", nil)
		<-model.started
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		hold := make(chan struct{})
		model.set(hold, nil)
		time.AfterFunc(2*time.Second, func() { close(hold) })
		s = cl.interact(t, cl.admin, id, "", form{Message: "Take your time"})
		<-model.started
		s.complete(t)
	})
}
