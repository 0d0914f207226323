package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

func newRolesCommand(flags *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "Create custom roles from files of grants and list roles",
		Long: `A role is a named set of grants. A grant names a permission and may restrict it to
resources whose attributes match conditions, e.g. only services tagged team:support:

  [
    {"permission": "Service:GetService", "conditions": {"tags": ["team:support"]}},
    {"permission": "Service:UpdateService", "conditions": {"tags": ["team:support"]}}
  ]

The four default roles cannot be changed. The roles commands work directly on the
databases, whether or not the server is running; changes take effect on the next request.`,
	}
	cmd.AddCommand(newRolesPutCommand(flags), newRolesListCommand(flags))
	return cmd
}

func newRolesPutCommand(flags *configFlags) *cobra.Command {
	var orgID, file string
	var in core.RoleInput
	cmd := &cobra.Command{
		Use:   "put --org ORG_ID --name NAME --file GRANTS.json",
		Short: "Create a custom role, or replace its grants, from a JSON list of grants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			grants, err := readGrants(cmd.InOrStdin(), file)
			if err != nil {
				return err
			}
			in.Grants = grants
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				r, err := app.PutRole(ctx, orgID, in)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), r.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.Flags().StringVar(&in.Name, "name", "", "role name (required)")
	cmd.Flags().StringVar(&in.Description, "description", "", "what the role is for")
	cmd.Flags().StringVar(&file, "file", "", `JSON list of {"permission", "conditions"} grants; "-" reads standard input (required)`)
	for _, f := range []string{"org", "name", "file"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

// readGrants decodes a grants file strictly: a misspelt key is an error,
// not a silently unconditional grant.
func readGrants(stdin io.Reader, file string) ([]amigo.Grant, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var grants []wire.Grant
	if err := dec.Decode(&grants); err != nil {
		return nil, fmt.Errorf("%s: want a JSON list of {\"permission\", \"conditions\"}: %w", file, err)
	} else if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the list of grants", file)
	}
	return shape.Convert[[]amigo.Grant](grants), nil
}

func newRolesListCommand(flags *configFlags) *cobra.Command {
	var orgID string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --org ORG_ID",
		Short: "List an organization's roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, flags, func(ctx context.Context, app *core.App) error {
				roles, err := app.ListRoles(ctx, orgID)
				if err != nil {
					return err
				}
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					return enc.Encode(shape.Convert[[]*wire.Role](roles))
				}
				return table(cmd.OutOrStdout(), []string{"ROLE_ID", "NAME", "DEFAULT", "GRANTS", "DESCRIPTION"}, len(roles), func(i int) []any {
					r := roles[i]
					return []any{r.ID, r.Name, r.Builtin, len(r.Grants), r.Description}
				})
			})
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print every role with its grants as JSON")
	cmd.MarkFlagRequired("org")
	return cmd
}
