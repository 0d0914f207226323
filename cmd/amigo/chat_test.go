package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// slowModel is the built-in model, but a reply to a message asking for
// "slowly" takes a while per piece, so that a test can interrupt it; it
// stops as soon as the interaction is cancelled.
type slowModel struct{ engine.Builtin }

func (m slowModel) Engage(ctx context.Context, e *engine.EngageRequest, emit func(string) error) (string, error) {
	slow := strings.Contains(e.Input.Text(), "slowly")
	return m.Builtin.Engage(ctx, e, func(piece string) error {
		if slow {
			select {
			case <-time.After(400 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return emit(piece)
	})
}

// chatEnv starts a server with the examples applied (the service
// "support" on support-flow, agent amy) and returns the CLI and the SDK of
// its administrator.
func chatEnv(t *testing.T, b testenv.Backend) (*cli, *client.Client) {
	env := testenv.Start(t, b, testenv.Options{Model: slowModel{}})
	amigo := newCLI(t, env.URL, testenv.PlatformOrg, env.APIKey, env.APIKeyID, env.UserID)
	amigo.expect(0, "apply", "-f", examples)
	sdk, err := client.New(client.Config{BaseURL: env.URL, OrganizationID: testenv.PlatformOrg, APIKey: env.APIKey, APIKeyID: env.APIKeyID, UserID: env.UserID})
	if err != nil {
		t.Fatal(err)
	}
	return amigo, sdk
}

// runInput runs the binary with stdin.
func (c *cli) runInput(stdin string, args ...string) result {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		r.code = exit.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return r
}

var conversationID = regexp.MustCompile(`Conversation ([0-9a-f]{24}) with`)

// TestChatPiped runs scripted conversations: text with commands, then
// --json, then the conversations commands on what they left.
func TestChatPiped(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		amigo, sdk := chatEnv(t, b)
		ctx := context.Background()

		// greet → (general question) triage → handoff → goodbye: the
		// terminal state ends the conversation by itself.
		r := amigo.runInput("/state\nI have a general question for a human\nAre you there?\n/insights\n", "chat", "support")
		if r.code != 0 {
			t.Fatalf("chat: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		m := conversationID.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("no conversation id in:\n%s", r.stdout)
		}
		conv := m[1]
		for _, want := range []string{
			"amy> Hello, I'm Amy",
			"state: greet — Welcome the caller and learn why they are calling.",
			"you> I have a general question for a human\namy> ",
			"(the conversation reached its terminal state and is finished)",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("no %q in:\n%s", want, r.stdout)
			}
		}
		// After the terminal state, messages are not sent; commands work.
		if !strings.Contains(r.stderr, "(the conversation is finished:") || !strings.Contains(r.stdout, "you> /insights\ninteraction ") ||
			!strings.Contains(r.stdout, "  state: goodbye — Close the call.") {
			t.Errorf("after the terminal state:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		}

		// The insights of the second interaction, with the handoff's
		// inner thought, from the conversations command.
		out := amigo.expect(0, "conversations", "insights", conv).stdout
		for _, want := range []string{
			"  state: greet — Welcome the caller",
			`  greet → triage (action): "The caller has a general question."`,
			`  triage → handoff (decision): "The question needs a human."`,
			`  handoff → goodbye (annotation): thought "A human colleague will take over; summarise the call for them."`,
			"  state: goodbye — Close the call.",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in insights:\n%s", want, out)
			}
		}
		var all []map[string]any
		if err := json.Unmarshal([]byte(amigo.expect(0, "conversations", "insights", conv, "-o", "json").stdout), &all); err != nil || len(all) != 2 {
			t.Fatalf("insights -o json: %d, %v", len(all), err)
		}
		if all[1]["current_state_name"] != "goodbye" || len(all[1]["inner_thoughts"].(map[string]any)) != 1 {
			t.Errorf("second interaction's insights: %v", all[1])
		}

		msgs := amigo.expect(0, "conversations", "messages", conv).stdout
		if lines := strings.Split(strings.TrimSpace(msgs), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "INTERACTION") ||
			!strings.Contains(lines[1], "agent-message") || !strings.Contains(lines[2], "user-message") {
			t.Errorf("messages:\n%s", msgs)
		}
		var withThoughts []client.Message
		json.Unmarshal([]byte(amigo.expect(0, "conversations", "messages", conv, "--inner-thoughts", "-o", "json").stdout), &withThoughts)
		if len(withThoughts) != 4 || withThoughts[3].MessageType != "agent-inner-thought" && withThoughts[2].MessageType != "agent-inner-thought" {
			t.Errorf("messages with inner thoughts: %+v", withThoughts)
		}

		// --json: one raw event per line, valid JSON with the spec's types,
		// the commands' answers as JSON lines; notes go to stderr.
		r = amigo.runInput("Thanks, I need nothing else\n/recommend\n/finish\n", "chat", "support", "--json")
		if r.code != 0 {
			t.Fatalf("chat --json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		var types []string
		var recommended []string
		for line := range strings.SplitSeq(strings.TrimSpace(r.stdout), "\n") {
			var ev struct {
				Type                 string   `json:"type"`
				RecommendedResponses []string `json:"recommended_responses"`
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			if ev.RecommendedResponses != nil {
				recommended = ev.RecommendedResponses
			}
			if len(types) == 0 || types[len(types)-1] != ev.Type {
				types = append(types, ev.Type)
			}
		}
		want := "conversation-created,current-agent-action,new-message,interaction-complete,user-message-available,current-agent-action,new-message,interaction-complete,,conversation-finished"
		if got := strings.Join(types, ","); got != want {
			t.Errorf("event types:\n%s\nwant:\n%s", got, want)
		}
		if len(recommended) == 0 || !strings.Contains(r.stderr, "Conversation ") {
			t.Errorf("recommend %v; stderr %q", recommended, r.stderr)
		}

		// The list shows both, newest first; filters narrow it.
		var convs []client.Conversation
		json.Unmarshal([]byte(amigo.expect(0, "conversations", "list", "--service", "support", "-o", "json").stdout), &convs)
		if len(convs) != 2 || convs[1].ID != conv || !convs[0].IsFinished || !convs[1].IsFinished {
			t.Errorf("list: %+v", convs)
		}
		if out := amigo.expect(0, "conversations", "list", "--finished=false").stdout; strings.Count(out, "\n") != 1 {
			t.Errorf("no open conversation expected:\n%s", out)
		}
		if out := amigo.expect(0, "conversations", "list", "--since", "1h", "--limit", "1").stdout; strings.Count(out, "\n") != 2 || !strings.HasPrefix(out, "ID") {
			t.Errorf("list --limit 1:\n%s", out)
		}
		if out := amigo.expect(0, "conversations", "show", conv, "-o", "yaml").stdout; !strings.Contains(out, "is_finished: true") {
			t.Errorf("show -o yaml:\n%s", out)
		}
		if r := amigo.expect(1, "conversations", "show", "0123456789abcdef01234567"); !strings.Contains(r.stderr, "no conversation") {
			t.Errorf("show of an unknown id: %s", r.stderr)
		}

		// A failed interaction ends a script with status 1; an unknown
		// service is named.
		open := amigo.runInput("", "chat", "support")
		if open.code != 0 || !strings.Contains(open.stdout, "--resume continues it") {
			t.Fatalf("chat with no input: %d\n%s\n%s", open.code, open.stdout, open.stderr)
		}
		r = amigo.runInput("hello\n", "chat", "support")
		if r.code != 1 || !strings.Contains(r.stderr, "--resume continues it") {
			t.Errorf("a second open conversation: %d\n%s", r.code, r.stderr)
		}
		r = amigo.runInput("hello\n/finish\n", "chat", "support", "--resume")
		if r.code != 0 || !strings.Contains(r.stdout, "Continuing conversation") || !strings.Contains(r.stdout, "finished)") {
			t.Errorf("--resume: %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if r := amigo.expect(1, "chat", "nobody"); !strings.Contains(r.stderr, `no service named "nobody"`) {
			t.Errorf("unknown service: %s", r.stderr)
		}
		if p, err := sdk.ListConversations(ctx, client.ConversationListOptions{}, 0); err != nil || len(p.Conversations) != 3 {
			t.Errorf("conversations: %v", err)
		}
	})
}

// term is the chat under a pseudo-terminal, as a person runs it.
type term struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	out  chan string
	seen strings.Builder
}

func startTerm(t *testing.T, c *cli, args ...string) *term {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(c.env, "TERM=dumb")
	f, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, f: f, cmd: cmd, out: make(chan string, 64)}
	go func() {
		defer close(tm.out)
		r := bufio.NewReader(f)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				tm.out <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	return tm
}

// expect reads the terminal until it has shown want since the last
// expect, and returns what it showed.
func (tm *term) expect(want string) string {
	tm.t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(tm.seen.String(), want) {
		select {
		case s, ok := <-tm.out:
			if !ok {
				tm.t.Fatalf("the terminal closed before %q; it showed:\n%s", want, tm.seen.String())
			}
			tm.seen.WriteString(s)
		case <-deadline:
			tm.t.Fatalf("no %q on the terminal; it showed:\n%s", want, tm.seen.String())
		}
	}
	all := tm.seen.String()
	i := strings.Index(all, want) + len(want)
	tm.seen.Reset()
	tm.seen.WriteString(all[i:])
	return all[:i]
}

func (tm *term) send(s string) {
	if _, err := tm.f.Write([]byte(s)); err != nil {
		tm.t.Fatal(err)
	}
}

// TestChatInteractive drives amigo chat through a pseudo-terminal: the
// prompt, replies, commands, Ctrl-C during a reply (the interaction is
// cancelled, the conversation stays usable) and at the prompt (the chat
// ends, the conversation stays open).
func TestChatInteractive(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		amigo, sdk := chatEnv(t, b)
		ctx := context.Background()
		tm := startTerm(t, amigo, "chat", "support", "--version-set", "edge")
		head := tm.expect("you> ")
		if !strings.Contains(head, "(version set edge)") || !strings.Contains(head, "amy> Hello, I'm Amy") {
			t.Fatalf("start:\n%s", head)
		}
		m := conversationID.FindStringSubmatch(head)
		if m == nil {
			t.Fatalf("no conversation id:\n%s", head)
		}
		conv := m[1]

		tm.send("/state\r")
		if out := tm.expect("you> "); !strings.Contains(out, "state: greet") {
			t.Errorf("/state:\n%s", out)
		}
		tm.send("/recommend\r")
		if out := tm.expect("you> "); !strings.Contains(out, "  1. ") {
			t.Errorf("/recommend:\n%s", out)
		}

		// A reply asked for slowly is interrupted after its first piece.
		tm.send("Please answer slowly\r")
		tm.expect("amy> ")
		tm.expect(" ") // the first piece
		tm.send("\x03")
		if out := tm.expect("you> "); !strings.Contains(out, "(interrupted: the interaction was cancelled; the conversation "+conv+" is still usable)") {
			t.Fatalf("Ctrl-C during a reply:\n%s", out)
		}

		// The conversation is usable: the server released the interaction
		// when the CLI hung up (it may take a moment to notice).
		for attempt := 0; ; attempt++ {
			tm.send("I have an account question\r")
			out := tm.expect("you> ")
			if strings.Contains(out, "amy> ") && strings.Contains(out, `You said: "I have an account question".`) {
				break
			}
			if !strings.Contains(out, "409") || attempt == 50 {
				t.Fatalf("after the interrupt:\n%s", out)
			}
			time.Sleep(100 * time.Millisecond)
		}
		tm.send("/insights\r")
		if out := tm.expect("you> "); !strings.Contains(out, `(action): "The caller has an account question."`) || !strings.Contains(out, "state: verify") {
			t.Errorf("/insights:\n%s", out)
		}

		// Ctrl-C at the prompt leaves; the conversation stays open.
		tm.send("\x03")
		tm.expect("(left conversation " + conv + " open")
		if err := tm.cmd.Wait(); err != nil {
			t.Errorf("exit after Ctrl-C at the prompt: %v", err)
		}
		p, err := sdk.ListConversations(ctx, client.ConversationListOptions{IDs: []string{conv}}, 0)
		if err != nil || len(p.Conversations) != 1 || p.Conversations[0].IsFinished {
			t.Fatalf("conversation after leaving: %+v, %v", p, err)
		}
		// Nothing of the interrupted reply was kept.
		msgs, err := client.Collect(sdk.Messages(ctx, conv, client.MessageListOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if strings.Contains(m.Message, "slowly") {
				t.Errorf("the interrupted interaction left %s %q", m.MessageType, m.Message)
			}
		}
		if len(msgs) != 3 {
			t.Errorf("%d messages, want 3 (greeting, question, answer)", len(msgs))
		}
	})
}
