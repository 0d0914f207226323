package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestBootstrapEnvPrintsTheServedAddress: bootstrap --env run with the
// server's data directory prints the address that server listens on,
// whatever its --listen, and the credentials sign in there; without a
// server it says that it printed its own guess.
func TestBootstrapEnvPrintsTheServedAddress(t *testing.T) {
	clearConfigEnv(t)
	data := t.TempDir()
	addr, _ := serveLog(t, 1, "--data-dir", data)[0]["addr"].(string) // --listen 127.0.0.1:0: a port of its own
	out, stderr, code := command(t, "bootstrap", "--org", "acme", "--env", "--data-dir", data)
	if code != 0 {
		t.Fatalf("bootstrap: exit %d: %s", code, stderr)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	if want := "http://" + addr; env["AMIGO_BASE_URL"] != want {
		t.Fatalf("AMIGO_BASE_URL=%s, want the server's %s", env["AMIGO_BASE_URL"], want)
	}
	req, _ := http.NewRequest("POST", env["AMIGO_BASE_URL"]+"/v1/acme/user/signin_with_api_key", nil)
	req.Header.Set("x-api-key", env["AMIGO_API_KEY"])
	req.Header.Set("x-api-key-id", env["AMIGO_API_KEY_ID"])
	req.Header.Set("x-user-id", env["AMIGO_USER_ID"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("sign-in at the printed address: %d", resp.StatusCode)
	}

	// No server has used this data directory: the address is a guess,
	// and the command says so.
	other := t.TempDir()
	out, stderr, code = command(t, "bootstrap", "--org", "acme", "--env", "--data-dir", other, "--listen", "127.0.0.1:9090")
	if code != 0 || !strings.Contains(out, "AMIGO_BASE_URL=http://127.0.0.1:9090\n") ||
		!strings.Contains(stderr, "no server has served from "+other+" yet, so AMIGO_BASE_URL is this command's own address") {
		t.Errorf("bootstrap without a server: exit %d\n%s%s", code, out, stderr)
	}
}
