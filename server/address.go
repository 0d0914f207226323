package server

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// A serving process records the base URL clients reach it at in its data
// directory, so that operator commands run with the same data directory
// (bootstrap --env) print the address of the server that is running, not
// their own defaults: a server started with --listen 127.0.0.1:9090 and a
// bootstrap run without it would otherwise disagree, and signing in at the
// wrong address fails with a confusing 401 (or reaches another server).

// addressFile is the record's name in the data directory.
const addressFile = "server-address.json"

// servedAddress is the record.
type servedAddress struct {
	BaseURL string `json:"base_url"`
	Listen  string `json:"listen"`
}

// recordAddress writes the base URL the server serves at, listening on
// addr: the configured base URL, or, when it was derived from --listen, the
// one of the address actually bound (a port 0 becomes the real port). A
// failure is logged: the server serves all the same.
func (rt *Runtime) recordAddress(addr net.Addr) {
	cfg := rt.Config
	baseURL := cfg.BaseURL
	if baseURL == derivedBaseURL(cfg.Listen) {
		baseURL = derivedBaseURL(addr.String())
	}
	data, _ := json.Marshal(servedAddress{BaseURL: baseURL, Listen: addr.String()})
	path := filepath.Join(cfg.DataDir, addressFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		rt.Logger.Warn("cannot record the served address for operator commands", "err", err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		rt.Logger.Warn("cannot record the served address for operator commands", "err", err)
	}
}

// derivedBaseURL is the base URL of a server listening on listen and given
// none: ":8080" and "0.0.0.0:8080" listen on every interface, which clients
// reach on localhost.
func derivedBaseURL(listen string) string {
	if host, port, err := net.SplitHostPort(listen); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		return "http://" + net.JoinHostPort("localhost", port)
	}
	return strings.TrimRight("http://"+listen, "/")
}

// ServedBaseURL returns the base URL the last server to serve from dataDir
// recorded, and false when none has.
func ServedBaseURL(dataDir string) (string, bool) {
	data, err := os.ReadFile(filepath.Join(dataDir, addressFile))
	if err != nil {
		return "", false
	}
	var a servedAddress
	if json.Unmarshal(data, &a) != nil || a.BaseURL == "" {
		return "", false
	}
	return a.BaseURL, true
}
