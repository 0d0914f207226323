package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

func newConversationsCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "conversations list|show|messages|insights|finish",
		Aliases: []string{"conversation", "conv"},
		Short:   "List conversations, read their messages and the insights of their interactions",
		Example: `  amigo conversations list --service support --finished=false
  amigo conversations list --user 6543... --tag channel:web --since 24h -o json
  amigo conversations show 6543...
  amigo conversations messages 6543... --inner-thoughts
  amigo conversations insights 6543... -o yaml
  amigo conversations finish 6543...`,
	}
	cmd.PersistentFlags().StringVarP(&output, "output", "o", "table", "output format: table, json or yaml")
	cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(outputFormats, cobra.ShellCompDirectiveNoFileComp))
	cmd.AddCommand(newConversationsListCmd(g, &output), newConversationsShowCmd(g, &output), newConversationsMessagesCmd(g, &output),
		newConversationsInsightsCmd(g, &output), newConversationsFinishCmd(g))
	return cmd
}

// conversationFilter is the flags of conversations list.
type conversationFilter struct {
	service, user, finished string
	tags                    []string
	since, until            string
	limit                   int
}

func newConversationsListCmd(g *globals, output *string) *cobra.Command {
	var f conversationFilter
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List conversations, newest first",
		Long: `List the conversations you may see, newest first: all of the organization's
for an administrator, your own for a plain user. --service takes a name or an
id; --tag is key:value, key:* (any value) or key: (no value), repeatable (all
must match); --since and --until take a duration (24h) or an RFC 3339 time.`,
		Example: "  amigo conversations list --service support --finished=false\n  amigo conversations list --tag channel:web --since 24h -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			names, err := serviceNamesByID(ctx, c)
			if err != nil {
				return err
			}
			opts := client.ConversationListOptions{Tags: f.tags, Sort: []string{"-created_at"}}
			if f.user != "" {
				opts.UserIDs = []string{f.user}
			}
			if f.service != "" {
				id := f.service
				for sid, name := range names {
					if name == f.service {
						id = sid
					}
				}
				opts.ServiceIDs = []string{id}
			}
			if f.finished != "" {
				b, err := strconv.ParseBool(f.finished)
				if err != nil {
					return fmt.Errorf("--finished %q: true or false", f.finished)
				}
				opts.IsFinished = &b
			}
			since, err := timeFlag("since", f.since, time.Now())
			if err != nil {
				return err
			}
			until, err := timeFlag("until", f.until, time.Now())
			if err != nil {
				return err
			}
			var convs []client.Conversation
			for conv, err := range c.Conversations(ctx, opts) {
				if err != nil {
					return err
				}
				at := conv.CreatedAt
				if !since.IsZero() && at.Before(since) {
					break // newest first: the rest are older still
				}
				if !until.IsZero() && !at.Before(until) {
					continue
				}
				convs = append(convs, conv)
				if f.limit > 0 && len(convs) == f.limit {
					break
				}
			}
			if convs == nil {
				convs = []client.Conversation{}
			}
			t := table{header: []string{"ID", "SERVICE", "USER", "CREATED", "FINISHED", "MESSAGES", "TAGS"}}
			for _, conv := range convs {
				t.rows = append(t.rows, []string{conv.ID, or(names[conv.ServiceID], conv.ServiceID), conv.UserID, shortTime(conv.CreatedAt),
					fmt.Sprint(conv.IsFinished), fmt.Sprint(conv.NumMessages), formatTags(conv.Tags)})
			}
			return write(cmd.OutOrStdout(), *output, convs, t)
		},
	}
	cmd.Flags().StringVar(&f.service, "service", "", "only the conversations of this service (name or id)")
	cmd.Flags().StringVar(&f.user, "user", "", "only the conversations of this user id")
	cmd.Flags().StringVar(&f.finished, "finished", "", "true: only finished conversations; false: only open ones")
	cmd.Flags().StringArrayVar(&f.tags, "tag", nil, "tag filter key:value, key:* or key: (repeatable)")
	cmd.Flags().StringVar(&f.since, "since", "", "only conversations created since (24h, or an RFC 3339 time)")
	cmd.Flags().StringVar(&f.until, "until", "", "only conversations created before (24h, or an RFC 3339 time)")
	cmd.Flags().IntVar(&f.limit, "limit", 0, "at most this many conversations")
	return cmd
}

func newConversationsShowCmd(g *globals, output *string) *cobra.Command {
	return &cobra.Command{
		Use:     "show CONVERSATION",
		Short:   "Show one conversation",
		Example: "  amigo conversations show 6543... -o yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			conv, err := findConversation(cmd.Context(), c, args[0])
			if err != nil {
				return err
			}
			names, err := serviceNamesByID(cmd.Context(), c)
			if err != nil {
				return err
			}
			t := table{header: []string{"FIELD", "VALUE"}, rows: [][]string{
				{"id", conv.ID}, {"service", or(names[conv.ServiceID], conv.ServiceID)}, {"user", conv.UserID}, {"created", conv.CreatedAt.Format(time.RFC3339Nano)},
				{"finished", fmt.Sprint(conv.IsFinished)}, {"analyzed", fmt.Sprint(conv.IsAnalyzed)}, {"messages", fmt.Sprint(conv.NumMessages)},
				{"tags", formatTags(conv.Tags)}, {"final message", conv.FinalMessage},
			}}
			if vs := conv.VersionSetInfo; vs != nil {
				t.rows = append(t.rows, []string{"version set", vs.Name},
					[]string{"agent version", fmt.Sprint(vs.AgentVersionInfo[1])}, []string{"state machine version", fmt.Sprint(vs.StateMachineInfo[1])})
			}
			return write(cmd.OutOrStdout(), *output, conv, t)
		},
	}
}

