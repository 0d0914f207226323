package main

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

// Shell completion of names that live on the server. Completion asks the
// server with the same configuration as the command; when it cannot (no
// key in the environment, no server), it offers nothing rather than files.

// completeFrom returns a completion function offering what names returns
// for the arguments typed so far.
func (g *globals) completeFrom(names func(ctx context.Context, c *client.Client, args []string) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		c, err := g.client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range names(cmd.Context(), c, args) {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// serviceNames lists the names of the organization's services.
func serviceNames(ctx context.Context, c *client.Client) []string {
	var out []string
	for s, err := range c.Services(ctx, client.ServiceListOptions{}) {
		if err != nil {
			break
		}
		out = append(out, s.Name)
	}
	return out
}

// completeService completes the SERVICE argument.
func (g *globals) completeService() cobra.CompletionFunc {
	return g.completeFrom(func(ctx context.Context, c *client.Client, args []string) []string {
		if len(args) > 0 {
			return nil
		}
		return serviceNames(ctx, c)
	})
}

// completeVersionSet completes a flag naming a version set of the service
// given as the first argument.
func (g *globals) completeVersionSet() cobra.CompletionFunc {
	return g.completeFrom(func(ctx context.Context, c *client.Client, args []string) []string {
		if len(args) == 0 {
			return nil
		}
		for s, err := range c.Services(ctx, client.ServiceListOptions{}) {
			if err != nil || s.Name == args[0] {
				return sortedKeys(s.VersionSets)
			}
		}
		return nil
	})
}

// completeDiff completes diff's arguments: the kind, a name of that kind,
// then its version numbers and latest.
func (g *globals) completeDiff(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return []string{"agent", "state-machine"}, cobra.ShellCompDirectiveNoFileComp
	}
	return g.completeFrom(func(ctx context.Context, c *client.Client, args []string) []string {
		type named struct {
			name   string
			latest *int
		}
		var all []named
		live := client.ListOptions{Deprecated: new(bool)}
		if resource(args[0]) == "agents" {
			agents, _ := client.Collect(c.Agents(ctx, live))
			for _, a := range agents {
				all = append(all, named{a.Name, a.LatestVersion})
			}
		} else {
			machines, _ := client.Collect(c.StateMachines(ctx, live))
			for _, m := range machines {
				all = append(all, named{m.Name, m.LatestVersion})
			}
		}
		var out []string
		for _, n := range all {
			switch {
			case len(args) == 1:
				out = append(out, n.name)
			case len(args) < 4 && n.name == args[1] && n.latest != nil:
				for v := 1; v <= *n.latest; v++ {
					out = append(out, strconv.Itoa(v))
				}
				return append(out, client.LatestVersion)
			}
		}
		return out
	})(cmd, args, toComplete)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
