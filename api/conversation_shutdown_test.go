package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestGracefulShutdown stops a server (as SIGTERM does: the context of
// Serve ends) while two interactions wait for the model. The one whose
// model answers within the shutdown timeout completes: its client reads
// interaction-complete. The other is stopped at the bound: its stream ends
// with exactly one error event (503), not cut, and the interaction is
// recorded failed with its conversation released, so that after a restart
// the conversation takes the next message at once.
func TestGracefulShutdown(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		chat, env := openAIEnv(t, b, func(cfg *server.Config) { cfg.ShutdownTimeout = 2 * time.Second })
		quick, slow := newClinic(t, env, "quick"), newClinic(t, env, "slow")
		quickID := quick.create(t, quick.admin, "", nil).event(t, "conversation-created")["conversation_id"].(string)
		slowID := slow.create(t, slow.admin, "", nil).event(t, "conversation-created")["conversation_id"].(string)
		slowMessages := agentMessages(t, slow, slowID)

		// A second server on the same databases, served as the binary
		// serves it.
		cfg, addr := secondServer(t, env)
		rt, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close()
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		served := make(chan error, 1)
		go func() { served <- rt.Serve(ctx) }()
		waitHealthy(t, addr)
		on := &testenv.Env{URL: "http://" + addr}
		quickOn, slowOn := *quick, *slow
		quickOn.env, slowOn.env = on, on

		// Both interactions are in the model's hands when shutdown begins.
		release := chat.hold("Finish this one")
		defer release()
		defer chat.hold("This one takes too long")()
		defer chat.set("ok")
		quickResp := quickOn.openInteract(t, t.Context(), quick.admin, quickID, "", form{Message: "Finish this one"})
		slowResp := slowOn.openInteract(t, t.Context(), slow.admin, slowID, "", form{Message: "This one takes too long"})
		for range 2 {
			select {
			case <-chat.held:
			case <-time.After(30 * time.Second):
				t.Fatal("the model never received both interactions")
			}
		}
		stop()
		eventually(t, 10*time.Second, func() error {
			conn, err := net.Dial("tcp", addr)
			if err == nil {
				conn.Close()
				return errStillListening
			}
			return nil
		})

		// (a) The quick one's model answers during the shutdown.
		release()
		quickStream := readStream(t, quickResp, interactSchema)
		if done := quickStream.complete(t); done["full_message"] != "Hello from the model." {
			t.Fatalf("the quick interaction's reply %v", done)
		}

		// (b) The slow one is stopped at the bound with one error event.
		slowStream := readStream(t, slowResp, interactSchema)
		var errorsSeen int
		for _, ev := range slowStream.Events {
			if ev["type"] == "error" {
				errorsSeen++
			}
		}
		last := slowStream.Events[len(slowStream.Events)-1]
		if errorsSeen != 1 || last["type"] != "error" || last["http_error_code"] != float64(503) || !strings.Contains(fmt.Sprint(last["error_description"]), "shutting down") {
			t.Fatalf("the stopped interaction's stream, want one error event with 503 at its end:\n%s", strings.Join(slowStream.Lines, "\n"))
		}
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("Serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Serve did not return")
		}
		rt.Close()
		chat.set("ok")

		// After a restart: what the quick one wrote is there, the slow one
		// kept nothing and left its conversation free.
		restarted := testenv.Serve(t, b, env.Runtime.Config)
		if n := agentMessages(t, slow, slowID); n != slowMessages {
			t.Fatalf("%d messages after the stopped interaction, want %d", n, slowMessages)
		}
		slowAfter := *slow
		slowAfter.env = restarted
		slowAfter.interact(t, slow.admin, slowID, "", form{Message: "Hello again"}).complete(t)
		quickAfter := *quick
		quickAfter.env = restarted
		quickAfter.interact(t, quick.admin, quickID, "", form{Message: "Hello again"}).complete(t)
	})
}

var errStillListening = errors.New("the server still accepts connections")
