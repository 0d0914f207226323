package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// serveLog starts `amigo-server serve` with args and returns its first n
// JSON log lines; the server is stopped when the test ends.
func serveLog(t *testing.T, n int, args ...string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs, logw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-format", "json"}, args...), io.Discard, logw)
		logw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	lines := make(chan map[string]any, n)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				select {
				case lines <- m:
				default:
				}
			}
		}
	}()
	var out []map[string]any
	for len(out) < n {
		select {
		case l := <-lines:
			out = append(out, l)
		case <-time.After(20 * time.Second):
			t.Fatalf("the server logged %d lines, want %d: %v", len(out), n, out)
		}
	}
	return out
}

// TestStartupLineSaysWhereStateLives: the first line names the absolute
// data directory, the signing key (generated or loaded) and its kid, the
// databases without passwords and the version; on an empty setup the next
// line says how to bootstrap.
func TestStartupLineSaysWhereStateLives(t *testing.T) {
	clearConfigEnv(t)
	t.Chdir(t.TempDir())
	lines := serveLog(t, 2, "--data-dir", "relative/data")
	abs, _ := filepath.Abs("relative/data")
	first := lines[0]
	for field, want := range map[string]string{
		"msg": "listening", "data_dir": abs, "directory": "sqlite://" + abs + "/directory.db",
		"clusters": "default=sqlite://" + abs + "/default.db", "signing_key": "generated " + abs + "/signing-key.pem",
	} {
		if first[field] != want {
			t.Errorf("startup line %s = %v, want %q", field, first[field], want)
		}
	}
	if kid, _ := first["kid"].(string); kid == "" {
		t.Error("startup line has no kid")
	}
	if v, _ := first["version"].(string); !strings.Contains(v, runtime.Version()) {
		t.Errorf("startup line version %q", v)
	}
	if next, _ := lines[1]["msg"].(string); !strings.Contains(next, "amigo-server bootstrap --org ORG_ID --data-dir "+abs) {
		t.Errorf("second line %q does not give the bootstrap command", next)
	}
}

func TestStartupLineHidesDatabasePasswords(t *testing.T) {
	pg := testenv.RequirePostgres(t)
	// A schema of its own: the test database's public schema holds whatever
	// other checkouts' migrations left there.
	url := pg.NewURL(t, "startup")
	clearConfigEnv(t)
	data := t.TempDir()
	withPassword := strings.Replace(url, "postgres@", "postgres:hunter2@", 1)
	if withPassword == url {
		t.Skipf("cannot add a password to %s", url)
	}
	lines := serveLog(t, 1, "--data-dir", data, "--cluster", "default="+withPassword)
	if c, _ := lines[0]["clusters"].(string); strings.Contains(c, "hunter2") || !strings.Contains(c, "default=postgres://") {
		t.Fatalf("clusters = %q", c)
	}
	// The signing key, generated on the first start, is loaded on the next.
	if k, _ := lines[0]["signing_key"].(string); !strings.HasPrefix(k, "generated") {
		t.Fatalf("signing_key = %q", k)
	}
}

// readOnly makes dir unwritable for the test, also for root (which ignores
// permission bits): with chattr +i.
func readOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr +i %s: %v: %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// TestReadOnlyDataDirFailsAtStart: a data directory the server cannot
// write stops the start with a message, rather than serving "ready" and
// answering 500 on the first write.
func TestReadOnlyDataDirFailsAtStart(t *testing.T) {
	clearConfigEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	if _, stderr, code := command(t, "bootstrap", "--org", "acme", "--data-dir", data); code != 0 {
		t.Fatal(stderr)
	}
	readOnly(t, data)
	_, stderr, code := command(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", data)
	if code == 0 || !strings.Contains(stderr, "directory "+data+" is not writable") || !strings.Contains(stderr, "must be able to write") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
