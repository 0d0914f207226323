package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/server"
)

func newBackupCommand(flags *configFlags, stdout io.Writer) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "backup --to PATH",
		Short: "Copy the directory and every SQLite cluster, consistently, while servers run",
		Long: `backup writes a new directory PATH holding a consistent copy of the directory
database and of every SQLite cluster, taken through SQLite while servers go on
serving: directory.db, NAME.db for cluster NAME, and manifest.json, which says
what each file is. Copying the live files with cp or rsync instead would tear them.

Databases on PostgreSQL are not backed up (use pg_dump); backup names them.

To restore, stop the servers (or use a new data directory) and put each file at
the path of its database, with no -wal or -shm file left beside it; in the
default layout: cp PATH/*.db DATA_DIR/.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return errors.New("backup: say where with --to PATH, a directory that does not exist yet")
			}
			cfg, err := operatorConfig(cmd, flags, false)
			if err != nil {
				return err
			}
			m, err := server.Backup(cmd.Context(), cfg, to)
			if err != nil {
				return err
			}
			for _, d := range m.Databases {
				if d.NotBackedUp != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "amigo-server: %s is NOT in this backup: %s (%s)\n", d.Name(), d.NotBackedUp, d.Source)
					continue
				}
				fmt.Fprintf(stdout, "%s: %s (%d bytes)\n", d.Name(), d.File, d.Bytes)
			}
			fmt.Fprintf(stdout, "backup written to %s\n", to)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the backup directory to create (required)")
	return cmd
}
