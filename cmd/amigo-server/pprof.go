//go:build pprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // profiles for performance work only: go build -tags pprof
	"os"
)

// A binary built with -tags pprof serves Go's profiles on
// AMIGO_PPROF_LISTEN (default 127.0.0.1:6060), for the Performance
// section's profiling steps; release builds carry none of it.
func init() {
	addr := os.Getenv("AMIGO_PPROF_LISTEN")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go func() { log.Println(http.ListenAndServe(addr, nil)) }()
}
