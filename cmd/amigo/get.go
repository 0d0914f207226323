package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

// getResources are what "amigo get" lists, with their aliases.
var getResources = map[string][]string{
	"orgs": {"org", "organization", "organizations"}, "agents": {"agent"}, "state-machines": {"state-machine", "sm"},
	"services": {"service", "svc"}, "users": {"user"}, "api-keys": {"api-key", "keys"}, "changes": {"change", "change-log"},
}

func newGetCmd(g *globals) *cobra.Command {
	var output string
	var deprecated bool
	var changes changeFlags
	cmd := &cobra.Command{
		Use:   "get orgs|agents|state-machines|services|users|api-keys|changes",
		Short: "List resources of the organization, or its change log",
		Long: `List the organization, its agents, state machines, services, users or API keys,
or the records of its change log (newest first; the --resource-type,
--resource-id, --actor, --operation, --since, --until and --limit filters), as
a table, JSON or YAML. Reading the change log needs Organization:GetChangeLog.`,
		Example: `  amigo get agents
  amigo get state-machines -o json
  amigo get services -o yaml
  amigo get agents --deprecated
  amigo get changes --resource-type version_set --since 24h
  amigo get changes --operation promote-service-version-set -o json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"orgs", "agents", "state-machines", "services", "users", "api-keys", "changes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx, w := cmd.Context(), cmd.OutOrStdout()
			live := &deprecated
			switch resource(args[0]) {
			case "orgs":
				org, err := c.GetOrganization(ctx)
				if err != nil {
					return err
				}
				return write(w, output, []*client.Organization{org}, table{[]string{"ID", "NAME"}, [][]string{{org.OrgID, org.OrgName}}})
			case "agents":
				agents, err := client.Collect(c.Agents(ctx, client.ListOptions{Deprecated: live}))
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "NAME", "LATEST VERSION", "DEPRECATED"}}
				for _, a := range agents {
					t.rows = append(t.rows, []string{a.ID, a.Name, orNone(a.LatestVersion), fmt.Sprint(a.Deprecated)})
				}
				return write(w, output, agents, t)
			case "state-machines":
				machines, err := client.Collect(c.StateMachines(ctx, client.ListOptions{Deprecated: live}))
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "NAME", "LATEST VERSION", "DEPRECATED"}}
				for _, m := range machines {
					t.rows = append(t.rows, []string{m.ID, m.Name, orNone(m.LatestVersion), fmt.Sprint(m.Deprecated)})
				}
				return write(w, output, machines, t)
			case "services":
				services, err := client.Collect(c.Services(ctx, client.ServiceListOptions{}))
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "NAME", "ACTIVE", "VERSION SETS"}}
				for _, s := range services {
					t.rows = append(t.rows, []string{s.ID, s.Name, fmt.Sprint(s.IsActive), strings.Join(sortedKeys(s.VersionSets), ",")})
				}
				return write(w, output, services, t)
			case "users":
				users, err := client.Collect(c.Users(ctx, client.UserListOptions{}))
				if err != nil {
					return err
				}
				t := table{header: []string{"ID", "EMAIL", "NAME", "ROLE"}}
				for _, u := range users {
					t.rows = append(t.rows, []string{u.UserID, u.Email, u.FirstName + " " + u.LastName, u.Role})
				}
				return write(w, output, users, t)
			case "api-keys":
				keys, err := c.ListAPIKeys(ctx)
				if err != nil {
					return err
				}
				t := table{header: []string{"KEY ID", "NAME", "ROLE", "EXPIRES"}}
				for _, k := range keys {
					name := ""
					if k.Name != nil {
						name = *k.Name
					}
					t.rows = append(t.rows, []string{k.KeyID, name, k.RoleID, k.ExpiresAt.Format("2006-01-02 15:04")})
				}
				return write(w, output, keys, t)
			case "changes":
				return changes.list(ctx, c, w, output)
			}
			return fmt.Errorf("unknown resource %q: use orgs, agents, state-machines, services, users, api-keys or changes", args[0])
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	cmd.Flags().BoolVar(&deprecated, "deprecated", false, "list deprecated agents or state machines instead of live ones")
	changes.add(cmd)
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(outputFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// resource returns the canonical name of a resource or alias.
func resource(arg string) string {
	for name, aliases := range getResources {
		if arg == name || slices.Contains(aliases, arg) {
			return name
		}
	}
	return arg
}

func newWhoamiCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "whoami",
		Short:   "Sign in and show who the API key signs in as",
		Example: "  amigo whoami",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			token, err := c.SignIn(ctx)
			if err != nil {
				return err
			}
			users, _, err := c.ListUsers(ctx, client.UserListOptions{UserIDs: []string{c.UserID()}}, 0)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "organization: %s\nuser:         %s\n", c.OrganizationID(), c.UserID())
			if len(users) == 1 {
				u := users[0]
				fmt.Fprintf(w, "email:        %s\nname:         %s %s\nrole id:      %s\n", u.Email, u.FirstName, u.LastName, u.Role)
			}
			fmt.Fprintf(w, "token until:  %s\n", token.ExpiresAt.Format("2006-01-02 15:04:05 MST"))
			return nil
		},
	}
}
