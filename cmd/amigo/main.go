// Command amigo is the command-line client of amigo-server: it lists
// resources and the change log, applies manifests of agents, state machines
// and services kept in Git, exports an organization as manifests, compares
// versions, promotes and rolls back version sets, draws state machines and
// lints manifests offline.
//
// It talks to the server only through package client, the public SDK;
// offline checks reuse the server's own validation (package core) and
// graph drawing (package smgraph).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/amigo-oss/amigo-server/internal/usage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd := newRootCmd()
	err := usage.CheckCommand(cmd, os.Args[1:])
	if err == nil {
		err = cmd.ExecuteContext(ctx)
	}
	var exit exitCode
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case err != nil:
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// exitCode ends the command with a status other than 0 or 1 without
// printing an error (apply --detailed-exitcode's 2).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
