package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

func newApplyCmd(g *globals) *cobra.Command {
	var files []string
	var dryRun, detailed, prune bool
	cmd := &cobra.Command{
		Use:   "apply -f PATH...",
		Short: "Make the organization match manifests of agents, state machines and services",
		Long: `apply reads manifests (YAML or JSON, several documents per file, files or
directories searched recursively) and changes the organization to match them:
it creates what is missing, adds a new agent or state-machine version only when
the spec differs from the latest version, updates services and upserts their
version sets — state machines first (those referenced by others before them),
then agents, then services. Applying the same files twice changes nothing.

Without --prune nothing is ever deleted; with it, what the files no longer name
is deprecated (agents, state machines) or deactivated (services), and version
sets a Service no longer lists are deleted.

Exit status: 0 success; with --detailed-exitcode, 0 no changes, 2 changes
(applied, or pending with --dry-run), 1 error.`,
		Example: `  amigo apply -f examples/ --dry-run
  amigo apply -f support.yaml -f agents/
  amigo apply -f manifests/ --dry-run --detailed-exitcode   # in CI: exit 2 means drift`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(files) == 0 {
				return errors.New("apply needs -f PATH")
			}
			ms, err := loadManifests(files)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, w := cmd.Context(), cmd.OutOrStdout()
			p, err := newPlan(ctx, c, ms, prune, dryRun)
			if err != nil {
				return err
			}
			printUnchanged(w, p)
			if len(p.steps) == 0 {
				fmt.Fprintf(w, "no changes (%d resources up to date)\n", len(p.unchanged))
				return nil
			}
			for _, s := range p.steps {
				fmt.Fprintln(w, s)
				if dryRun {
					continue
				}
				if err := s.run(ctx); err != nil {
					return explain(s, err)
				}
			}
			if dryRun {
				fmt.Fprintf(w, "Plan: %d changes; dry run, nothing applied.\n", len(p.steps))
			} else {
				fmt.Fprintf(w, "Applied %d changes.\n", len(p.steps))
			}
			if detailed {
				return exitCode(2)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest file or directory (repeatable)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 when there is nothing to change, 2 when there is")
	cmd.Flags().BoolVar(&prune, "prune", false, "deprecate what the files no longer name")
	cmd.MarkFlagFilename("filename", "yaml", "yml", "json")
	return cmd
}

func printUnchanged(w io.Writer, p *plan) {
	for _, u := range p.unchanged {
		fmt.Fprintf(w, "= %s: no change\n", u)
	}
}

// explain places a server's refusal of a step in the manifest it came
// from: the file, the document and, for a 422, the fields.
func explain(s *step, err error) error {
	var apiErr *client.APIError
	if s.m == nil || !errors.As(err, &apiErr) {
		return fmt.Errorf("%s %s: %s: %w", s.kind, s.name, s.verb, err)
	}
	if len(apiErr.Items) == 0 {
		return fmt.Errorf("%s: %s refused (%d): %s", s.m.where(), s.verb, apiErr.StatusCode, apiErr.Detail)
	}
	fields := make([]fieldError, len(apiErr.Items))
	for i, it := range apiErr.Items {
		fields[i] = fieldError{locPath(it.Loc), it.Msg}
	}
	return &specErrors{s.m, fields}
}
