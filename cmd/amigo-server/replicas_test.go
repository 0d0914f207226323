package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/amigo-oss/amigo-server/internal/testsvc"
)

// TestReplicasShareRateLimits starts two server processes on one database
// and one Redis, and shows that a caller's limit holds across them.
func TestReplicasShareRateLimits(t *testing.T) {
	bin := serverBinary(t)
	redisURL := testsvc.Redis.Get(t)
	rdb := redisClient(t, redisURL)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	data := t.TempDir()
	var creds struct {
		UserID   string `json:"user_id"`
		APIKeyID string `json:"api_key_id"`
		APIKey   string `json:"api_key"`
	}
	var stdout bytes.Buffer
	root := newRootCommand(&stdout, io.Discard)
	root.SetArgs([]string{"bootstrap", "--org", "platform", "--data-dir", data, "--log-format", "json"})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(stdout.Bytes(), &creds); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLimiterKeys(t, rdb, creds.UserID) })

	a := startServer(t, ctx, bin, data, redisURL)
	b := startServer(t, ctx, bin, data, redisURL)

	signin := func(base string) *http.Response {
		return send(t, "POST", base+"/v1/platform/user/signin_with_api_key", "", map[string]string{
			"x-api-key": creds.APIKey, "x-api-key-id": creds.APIKeyID, "x-user-id": creds.UserID,
		})
	}
	first := signin(a)
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(first.Body).Decode(&tok); err != nil || first.StatusCode != 200 {
		t.Fatalf("sign-in: status %d, %v", first.StatusCode, err)
	}

	t.Run("sign-in: 5 per key and user across both", func(t *testing.T) {
		// Alternating replicas: on its own each would allow them all.
		for i, base := range []string{b, a, b, a} {
			expectRemaining(t, signin(base), 200, 3-i)
		}
		expectRemaining(t, signin(b), 429, 0)
	})
	t.Run("get-api-keys: 10 per user across both", func(t *testing.T) {
		// A token from one replica works on the other: they share the key.
		for i := range 10 {
			base := []string{a, b}[i%2]
			expectRemaining(t, send(t, "GET", base+"/v1/platform/organization/api_key/", tok.IDToken, nil), 200, 9-i)
		}
		expectRemaining(t, send(t, "GET", a+"/v1/platform/organization/api_key/", tok.IDToken, nil), 429, 0)
	})
}

// expectRemaining checks a response's status and X-RateLimit-Remaining.
func expectRemaining(t *testing.T, r *http.Response, status, remaining int) {
	t.Helper()
	if r.StatusCode != status || r.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(remaining) {
		t.Fatalf("status %d, X-RateLimit-Remaining %q; want %d, %d", r.StatusCode, r.Header.Get("X-RateLimit-Remaining"), status, remaining)
	}
	if status == 429 && r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// redisClient returns a client for url (which testsvc found answering).
func redisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// deleteLimiterKeys removes the limiter's keys of user from the shared
// Redis, leaving everyone else's alone.
func deleteLimiterKeys(t *testing.T, c *redis.Client, user string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, "amigo:rl:*"+user+"*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("deleting limiter keys: %v", err)
	}
}

// startServer runs the binary on a free loopback port and returns its base
// URL once it listens. The process is killed when the test ends.
func startServer(t *testing.T, ctx context.Context, bin, data, redisURL string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "serve", "--data-dir", data, "--listen", "127.0.0.1:0",
		"--redis-url", redisURL, "--rate-limits", "on", "--log-format", "json")
	cmd.Env = append(os.Environ(), "AMIGO_CONFIG=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start listening within 30s")
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return ""
}

// send makes a request with a bounded timeout. The body is kept readable.
func send(t *testing.T, method, url, token string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}
