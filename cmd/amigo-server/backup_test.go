package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
	"github.com/amigo-oss/amigo-server/server"
)

// TestBackupWhileServingAndRestore backs up a live server while clients
// write to it, restores the backup into a new data directory and starts a
// server there: everything written before the backup began is in it. The
// live server loses nothing either: the backup is one more SQLite client
// beside it, and writes made after it survive a SIGKILL.
func TestBackupWhileServingAndRestore(t *testing.T) {
	bin := serverBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data := t.TempDir()
	flags := []string{"--data-dir", data, "--rate-limits", "off"}
	var admin bootstrapOutput
	if err := json.Unmarshal(operator(t, ctx, bin, "bootstrap", "--org", "platform", "--data-dir", data), &admin); err != nil {
		t.Fatal(err)
	}
	srv := runServer(t, ctx, bin, flags...)
	token, status := signIn(t, srv.base, "platform", admin)
	if status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	createUser := func(email string) (int, error) {
		b, _ := json.Marshal(map[string]any{"first_name": "U", "last_name": "V", "email": email, "role_name": "DefaultUserRole"})
		req, _ := http.NewRequest("POST", srv.base+"/v1/platform/user/", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	var before []string
	for i := range 20 {
		email := fmt.Sprintf("before%d@example.com", i)
		if status, err := createUser(email); status != 201 {
			t.Fatalf("create %s: %d %v", email, status, err)
		}
		before = append(before, email)
	}

	// A client keeps writing while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var during []string
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			email := fmt.Sprintf("during%d@example.com", i)
			if status, err := createUser(email); status != 201 {
				writeErr = fmt.Errorf("create %s: %d %v", email, status, err)
				return
			}
			during = append(during, email)
		}
	}()
	backup := filepath.Join(t.TempDir(), "backup")
	out := string(operator(t, ctx, bin, "backup", "--to", backup, "--data-dir", data))
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writing during the backup: %v", writeErr)
	}
	if !strings.Contains(out, "directory: directory.db (") || !strings.Contains(out, "cluster default: default.db (") {
		t.Fatalf("backup said %q", out)
	}
	t.Logf("%d users written while the backup ran", len(during))
	var m server.BackupManifest
	readJSON(t, filepath.Join(backup, server.BackupManifestFile), &m)
	if len(m.Databases) != 2 || m.Databases[0].File != "directory.db" || m.Databases[1].File != "default.db" || m.Databases[1].Cluster != "default" {
		t.Fatalf("manifest %+v", m)
	}
	entries, _ := os.ReadDir(filepath.Dir(backup))
	if len(entries) != 1 {
		t.Fatalf("beside the backup: %v, want nothing half-written", entries)
	}
	if _, stderr, code := command(t, "backup", "--to", backup, "--data-dir", data); code == 0 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("a second backup to the same path: exit %d, %q", code, stderr)
	}

	t.Run("the live server keeps every write", func(t *testing.T) {
		var after []string
		for i := range 10 {
			email := fmt.Sprintf("after%d@example.com", i)
			if status, err := createUser(email); status != 201 {
				t.Fatalf("create %s: %d %v", email, status, err)
			}
			after = append(after, email)
		}
		srv.kill()
		again := runServer(t, ctx, bin, flags...)
		want := append(append(append([]string{}, before...), during...), after...)
		expectUsers(t, again.base, admin, want)
	})

	t.Run("restored into a new data directory", func(t *testing.T) {
		restored := t.TempDir()
		for _, f := range []string{"directory.db", "default.db"} {
			b, err := os.ReadFile(filepath.Join(backup, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(restored, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		srv := runServer(t, ctx, bin, "--data-dir", restored, "--rate-limits", "off")
		expectUsers(t, srv.base, admin, before)
	})
}

// TestBackupNamesPostgreSQLDatabases: backup copies the SQLite databases
// and says, in its output and its manifest, that those on PostgreSQL are
// not in the backup; with nothing on SQLite it fails.
func TestBackupNamesPostgreSQLDatabases(t *testing.T) {
	clearConfigEnv(t)
	pg := testenv.RequirePostgres(t)
	data := t.TempDir()
	directory := "sqlite://" + filepath.Join(data, "directory.db")
	cluster := pg.NewURL(t, "backup_cluster")
	db := []string{"--data-dir", data, "--directory-url", directory, "--cluster", "main=" + cluster}
	if _, stderr, code := command(t, append([]string{"bootstrap", "--org", "acme"}, db...)...); code != 0 {
		t.Fatal(stderr)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	stdout, stderr, code := command(t, append([]string{"backup", "--to", backup}, db...)...)
	if code != 0 || !strings.Contains(stdout, "directory: directory.db") ||
		!strings.Contains(stderr, "cluster main is NOT in this backup: on PostgreSQL: back it up with pg_dump") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var m server.BackupManifest
	readJSON(t, filepath.Join(backup, server.BackupManifestFile), &m)
	if len(m.Databases) != 2 || m.Databases[1].File != "" || !strings.Contains(m.Databases[1].NotBackedUp, "pg_dump") {
		t.Fatalf("manifest %+v", m)
	}

	all := []string{"--data-dir", data, "--directory-url", pg.NewURL(t, "backup_directory"), "--cluster", "main=" + cluster}
	nothing := filepath.Join(t.TempDir(), "nothing")
	if _, stderr, code := command(t, append([]string{"backup", "--to", nothing}, all...)...); code == 0 || !strings.Contains(stderr, "nothing to back up") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(nothing)); len(entries) != 0 {
		t.Fatalf("a failed backup left %v", entries)
	}
}

// expectUsers signs in on base and checks that every email is a user of
// the platform organization.
func expectUsers(t *testing.T, base string, admin bootstrapOutput, emails []string) {
	t.Helper()
	token, status := signIn(t, base, "platform", admin)
	if status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	found := map[string]bool{}
	for cont := 0; ; {
		var page struct {
			Users []struct {
				Email string `json:"email"`
			} `json:"users"`
			HasMore           bool `json:"has_more"`
			ContinuationToken *int `json:"continuation_token"`
		}
		resp := send(t, "GET", fmt.Sprintf("%s/v1/platform/user/?limit=100&continuation_token=%d", base, cont), token, nil)
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("get-users: %d %v", resp.StatusCode, err)
		}
		for _, u := range page.Users {
			found[u.Email] = true
		}
		if !page.HasMore || page.ContinuationToken == nil {
			break
		}
		cont = *page.ContinuationToken
	}
	var missing []string
	for _, e := range emails {
		if !found[e] {
			missing = append(missing, e)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d users missing: %v", len(missing), len(emails), missing)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
