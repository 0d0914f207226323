package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/server"
)

// settleMargin is added to the directory cache TTL to cover requests that
// were already past routing when maintenance was switched on.
const settleMargin = 5 * time.Second

func newMoveOrgCommand(flags *configFlags, stdout io.Writer) *cobra.Command {
	var orgID, to string
	var settle time.Duration
	cmd := &cobra.Command{
		Use:   "move-org --org ORG_ID --to CLUSTER",
		Short: "Move an organization's data to another cluster of this region",
		Long: `move-org moves an organization to another cluster of its region (--region),
for instance onto a new dedicated cluster. Both clusters must be in the
configuration (--cluster or the config file). It:

  1. puts the organization into maintenance (its requests get 503) and marks
     it "moving" in the directory, then waits --settle for every server to
     see that;
  2. copies every row of the organization to the target in one transaction,
     replacing any copy an earlier, interrupted run left there;
  3. verifies the copy: row count and checksum per table must match;
  4. switches the directory to the target (state "moved");
  5. erases the old copy;
  6. ends maintenance and marks the organization active.

Interrupted at any step, run the same command again: it resumes from the
state recorded in the directory and never loses or duplicates a row. If the
source cluster cannot be reached, the copy fails and the directory keeps
pointing at the source: nothing switches without a verified copy, and the
organization stays in maintenance until a later run succeeds. While the move
has not switched yet, "move-org --to <its current cluster>" cancels it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := operatorConfig(cmd, flags, false)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("settle") {
				settle = cfg.DirectoryCacheTTL + settleMargin
			}
			rt, err := server.OpenOperator(cmd.Context(), cfg, flags.logger(cmd.ErrOrStderr()), true)
			if err != nil {
				return err
			}
			defer rt.Close()
			start := time.Now()
			var started bool
			err = rt.App.MoveOrganization(cmd.Context(), orgID, to, core.MoveOptions{
				Settle: settle,
				Progress: func(step string) {
					started = true
					fmt.Fprintf(stdout, "%s: %s (%s)\n", orgID, step, time.Since(start).Round(time.Millisecond))
				},
			})
			// An unknown organization or cluster, or a conflicting move, is
			// refused before anything changes: running again would not help.
			code := amigo.ErrorCode(err)
			switch {
			case err == nil:
				return nil
			case !started && (code == amigo.ENOTFOUND || code == amigo.ECONFLICT):
				return fmt.Errorf("move-org %s: %w (nothing was changed)", orgID, err)
			default:
				return fmt.Errorf("move-org %s: %w (run the command again to resume)", orgID, err)
			}
		},
	}
	cmd.Flags().StringVar(&orgID, "org", "", "organization id (required)")
	cmd.Flags().StringVar(&to, "to", "", "target cluster name (required)")
	cmd.Flags().DurationVar(&settle, "settle", 0, "wait after maintenance starts, before copying (default: --directory-cache-ttl + 5s); must cover the largest cache TTL of the region's servers")
	cmd.MarkFlagRequired("org")
	cmd.MarkFlagRequired("to")
	return cmd
}
