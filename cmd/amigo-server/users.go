package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/server"
)

// withApp opens the configured databases for an operator command, runs fn
// and closes them. Operator commands work whether or not the server runs.
func withApp(cmd *cobra.Command, flags *configFlags, fn func(ctx context.Context, app *core.App) error) error {
	return openApp(cmd, flags, false, fn)
}

// withAppCreating is withApp for bootstrap, which may start a new setup.
func withAppCreating(cmd *cobra.Command, flags *configFlags, fn func(ctx context.Context, app *core.App) error) error {
	return openApp(cmd, flags, true, fn)
}

func openApp(cmd *cobra.Command, flags *configFlags, mayCreate bool, fn func(ctx context.Context, app *core.App) error) error {
	cfg, err := operatorConfig(cmd, flags, mayCreate)
	if err != nil {
		return err
	}
	rt, err := server.Open(cmd.Context(), cfg, flags.logger(cmd.ErrOrStderr()))
	if err != nil {
		return err
	}
	defer rt.Close()
	return fn(cmd.Context(), rt.App)
}

func newUsersCommand(flags *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Create users, change their roles and list them",
		Long: `The users commands work directly on the databases, whether or not the server is
running, and check no permission. Role changes take effect on the user's next request.`,
	}
	cmd.AddCommand(newUsersCreateCommand(flags), newUsersSetRoleCommand(flags), newUsersListCommand(flags))
	return cmd
}

func newUsersCreateCommand(flags *configFlags) *cobra.Command {
	var orgID string
	var in core.NewUserInput
	cmd := &cobra.Command{
		Use:   "create --org ORG_ID --email EMAIL --role ROLE",
		Short: "Create a user with a role and print its user id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				u, err := app.CreateUser(ctx, orgID, in)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), u.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.Flags().StringVar(&in.Email, "email", "", "the user's email (required)")
	cmd.Flags().StringVar(&in.RoleName, "role", "", "name of the user's role, e.g. DefaultUserRole (required)")
	cmd.Flags().StringVar(&in.FirstName, "first-name", "", "first name (default: the email's local part)")
	cmd.Flags().StringVar(&in.LastName, "last-name", "", "last name")
	for _, f := range []string{"org", "email", "role"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newUsersSetRoleCommand(flags *configFlags) *cobra.Command {
	var orgID, email, role string
	cmd := &cobra.Command{
		Use:   "set-role --org ORG_ID --email EMAIL --role ROLE",
		Short: "Change a user's role",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				u, err := app.SetUserRole(ctx, orgID, email, role)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), u.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.Flags().StringVar(&email, "email", "", "the user's email (required)")
	cmd.Flags().StringVar(&role, "role", "", "name of the new role (required)")
	for _, f := range []string{"org", "email", "role"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newUsersListCommand(flags *configFlags) *cobra.Command {
	var orgID string
	cmd := &cobra.Command{
		Use:   "list --org ORG_ID",
		Short: "List an organization's users with their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				users, err := app.AllUsers(ctx, orgID)
				if err != nil {
					return err
				}
				names, err := app.RoleNames(ctx, orgID)
				if err != nil {
					return err
				}
				return table(cmd.OutOrStdout(), []string{"USER_ID", "EMAIL", "ROLE", "NAME"}, len(users), func(i int) []any {
					u := users[i]
					return []any{u.ID, u.Email, names[u.RoleID], u.FirstName + " " + u.LastName}
				})
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.MarkFlagRequired("org")
	return cmd
}

// table writes n rows under a header, aligned in columns.
func table(w io.Writer, header []string, n int, row func(i int) []any) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, h := range header {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, h)
	}
	fmt.Fprintln(tw)
	for i := range n {
		for j, v := range row(i) {
			if j > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
