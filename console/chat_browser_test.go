package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// slowModel is the built-in model, but a reply to a message asking for
// "slowly" takes a while per piece, so that a test can act while an
// interaction runs.
type slowModel struct{ engine.Builtin }

func (m slowModel) Engage(ctx context.Context, e *engine.EngageRequest, emit func(string) error) (string, error) {
	slow := strings.Contains(e.Input.Text(), "slowly")
	return m.Builtin.Engage(ctx, e, func(piece string) error {
		if slow {
			select {
			case <-time.After(700 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return emit(piece)
	})
}

// billingService creates, through the API, the agent Amy and a service on
// a machine that greets, notes a billing question (an annotation: an
// inner thought), answers it and says goodbye (the terminal state).
func billingService(t *testing.T, c *testenv.Client, org string) string {
	t.Helper()
	var agent, machine, service struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/"+org+"/organization/agent", map[string]any{"agent_name": "amy"}).Expect(201).Decode(&agent)
	c.Do(t, "POST", "/v1/"+org+"/organization/agent/"+agent.ID+"/", map[string]any{
		"initials": "AM", "background": "Ten years of customer support.", "behaviors": []string{"Listens first."},
		"communication_patterns": []string{"Short sentences."}, "voice_config": map[string]any{"voice_id": "voice-1"},
		"identity": map[string]any{"name": "Amy", "role": "Billing assistant", "developed_by": "Acme", "default_spoken_language": "eng",
			"relationship_to_developer": map[string]any{"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden"}},
	}).Expect(201)
	c.Do(t, "POST", "/v1/"+org+"/organization/service_hierarchical_state_machine", map[string]any{"state_machine_name": "billing"}).Expect(201).Decode(&machine)
	action := func(name, objective, act string, exits ...map[string]any) map[string]any {
		if exits == nil {
			exits = []map[string]any{}
		}
		return map[string]any{"type": "action", "name": name, "objective": objective, "actions": []string{act},
			"intra_state_navigation_guidelines": []string{}, "action_guidelines": []string{}, "boundary_constraints": []string{},
			"action_tool_call_specs": []string{}, "exit_condition_tool_call_specs": []string{}, "exit_conditions": exits,
			"skip_active_memory_retrieval": false}
	}
	c.Do(t, "POST", "/v1/"+org+"/organization/service_hierarchical_state_machine/"+machine.ID+"/", map[string]any{
		"description": "Billing help.", "new_user_initial_state": "greet", "returning_user_initial_state": "greet", "terminal_state": "bye",
		"references": map[string]any{}, "global_intra_state_navigation_guidelines": []string{}, "global_action_guidelines": []string{},
		"global_boundary_constraints": []string{},
		"states": []map[string]any{
			action("greet", "Welcome the caller.", "Ask how you can help.", map[string]any{"description": "The caller has a billing question.", "next_state": "note"}),
			{"type": "annotation", "name": "note", "inner_thought": "Billing questions need the account number.", "next_state": "answer"},
			action("answer", "Answer the billing question.", "Answer the question.", map[string]any{"description": "The caller says goodbye.", "next_state": "bye"}),
			action("bye", "Close kindly.", "Say goodbye."),
		},
	}).Expect(201)
	c.Do(t, "POST", "/v1/"+org+"/service/", map[string]any{"service_hierarchical_state_machine_id": machine.ID, "agent_id": agent.ID,
		"name": "billing", "description": "Billing help.", "is_active": true, "keyterms": []string{}, "tags": map[string]any{}}).Expect(201).Decode(&service)
	return service.ID
}

// TestConsoleChatInBrowser talks to a service from its page, on each
// database, one after the other (a browser each is enough for 2 cores).
func TestConsoleChatInBrowser(t *testing.T) {
	for _, b := range testenv.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			env := testenv.Start(t, b, testenv.Options{Model: slowModel{}})
			ctx := browser(t)
			org := createOrg(t, env, "acme", map[string]any{"onboarding_instructions": []string{}})
			service := billingService(t, org.Admin, "acme")
			t.Run("a conversation to the terminal state", func(t *testing.T) { chatToTheEnd(t, ctx, env, org, service) })
			t.Run("no insights without the permission", func(t *testing.T) { chatWithoutInsights(t, ctx, env, org, service) })
		})
	}
}

