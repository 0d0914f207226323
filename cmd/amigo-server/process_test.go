package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The tests that run the server as a child process share one build of it.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// serverBinary builds amigo-server once per test run and returns its path.
func serverBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts the binary")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "amigo-server-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "amigo-server")
		out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// serverProcess is `amigo-server serve` running as a child process.
type serverProcess struct {
	cmd    *exec.Cmd
	base   string
	logs   *lockedBuffer
	exited chan struct{}
}

// runServer starts the binary with args after serve, on a free loopback
// port, and returns once /readyz answers 200. The process is killed when
// the test ends, and its log shown if the test failed.
func runServer(t *testing.T, ctx context.Context, bin string, args ...string) *serverProcess {
	t.Helper()
	base := "http://127.0.0.1:" + freePort(t)
	args = append([]string{"serve", "--listen", base[len("http://"):], "--log-format", "json"}, args...)
	p := &serverProcess{cmd: exec.CommandContext(ctx, bin, args...), base: base, logs: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "AMIGO_CONFIG=")
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("log of the server on %s:\n%s", base, p.logs.String())
		}
	})
	waitReady(t, ctx, base, p.exited)
	return p
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would:
// nothing is flushed or closed on the way out.
func (p *serverProcess) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

// operator runs an operator command of the binary as its own process and
// returns its standard output.
func operator(t *testing.T, ctx context.Context, bin string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "AMIGO_CONFIG=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("amigo-server %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// signIn exchanges bootstrap's API key for a token on base.
func signIn(t *testing.T, base, org string, creds bootstrapOutput) (string, int) {
	t.Helper()
	resp := send(t, "POST", base+"/v1/"+org+"/user/signin_with_api_key", "", map[string]string{
		"x-api-key": creds.APIKey, "x-api-key-id": creds.APIKeyID, "x-user-id": creds.UserID,
	})
	var tok struct {
		IDToken string `json:"id_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.IDToken, resp.StatusCode
}

// within polls cond every 50ms until it holds or bound has passed, and
// says whether it held.
func within(bound time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(bound)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
