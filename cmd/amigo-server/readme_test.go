package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The README's quick start runs in a test, so that it cannot drift from what
// the binary does. A fenced ```sh block preceded by the line
//
//	<!-- readme-test -->
//
// runs with bash, in order, as a reader would type it; one preceded by
//
//	<!-- readme-test: background -->
//
// is the server: it runs in the background (the reader's first terminal)
// and the blocks after it run once it answers /healthz. The blocks before
// the server run from the clone's root (the reader's clone), the others
// from the directory the README says to work in. Each block must exit 0 and
// print no API error ({"detail": …}).
//
// What the test adapts, and only this: the README's working directory
// /tmp/amigo-try becomes a temporary directory, the server listens on a
// free port (AMIGO_LISTEN; the README's commands learn the address from the
// data directory, as they do for a reader), `go install` writes into a
// temporary GOBIN that heads PATH, and no AMIGO_* variable of the caller's
// environment reaches the blocks.
const (
	readmeRun        = "<!-- readme-test -->"
	readmeBackground = "<!-- readme-test: background -->"
	readmeWorkDir    = "/tmp/amigo-try"
)

type readmeBlock struct {
	line       int // of the opening fence, 1-based
	background bool
	script     string
}

// readmeBlocks returns the marked ```sh blocks of a Markdown file, in order.
func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	marker, n := "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur != nil && strings.HasPrefix(line, "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.script += line + "\n"
		case marker != "" && line == "```sh":
			cur = &readmeBlock{line: n, background: marker == readmeBackground}
			marker = ""
		case marker != "":
			t.Fatalf("%s:%d: %s must be followed by a ```sh block, not %q", path, n-1, marker, line)
		case line == readmeRun || line == readmeBackground:
			marker = line
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil || marker != "" {
		t.Fatalf("%s: a marked block is not closed", path)
	}
	return blocks
}

func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the README's commands")
	}
	for _, tool := range []string{"bash", "curl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's commands need %s: %v", tool, err)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, filepath.Join(root, "README.md"))
	if len(blocks) == 0 {
		t.Fatal("README.md has no block marked " + readmeRun)
	}

	tmp := t.TempDir()
	work, bin := filepath.Join(tmp, "amigo-try"), filepath.Join(tmp, "bin")
	addr := freeAddress(t)
	env := []string{"GOBIN=" + bin, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"AMIGO_LISTEN=" + addr, "HOME=" + tmp, "XDG_CACHE_HOME=" + filepath.Join(tmp, "cache")}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AMIGO_"), name == "GOBIN", name == "PATH", name == "HOME", name == "XDG_CACHE_HOME":
		default:
			env = append(env, kv)
		}
	}
	if os.Getenv("GOPATH") == "" { // HOME moves; keep the caller's module and build caches
		for _, v := range []string{"GOPATH", "GOCACHE", "GOMODCACHE"} {
			out, err := exec.Command("go", "env", v).Output()
			if err != nil {
				t.Fatal(err)
			}
			env = append(env, v+"="+strings.TrimSpace(string(out)))
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, serverSeen := root, false
	for _, b := range blocks {
		script := strings.ReplaceAll(b.script, readmeWorkDir, work)
		where := fmt.Sprintf("README.md:%d", b.line)
		if b.background {
			startREADMEServer(t, ctx, where, script, dir, env, addr)
			dir, serverSeen = work, true
			continue
		}
		cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		t.Logf("%s:\n%s", where, out)
		if err != nil {
			t.Fatalf("%s: %v\n%s\n%s", where, err, script, out)
		}
		if strings.Contains(string(out), `{"detail"`) {
			t.Fatalf("%s: an API error:\n%s", where, out)
		}
	}
	if !serverSeen {
		t.Fatal("README.md has no block marked " + readmeBackground)
	}
}

// startREADMEServer runs the README's server block in the background in its
// own process group, waits until the server answers, and stops the group
// (with Ctrl-C's SIGINT, as the README says) when the test ends.
func startREADMEServer(t *testing.T, ctx context.Context, where, script, dir string, env []string, addr string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-e", "-c", script)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("%s (the server's output):\n%s", where, out)
		}
	})
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logPath)
			t.Fatalf("%s: the server exited (%v) before answering on %s:\n%s", where, err, addr, out)
		case <-ctx.Done():
			t.Fatalf("%s: the server did not answer on %s", where, addr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freeAddress returns a loopback address no one listens on now.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
