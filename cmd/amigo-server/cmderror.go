package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/usage"
)

// execute runs the command line and returns the exit code. An error is
// printed as one line a person can act on: a domain error by its message
// (never its code), and a usage error followed by where help is.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	var started bool
	// Everything before this hook is usage: flags, arguments and (checked
	// here, since cobra checks them only after the hook) required flags.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return err
		}
		started = true
		return nil
	}
	cmd, err := root, usage.CheckCommand(root, args)
	if err == nil {
		cmd, err = root.ExecuteContextC(ctx)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "amigo-server:", readable(err))
	if !started {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return 1
}

// readable shows a domain error by its message and, for a validation
// error, each violation, as a person reads them.
func readable(err error) string {
	var e *amigo.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	for _, f := range e.Fields {
		loc := make([]string, 0, len(f.Loc))
		for _, p := range f.Loc {
			loc = append(loc, fmt.Sprint(p))
		}
		msg += "; " + strings.Join(loc, ".") + ": " + f.Msg
	}
	return strings.Replace(err.Error(), e.Error(), msg, 1)
}
