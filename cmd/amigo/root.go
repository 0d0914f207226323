package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/internal/usage"
)

// globals are the flags every command shares.
type globals struct {
	org     string
	baseURL string
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "amigo",
		Short: "Manage an Amigo organization: resources, GitOps manifests, version history, state-machine graphs",
		Long: `amigo talks to an amigo-server (or any server of the Amigo Classic API).

It signs in with an API key read from the environment, as the official SDKs do:
  AMIGO_API_KEY, AMIGO_API_KEY_ID, AMIGO_USER_ID   the key, its id, the user it signs in as
  AMIGO_ORGANIZATION_ID                             the organization (or --org)
  AMIGO_BASE_URL                                    the server (or --base-url)`,
		Example: `  export AMIGO_BASE_URL=http://localhost:8080 AMIGO_ORGANIZATION_ID=acme
  export AMIGO_API_KEY=... AMIGO_API_KEY_ID=... AMIGO_USER_ID=...
  amigo whoami
  amigo get agents -o yaml
  amigo apply -f manifests/ --dry-run
  amigo graph support-flow -o svg > support-flow.svg
  amigo diff agent amy 1 latest
  amigo promote support --from canary --to release
  amigo rollback support --set release --to-revision 2
  amigo get changes --since 24h
  amigo chat support
  amigo conversations list --service support`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.org, "org", "", "organization id (default $AMIGO_ORGANIZATION_ID)")
	root.PersistentFlags().StringVar(&g.baseURL, "base-url", "", "server address (default $AMIGO_BASE_URL)")
	root.AddCommand(newGetCmd(g), newWhoamiCmd(g), newApplyCmd(g), newExportCmd(g), newGraphCmd(g), newLintCmd(),
		newDiffCmd(g), newPromoteCmd(g), newRollbackCmd(g), newChatCmd(g), newConversationsCmd(g))
	usage.FlagHints(root, flagAliases)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = `  source <(amigo completion bash)
  amigo completion zsh > "${fpath[1]}/_amigo"
  amigo completion fish > ~/.config/fish/completions/amigo.fish`
		}
	}
	return root
}

// flagAliases are the flags people type for amigo's, from other tools.
var flagAliases = map[string]string{
	"organization": "org", "org-id": "org", "url": "base-url", "server": "base-url", "host": "base-url",
	"file": "filename", "format": "output",
}

// client builds the SDK client from the environment and the flags.
func (g *globals) client() (*client.Client, error) {
	cfg := client.FromEnv()
	if g.org != "" {
		cfg.OrganizationID = g.org
	}
	if g.baseURL != "" {
		cfg.BaseURL = g.baseURL
	}
	cfg.TokenCache = newTokenCache(cfg)
	c, err := client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w (see amigo --help)", err)
	}
	return c, nil
}
