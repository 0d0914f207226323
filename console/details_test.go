package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestConsoleDetailsInBrowser: an organization without a favicon still
// gets one (no 404 on every page); a service's page names its agent, state
// machine and the authors of its revisions, linked to their pages, and
// shows LLM preferences in words.
func TestConsoleDetailsInBrowser(t *testing.T) {
	env := testenv.Start(t, testenv.SQLite())
	ctx := browser(t)
	// The platform organization was bootstrapped: it has no images.
	c := env.Admin
	var agent, service struct {
		ID string `json:"id"`
	}
	c.Do(t, "POST", "/v1/platform/organization/agent", map[string]any{"agent_name": "amy"}).Expect(201).Decode(&agent)
	c.Do(t, "POST", "/v1/platform/organization/agent/"+agent.ID+"/", map[string]any{
		"initials": "AM", "background": "Ten years of customer support.", "behaviors": []string{"Listens first."},
		"communication_patterns": []string{"Short sentences."}, "voice_config": map[string]any{"voice_id": "voice-1"},
		"identity": map[string]any{"name": "Amy", "role": "Support coach", "developed_by": "Platform", "default_spoken_language": "eng",
			"relationship_to_developer": map[string]any{"ownership": "owned", "type": "employee", "conversation_visibility": "visible", "thought_visibility": "hidden"}},
	}).Expect(201)
	machine := graphFixture(t, c, "platform", "Done.", "A machine.")
	c.Do(t, "POST", "/v1/platform/service/", map[string]any{"service_hierarchical_state_machine_id": machine, "agent_id": agent.ID,
		"name": "support", "description": "Helps customers.", "is_active": true, "keyterms": []string{}, "tags": map[string]any{}}).
		Expect(201).Decode(&service)
	c.Do(t, "PUT", "/v1/platform/service/"+service.ID+"/version_sets/canary/", map[string]any{"version_set": map[string]any{
		"agent_version_number": 1, "service_hierarchical_state_machine_version_number": 1,
		"llm_model_preferences": map[string]any{"conversation": map[string]any{"llm_name": "openai_gpt-5.1-2025-11-13", "temperature": 0.3, "top_k": 40}}}}).Expect(204)
	console := env.URL + "/console/platform/"

	run(t, ctx, chromedp.Navigate(console))
	var favicon string
	run(t, ctx, chromedp.WaitVisible("#signin", chromedp.ByQuery), chromedp.Evaluate(`(() => {
		const i = new Image();
		i.onload = () => { window.favicon = "loaded " + i.naturalWidth; };
		i.onerror = () => { window.favicon = "failed"; };
		i.src = document.querySelector("link[rel=icon]").href;
	})()`, nil), chromedp.Poll(`window.favicon`, &favicon))
	if favicon != "loaded 32" {
		t.Errorf("the favicon of an organization without one: %q, want the default's 32 px", favicon)
	}
	resp, err := http.Get(console + "image/favicon")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET image/favicon: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	signIn(t, ctx, env.APIKeyID, env.APIKey, env.UserID)
	run(t, ctx, chromedp.WaitVisible(`main[data-page="Agents"]`, chromedp.ByQuery),
		chromedp.Navigate(console+"services/"+service.ID), chromedp.WaitVisible("#set-canary", chromedp.ByQuery))
	var links map[string]string
	run(t, ctx, chromedp.Evaluate(`({
		agent: document.querySelector("#service-agent a").textContent + " " + document.querySelector("#service-agent a").getAttribute("href"),
		machine: document.querySelector("#service-machine a").textContent + " " + document.querySelector("#service-machine a").getAttribute("href"),
		author: document.querySelector("#set-canary tbody tr td:nth-child(4) a").getAttribute("href"),
		authorText: document.querySelector("#set-canary tbody tr td:nth-child(4)").textContent.trim(),
		llm: document.querySelector('#version-sets tr[data-set="canary"] [data-field="llm:conversation"]').textContent,
	})`, &links))
	if want := "amy /console/platform/agents/" + agent.ID; links["agent"] != want {
		t.Errorf("agent: %q, want %q", links["agent"], want)
	}
	if want := "main /console/platform/state-machines/" + machine; links["machine"] != want {
		t.Errorf("state machine: %q, want %q", links["machine"], want)
	}
	if want := "/console/platform/users#user-" + env.UserID; links["author"] != want || strings.Contains(links["authorText"], env.UserID) {
		t.Errorf("revision author: %q linked to %q, want a name linked to %q", links["authorText"], links["author"], want)
	}
	if want := "openai_gpt-5.1-2025-11-13 (temperature 0.3, top_k 40)"; links["llm"] != want {
		t.Errorf("LLM preference: %q, want %q", links["llm"], want)
	}
}
