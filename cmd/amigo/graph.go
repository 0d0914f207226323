package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

var graphFormats = []string{client.GraphMermaid, client.GraphDOT, client.GraphSVG, client.GraphJSON}

func newGraphCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "graph STATE_MACHINE[@VERSION]",
		Short: "Draw a state machine: states by type, exit conditions as labelled edges",
		Long: `graph asks the server to draw a version of a state machine (the latest unless
@VERSION is given): states as nodes shaped by type, exit conditions as labelled
edges, entry states and the terminal state marked, transitions into referenced
machines dashed. Formats: mermaid, dot (Graphviz), svg (laid out by the server,
one <g data-state="NAME"> per state) and json (nodes, edges and lint findings).`,
		Example: `  amigo graph support-flow
  amigo graph support-flow@3 -o svg > support-flow.svg
  amigo graph support-flow -o dot | dot -Tpng > support-flow.png
  amigo graph support-flow -o json | jq .lint`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, version, _ := strings.Cut(args[0], "@")
			if version == "" {
				version = client.LatestVersion
			}
			version, err := versionArg(version)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			r, err := loadRemote(ctx, c)
			if err != nil {
				return err
			}
			m := r.machine(name)
			if m == nil {
				return fmt.Errorf("no state machine named %q", name)
			}
			out, err := c.StateMachineGraph(ctx, m.ID, version, output)
			if err != nil {
				return err
			}
			if output == client.GraphJSON {
				var g client.Graph
				if err := json.Unmarshal(out, &g); err != nil {
					return err
				}
				for _, f := range g.Lint {
					fmt.Fprintf(cmd.ErrOrStderr(), "lint: %s: %s\n", f.Code, f.Message)
				}
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", client.GraphMermaid, "format: mermaid, dot, svg or json")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(graphFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
