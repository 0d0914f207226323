package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestWritesSurviveOtherSQLiteClients is the operator's afternoon: a
// server runs and is probed, someone looks at its databases with SQLite
// (a program of their own, the sqlite3 shell as docs/limits.md shows it),
// clients write, operator commands change the directory, and the machine
// dies. Every acknowledged write is there after the restart, and the
// running server saw the operator's changes within its directory cache
// TTL. If the server ever gives up its SQLite locks (closing any
// descriptor of a database file drops them all), the other client's close
// checkpoints and deletes the WAL the server still writes to, and all of
// this is lost.
func TestWritesSurviveOtherSQLiteClients(t *testing.T) {
	bin := serverBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data := t.TempDir()
	const ttl = time.Second
	// How long past the TTL a change may take to show, on a busy machine.
	const slack = 2 * time.Second
	flags := []string{"--data-dir", data, "--rate-limits", "off", "--directory-cache-ttl", ttl.String()}

	var admin bootstrapOutput
	if err := json.Unmarshal(operator(t, ctx, bin, "bootstrap", "--org", "platform", "--data-dir", data), &admin); err != nil {
		t.Fatal(err)
	}
	srv := runServer(t, ctx, bin, flags...)
	for range 3 {
		if status := send(t, "GET", srv.base+"/readyz", "", nil).StatusCode; status != 200 {
			t.Fatalf("/readyz: %d", status)
		}
	}
	for _, db := range []string{"directory.db", "default.db"} {
		lookWithSQLite(t, filepath.Join(data, db))
	}

	token, status := signIn(t, srv.base, "platform", admin)
	if status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	const users = 40
	for i := range users {
		resp := sendJSON(t, "POST", srv.base+"/v1/platform/user/", token, map[string]any{
			"first_name": "User", "last_name": fmt.Sprint(i), "email": fmt.Sprintf("user%d@example.com", i), "role_name": "DefaultUserRole",
		})
		if resp.StatusCode != 201 {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("create user %d: %d %s", i, resp.StatusCode, body)
		}
	}

	var acme bootstrapOutput
	t.Run("operator changes reach the running server", func(t *testing.T) {
		if err := json.Unmarshal(operator(t, ctx, bin, "bootstrap", "--org", "acme", "--data-dir", data), &acme); err != nil {
			t.Fatal(err)
		}
		if !within(ttl+slack, func() bool { _, status := signIn(t, srv.base, "acme", acme); return status == 200 }) {
			t.Fatal("the running server never saw the organization bootstrapped beside it")
		}
		users := func() int { return send(t, "GET", srv.base+"/v1/platform/user/", token, nil).StatusCode }
		operator(t, ctx, bin, "maintenance", "on", "--data-dir", data)
		if !within(ttl+slack, func() bool { return users() == 503 }) {
			t.Fatal("the running server never saw maintenance on")
		}
		operator(t, ctx, bin, "maintenance", "off", "--data-dir", data)
		if !within(ttl+slack, func() bool { return users() == 200 }) {
			t.Fatal("the running server never saw maintenance off")
		}
	})

	srv.kill()
	srv = runServer(t, ctx, bin, flags...)
	token, status = signIn(t, srv.base, "platform", admin)
	if status != 200 {
		t.Fatalf("sign-in after the restart: %d", status)
	}
	var list struct {
		Users []struct {
			Email string `json:"email"`
		} `json:"users"`
	}
	resp := send(t, "GET", srv.base+"/v1/platform/user/?limit=100", token, nil)
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("get-users: %d %v", resp.StatusCode, err)
	}
	found := map[string]bool{}
	for _, u := range list.Users {
		found[u.Email] = true
	}
	var lost []string
	for i := range users {
		if email := fmt.Sprintf("user%d@example.com", i); !found[email] {
			lost = append(lost, email)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of the %d users created with 201 before the crash are gone: %v", len(lost), users, lost)
	}
	if _, status := signIn(t, srv.base, "acme", acme); status != 200 {
		t.Errorf("sign-in to the organization bootstrapped before the crash: %d", status)
	}
}

// lookWithSQLite opens the database at path as independent SQLite clients
// do, reads from it and closes it: a program of our own on modernc's
// SQLite (read-write, as a backup tool or a script would open it), and the
// sqlite3 shell in docs/limits.md's read-only form and in its plain one when
// the shell is installed. Each runs in this process or its own, never in
// the server's.
func lookWithSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil || n == 0 {
		t.Fatalf("%s: %d tables, %v", path, n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Logf("no sqlite3 shell: %s read only through modernc's SQLite", path)
		return
	}
	for _, args := range [][]string{{"-readonly", path}, {path}} {
		out, err := exec.Command("sqlite3", append(args, "SELECT count(*) FROM sqlite_schema")...).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) == 0 {
			t.Fatalf("sqlite3 %v: %v %s", args, err, out)
		}
	}
}

// sendJSON is send with a JSON body.
func sendJSON(t *testing.T, method, url, token string, body any) *http.Response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
