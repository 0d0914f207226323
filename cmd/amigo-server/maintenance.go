package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/server"
)

func newMaintenanceCommand(flags *configFlags, stdout io.Writer) *cobra.Command {
	var orgID string
	cmd := &cobra.Command{
		Use:   "maintenance on|off|status [--org ORG_ID]",
		Short: "Put this region, or one organization, into maintenance or take it out",
		Long: `maintenance works on the directory, whether or not servers are running.

  maintenance on            the whole region (--region) is in maintenance
  maintenance off           ... and out of it
  maintenance on --org X    only organization X of this region
  maintenance status        the region's switch and every organization in
                            maintenance or in the middle of a move or deletion

Servers see a switch within their --directory-cache-ttl. While it is on, every
affected /v1 request gets 503 {"detail": "The service is going through temporary
maintenance."} with a Retry-After header; /healthz, /readyz and /metrics answer
as usual, and other organizations are unaffected.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return errors.New("maintenance: say on, off or status, e.g. amigo-server maintenance status")
			}
			return nil
		},
		ValidArgs: []string{"on", "off", "status"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMaintenance(cmd, flags, stdout, args[0], orgID)
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id; without it the whole region")
	return cmd
}

func runMaintenance(cmd *cobra.Command, flags *configFlags, stdout io.Writer, action, orgID string) error {
	if action != "on" && action != "off" && action != "status" {
		return fmt.Errorf("maintenance: want on, off or status, got %q", action)
	}
	if action == "status" && orgID != "" {
		return errors.New("maintenance status: --org is not used; the status lists every organization concerned")
	}
	cfg, err := operatorConfig(cmd, flags, false)
	if err != nil {
		return err
	}
	// The clusters are opened too, for the change log's record of the
	// switch; one that cannot be opened only loses that record.
	rt, err := server.OpenOperator(cmd.Context(), cfg, flags.logger(cmd.ErrOrStderr()), true)
	if err != nil {
		return err
	}
	defer rt.Close()
	ctx, app := cmd.Context(), rt.App
	switch {
	case action == "status":
		st, err := app.Maintenance(ctx)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	case orgID != "":
		if err := app.SetOrgMaintenance(ctx, orgID, action == "on"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "organization %s of region %s: maintenance %s (servers see it within their directory cache TTL)\n", orgID, cfg.Region, action)
	default:
		if err := app.SetRegionMaintenance(ctx, action == "on"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "region %s: maintenance %s (servers see it within their directory cache TTL)\n", cfg.Region, action)
	}
	return nil
}
