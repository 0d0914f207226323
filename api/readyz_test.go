package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestReadyzFailsWhenADatabaseCannotBeWritten: a cluster whose directory
// or database file turns read-only under a running server makes /readyz
// 503, so a load balancer stops sending writes that would fail.
func TestReadyzFailsWhenADatabaseCannotBeWritten(t *testing.T) {
	for _, what := range []string{"directory", "file"} {
		t.Run(what, func(t *testing.T) {
			env := testenv.Start(t, testenv.SQLite())
			// /readyz and /healthz are the server's own, outside the spec.
			get := func(path string) (int, string) {
				resp, err := http.Get(env.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body struct{ Detail string }
				json.NewDecoder(resp.Body).Decode(&body)
				return resp.StatusCode, body.Detail
			}
			if status, _ := get("/readyz"); status != 200 {
				t.Fatalf("/readyz: %d before anything changed", status)
			}
			u, err := url.Parse(env.Runtime.Config.Clusters["default"])
			if err != nil {
				t.Fatal(err)
			}
			target := u.Path
			if what == "directory" {
				target = filepath.Dir(u.Path)
			}
			readOnly(t, target)
			if status, detail := get("/readyz"); status != 503 || detail != "A database cannot be written." {
				t.Fatalf("/readyz: %d %q", status, detail)
			}
			if status, _ := get("/healthz"); status != 200 {
				t.Fatalf("/healthz: %d", status)
			}
		})
	}
}

// readOnly makes path unwritable until the test ends, also for root (which
// ignores permission bits): with chattr +i.
func readOnly(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
			t.Fatalf("chattr +i %s: %v: %s", path, err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, info.Mode().Perm()&^0o222); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, info.Mode().Perm()) })
}
