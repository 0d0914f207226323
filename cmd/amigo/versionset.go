package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

func newPromoteCmd(g *globals) *cobra.Command {
	s := &setWrite{g: g}
	var from, to string
	cmd := &cobra.Command{
		Use:   "promote SERVICE --from SET --to SET",
		Short: "Copy one version set of a service into another, as a new revision",
		Long: `promote copies version set --from of a service (named by name) into version set
--to in one transaction, as the target's next revision, and prints that revision
and what changed in the target. Promoting from edge pins the versions edge
resolves to now. With --if-revision the server refuses (412) unless the target
is still at that revision, so two pipelines cannot overwrite each other.`,
		Example: `  amigo promote support --from canary --to release
  amigo promote support --from edge --to canary
  amigo promote support --from canary --to release --if-revision 4 -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: g.completeService(),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, args[0], to, "promoted "+from+" to "+to,
				func(ctx context.Context, c *client.Client, serviceID string, ifMatch *int) (int, error) {
					return c.PromoteVersionSet(ctx, serviceID, to, from, ifMatch)
				})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the version set copied (required)")
	cmd.Flags().StringVar(&to, "to", "", "the version set written (required; not edge)")
	s.flags(cmd, "to")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("to")
	cmd.RegisterFlagCompletionFunc("from", g.completeVersionSet())
	return cmd
}

func newRollbackCmd(g *globals) *cobra.Command {
	s := &setWrite{g: g}
	var set string
	var toRevision int
	var list bool
	cmd := &cobra.Command{
		Use:   "rollback SERVICE --set SET --to-revision N",
		Short: "Restore an earlier revision of a version set, as a new revision",
		Long: `rollback restores the content of revision N of a service's version set as the
set's next revision (history is never rewritten) and prints that revision and
what changed. --list prints the set's revisions, newest first, and changes
nothing. With --if-revision the server refuses (412) unless the set is still at
that revision.`,
		Example: `  amigo rollback support --set release --list
  amigo rollback support --set release --to-revision 3
  amigo rollback support --set release --to-revision 3 --if-revision 5`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: g.completeService(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return s.list(cmd, args[0], set)
			}
			if toRevision < 1 {
				return errors.New("rollback needs --to-revision N (see the revisions with --list)")
			}
			return s.run(cmd, args[0], set, fmt.Sprintf("rolled %s back to revision %d", set, toRevision),
				func(ctx context.Context, c *client.Client, serviceID string, ifMatch *int) (int, error) {
					return c.RollbackVersionSet(ctx, serviceID, set, toRevision, ifMatch)
				})
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "the version set (required; not edge)")
	cmd.Flags().IntVar(&toRevision, "to-revision", 0, "the revision whose content is restored")
	cmd.Flags().BoolVar(&list, "list", false, "list the set's revisions instead")
	s.flags(cmd, "set")
	cmd.MarkFlagRequired("set")
	return cmd
}

// setWrite is what promote and rollback share: a write of one version set
// of a service that makes a new revision.
type setWrite struct {
	g       *globals
	ifMatch int // the revision the set must be at; 0 for any
	output  string
}

// flags adds the shared flags; target is the flag naming the set written.
func (s *setWrite) flags(cmd *cobra.Command, target string) {
	cmd.Flags().IntVar(&s.ifMatch, "if-revision", 0, "refuse (HTTP 412) unless the set written is at this revision (If-Match)")
	cmd.Flags().StringVarP(&s.output, "output", "o", "text", "output format: text, json or yaml")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(reportFormats, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc(target, s.g.completeVersionSet())
}

// run finds the service by name, makes the write to its set name and
// reports the revision it made and what changed in the set: as text, or
// the new revision as JSON or YAML.
func (s *setWrite) run(cmd *cobra.Command, serviceName, name, done string,
	do func(ctx context.Context, c *client.Client, serviceID string, ifMatch *int) (int, error)) error {
	if err := checkFormat(s.output, reportFormats); err != nil {
		return err
	}
	c, err := s.g.client()
	if err != nil {
		return err
	}
	ctx, w := cmd.Context(), cmd.OutOrStdout()
	svc, err := findService(ctx, c, serviceName)
	if err != nil {
		return err
	}
	var match *int
	if s.ifMatch != 0 {
		match = &s.ifMatch
	}
	rev, err := do(ctx, c, svc.ID, match)
	if err != nil {
		return err
	}
	page, err := c.ListVersionSetRevisions(ctx, svc.ID, name, client.RevisionListOptions{Limit: 1}, 0)
	if err != nil {
		return err
	}
	if len(page.Revisions) == 0 {
		return fmt.Errorf("version set %s has no revisions after the write", name)
	}
	latest := page.Revisions[0]
	if s.output != "text" {
		return write(w, s.output, latest, table{})
	}
	if rev == 0 {
		rev = latest.Revision
	}
	fmt.Fprintf(w, "%s: %s: now revision %d\n", serviceName, done, rev)
	var was *client.VersionSet
	if vs, ok := svc.VersionSets[name]; ok {
		was = &vs
	}
	lines := setChanges(was, latest.VersionSet)
	if len(lines) == 0 {
		lines = []string{"content unchanged"}
	}
	for _, l := range lines {
		fmt.Fprintf(w, "  %s: %s\n", name, l)
	}
	return nil
}

// list prints every revision of a service's version set, newest first.
func (s *setWrite) list(cmd *cobra.Command, serviceName, name string) error {
	c, err := s.g.client()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	svc, err := findService(ctx, c, serviceName)
	if err != nil {
		return err
	}
	revs, err := client.Collect(c.VersionSetRevisions(ctx, svc.ID, name, client.RevisionListOptions{Limit: 50}))
	if err != nil {
		return err
	}
	t := table{header: []string{"REVISION", "TIME", "OPERATION", "AGENT VERSION", "STATE MACHINE VERSION", "BY"}}
	for _, r := range revs {
		agent, machine := "-", "-"
		if r.VersionSet != nil {
			agent, machine = pinned(r.VersionSet.AgentVersion), pinned(r.VersionSet.StateMachineVersion)
		}
		t.rows = append(t.rows, []string{fmt.Sprint(r.Revision), r.Time.Format("2006-01-02 15:04:05"), r.Operation, agent, machine, actorName(r.Actor)})
	}
	format := s.output
	if format == "text" {
		format = "table"
	}
	return write(cmd.OutOrStdout(), format, revs, t)
}

// findService returns the service named name, an active one first.
func findService(ctx context.Context, c *client.Client, name string) (*client.Service, error) {
	services, err := client.Collect(c.Services(ctx, client.ServiceListOptions{}))
	if err != nil {
		return nil, err
	}
	r := remote{services: services}
	if s := r.service(name); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("no service named %q", name)
}

// setChanges describes how a version set's content went from before (nil:
// it did not exist) to after (nil: deleted), a line per field.
func setChanges(before, after *client.VersionSet) []string {
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		return []string{"created: agent version " + pinned(after.AgentVersion) + ", state machine version " + pinned(after.StateMachineVersion)}
	case after == nil:
		return []string{"deleted"}
	}
	var out []string
	pin := func(what string, a, b *int) {
		if pinned(a) != pinned(b) {
			out = append(out, fmt.Sprintf("%s version %s → %s", what, pinned(a), pinned(b)))
		}
	}
	pin("agent", before.AgentVersion, after.AgentVersion)
	pin("state machine", before.StateMachineVersion, after.StateMachineVersion)
	var prefs []string
	for name := range maps.Keys(before.LLMModelPreferences) {
		if _, ok := after.LLMModelPreferences[name]; !ok {
			prefs = append(prefs, name)
		}
	}
	for name, p := range after.LLMModelPreferences {
		if q, ok := before.LLMModelPreferences[name]; !ok || !sameJSON(p, q) {
			prefs = append(prefs, name)
		}
	}
	if len(prefs) > 0 {
		slices.Sort(prefs)
		out = append(out, "LLM preferences changed: "+strings.Join(prefs, ", "))
	}
	return out
}

// pinned prints a pinned version; nil is the latest.
func pinned(v *int) string {
	if v == nil {
		return "latest"
	}
	return fmt.Sprint(*v)
}

// actorName prints who made a change.
func actorName(a client.Actor) string {
	if a.Operator {
		return "operator"
	}
	return a.UserID
}

// checkFormat refuses an output format not in formats.
func checkFormat(format string, formats []string) error {
	if !slices.Contains(formats, format) {
		return fmt.Errorf("unknown output format %q: use %s", format, strings.Join(formats, ", "))
	}
	return nil
}
