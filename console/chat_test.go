package console_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// consoleUser is a signed-in browser without a browser: a cookie jar and
// the page's CSRF token.
type consoleUser struct {
	t    *testing.T
	http *http.Client
	base string
	csrf string
}

func chatSignedIn(t *testing.T, env *testenv.Env) *consoleUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &consoleUser{t: t, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		base: env.URL + "/console/" + testenv.PlatformOrg + "/"}
	resp, err := u.http.Get(u.base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range jar.Cookies(resp.Request.URL) {
		if c.Name == "amigo_csrf" {
			u.csrf = c.Value
		}
	}
	if r := u.post("signin", url.Values{"api_key_id": {env.APIKeyID}, "api_key": {env.APIKey}, "user_id": {env.UserID}}, ""); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.StatusCode)
	}
	// Sign-in issues a new CSRF token.
	for _, c := range jar.Cookies(resp.Request.URL) {
		if c.Name == "amigo_csrf" {
			u.csrf = c.Value
		}
	}
	return u
}

// post sends a form as the page's script does: same origin, the CSRF
// token in the body unless csrf says otherwise ("-" for none).
func (u *consoleUser) post(path string, form url.Values, csrf string) *http.Response {
	u.t.Helper()
	switch csrf {
	case "":
		form.Set("csrf", u.csrf)
	case "-":
	default:
		form.Set("csrf", csrf)
	}
	req, _ := http.NewRequest("POST", u.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", strings.TrimSuffix(strings.SplitAfter(u.base, "/console/")[0], "/console/"))
	resp, err := u.http.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp
}

// events reads NDJSON events as they arrive.
type events struct {
	t *testing.T
	r *bufio.Reader
}

func (e *events) next() map[string]any {
	e.t.Helper()
	line, err := e.r.ReadBytes('\n')
	if err != nil {
		e.t.Fatalf("reading an event: %v (%q)", err, line)
	}
	var ev map[string]any
	if err := json.Unmarshal(line, &ev); err != nil {
		e.t.Fatalf("not an event: %q", line)
	}
	return ev
}

// TestConsoleChatEndpoints drives the endpoints the chat page's script
// calls: CSRF and origin checks, the events relayed one by one as the API
// writes them, refusals with the API's status, and a page that hangs up
// cancelling the interaction.
func TestConsoleChatEndpoints(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b, testenv.Options{Model: slowModel{}})
		service := billingService(t, env.Admin, testenv.PlatformOrg)
		u := chatSignedIn(t, env)
		conversations := func() int {
			var out struct {
				Conversations []any `json:"conversations"`
			}
			env.Admin.Do(t, "GET", "/v1/"+testenv.PlatformOrg+"/conversation/?service_id="+service, nil).Expect(200).Decode(&out)
			return len(out.Conversations)
		}

		// Refused without the page's token or from another origin: no
		// conversation is started.
		for name, resp := range map[string]*http.Response{
			"no token":    u.post("services/"+service+"/chat", url.Values{"set": {"release"}}, "-"),
			"wrong token": u.post("services/"+service+"/chat", url.Values{"set": {"release"}}, strings.Repeat("x", 43)),
		} {
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("POST", u.base+"services/"+service+"/chat", strings.NewReader(url.Values{"set": {"release"}, "csrf": {u.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if resp, err := u.http.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("another origin: %v, %v", resp, err)
		}
		if n := conversations(); n != 0 {
			t.Fatalf("%d conversations after refused starts", n)
		}

		// A version set the service does not have: the API's 404, as JSON.
		resp := u.post("services/"+service+"/chat", url.Values{"set": {"nightly"}}, "")
		var refusal struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		json.NewDecoder(resp.Body).Decode(&refusal)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || refusal.Status != 404 || refusal.Detail == "" {
			t.Errorf("unknown version set: %d %+v", resp.StatusCode, refusal)
		}

		// Start: NDJSON events, the API's own lines.
		resp = u.post("services/"+service+"/chat", url.Values{"set": {"release"}}, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || resp.Header.Get("X-Accel-Buffering") != "no" {
			t.Fatalf("start: %d %v", resp.StatusCode, resp.Header)
		}
		ev := &events{t: t, r: bufio.NewReader(resp.Body)}
		first := ev.next()
		conv, _ := first["conversation_id"].(string)
		if first["type"] != "conversation-created" || conv == "" {
			t.Fatalf("first event %v", first)
		}
		for e := ev.next(); e["type"] != "interaction-complete"; e = ev.next() {
		}
		resp.Body.Close()

		if resp := u.post("conversations/"+conv+"/interact", url.Values{"message": {"  "}}, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("an empty message: %d, want 400", resp.StatusCode)
		}

		// A slow reply arrives piece by piece: when its first piece is
		// here, the interaction is still running (the API has stored no
		// reply yet), so the console relays, not buffers.
		resp = u.post("conversations/"+conv+"/interact", url.Values{"message": {"Please answer slowly"}}, "")
		ev = &events{t: t, r: bufio.NewReader(resp.Body)}
		for e := ev.next(); e["type"] != "new-message"; e = ev.next() {
		}
		var msgs struct {
			Messages []struct {
				MessageType string `json:"message_type"`
			} `json:"messages"`
		}
		env.Admin.Do(t, "GET", "/v1/"+testenv.PlatformOrg+"/conversation/"+conv+"/messages/", nil).Expect(200).Decode(&msgs)
		if len(msgs.Messages) != 1 {
			t.Errorf("%d messages stored while the reply streams, want 1 (the greeting)", len(msgs.Messages))
		}
		// Hanging up cancels it: nothing of it is kept, and the
		// conversation takes the next message (once the API has noticed).
		resp.Body.Close()
		var status int
		for range 100 {
			resp = u.post("conversations/"+conv+"/interact", url.Values{"message": {"I have a billing question"}}, "")
			status = resp.StatusCode
			if status == http.StatusOK {
				ev = &events{t: t, r: bufio.NewReader(resp.Body)}
				for e := ev.next(); e["type"] != "interaction-complete"; e = ev.next() {
				}
			}
			resp.Body.Close()
			if status != http.StatusConflict {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if status != http.StatusOK {
			t.Fatalf("interact after a hang-up: %d", status)
		}
		env.Admin.Do(t, "GET", "/v1/"+testenv.PlatformOrg+"/conversation/"+conv+"/messages/", nil).Expect(200).Decode(&msgs)
		if len(msgs.Messages) != 3 {
			t.Errorf("%d messages, want 3: the hung-up interaction kept something", len(msgs.Messages))
		}

		// Finish, then finishing again is the API's 409.
		if resp := u.post("conversations/"+conv+"/finish", url.Values{}, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("finish: %d", resp.StatusCode)
		}
		if resp := u.post("conversations/"+conv+"/finish", url.Values{}, ""); resp.StatusCode != http.StatusConflict {
			t.Errorf("finish again: %d, want 409", resp.StatusCode)
		}
	})
}
