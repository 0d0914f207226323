package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
	"github.com/amigo-oss/amigo-server/core/coretest"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// xss is put in every organization text field and in a state name: were
// any of it to run, window.pwned would be set.
const xss = `<script>window.pwned=1</script><img src=x onerror="window.pwned=1">`

// browser starts one headless Chromium for a test, with a fresh profile.
// Without Chromium the test fails when the environment requires its
// services (CI) and is skipped otherwise.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if testenv.RequireServices() {
			t.Fatal("chromium is not installed (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed (apt-get install -y chromium)")
	}
	profile, err := os.MkdirTemp("", "amigo-console-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		// Chromium's helper processes may still write to the profile for
		// a moment after the browser exits.
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// inert checks that nothing of the payload ran on the current page.
func inert(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var pwned bool
	run(t, ctx, chromedp.Evaluate(`typeof window.pwned !== "undefined"`, &pwned))
	if pwned {
		t.Errorf("%s: the XSS payload ran", where)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// screenshot saves a PNG of the page into docs/ when
// AMIGO_UPDATE_SCREENSHOTS=1 (docs/console.md shows them), else into a
// temporary directory; either way it must not be empty.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	run(t, ctx, chromedp.FullScreenshot(&png, 100))
	dir := t.TempDir()
	if os.Getenv("AMIGO_UPDATE_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "docs")
	}
	if len(png) < 1000 {
		t.Fatalf("screenshot %s is empty", name)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConsoleInBrowser runs the console's browser scenarios in one
// browser, one after the other.
func TestConsoleInBrowser(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	ctx := browser(t)
	t.Run("walkthrough", func(t *testing.T) { walkthrough(t, ctx, env) })
	t.Run("script payloads stay text", func(t *testing.T) { hostileOrganization(t, ctx, env) })
	t.Run("manage", func(t *testing.T) { manage(t, ctx, env) })
}

// manage compares agent versions, reads a service's version sets,
// creates and revokes an API key and invites and deletes a user, at
// desktop and phone width.
func manage(t *testing.T, ctx context.Context, env *testenv.Env) {
	org := createOrg(t, env, "globex", map[string]any{"onboarding_instructions": []string{}})
	c := org.Admin
	var agent struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/globex/organization/agent", map[string]any{"agent_name": "amy"}).Expect(201).Decode(&agent)
	v1 := map[string]any{
		"initials": "AM", "background": "Ten years of customer support.", "behaviors": []string{"Listens first."},
		"communication_patterns": []string{"Short sentences."}, "voice_config": map[string]any{"voice_id": "voice-1"},
		"identity": map[string]any{"name": "Amy", "role": "Support coach", "developed_by": "Globex", "default_spoken_language": "eng",
			"relationship_to_developer": map[string]any{"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden"}},
	}
	c.Do(t, "POST", "/v1/globex/organization/agent/"+agent.ID+"/", v1).Expect(201)
	c.Do(t, "POST", "/v1/globex/organization/agent/"+agent.ID+"/", map[string]any{"background": "Twenty years of customer support."}).Expect(201)
	machine := graphFixture(t, c, "globex", "Done.", "A machine.")
	var service struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/globex/service/", map[string]any{"service_hierarchical_state_machine_id": machine, "agent_id": agent.ID,
		"name": "support", "description": "Helps customers.", "is_active": true, "keyterms": []string{}, "tags": map[string]any{}}).
		Expect(201).Decode(&service)
	c.Do(t, "PUT", "/v1/globex/service/"+service.ID+"/version_sets/canary/", map[string]any{"version_set": map[string]any{
		"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 1,
		"llm_model_preferences": map[string]any{"conversation": map[string]any{"llm_name": "openai_gpt-5.1-2025-11-13"}}}}).Expect(204)
	console := env.URL + "/console/globex/"

	run(t, ctx, chromedp.Navigate(console))
	signIn(t, ctx, org.APIKeyID, org.APIKey, org.UserID)
	run(t, ctx, chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery), chromedp.Click(`main a[href$="/agents/`+agent.ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#diff", chromedp.ByQuery))
	var changed [][]string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#diff tr.changed")).map(r => Array.from(r.cells).map(c => c.textContent.trim()))`, &changed))
	if len(changed) != 1 || !strings.Contains(changed[0][0], "Ten years") || !strings.Contains(changed[0][1], "Twenty years") {
		t.Errorf("changed rows of the diff: %q", changed)
	}
	labelled(t, ctx, "agent")

	// Deprecating the agent an active service uses is refused with the
	// API's message; an unused one is deprecated.
	run(t, ctx, chromedp.Click("details.danger-zone summary", chromedp.ByQuery), chromedp.Click("#deprecate", chromedp.ByQuery))
	if got := text(t, ctx, "#error-message"); !strings.Contains(got, "active service") {
		t.Errorf("deprecating an agent in use: %q", got)
	}
	var spare struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/globex/organization/agent", map[string]any{"agent_name": "spare"}).Expect(201).Decode(&spare)
	c.Do(t, "POST", "/v1/globex/organization/agent/"+spare.ID+"/", v1).Expect(201)
	run(t, ctx, chromedp.Navigate(console+"agents/"+spare.ID), chromedp.Click("details.danger-zone summary", chromedp.ByQuery),
		chromedp.Click("#deprecate", chromedp.ByQuery), chromedp.WaitVisible("h1 .badge", chromedp.ByQuery))

	versionSets(t, ctx, env, c, console, service.ID)

	// An API key: its secret shown once, then revoked.
	run(t, ctx, chromedp.Navigate(console+"api-keys"), chromedp.WaitVisible("#create-key", chromedp.ByQuery))
	labelled(t, ctx, "API keys")
	run(t, ctx, chromedp.SetValue("#key-name", "ci", chromedp.ByQuery), chromedp.Click("#create-key", chromedp.ByQuery))
	keyID, secret := text(t, ctx, "#created-key-id"), text(t, ctx, "#created-key")
	if len(secret) < 20 {
		t.Fatalf("secret shown: %q", secret)
	}
	run(t, ctx, chromedp.Navigate(console+"api-keys"), chromedp.WaitVisible("#create-key", chromedp.ByQuery))
	var shownAgain bool
	run(t, ctx, chromedp.Evaluate(`document.body.textContent.includes(`+jsString(secret)+`)`, &shownAgain))
	if shownAgain {
		t.Error("the secret is shown again")
	}
	revoke := `form[action$="/api-keys/` + keyID + `/revoke"] button`
	run(t, ctx, chromedp.Click(revoke, chromedp.ByQuery))
	gone(t, ctx, revoke, "the revoked key")

	// A user invited, then deleted.
	run(t, ctx, chromedp.Navigate(console+"users"), chromedp.WaitVisible("#invite", chromedp.ByQuery),
		chromedp.SetValue("#first_name", "New", chromedp.ByQuery), chromedp.SetValue("#last_name", "Person", chromedp.ByQuery),
		chromedp.SetValue("#email", "new@globex.test", chromedp.ByQuery), chromedp.Click("#invite", chromedp.ByQuery))
	// Their role changed, then they are deleted.
	invited := text(t, ctx, "p[role=status] code")
	labelled(t, ctx, "users")
	run(t, ctx, chromedp.SetValue("#role-"+invited, amigo.RoleSuperAdministrator, chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Change role of new@globex.test"]`, chromedp.ByQuery), chromedp.WaitVisible("#notice", chromedp.ByQuery))
	if got, want := roleOf(t, c, invited), roleOf(t, c, org.UserID); got != want {
		t.Errorf("the invited user's role is %s, want the super administrator role %s, like the signed-in user", got, want)
	}
	run(t, ctx, chromedp.WaitVisible(`button[aria-label="Delete new@globex.test"]`, chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Delete new@globex.test"]`, chromedp.ByQuery))
	gone(t, ctx, `button[aria-label="Delete new@globex.test"]`, "the deleted user")

	changeLog(t, ctx, c, console)

	// At phone width nothing but the graph itself scrolls sideways.
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	for _, path := range []string{"agents/" + agent.ID, "state-machines/" + machine, "users", "services/" + service.ID, "changes", ""} {
		if path == "" {
			run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
		} else {
			run(t, ctx, chromedp.Navigate(console+path), chromedp.WaitVisible("main", chromedp.ByQuery))
		}
		var wide []string
		run(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth ? Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth && !e.closest(".scroll")).map(e => e.tagName + "." + e.className) : []`, &wide))
		if len(wide) > 0 {
			t.Errorf("/console/globex/%s is wider than a phone: %q", path, wide)
		}
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))

	// A DefaultUserRole user sees the service's version sets and
	// revisions but is offered neither promote, rollback nor the change
	// log, which they may not open either.
	reader, key := inviteUser(t, c, "globex", "reader@globex.test", amigo.RoleUser), createKey(t, c, "globex", amigo.RoleUser)
	signIn(t, ctx, key.APIKeyID, key.APIKey, reader)
	run(t, ctx, chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery), chromedp.Navigate(console+"services/"+service.ID), chromedp.WaitVisible("#set-release", chromedp.ByQuery))
	var offered int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("form[action*=promote], a[href*=rollback], #changes, nav a[href$='/changes']").length`, &offered))
	if offered != 0 {
		t.Errorf("a DefaultUserRole user is offered %d promote, rollback or change-log elements", offered)
	}
	run(t, ctx, chromedp.Navigate(console+"services/"+service.ID+"/version-sets/release/rollback?to=1"))
	if got := text(t, ctx, "#error-message"); !strings.Contains(got, amigo.PermUpdateVersionSet) {
		t.Errorf("a DefaultUserRole user's rollback confirmation: %q", got)
	}
	// Posted anyway, with the page's CSRF token, the API refuses it.
	run(t, ctx, chromedp.Evaluate(`(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = location.pathname;
		for (const [k, v] of [["csrf", document.querySelector("input[name=csrf]").value], ["to_revision", "1"]]) {
			const i = document.createElement("input");
			i.type = "hidden"; i.name = k; i.value = v;
			f.appendChild(i);
		}
		document.body.appendChild(f);
		document.querySelector("main").removeAttribute("id");
		f.submit();
	})()`, nil), chromedp.WaitVisible("main#main", chromedp.ByQuery))
	if status, got := text(t, ctx, "h1"), text(t, ctx, "#error-message"); status != "403" || !strings.Contains(got, "required permission Service:") {
		t.Errorf("a DefaultUserRole user's posted rollback: %s %q", status, got)
	}
	if rel := release(t, c, service.ID); rel.AgentVersion != nil {
		t.Errorf("the refused rollback changed release: %+v", rel)
	}
	run(t, ctx, chromedp.Navigate(console+"changes"))
	if got := text(t, ctx, "#error-message"); !strings.Contains(got, amigo.PermGetChangeLog) {
		t.Errorf("the change log for a DefaultUserRole user: %q", got)
	}
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
}

// versionSets reads a service's version sets and their revisions, promotes
// canary into release through the confirmation, and rolls release back:
// first with a confirmation gone stale (refused with the API's message),
// then for real.
func versionSets(t *testing.T, ctx context.Context, env *testenv.Env, c *testenv.Client, console, service string) {
	page := console + "services/" + service
	run(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible("#version-sets", chromedp.ByQuery))
	var sets []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#version-sets tbody tr")).map(r => r.dataset.set)`, &sets))
	if strings.Join(sets, ",") != "canary,edge,release" {
		t.Errorf("version sets shown: %q", sets)
	}
	if revs := revisionsShown(t, ctx, "release"); strings.Join(revs, ",") != "1" {
		t.Errorf("release's revisions: %q, want 1", revs)
	}
	labelled(t, ctx, "service")

	run(t, ctx, chromedp.SetValue("#promote-release", "canary", chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Promote into release"]`, chromedp.ByQuery), chromedp.WaitVisible("#confirm-diff", chromedp.ByQuery))
	if got, want := changedRows(t, ctx), "Agent version: latest → 1; LLM preference: conversation: none → openai_gpt-5.1-2025-11-13; State-machine version: latest → 1"; got != want {
		t.Errorf("promote's diff:\n got %s\nwant %s", got, want)
	}
	if release(t, c, service).AgentVersion != nil {
		t.Fatal("release changed before the promote was confirmed")
	}
	run(t, ctx, chromedp.Click("#confirm", chromedp.ByQuery), chromedp.WaitVisible("#version-sets", chromedp.ByQuery))
	if rel := release(t, c, service); rel.AgentVersion == nil || *rel.AgentVersion != 1 || rel.StateMachineVersion == nil || *rel.StateMachineVersion != 1 ||
		rel.LLMModelPreferences["conversation"].LLMName != "openai_gpt-5.1-2025-11-13" {
		t.Errorf("release after the promote: %+v", rel)
	}
	if revs := revisionsShown(t, ctx, "release"); strings.Join(revs, ",") != "2,1" {
		t.Errorf("release's revisions after the promote: %q, want 2,1", revs)
	}

	// A rollback confirmed after someone else changed the set is refused.
	rollback := `a[aria-label="Roll release back to revision 1"]`
	run(t, ctx, chromedp.Click(rollback, chromedp.ByQuery), chromedp.WaitVisible("#confirm-diff", chromedp.ByQuery))
	if got, want := changedRows(t, ctx), "Agent version: 1 → latest; LLM preference: conversation: openai_gpt-5.1-2025-11-13 → none; State-machine version: 1 → latest"; got != want {
		t.Errorf("rollback's diff:\n got %s\nwant %s", got, want)
	}
	c.Do(t, "POST", "/v1/globex/service/"+service+"/version_sets/release/promote", map[string]any{"from": "canary"}).Expect(204)
	run(t, ctx, chromedp.Click("#confirm", chromedp.ByQuery))
	if got := text(t, ctx, "#error-message"); !strings.Contains(got, "is at revision 3, not 2") {
		t.Errorf("a stale rollback: %q", got)
	}
	run(t, ctx, chromedp.Navigate(page), chromedp.Click(rollback, chromedp.ByQuery), chromedp.WaitVisible("#confirm", chromedp.ByQuery),
		chromedp.Click("#confirm", chromedp.ByQuery), chromedp.WaitVisible("#version-sets", chromedp.ByQuery))
	if rel := release(t, c, service); rel.AgentVersion != nil || rel.StateMachineVersion != nil || len(rel.LLMModelPreferences) != 0 {
		t.Errorf("release after the rollback: %+v", rel)
	}
	if revs := revisionsShown(t, ctx, "release"); strings.Join(revs, ",") != "4,3,2,1" {
		t.Errorf("release's revisions after the rollback: %q, want 4,3,2,1", revs)
	}
	// The service's own history lists the version set changes.
	var history []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#changes tbody tr")).map(r => r.dataset.operation)`, &history))
	if want := "rollback-service-version-set,promote-service-version-set,promote-service-version-set,upsert-service-version-set,create-service"; strings.Join(history, ",") != want {
		t.Errorf("the service's history: %q, want %s", history, want)
	}
}

// changedRows is the changed rows of the confirmation's diff, as text.
func changedRows(t *testing.T, ctx context.Context) string {
	t.Helper()
	var rows []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#confirm-diff tr.changed")).map(r => r.cells[0].textContent + ": " + r.cells[1].textContent + " → " + r.cells[2].textContent)`, &rows))
	slices.Sort(rows)
	return strings.Join(rows, "; ")
}

// revisionsShown lists the revisions the service page shows of a set.
func revisionsShown(t *testing.T, ctx context.Context, set string) []string {
	t.Helper()
	var revs []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#set-`+set+` tbody tr[data-revision]")).map(r => r.dataset.revision)`, &revs))
	return revs
}

// release is the service's release version set, as the API has it.
func release(t *testing.T, c *testenv.Client, service string) client.VersionSet {
	t.Helper()
	return only[client.Service](t, c, "/v1/globex/service/?id="+service, "services").VersionSets["release"]
}

// roleOf is the role id get-users shows for a user.
func roleOf(t *testing.T, c *testenv.Client, user string) string {
	t.Helper()
	return only[client.User](t, c, "/v1/globex/user/?user_id="+user, "users").Role
}

// only is the one item that the listing at path holds under key.
func only[T any](t *testing.T, c *testenv.Client, path, key string) T {
	t.Helper()
	var page map[string]json.RawMessage
	c.Do(t, "GET", path, nil).Expect(200).Decode(&page)
	var items []T
	if err := json.Unmarshal(page[key], &items); err != nil || len(items) != 1 {
		t.Fatalf("%s: %d %s, %v; want one", path, len(items), key, err)
	}
	return items[0]
}

// changeLog opens the organization's change log: newest first as the
// API lists it, with the operations done above, two pages, and a filter
// by resource type.
func changeLog(t *testing.T, ctx context.Context, c *testenv.Client, console string) {
	api := func(query string) []string {
		var page struct {
			Changes []struct {
				Operation string `json:"operation"`
			} `json:"changes"`
		}
		c.Do(t, "GET", "/v1/globex/changes/"+query, nil).Expect(200).Decode(&page)
		var ops []string
		for _, ch := range page.Changes {
			ops = append(ops, ch.Operation)
		}
		return ops
	}
	// Enough changes for two pages of 25.
	for i := 0; len(api("?limit=100")) <= 30; i++ {
		c.Do(t, "POST", "/v1/globex/organization/agent", map[string]any{"agent_name": fmt.Sprintf("filler %d", i)}).Expect(201)
	}
	all := api("?limit=100")
	shown := func() []string {
		var ops []string
		run(t, ctx, chromedp.WaitVisible("#changes", chromedp.ByQuery),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("#changes tbody tr")).map(r => r.dataset.operation)`, &ops))
		return ops
	}
	run(t, ctx, chromedp.Navigate(console+"home"), chromedp.Click(`nav a[href$="/changes"]`, chromedp.ByQuery))
	labelled(t, ctx, "change log")
	first := shown()
	run(t, ctx, chromedp.Click("#older", chromedp.ByQuery), chromedp.WaitVisible("#newer", chromedp.ByQuery))
	second := shown()
	if got, want := strings.Join(append(first, second...), ","), strings.Join(all[:min(len(all), 50)], ","); len(first) != 25 || got != want {
		t.Errorf("the change log's first two pages (%d on the first):\n got %s\nwant %s", len(first), got, want)
	}
	for _, op := range []string{"promote-service-version-set", "rollback-service-version-set", "update-user-role", "delete-user", "delete-api-key", "create-service"} {
		if !slices.Contains(all, op) {
			t.Errorf("the change log lacks %s", op)
		}
	}
	run(t, ctx, chromedp.SetValue("#resource_type", "user", chromedp.ByQuery), chromedp.Click("#filter", chromedp.ByQuery),
		chromedp.WaitReady(`#shown[data-type="user"]`, chromedp.ByQuery))
	if got, want := strings.Join(shown(), ","), strings.Join(api("?resource_type=user"), ","); got != want || !strings.HasPrefix(got, "delete-user,update-user-role,create-invited-user") {
		t.Errorf("changes of users:\n got %s\nwant %s, newest delete-user,update-user-role,create-invited-user", got, want)
	}
}

// gone waits for the element sel to leave the page after an action.
func gone(t *testing.T, ctx context.Context, sel, what string) {
	t.Helper()
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Run(wait, chromedp.WaitNotPresent(sel, chromedp.ByQuery)); err != nil {
		t.Errorf("%s is still listed: %v", what, err)
	}
}

// labelled checks that every field of the page has a label.
func labelled(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var unlabelled []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("input:not([type=hidden]), select")).filter(e => e.labels.length === 0).map(e => e.name)`, &unlabelled))
	if len(unlabelled) > 0 {
		t.Errorf("%s: fields without a label: %q", page, unlabelled)
	}
}

// createOrg creates an organization whose text fields are body's plus
// the defaults, and signs in as its administrator.
func createOrg(t *testing.T, env *testenv.Env, id string, fields map[string]any) *testenv.Org {
	t.Helper()
	body := testenv.OrgBody(id)
	for k, v := range fields {
		body[k] = v
	}
	env.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "PUT", "/v1/"+id+"/organization/", body,
		testenv.Header("x-mongo-cluster-name", "default")).Expect(201)
	return env.AdminOf(t, id)
}

// walkthrough is what a user does: the branded sign-in, onboarding, a
// state machine's graph, sign-out; then a DefaultUserRole user's limits
// and an unknown organization. It takes docs/console.md's screenshots.
func walkthrough(t *testing.T, ctx context.Context, env *testenv.Env) {
	acme := createOrg(t, env, "acme", map[string]any{
		"org_name": "Acme Health", "title": "Acme Health Assistant",
		"main_description": "Answers for patients, day and night.",
		"sub_description":  "Sign in with the API key your administrator gave you.",
		"onboarding_instructions": []string{
			"# Welcome to Acme\n\nThis console shows the **agents**, **state machines** and **services** of Acme Health.",
			"## Versions\n\nEvery change is a new version; compare two on an agent's page.",
		},
	})
	machine := graphFixture(t, acme.Admin, "acme", "Done.", "A generated machine.")
	console := env.URL + "/console/acme/"

	// Branded sign-in: the stored texts and images.
	run(t, ctx, chromedp.Navigate(console))
	if got := text(t, ctx, "#org-title"); got != "Acme Health Assistant" {
		t.Errorf("title = %q", got)
	}
	if got := text(t, ctx, "#main-description"); got != "Answers for patients, day and night." {
		t.Errorf("main description = %q", got)
	}
	var headshotWidth, logoWidth int
	var favicon string
	run(t, ctx, chromedp.Evaluate(`document.querySelector("#headshot").naturalWidth`, &headshotWidth),
		chromedp.Evaluate(`document.querySelector("img.logo").naturalWidth`, &logoWidth),
		chromedp.Evaluate(`document.querySelector("link[rel=icon]").getAttribute("href")`, &favicon))
	if headshotWidth != 292 || logoWidth != 500 {
		t.Errorf("headshot %d px and logo %d px wide, want the stored 292 and 500", headshotWidth, logoWidth)
	}
	if favicon != "/console/acme/image/favicon" {
		t.Errorf("favicon link %q", favicon)
	}
	screenshot(t, ctx, "console-signin.png")

	// A wrong key is refused with the API's message, on the branded page.
	signIn(t, ctx, acme.APIKeyID, "wrong", acme.UserID)
	if got := text(t, ctx, "#signin-error"); got == "" {
		t.Error("no error for a wrong key")
	}
	// Signing in by keyboard alone: Tab from field to field, Enter.
	run(t, ctx, chromedp.WaitVisible("#signin", chromedp.ByQuery), chromedp.Clear("#api_key_id", chromedp.ByQuery),
		chromedp.Clear("#user_id", chromedp.ByQuery), chromedp.Focus("#api_key_id", chromedp.ByQuery),
		chromedp.KeyEvent(acme.APIKeyID+"\t"+acme.APIKey+"\t"+acme.UserID+"\r"))

	// Onboarding: markdown rendered, two pages, then never again.
	if got := text(t, ctx, "#instruction h1"); got != "Welcome to Acme" {
		t.Errorf("onboarding page 1 heading %q", got)
	}
	var cookies string
	run(t, ctx, chromedp.Evaluate(`document.cookie`, &cookies))
	if strings.Contains(cookies, "amigo_session") {
		t.Error("the session cookie is readable by scripts")
	}
	run(t, ctx, chromedp.Click("#onboarding-next", chromedp.ByQuery), chromedp.WaitVisible("#onboarding-back", chromedp.ByQuery))
	if got := text(t, ctx, "#instruction h2"); got != "Versions" {
		t.Errorf("onboarding page 2 heading %q", got)
	}
	run(t, ctx, chromedp.Click("#onboarding-done", chromedp.ByQuery), chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery))
	run(t, ctx, chromedp.Navigate(console+"home"), chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery))

	// The state machine drawn: one node per state, lint marked.
	run(t, ctx, chromedp.Navigate(console+"state-machines/"+machine+"?version=1"), chromedp.WaitVisible("#graph svg", chromedp.ByQuery))
	var nodes int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#graph [data-state]").length`, &nodes))
	if nodes != 6 {
		t.Errorf("graph has %d state nodes, want 6", nodes)
	}
	var marked []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#graph .node.lint")).map(n => n.getAttribute("data-state"))`, &marked))
	if len(marked) != 1 || marked[0] != "island" {
		t.Errorf("states marked as lint warnings: %q, want the unreachable island", marked)
	}

	// Version 2 compared with version 1: the changed and the added state
	// are marked.
	run(t, ctx, chromedp.SetValue("#version", "2", chromedp.ByQuery), chromedp.SetValue("#compare", "1", chromedp.ByQuery),
		chromedp.Click("#show-version", chromedp.ByQuery), chromedp.WaitVisible(".change-list", chromedp.ByQuery))
	var changes []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#graph .node[class*=change-]")).map(n => n.getAttribute("data-state") + " " + n.getAttribute("class"))`, &changes))
	slices.Sort(changes)
	if strings.Join(changes, ",") != "aside node state-annotation lint change-added,start node state-action initial change-changed" {
		t.Errorf("marked changes: %q", changes)
	}
	screenshot(t, ctx, "console-state-machine.png")

	// Sign-out ends the session.
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
	run(t, ctx, chromedp.Navigate(console+"agents"), chromedp.WaitVisible("#signin", chromedp.ByQuery))

	// A DefaultUserRole user is neither offered the API keys page nor
	// allowed to open it.
	user := inviteUser(t, acme.Admin, "acme", "reader@acme.test", amigo.RoleUser)
	key := createKey(t, acme.Admin, "acme", amigo.RoleUser)
	signIn(t, ctx, key.APIKeyID, key.APIKey, user)
	run(t, ctx, chromedp.WaitVisible("#onboarding-done", chromedp.ByQuery), chromedp.Click("#onboarding-done", chromedp.ByQuery),
		chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery))
	var offered []string
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("nav a")).map(a => a.textContent)`, &offered))
	if strings.Join(offered, ",") != "Agents,State machines,Services" {
		t.Errorf("a DefaultUserRole user is offered %q", offered)
	}
	run(t, ctx, chromedp.Navigate(console+"api-keys"))
	if got := text(t, ctx, "h1"); got != "403" {
		t.Errorf("API keys page for a DefaultUserRole user: %q, want 403", got)
	}
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))

	// An unknown organization is the API's "Organization not found".
	run(t, ctx, chromedp.Navigate(env.URL+"/console/nobody/"))
	if got := text(t, ctx, "#error-message"); got != "Organization not found" {
		t.Errorf("unknown organization: %q", got)
	}
}

// hostileOrganization puts a script payload in every text field of an
// organization, its onboarding and a state machine's drawn labels: each
// page shows it as text and nothing of it runs.
func hostileOrganization(t *testing.T, ctx context.Context, env *testenv.Env) {
	evil := createOrg(t, env, "evil", map[string]any{
		"org_name": "Evil " + xss, "title": "Title " + xss, "main_description": "Main " + xss, "sub_description": "Sub " + xss,
		"onboarding_instructions": []string{"# Hi\n\n**Bold** " + xss, "[docs](javascript:window.pwned=1)"},
	})
	machine := graphFixture(t, evil.Admin, "evil", "Done "+xss, xss)
	console := env.URL + "/console/evil/"

	run(t, ctx, chromedp.Navigate(console))
	for sel, want := range map[string]string{"#org-title": "Title " + xss, "#main-description": "Main " + xss, "#sub-description": "Sub " + xss} {
		if got := text(t, ctx, sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	inert(t, ctx, "sign-in")

	signIn(t, ctx, evil.APIKeyID, evil.APIKey, evil.UserID)
	run(t, ctx, chromedp.WaitVisible("#instruction strong", chromedp.ByQuery))
	var scripts int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#instruction script, #instruction [onerror]").length`, &scripts))
	if scripts != 0 {
		t.Errorf("onboarding kept %d scripts", scripts)
	}
	inert(t, ctx, "onboarding")
	run(t, ctx, chromedp.Click("#onboarding-next", chromedp.ByQuery), chromedp.WaitVisible("#onboarding-back", chromedp.ByQuery))
	var links int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll("#instruction a[href^=javascript]").length`, &links))
	if links != 0 {
		t.Error("a javascript: link survived sanitising")
	}

	run(t, ctx, chromedp.Navigate(console+"state-machines/"+machine), chromedp.WaitVisible("#graph svg", chromedp.ByQuery))
	var label bool
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("#graph .edge title")).some(e => e.textContent === `+jsString("Done "+xss)+`)`, &label))
	if !label {
		t.Error("the exit condition's label is not drawn as text")
	}
	inert(t, ctx, "state machine")
	run(t, ctx, chromedp.Navigate(console+"state-machines"), chromedp.WaitVisible(`main[data-page="State machines"]`, chromedp.ByQuery))
	inert(t, ctx, "state machines")

	// A change summary naming an agent named with the payload.
	evil.Admin.Do(t, "POST", "/v1/evil/organization/agent", map[string]any{"agent_name": xss}).Expect(201)
	run(t, ctx, chromedp.Navigate(console+"changes"), chromedp.WaitVisible("#changes", chromedp.ByQuery))
	if got := text(t, ctx, "#changes tbody tr .summary"); !strings.HasPrefix(got, "Created agent "+strconv.Quote(xss)) {
		t.Errorf("the newest change's summary: %q", got)
	}
	inert(t, ctx, "change log")
	run(t, ctx, chromedp.Click("#signout", chromedp.ByQuery), chromedp.WaitVisible("#signin", chromedp.ByQuery))
}