func newConversationsMessagesCmd(g *globals, output *string) *cobra.Command {
	var types []string
	var thoughts bool
	cmd := &cobra.Command{
		Use:   "messages CONVERSATION",
		Short: "List a conversation's messages, oldest first",
		Long: `List a conversation's messages in the order they were written, with the
interaction each belongs to. The agent's inner thoughts (reflections and
annotations) are listed with --inner-thoughts, for a caller allowed to read
them.`,
		Example: "  amigo conversations messages 6543...\n  amigo conversations messages 6543... --inner-thoughts -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if thoughts && len(types) == 0 {
				types = []string{"user-message", "agent-message", "external-event", "agent-inner-thought"}
			}
			msgs, err := client.Collect(c.Messages(cmd.Context(), args[0], client.MessageListOptions{MessageTypes: types,
				Sort: []string{"+interaction_id", "+created_at"}}))
			if err != nil {
				return err
			}
			if msgs == nil {
				msgs = []client.Message{}
			}
			t := table{header: []string{"INTERACTION", "TIME", "TYPE", "MESSAGE"}}
			for _, m := range msgs {
				t.rows = append(t.rows, []string{m.InteractionID, shortTime(m.CreatedAt), m.MessageType, oneLine(m.Message)})
			}
			return write(cmd.OutOrStdout(), *output, msgs, t)
		},
	}
	cmd.Flags().StringArrayVar(&types, "type", nil, "message types: user-message, agent-message, agent-inner-thought, external-event (repeatable)")
	cmd.Flags().BoolVar(&thoughts, "inner-thoughts", false, "include the agent's inner thoughts")
	return cmd
}

func newConversationsInsightsCmd(g *globals, output *string) *cobra.Command {
	return &cobra.Command{
		Use:   "insights CONVERSATION [INTERACTION...]",
		Short: "Show what the agent did in each interaction: states, transitions, reflections, inner thoughts",
		Long: `Show the insights of the named interactions, or of every interaction of the
conversation in order: the state it ended in, each state transition (with the
exit condition chosen, the inner thought written or the queries recalled),
reflections and working memory. Reading them needs
Conversation:GetInteractionInsights.`,
		Example: "  amigo conversations insights 6543...\n  amigo conversations insights 6543... 6544... -o json",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			conv, interactions := args[0], args[1:]
			if len(interactions) == 0 {
				msgs, err := client.Collect(c.Messages(ctx, conv, client.MessageListOptions{Sort: []string{"+interaction_id", "+created_at"}}))
				if err != nil {
					return err
				}
				for _, m := range msgs {
					if !slices.Contains(interactions, m.InteractionID) {
						interactions = append(interactions, m.InteractionID)
					}
				}
			}
			all := []*insights{}
			for _, id := range interactions {
				ins, err := loadInsights(ctx, c, conv, id)
				if err != nil {
					return err
				}
				all = append(all, ins)
			}
			if *output == "table" || *output == "" {
				for _, ins := range all {
					ins.print(cmd.OutOrStdout())
				}
				return nil
			}
			return write(cmd.OutOrStdout(), *output, all, table{})
		},
	}
}

func newConversationsFinishCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "finish CONVERSATION",
		Short:   "Finish a conversation; its post-conversation processing then runs",
		Example: "  amigo conversations finish 6543...",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.FinishConversation(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "conversation %s finished\n", args[0])
			return nil
		},
	}
}

// findConversation returns one conversation the caller may see.
func findConversation(ctx context.Context, c *client.Client, id string) (*client.Conversation, error) {
	page, err := c.ListConversations(ctx, client.ConversationListOptions{IDs: []string{id}}, 0)
	if err != nil {
		return nil, err
	}
	if len(page.Conversations) != 1 {
		return nil, fmt.Errorf("no conversation %q that you may see", id)
	}
	return &page.Conversations[0], nil
}

// serviceNames maps the organization's service ids to names.
func serviceNamesByID(ctx context.Context, c *client.Client) (map[string]string, error) {
	services, err := client.Collect(c.Services(ctx, client.ServiceListOptions{}))
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, s := range services {
		names[s.ID] = s.Name
	}
	return names, nil
}

func shortTime(t time.Time) string {
	return t.Local().Format("2006-01-02 15:04:05")
}

func formatTags(tags map[string]*string) string {
	var out []string
	for k, v := range tags {
		if v == nil {
			out = append(out, k)
		} else {
			out = append(out, k+":"+*v)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:97]) + "..."
	}
	return s
}
