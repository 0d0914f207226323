package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// childConfigEnv carries the configuration of the server TestKilledMidInteraction
// starts as a child process (see TestMain).
const childConfigEnv = "AMIGO_TEST_CHILD_SERVER"

// stuck is a model whose replies never come.
type stuck struct{ engine.Builtin }

func (stuck) Engage(ctx context.Context, e *engine.EngageRequest, emit func(string) error) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

// TestMain runs the server process TestKilledMidInteraction kills when the
// test binary is started as that child (childConfigEnv set), and the tests
// otherwise. The child is no test, so a run reports nothing skipped for it.
func TestMain(m *testing.M) {
	if raw := os.Getenv(childConfigEnv); raw != "" {
		serveChild(raw)
		return
	}
	os.Exit(m.Run())
}

// serveChild serves with the configuration raw (a server.Config as JSON)
// and the stuck model until the process is killed.
func serveChild(raw string) {
	var cfg server.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		log.Fatal(err)
	}
	rt, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.WithModel(stuck{}))
	if err != nil {
		log.Fatal(err)
	}
	// Serve returns only on failure: the parent kills the child.
	if err := rt.Serve(context.Background()); err != nil {
		log.Fatal(err)
	}
	os.Exit(1)
}

// TestKilledMidInteraction: a server killed (SIGKILL) while an interaction
// runs leaves the conversation busy (409) only until the interaction's
// lease expires; then another server takes it over and the conversation
// goes on.
func TestKilledMidInteraction(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		const lease = 2 * time.Second
		env := testenv.Start(t, b, testenv.Options{Configure: func(cfg *server.Config) { cfg.InteractionLease = lease }})
		cl := newClinic(t, env, "clinic")
		id := cl.create(t, cl.admin, "", nil).event(t, "conversation-created")["conversation_id"].(string)

		cfg, addr := secondServer(t, env)
		raw, _ := json.Marshal(cfg)
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), childConfigEnv+"="+string(raw))
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		defer child.Process.Kill()
		waitHealthy(t, addr)

		// The child takes the interaction and is killed in the middle of it.
		other := *cl
		other.env = &testenv.Env{URL: "http://" + addr}
		resp := other.openInteract(t, t.Context(), cl.admin, id, "", form{Message: "Are you there?"})
		if resp.StatusCode != 200 {
			t.Fatalf("the child answered %d", resp.StatusCode)
		}
		if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		child.Wait()
		resp.Body.Close()

		// Busy until the lease expires, then usable again.
		if s := cl.interact(t, cl.admin, id, "", form{Message: "Hello?"}); s.Status != 409 && time.Since(killed) < lease {
			t.Fatalf("right after the kill: %d, want 409 while the lease holds", s.Status)
		}
		eventually(t, 4*lease, func() error {
			s := cl.interact(t, cl.admin, id, "", form{Message: "Hello again"})
			if s.Status != 200 {
				return fmt.Errorf("after the lease: %d %s", s.Status, s.Body)
			}
			s.complete(t)
			return nil
		})
		if waited := time.Since(killed); waited > 3*lease {
			t.Errorf("the conversation was busy for %s after the kill, lease %s", waited, lease)
		}
	})
}

// secondServer returns the configuration of another server on env's
// databases, listening on a free loopback address, and that address.
func secondServer(t *testing.T, env *testenv.Env) (server.Config, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := env.Runtime.Config
	cfg.Listen, cfg.BaseURL, cfg.RateLimits = addr, "http://"+addr, "off"
	return cfg, addr
}

// waitHealthy waits until a server answers /healthz on addr.
func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	eventually(t, 30*time.Second, func() error {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
}
