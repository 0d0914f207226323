package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

// Output formats of the commands that report one change: a readable text,
// or the server's answer as JSON or YAML.
var reportFormats = []string{"text", "json", "yaml"}

func newDiffCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "diff agent|state-machine NAME FROM TO",
		Short: "Compare two versions of an agent or a state machine",
		Long: `diff asks the server to compare two versions of an agent or a state machine,
named by name; FROM and TO are version numbers or latest (FROM above TO gives
the reverse). It prints one line per top-level field that differs, for state
machines the states and transitions added, removed and changed, then the JSON
Patch that turns version FROM into version TO. -o json or yaml prints the
server's answer as it is.`,
		Example: `  amigo diff agent amy 1 latest
  amigo diff state-machine support-flow 2 3
  amigo diff sm support-flow 1 latest -o json | jq .states_added`,
		Args:              cobra.ExactArgs(4),
		ValidArgsFunction: g.completeDiff,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, name := args[0], args[1]
			from, err := versionArg(args[2])
			if err != nil {
				return err
			}
			to, err := versionArg(args[3])
			if err != nil {
				return err
			}
			if err := checkFormat(output, reportFormats); err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, w := cmd.Context(), cmd.OutOrStdout()
			r, err := loadRemote(ctx, c)
			if err != nil {
				return err
			}
			answer, text, err := fetchDiff(ctx, c, r, kind, name, from, to)
			if err != nil {
				return err
			}
			if output != "text" {
				return write(w, output, answer, table{})
			}
			text(w)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or yaml")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(reportFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// fetchDiff asks the server for the diff of a named agent or state
// machine and returns its answer and how to print it as text.
func fetchDiff(ctx context.Context, c *client.Client, r *remote, kind, name, from, to string) (any, func(io.Writer), error) {
	switch resource(kind) {
	case "agents":
		a := r.agent(name)
		if a == nil {
			return nil, nil, fmt.Errorf("no agent named %q", name)
		}
		d, err := c.AgentVersionDiff(ctx, a.ID, from, to)
		if err != nil {
			return nil, nil, err
		}
		ops, err := d.Patch.Operations()
		return d, func(w io.Writer) {
			printVersionDiff(w, "Agent "+name, d, ops)
			printPatch(w, ops)
		}, err
	case "state-machines":
		m := r.machine(name)
		if m == nil {
			return nil, nil, fmt.Errorf("no state machine named %q", name)
		}
		d, err := c.StateMachineVersionDiff(ctx, m.ID, from, to)
		if err != nil {
			return nil, nil, err
		}
		ops, err := d.Patch.Operations()
		return d, func(w io.Writer) {
			printVersionDiff(w, "StateMachine "+name, &d.VersionDiff, ops)
			printMachineDiff(w, d)
			printPatch(w, ops)
		}, err
	}
	return nil, nil, fmt.Errorf("unknown kind %q: use agent or state-machine", kind)
}

// versionArg checks a version argument: a positive number or latest.
func versionArg(s string) (string, error) {
	if s == client.LatestVersion {
		return s, nil
	}
	if n, err := strconv.Atoi(s); err != nil || n < 1 || strconv.Itoa(n) != s {
		return "", fmt.Errorf("version %q: a positive number or latest", s)
	}
	return s, nil
}

// printVersionDiff prints the versions compared and the summary; ops are
// the operations of d's patch.
func printVersionDiff(w io.Writer, what string, d *client.VersionDiff, ops []client.PatchOperation) {
	fmt.Fprintf(w, "%s: version %d → %d\n", what, d.From, d.To)
	if len(ops) == 0 {
		fmt.Fprintln(w, "  no differences")
	}
	for _, s := range d.Summary {
		fmt.Fprintf(w, "  %s\n", s)
	}
}

// printMachineDiff prints a state-machine diff's graph comparison, the
// lists that are not empty.
func printMachineDiff(w io.Writer, d *client.StateMachineDiff) {
	list := func(title string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(w, "%s: %s\n", title, strings.Join(items, ", "))
		}
	}
	transitions := func(ts []client.Transition) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.From + " → " + t.To
			if t.Description != "" {
				out[i] += fmt.Sprintf(" (%q)", t.Description)
			}
		}
		return out
	}
	changed := make([]string, 0, len(d.StatesChanged))
	for state, fields := range d.StatesChanged {
		changed = append(changed, state+" ("+strings.Join(fields, ", ")+")")
	}
	slices.Sort(changed)
	list("states added", d.StatesAdded)
	list("states removed", d.StatesRemoved)
	list("states changed", changed)
	list("transitions added", transitions(d.TransitionsAdded))
	list("transitions removed", transitions(d.TransitionsRemoved))
	list("references changed", d.ReferencesChanged)
}

// printPatch prints a JSON Patch one operation a line: op, path, then the
// value (or the source of a move or copy).
func printPatch(w io.Writer, patch []client.PatchOperation) {
	if len(patch) == 0 {
		return
	}
	fmt.Fprintln(w, "patch:")
	for _, op := range patch {
		line := "  " + op.Op + " " + op.Path
		if op.Path == "" {
			line += `""`
		}
		switch {
		case op.From != "":
			line += " from " + op.From
		case op.Value != nil:
			line += " " + string(op.Value)
		}
		fmt.Fprintln(w, line)
	}
}
