package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeLogsAndShutsDownGracefully starts `amigo-server serve` in
// process, reads the address it logs, and cancels it while a request is in
// flight: the request still gets its answer before the command returns.
func TestServeLogsAndShutsDownGracefully(t *testing.T) {
	data := t.TempDir()
	var creds struct {
		UserID, APIKeyID, APIKey string
	}
	var out bytes.Buffer
	boot := newRootCommand(&out, io.Discard)
	boot.SetArgs([]string{"bootstrap", "--org", "acme", "--data-dir", data})
	if err := boot.Execute(); err != nil {
		t.Fatal(err)
	}
	var raw map[string]string
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	creds.UserID, creds.APIKeyID, creds.APIKey = raw["user_id"], raw["api_key_id"], raw["api_key"]

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, logw := io.Pipe()
	root := newRootCommand(io.Discard, logw)
	root.SetArgs([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--log-format", "json"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); logw.Close() }()

	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct {
				Msg, Addr string
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("the server never logged its address")
	}

	req, _ := http.NewRequest("POST", base+"/v1/acme/user/signin_with_api_key", nil)
	req.Header.Set("x-api-key", creds.APIKey)
	req.Header.Set("x-api-key-id", creds.APIKeyID)
	req.Header.Set("x-user-id", creds.UserID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	// A request whose body arrives in two halves, with shutdown in between.
	body, bodyw := io.Pipe()
	slow, _ := http.NewRequest("POST", base+"/v1/acme/organization/agent", body)
	slow.Header.Set("Authorization", "Bearer "+tok.IDToken)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(slow)
		if err != nil {
			answered <- -1
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	bodyw.Write([]byte(`{"agent_name": `))
	time.Sleep(200 * time.Millisecond) // let the server start reading the body
	cancel()
	time.Sleep(200 * time.Millisecond) // let shutdown begin
	bodyw.Write([]byte(`"Amy"}`))
	bodyw.Close()
	if status := <-answered; status != http.StatusCreated {
		t.Fatalf("in-flight request got %d, want 201", status)
	}
	if err := <-done; err != nil && !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("serve returned %v", err)
	}
}
