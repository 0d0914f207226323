package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/server"
)

// operatorConfig loads the configuration of an operator command and says on
// standard error which data it works on. Only bootstrap (mayCreate) may
// start a new setup; the other commands refuse an embedded directory that
// does not exist, which means they were not given the server's --data-dir
// or --config.
func operatorConfig(cmd *cobra.Command, flags *configFlags, mayCreate bool) (server.Config, error) {
	cfg, err := flags.config()
	if err != nil {
		return server.Config{}, err
	}
	stderr := cmd.ErrOrStderr()
	path, fresh := server.FreshSetup(cfg)
	switch {
	case fresh && !mayCreate:
		return server.Config{}, fmt.Errorf("no databases in %s (%s does not exist): give this command the server's --data-dir or --config, "+
			"or create a setup with `amigo-server bootstrap --org ORG_ID`", cfg.DataDir, path)
	case fresh:
		fmt.Fprintf(stderr, "amigo-server: creating a new setup in %s; if your server uses another data directory, stop and pass its --data-dir or --config\n", cfg.DataDir)
	default:
		fmt.Fprintf(stderr, "amigo-server: data directory %s\n", cfg.DataDir)
	}
	return cfg, nil
}
