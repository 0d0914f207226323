package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

// The kinds of resource the change log names.
var changeResourceTypes = []string{"organization", "api_key", "user", "role", "agent", "service_hierarchical_state_machine", "service", "version_set"}

// changeFlags are the filters of "amigo get changes".
type changeFlags struct {
	resourceType, resourceID, actor, operation string
	since, until                               string
	limit                                      int
}

// add registers the filters on the get command.
func (f *changeFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.resourceType, "resource-type", "", "changes: only of this kind of resource (agent, service, version_set, ...)")
	fl.StringVar(&f.resourceID, "resource-id", "", "changes: only of this resource (a version set is SERVICE_ID/NAME)")
	fl.StringVar(&f.actor, "actor", "", "changes: only by this user id")
	fl.StringVar(&f.operation, "operation", "", "changes: only of this operation id (e.g. promote-service-version-set) or operator command")
	fl.StringVar(&f.since, "since", "", "changes: from this time on (RFC 3339, or a duration ago such as 24h)")
	fl.StringVar(&f.until, "until", "", "changes: up to this time (RFC 3339, or a duration ago)")
	fl.IntVar(&f.limit, "limit", 50, "changes: at most this many, newest first (0: all)")
	cmd.RegisterFlagCompletionFunc("resource-type", cobra.FixedCompletions(changeResourceTypes, cobra.ShellCompDirectiveNoFileComp))
}

// filter returns the flags as the SDK's filter, times relative to now.
func (f *changeFlags) filter(now time.Time) (client.ChangeFilter, error) {
	out := client.ChangeFilter{ResourceType: f.resourceType, ResourceID: f.resourceID, ActorUserID: f.actor, Operation: f.operation}
	var err error
	if out.Since, err = timeFlag("since", f.since, now); err != nil {
		return out, err
	}
	if out.Until, err = timeFlag("until", f.until, now); err != nil {
		return out, err
	}
	if f.limit < 0 {
		return out, fmt.Errorf("--limit %d: a number of changes, 0 for all", f.limit)
	}
	if f.limit > 0 {
		out.Limit = min(f.limit, 100)
	}
	return out, nil
}

// timeFlag reads an RFC 3339 time or a duration before now; empty is the
// zero time.
func timeFlag(name, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: an RFC 3339 time (2026-01-02T15:04:05Z) or a duration ago (24h)", name, v)
}

// listChanges prints the change log's records selected by the flags.
func (f *changeFlags) list(ctx context.Context, c *client.Client, w io.Writer, output string) error {
	filter, err := f.filter(time.Now())
	if err != nil {
		return err
	}
	changes := []client.Change{}
	for ch, err := range c.Changes(ctx, filter) {
		if err != nil {
			return err
		}
		changes = append(changes, ch)
		if len(changes) == f.limit {
			break
		}
	}
	t := table{header: []string{"TIME", "OPERATION", "RESOURCE", "BY", "SUMMARY"}}
	for _, ch := range changes {
		t.rows = append(t.rows, []string{ch.Time.Local().Format("2006-01-02 15:04:05"), ch.Operation, ch.ResourceType + "/" + ch.ResourceID, actorName(ch.Actor), ch.Summary})
	}
	return write(w, output, changes, t)
}