func signIn(t *testing.T, ctx context.Context, keyID, key, userID string) {
	t.Helper()
	run(t, ctx, chromedp.WaitVisible("#signin", chromedp.ByQuery),
		chromedp.SetValue("#api_key_id", keyID, chromedp.ByQuery), chromedp.SetValue("#api_key", key, chromedp.ByQuery),
		chromedp.SetValue("#user_id", userID, chromedp.ByQuery), chromedp.Click("#signin", chromedp.ByQuery),
		chromedp.WaitReady("body", chromedp.ByQuery))
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// graphFixture creates a machine whose version 1 has six states (five in
// a line and "island", which nothing leads to) with the given description
// and first exit condition, and whose version 2 changes "start" and adds
// "aside"; it returns the machine's id. A state named with the payload is
// refused first.
func graphFixture(t *testing.T, c *testenv.Client, org, exitLabel, description string) string {
	t.Helper()
	base := "/v1/" + org + "/organization/service_hierarchical_state_machine"
	create := func(name string) string {
		var out struct {
			ID string `json:"id"`
		}
		c.Do(t, "POST", base, map[string]any{"state_machine_name": name}).Expect(201).Decode(&out)
		return out.ID
	}
	lib := create("library")
	one := machineSpec(t, 1)
	one.References = map[string]client.Reference{}
	c.Do(t, "POST", base+"/"+lib+"/", one).Expect(201)
	id := create("main")
	m := machineSpec(t, 5)
	m.References = map[string]client.Reference{"lib": {MachineID: lib, Version: 1}}
	m.Description = description
	m.States[0].Action.ExitConditions[0].Description = exitLabel
	island := client.State{Annotation: &client.AnnotationState{
		Name: xss, InnerThought: "Nobody comes here.", NextState: client.NextState{Name: "end"}}}
	// The API allows only [A-Za-z0-9_] in a state's name, so a payload
	// there never reaches a page; the drawn labels carry one instead.
	m.States = append(m.States, island)
	c.Do(t, "POST", base+"/"+id+"/", m).Expect(422)
	island.Annotation.Name = "island"
	m.States[len(m.States)-1] = island
	c.Do(t, "POST", base+"/"+id+"/", m).Expect(201)
	// Version 2 changes the objective of the first state and adds one.
	m.States[0].Action.Objective = "Greet the user warmly."
	m.States = append(m.States, client.State{Annotation: &client.AnnotationState{
		Name: "aside", InnerThought: "Nobody comes here either.", NextState: client.NextState{Name: "end"}}})
	c.Do(t, "POST", base+"/"+id+"/", m).Expect(201)
	return id
}

// machineSpec is coretest's valid machine of n states in the API's wire
// shape.
func machineSpec(t *testing.T, n int) *client.StateMachineSpec {
	t.Helper()
	var spec client.StateMachineSpec
	if err := json.Unmarshal(coretest.StateMachineJSON(n), &spec); err != nil {
		t.Fatal(err)
	}
	return &spec
}

func inviteUser(t *testing.T, c *testenv.Client, org, email, role string) string {
	t.Helper()
	var out struct {
		UserID string `json:"user_id"`
	}
	c.Do(t, "POST", "/v1/"+org+"/user/", map[string]any{"first_name": "Re", "last_name": "Ader", "email": email, "role_name": role}).
		Expect(201).Decode(&out)
	return out.UserID
}

type createdKey struct {
	APIKey   string `json:"api_key"`
	APIKeyID string `json:"api_key_id"`
}

func createKey(t *testing.T, c *testenv.Client, org, role string) createdKey {
	t.Helper()
	var out createdKey
	c.Do(t, "POST", "/v1/"+org+"/organization/api_key/", map[string]any{"name": "reader", "duration": "P7D", "role_name": role}).
		Expect(201).Decode(&out)
	return out
}

// TestConsoleRefusesCrossSiteForms posts the console's forms as another
// site would: without the token, or from another origin.
func TestConsoleRefusesCrossSiteForms(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	jar := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := jar.Get(env.URL + "/console/platform/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var token string
	for _, c := range resp.Cookies() {
		if c.Name == "amigo_csrf" {
			token = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Error("the CSRF cookie is not HttpOnly and SameSite=Strict")
			}
		}
	}
	form := url.Values{"api_key_id": {env.APIKeyID}, "api_key": {env.APIKey}, "user_id": {env.UserID}}
	post := func(origin, cookie, field string) *http.Response {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if field != "" {
			f.Set("csrf", field)
		}
		req, _ := http.NewRequest("POST", env.URL+"/console/platform/signin", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "amigo_csrf", Value: cookie})
		}
		resp, err := jar.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for name, resp := range map[string]*http.Response{
		"no token":     post(env.URL, token, ""),
		"wrong token":  post(env.URL, token, strings.Repeat("x", 43)),
		"other origin": post("https://evil.example", token, token),
	} {
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, resp.StatusCode)
		}
	}
	resp = post(env.URL, token, token)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-site sign-in: %d, want 303", resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "amigo_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/console/platform/" {
		t.Errorf("session cookie: %+v", session)
	}
}
