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
// from the directory the README says to work in, in one bash session (the
// reader's second terminal: variables carry over), README.md's first, then
// docs/api.md's (its worked example continues the quick start), then
// docs/conversations.md's (its first conversation talks to the worked
// example's service). Each block must exit 0 and print no API error (a
// {"detail": …} body, or an error event of a stream), unless marked
//
//	<!-- readme-test: errors shown -->
//
// (a block that shows an error on purpose, such as a dry run's 422).
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
	readmeErrors     = "<!-- readme-test: errors shown -->"
	readmeWorkDir    = "/tmp/amigo-try"
)

type readmeBlock struct {
	where      string // file:line of the opening fence
	background bool
	errors     bool // may print an API error
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
			cur = &readmeBlock{where: fmt.Sprintf("%s:%d", filepath.Base(path), n), background: marker == readmeBackground, errors: marker == readmeErrors}
			marker = ""
		case marker != "":
			t.Fatalf("%s:%d: %s must be followed by a ```sh block, not %q", path, n-1, marker, line)
		case line == readmeRun || line == readmeBackground || line == readmeErrors:
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
	for _, doc := range []string{"api.md", "conversations.md"} {
		blocks = append(blocks, readmeBlocks(t, filepath.Join(root, "docs", doc))...)
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
	dir, serverSeen, session := root, false, []readmeBlock(nil)
	for _, b := range blocks {
		b.script = strings.ReplaceAll(b.script, readmeWorkDir, work)
		if !b.background {
			session = append(session, b)
			continue
		}
		runREADMESession(t, ctx, session, dir, env)
		startREADMEServer(t, ctx, b.where, b.script, dir, env, addr)
		dir, serverSeen, session = work, true, nil
	}
	if !serverSeen {
		t.Fatal("README.md has no block marked " + readmeBackground)
	}
	runREADMESession(t, ctx, session, dir, env)
}

// runREADMESession runs blocks in one bash session, as a reader types them
// into one terminal, and fails on the first that exits non-zero or prints
// an API error it is not marked to show.
func runREADMESession(t *testing.T, ctx context.Context, blocks []readmeBlock, dir string, env []string) {
	t.Helper()
	if len(blocks) == 0 {
		return
	}
	const sep = "@@readme-test block "
	var script strings.Builder
	for i, b := range blocks {
		fmt.Fprintf(&script, "printf '\\n%s%d\\n'\n%s", sep, i, b.script)
	}
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script.String())
	cmd.Dir, cmd.Env = dir, env
	out, runErr := cmd.CombinedOutput()
	parts := strings.Split(string(out), "\n"+sep)
	last := -1
	for _, part := range parts[1:] {
		num, text, _ := strings.Cut(part, "\n")
		i := 0
		if _, err := fmt.Sscan(num, &i); err != nil || i < 0 || i >= len(blocks) {
			t.Fatalf("the session's output is garbled at %q", num)
		}
		last = i
		b := blocks[i]
		t.Logf("%s:\n%s", b.where, text)
		if !b.errors && (strings.Contains(text, `{"detail"`) || strings.Contains(text, `{"type":"error"`)) {
			t.Fatalf("%s: an API error:\n%s", b.where, text)
		}
	}
	if runErr != nil {
		where := "before the first block"
		if last >= 0 {
			where = blocks[last].where
		}
		t.Fatalf("%s: %v\n%s", where, runErr, out)
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