// openSignedIn opens the console at its root URL console and signs in with
// the API key, for the chat scenarios, which then go to a service.
func openSignedIn(t *testing.T, ctx context.Context, console, keyID, key, userID string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(console))
	signIn(t, ctx, keyID, key, userID)
	run(t, ctx, chromedp.WaitVisible("header.top", chromedp.ByQuery))
}

// state returns the graph's current state, as marked on the drawing.
func currentNode(t *testing.T, ctx context.Context) string {
	t.Helper()
	var marked []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#graph .node.current")).map(n => n.getAttribute("data-state"))`, &marked))
	return strings.Join(marked, ",")
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	if err := chromedp.Run(ctx, chromedp.Poll(cond, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		var page string
		chromedp.Run(ctx, chromedp.Evaluate(`(document.querySelector("#chat-error") || {}).textContent + " | " + (document.querySelector("#chat-status") || {}).textContent +
			" | state " + (document.querySelector("#current-state") || {}).textContent + " | " + (document.querySelector("main") || document.body).innerHTML.slice(0, 3000)`, &page))
		t.Fatalf("waiting for %s: %v\n%s", what, err, page)
	}
}

func chatToTheEnd(t *testing.T, ctx context.Context, env *testenv.Env, org *testenv.Org, service string) {
	console := env.URL + "/console/acme/"
	openSignedIn(t, ctx, console, org.APIKeyID, org.APIKey, org.UserID)
	run(t, ctx, chromedp.Navigate(console+"services/"+service), chromedp.Click("#try-it", chromedp.ByQuery), chromedp.WaitVisible("#start", chromedp.ByQuery))
	if got := text(t, ctx, "#chat-set"); got != "release" {
		t.Errorf("default version set %q, want release", got)
	}
	// Start: the agent speaks first, in the initial state.
	var before struct{ Message, SetForm bool }
	run(t, ctx, chromedp.Evaluate(`({Message: document.querySelector("#message").offsetParent !== null, SetForm: document.querySelector("#set-form").offsetParent !== null})`, &before))
	if before.Message || !before.SetForm {
		t.Errorf("before the start: message field shown %v, version set choice shown %v", before.Message, before.SetForm)
	}
	run(t, ctx, chromedp.Click("#start", chromedp.ByQuery), chromedp.WaitVisible("#message", chromedp.ByQuery), chromedp.WaitNotVisible("#set-form", chromedp.ByQuery))
	waitFor(t, ctx, `document.querySelector("#current-state").textContent === "greet"`, "greet")
	if got := text(t, ctx, "#chat-log .agent-message"); !strings.HasPrefix(got, "Hello, I'm Amy, Billing assistant.") {
		t.Errorf("greeting %q", got)
	}
	if got := currentNode(t, ctx); got != "greet" {
		t.Errorf("current node %q, want greet", got)
	}

	// A billing question: greet → note (an inner thought) → answer, live.
	run(t, ctx, chromedp.SetValue("#message", "I have a billing question", chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
	waitFor(t, ctx, `document.querySelector("#current-state").textContent === "answer" && document.querySelectorAll("#insights .inner-thought").length === 1`, "answer")
	if got := currentNode(t, ctx); got != "answer" {
		t.Errorf("current node %q, want answer", got)
	}
	if got := text(t, ctx, "#state-path"); got != "greet → note → answer" {
		t.Errorf("path %q", got)
	}
	if got := text(t, ctx, "#insights details[open] .inner-thought"); got != "Billing questions need the account number." {
		t.Errorf("inner thought %q", got)
	}
	if got := text(t, ctx, "#insights details[open] .facts dd"); got != "builtin" {
		t.Errorf("model %q, want builtin", got)
	}
	var steps []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#agent-actions li")).map(li => li.getAttribute("data-action"))`, &steps))
	if !strings.Contains(strings.Join(steps, ","), "navigate-state-machine-state-transitioned") {
		t.Errorf("agent steps %q", steps)
	}
	// Suggested replies fill the message field.
	run(t, ctx, chromedp.Click("#suggest", chromedp.ByQuery), chromedp.WaitVisible("#suggestions button", chromedp.ByQuery))
	suggestion := text(t, ctx, "#suggestions button")
	var typed string
	run(t, ctx, chromedp.Click("#suggestions button", chromedp.ByQuery), chromedp.Value("#message", &typed, chromedp.ByQuery))
	if suggestion == "" || typed != suggestion {
		t.Errorf("suggestion %q put %q in the message field", suggestion, typed)
	}
	run(t, ctx, chromedp.Evaluate(`document.querySelector("#message").value = ""`, nil))
	screenshot(t, ctx, "console-chat.png")

	// While a slow reply streams (asked for in a second tab, which the
	// browser now shows), sending is disabled there, and a message from
	// the first tab is refused with the API's 409.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	run(t, tab, chromedp.Navigate(console+"services/"+service+"/chat"), chromedp.WaitVisible("#message", chromedp.ByQuery))
	run(t, tab, chromedp.SetValue("#message", "Please answer slowly", chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
	waitFor(t, tab, `document.querySelector("#chat-log .agent-message.streaming") !== null`, "streaming")
	var disabled bool
	run(t, tab, chromedp.Evaluate(`document.querySelector("#send").disabled && document.querySelector("#message").disabled`, &disabled))
	if !disabled {
		t.Error("sending is enabled while an interaction runs")
	}
	run(t, ctx, chromedp.SetValue("#message", "Me too", chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
	waitFor(t, ctx, `document.querySelector("#chat-error").textContent !== ""`, "409")
	if got := text(t, ctx, "#chat-error"); !strings.HasPrefix(got, "409: ") {
		t.Errorf("a message while another tab's interaction runs: %q, want a 409", got)
	}
	waitFor(t, tab, `document.querySelector("#chat-log .agent-message.streaming") === null && !document.querySelector("#send").disabled`, "slow reply done")
	cancel()

	// Goodbye reaches the terminal state: the conversation ends itself.
	run(t, ctx, chromedp.SetValue("#message", "Thanks, goodbye", chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
	waitFor(t, ctx, `document.querySelector("#current-state").textContent === "bye"`, "bye")
	if got := text(t, ctx, "#chat-status"); got != "The conversation reached its terminal state and is finished." {
		t.Errorf("status %q", got)
	}
	if got := currentNode(t, ctx); got != "bye" {
		t.Errorf("current node %q, want bye", got)
	}

	// The conversations page lists it; its page shows the interactions
	// with their insights and, after post-processing, the user's model.
	env.Runtime.PostConversation.RunDue(context.Background())
	run(t, ctx, chromedp.Navigate(console+"services/"+service+"/conversations?finished=true"), chromedp.WaitVisible("#conversations", chromedp.ByQuery))
	var rows int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#conversations tbody tr[data-conversation]").length`, &rows))
	if rows != 1 {
		t.Fatalf("%d finished conversations listed, want 1", rows)
	}
	run(t, ctx, chromedp.Click("#conversations tbody a", chromedp.ByQuery), chromedp.WaitVisible(".turn", chromedp.ByQuery))
	var turns int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".turn").length`, &turns))
	if turns != 4 {
		t.Errorf("%d interactions shown, want 4", turns)
	}
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".turn details").forEach(d => d.open = true)`, nil))
	if got := text(t, ctx, ".turn:nth-of-type(2) .inner-thought"); got != "Billing questions need the account number." {
		t.Errorf("inner thought on the conversation page %q", got)
	}
	if got := text(t, ctx, ".user-model p"); got == "" {
		t.Error("no user model after finish")
	}
	screenshot(t, ctx, "console-conversation.png")
	// A tag edited in place.
	run(t, ctx, chromedp.SetValue("#new-tag-key", "reviewed", chromedp.ByQuery), chromedp.SetValue("#new-tag-value", "yes", chromedp.ByQuery),
		chromedp.Click("#add-tag button", chromedp.ByQuery), chromedp.WaitVisible(`form[data-tag="reviewed"]`, chromedp.ByQuery))
	var value string
	run(t, ctx, chromedp.Value(`#tag-reviewed`, &value, chromedp.ByQuery))
	if value != "yes" {
		t.Errorf("tag value %q", value)
	}
	run(t, ctx, chromedp.Navigate(console+"services/"+service+"/conversations?tag=reviewed:yes"), chromedp.WaitVisible("#conversations", chromedp.ByQuery))
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#conversations tbody tr[data-conversation]").length`, &rows))
	if rows != 1 {
		t.Errorf("%d conversations tagged reviewed:yes, want 1", rows)
	}
	screenshotPhone(t, ctx, console+"services/"+service+"/chat")
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
}

// screenshotPhone checks the chat page at phone width: nothing is wider
// than the screen.
func screenshotPhone(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(url), chromedp.WaitVisible("#start", chromedp.ByQuery))
	var overflow bool
	run(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow))
	if overflow {
		t.Error("the chat page is wider than a phone's screen")
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

// chatWithoutInsights: a user whose role holds every conversation
// permission on their own conversations but
// Conversation:GetInteractionInsights chats, and sees neither the
// agent's steps nor its insights nor its inner thoughts.
func chatWithoutInsights(t *testing.T, ctx context.Context, env *testenv.Env, org *testenv.Org, service string) {
	grants := []amigo.Grant{{Permission: amigo.PermGetService}, {Permission: amigo.PermGetAgent}, {Permission: amigo.PermGetStateMachine},
		{Permission: amigo.PermUpdateUserInfo, Conditions: map[string][]string{"id": {amigo.Self}}}}
	for _, p := range amigo.ConversationPermissions {
		if p != amigo.PermGetInteractionInsights {
			grants = append(grants, amigo.Grant{Permission: p, Conditions: map[string][]string{"user_id": {amigo.Self}}})
		}
	}
	if _, err := env.Runtime.App.PutRole(context.Background(), "acme", core.RoleInput{Name: "Tester", Grants: grants}); err != nil {
		t.Fatal(err)
	}
	user := inviteUser(t, org.Admin, "acme", "tester@acme.test", "Tester")
	key := createKey(t, org.Admin, "acme", "Tester")
	console := env.URL + "/console/acme/"
	openSignedIn(t, ctx, console, key.APIKeyID, key.APIKey, user)
	run(t, ctx, chromedp.Navigate(console+"services/"+service+"/chat"), chromedp.WaitVisible("#start", chromedp.ByQuery),
		chromedp.Click("#start", chromedp.ByQuery), chromedp.WaitVisible("#message", chromedp.ByQuery))
	// The field shows as the greeting starts; Send is enabled once it
	// has ended (a click before that does nothing).
	waitFor(t, ctx, `document.querySelectorAll("#chat-log .agent-message:not(.streaming)").length === 1 && !document.querySelector("#send").disabled`, "greeting")
	run(t, ctx, chromedp.SetValue("#message", "I have a billing question", chromedp.ByQuery), chromedp.Click("#send", chromedp.ByQuery))
	waitFor(t, ctx, `document.querySelectorAll("#chat-log .agent-message:not(.streaming)").length === 2 && !document.querySelector("#send").disabled`, "reply")
	if got := text(t, ctx, "#no-insights"); !strings.Contains(got, "does not show") {
		t.Errorf("no-insights note %q", got)
	}
	var shown struct{ Steps, Thoughts int }
	run(t, ctx, chromedp.Evaluate(`({Steps: document.querySelectorAll("#agent-actions li").length,
		Thoughts: document.querySelectorAll(".inner-thought").length})`, &shown))
	if shown.Steps != 0 || shown.Thoughts != 0 {
		t.Errorf("a user without insight permission sees %d steps and %d inner thoughts", shown.Steps, shown.Thoughts)
	}
	// Nor does the console's insights endpoint give them away.
	var body map[string]any
	run(t, ctx, chromedp.Evaluate(`(async () => {
		const root = document.querySelector("#chat");
		const id = document.querySelector("#insights details").getAttribute("data-interaction");
		const conv = root.getAttribute("data-conversation") || document.querySelector("#chat-id").textContent;
		const r = await fetch(root.getAttribute("data-conversations") + conv + "/interactions/" + id + "/insights");
		return r.json();
	})()`, &body, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if body["allowed"] != false || body["inner_thoughts"] != nil || body["insights"] != nil {
		t.Errorf("insights endpoint for a user without the permission: %v", body)
	}
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
}
