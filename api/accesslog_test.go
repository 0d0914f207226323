package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// syncBuffer is a log sink the server writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// count returns how often substr occurs in the log so far.
func (b *syncBuffer) count(substr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), substr)
}

// requests returns the access log's lines for path.
func (b *syncBuffer) requests(t *testing.T, path string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(b.buf.String(), "\n") {
		var m map[string]any
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" && m["path"] == path {
			out = append(out, m)
		}
	}
	return out
}

// TestAccessLog checks what an operator reads in the access log: who made
// each authenticated request (never with what credential), and
// maintenance's expected 503s below ERROR.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		var log syncBuffer
		env := testenv.Start(t, b, withClusters(t, b), testenv.Options{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
		acme := env.CreateOrg(t, "acme")

		t.Run("an authenticated request names its caller", func(t *testing.T) {
			env.Admin.Do(t, "GET", "/v1/platform/user/", nil).Expect(200)
			lines := log.requests(t, "/v1/platform/user/")
			if len(lines) != 1 || lines[0]["caller"] != "platform/"+env.UserID {
				t.Fatalf("access log lines %v; want one with caller platform/%s", lines, env.UserID)
			}
			if all := log.buf.String(); strings.Contains(all, env.Admin.Token) || strings.Contains(all, env.APIKey) {
				t.Fatal("the log holds a token or an API key")
			}
		})
		t.Run("an anonymous request has no caller", func(t *testing.T) {
			env.Anonymous(t).Do(t, "GET", "/v1/acme/organization/agent", nil).Expect(401)
			lines := log.requests(t, "/v1/acme/organization/agent")
			if len(lines) != 1 || lines[0]["caller"] != "" {
				t.Fatalf("access log lines %v; want one without caller", lines)
			}
		})
		t.Run("maintenance is logged as a warning, not an error", func(t *testing.T) {
			if err := operatorApp(t, env).SetOrgMaintenance(context.Background(), "acme", true); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "acme in maintenance", status(t, acme.Admin, "/v1/acme/user/"), 503)
			var seen int
			for _, l := range log.requests(t, "/v1/acme/user/") {
				if l["status"] == float64(503) {
					seen++
					if l["level"] != "WARN" {
						t.Fatalf("a maintenance 503 is logged as %v", l)
					}
				}
			}
			if seen == 0 {
				t.Fatal("no 503 in the access log")
			}
		})
	})
}
