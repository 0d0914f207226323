package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestServeMetricsListen starts `amigo-server serve --metrics-listen`:
// /metrics answers on its own address and not on the API's.
func TestServeMetricsListen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	logs, logw := io.Pipe()
	root := newRootCommand(io.Discard, logw)
	root.SetArgs([]string{"serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); logw.Close() }()
	t.Cleanup(func() { cancel(); <-done })

	addrs := make(chan map[string]string, 1)
	go func() {
		found := map[string]string{}
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && (line.Msg == "listening" || line.Msg == "serving metrics") {
				found[line.Msg] = line.Addr
				if len(found) == 2 {
					addrs <- found
				}
			}
		}
	}()
	var found map[string]string
	select {
	case found = <-addrs:
	case <-time.After(20 * time.Second):
		t.Fatal("the server never logged both addresses")
	}
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("http://" + found["serving metrics"] + "/metrics"); got != 200 {
		t.Errorf("metrics address: /metrics status %d, want 200", got)
	}
	if got := status("http://" + found["listening"] + "/metrics"); got != 404 {
		t.Errorf("API address: /metrics status %d, want 404", got)
	}
}
