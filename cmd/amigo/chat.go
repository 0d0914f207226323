package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/amigo-oss/amigo-server/client"
)

// chatFlags are the options of amigo chat.
type chatFlags struct {
	versionSet string
	json       bool
	resume     bool
	actions    bool
}

func newChatCmd(g *globals) *cobra.Command {
	var f chatFlags
	cmd := &cobra.Command{
		Use:   "chat SERVICE",
		Short: "Talk to a service: an interactive conversation, or a scripted one from piped input",
		Long: `Start a conversation with a service (by name or id) on a version set (release
unless --version-set names another, such as edge) and talk to it. The agent's
replies are printed as they stream.

On a terminal, each line you type is a message, and these commands are
understood:
  /state       the state the conversation is in
  /insights    what the agent did in the last interaction: state transitions,
               reflections and inner thoughts, working memory
  /recommend   replies the server suggests for you
  /finish      finish the conversation (its post-conversation processing runs)
  /quit        leave; the conversation stays open (--resume continues it)
Ctrl-C while a reply streams cancels that interaction (the conversation stays
usable); Ctrl-C or Ctrl-D at the prompt leaves, as /quit does.

With piped input, each line is a message (or one of the commands above), the
replies are printed in turn, and amigo exits at the end of the input, with
status 1 if an interaction failed. --json prints the stream's raw NDJSON
events instead, one per line, as the server sent them, and the commands'
answers as one JSON object per line.`,
		Example: `  amigo chat support
  amigo chat support --version-set edge --actions
  amigo chat support --resume
  printf 'I have an account question\n/insights\n/finish\n' | amigo chat support
  echo 'Thanks, goodbye' | amigo chat support --json | jq -c 'select(.type == "new-message")'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			in := cmd.InOrStdin()
			tty := false
			if file, ok := in.(*os.File); ok {
				tty = isatty.IsTerminal(file.Fd())
			}
			// Ctrl-C is the chat's to handle: it cancels the running
			// interaction, or leaves at the prompt.
			interrupts := make(chan os.Signal, 1)
			signal.Notify(interrupts, os.Interrupt)
			defer signal.Stop(interrupts)
			ch := &chat{c: c, flags: f, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), tty: tty, interrupts: interrupts}
			return ch.run(context.WithoutCancel(cmd.Context()), args[0], in)
		},
	}
	cmd.Flags().StringVar(&f.versionSet, "version-set", "", "version set to talk to (default release)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the raw NDJSON events (and the commands' answers as JSON lines)")
	cmd.Flags().BoolVar(&f.resume, "resume", false, "continue your unfinished conversation with the service, if there is one")
	cmd.Flags().BoolVar(&f.actions, "actions", false, "print the agent's steps (current-agent-action events) on stderr")
	return cmd
}

// chat is one conversation driven from the terminal or a script.
type chat struct {
	c            *client.Client
	flags        chatFlags
	out, errOut  io.Writer
	tty          bool
	interrupts   <-chan os.Signal
	service      *client.Service
	agent        string // the agent's name, the replies' label
	conversation string
	interaction  string // the latest complete interaction
	completed    bool   // the terminal state was reached or /finish
	failed       bool   // an interaction failed (piped input exits 1)
}

func (ch *chat) run(ctx context.Context, service string, in io.Reader) error {
	if err := ch.findService(ctx, service); err != nil {
		return err
	}
	if err := ch.start(ctx); err != nil {
		return err
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		if ch.tty {
			fmt.Fprint(ch.out, "you> ")
		}
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case <-ch.interrupts:
			fmt.Fprintln(ch.out)
			ok = false
		}
		if !ok {
			ch.leave()
			break
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !ch.tty && !ch.flags.json {
			fmt.Fprintf(ch.out, "you> %s\n", line)
		}
		if strings.HasPrefix(line, "/") {
			done, err := ch.command(ctx, line)
			if err != nil {
				if !ch.tty {
					return err
				}
				fmt.Fprintln(ch.errOut, "Error:", err)
			}
			if done {
				break
			}
			continue
		}
		if ch.completed {
			fmt.Fprintln(ch.errOut, "(the conversation is finished: /state, /insights and /recommend still work; /quit leaves)")
			continue
		}
		err := ch.stream(ctx, func(ctx context.Context) (*client.Stream, error) {
			return ch.c.Interact(ctx, ch.conversation, &client.InteractRequest{Message: line}, ch.streamOptions())
		})
		if err != nil {
			ch.failed = true
			fmt.Fprintln(ch.errOut, "Error:", err)
			if errors.Is(err, client.ErrConflict) && ch.tty {
				fmt.Fprintln(ch.errOut, "(another interaction is running, or the conversation is finished)")
			}
		}
	}
	if ch.failed && !ch.tty {
		return exitCode(1)
	}
	return nil
}

// findService resolves a service's name or id.
func (ch *chat) findService(ctx context.Context, nameOrID string) error {
	services, err := client.Collect(ch.c.Services(ctx, client.ServiceListOptions{}))
	if err != nil {
		return err
	}
	for i := range services {
		if services[i].ID == nameOrID {
			ch.service = &services[i]
		}
	}
	if ch.service == nil {
		ch.service = (&remote{services: services}).service(nameOrID)
	}
	if ch.service == nil {
		return fmt.Errorf("no service named %q or with that id (amigo get services lists them)", nameOrID)
	}
	ch.agent = "agent"
	if agents, _, err := ch.c.ListAgents(ctx, client.ListOptions{IDs: []string{ch.service.AgentID}}, 0); err == nil && len(agents) == 1 {
		ch.agent = agents[0].Name
	}
	return nil
}

// start creates the conversation (the agent speaks first), or with
// --resume continues the caller's unfinished one.
func (ch *chat) start(ctx context.Context) error {
	if ch.flags.resume {
		open := false
		page, err := ch.c.ListConversations(ctx, client.ConversationListOptions{UserIDs: []string{ch.c.UserID()}, ServiceIDs: []string{ch.service.ID},
			IsFinished: &open, Sort: []string{"-created_at"}, Limit: 1}, 0)
		if err != nil {
			return err
		}
		if len(page.Conversations) == 1 {
			ch.conversation = page.Conversations[0].ID
			ch.note("Continuing conversation %s with %s.", ch.conversation, ch.service.Name)
			ch.latestInteraction(ctx)
			return nil
		}
	}
	in := client.CreateConversationRequest{ServiceID: ch.service.ID}
	if ch.flags.versionSet != "" {
		in.VersionSetName = &ch.flags.versionSet
	}
	err := ch.stream(ctx, func(ctx context.Context) (*client.Stream, error) {
		return ch.c.CreateConversation(ctx, &in, ch.streamOptions())
	})
	if ch.conversation == "" {
		if errors.Is(err, client.ErrBadRequest) && strings.Contains(err.Error(), "unfinished") {
			return fmt.Errorf("%w\n(amigo chat %s --resume continues it; amigo conversations list --service %s --finished=false lists it)", err, ch.service.Name, ch.service.Name)
		}
		if err == nil {
			err = errors.New("create-conversation: the stream ended without a conversation")
		}
		return err
	}
	if err != nil {
		ch.failed = true
		fmt.Fprintln(ch.errOut, "Error:", err)
	}
	return nil
}

// latestInteraction finds the conversation's newest interaction, for the
// commands to report on.
func (ch *chat) latestInteraction(ctx context.Context) {
	page, err := ch.c.ListMessages(ctx, ch.conversation, client.MessageListOptions{Limit: 1}, 0)
	if err == nil && len(page.Messages) == 1 {
		ch.interaction = page.Messages[0].InteractionID
	}
}

func (ch *chat) streamOptions() client.StreamOptions {
	if ch.flags.json || ch.flags.actions {
		return client.StreamOptions{}
	}
	return client.StreamOptions{AgentActionFilter: "^$"}
}

// stream opens a stream and prints its events as they arrive. Ctrl-C
// hangs up, which cancels the interaction on the server; that is not an
// error.
func (ch *chat) stream(ctx context.Context, open func(context.Context) (*client.Stream, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done, interrupted := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case <-ch.interrupts:
			close(interrupted)
			cancel()
		case <-done:
		}
	}()
	err := ch.print(ctx, open)
	close(done)
	select {
	case <-interrupted:
		ch.note("\n(interrupted: the interaction was cancelled; the conversation %s is still usable)", ch.conversation)
		return nil
	default:
		return err
	}
}

func (ch *chat) print(ctx context.Context, open func(context.Context) (*client.Stream, error)) error {
	s, err := open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	midReply := false
	for s.Next() {
		if ch.flags.json {
			fmt.Fprintf(ch.out, "%s\n", s.Raw())
		}
		switch ev := s.Current().(type) {
		case *client.ConversationCreated:
			ch.conversation = ev.ConversationID
			ch.note("Conversation %s with %s (version set %s).", ev.ConversationID, ch.service.Name, or(ch.flags.versionSet, "release"))
		case *client.CurrentAgentAction:
			if ch.flags.actions {
				fmt.Fprintln(ch.errOut, "  · "+describeAction(ev))
			}
		case *client.NewMessage:
			if ch.flags.json {
				continue
			}
			if !midReply {
				fmt.Fprintf(ch.out, "%s> ", ch.agent)
				midReply = true
			}
			fmt.Fprint(ch.out, ev.Message)
		case *client.InteractionComplete:
			if midReply {
				fmt.Fprintln(ch.out)
				midReply = false
			}
			ch.interaction = ev.InteractionID
			if ev.ConversationCompleted {
				ch.completed = true
				ch.note("(the conversation reached its terminal state and is finished)")
				if ch.tty {
					ch.note("(/insights shows what happened; /quit or Ctrl-D leaves)")
				}
			}
		}
	}
	if midReply {
		fmt.Fprintln(ch.out)
	}
	if err := s.Err(); err != nil {
		var evErr *client.EventError
		if ch.flags.json && errors.As(err, &evErr) {
			fmt.Fprintf(ch.out, "%s\n", s.Raw())
		}
		return err
	}
	return nil
}

// note prints a line about the chat itself: on stderr when stdout carries
// JSON, so scripts read only events there.
func (ch *chat) note(format string, args ...any) {
	w := ch.out
	if ch.flags.json {
		w = ch.errOut
	}
	fmt.Fprintf(w, format+"\n", args...)
}

// leave ends the chat without finishing the conversation.
func (ch *chat) leave() {
	if ch.conversation != "" && !ch.completed {
		ch.note("(left conversation %s open: amigo chat %s --resume continues it, /finish ends it)", ch.conversation, ch.service.Name)
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// describeAction is one line for a current-agent-action event.
func describeAction(ev *client.CurrentAgentAction) string {
	switch a := ev.Action.(type) {
	case client.StateTransitionedAction:
		return fmt.Sprintf("%s: %s → %s", a.Type, a.PrevState, a.NextState)
	case client.AnnotationRetrievedAction:
		return fmt.Sprintf("%s: %q", a.Type, a.Annotation)
	case client.ReflectionGeneratedAction:
		return fmt.Sprintf("%s: %q", a.Type, a.Reflection)
	case client.ExitConditionSelectedAction:
		return fmt.Sprintf("%s → %s (%s)", a.Type, a.NextState, a.ExitCondition)
	case client.ActionSelectedAction:
		return fmt.Sprintf("%s: %s", a.Type, a.Action)
	}
	// Another kind: its type is enough.
	var head struct {
		Type string `json:"type"`
	}
	b, _ := json.Marshal(ev.Action)
	_ = json.Unmarshal(b, &head)
	return head.Type
}
