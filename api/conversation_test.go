package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/engine"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// The tests below seed conversations through the store
// (testenv.SeedConversation) because create-conversation and
// interact-with-conversation do not exist yet; they should create them
// through the API once those land.

type conversationList struct {
	Conversations []struct {
		ID                       string             `json:"id"`
		UserID                   string             `json:"user_id"`
		IsFinished               bool               `json:"is_finished"`
		IsAnalyzed               bool               `json:"is_analyzed"`
		CompletedPostProcessings []string           `json:"completed_post_processings"`
		FinalMessage             string             `json:"final_message"`
		ServiceID                string             `json:"service_id"`
		NumMessages              int                `json:"num_messages"`
		Tags                     map[string]*string `json:"tags"`
		VersionSetInfo           *struct {
			Name             string `json:"name"`
			AgentVersionInfo []any  `json:"agent_version_info"`
		} `json:"version_set_info"`
	} `json:"conversations"`
	HasMore           bool `json:"has_more"`
	ContinuationToken *int `json:"continuation_token"`
}

type messageList struct {
	Messages []struct {
		ID            string `json:"id"`
		InteractionID string `json:"interaction_id"`
		Message       string `json:"message"`
		MessageType   string `json:"message_type"`
		Sender        string `json:"sender"`
	} `json:"messages"`
	HasMore           bool `json:"has_more"`
	ContinuationToken *int `json:"continuation_token"`
}

func (l conversationList) users() []string {
	var out []string
	for _, c := range l.Conversations {
		out = append(out, c.UserID)
	}
	return out
}

func (l messageList) texts() []string {
	var out []string
	for _, m := range l.Messages {
		out = append(out, m.Message)
	}
	return out
}

// conversationFixture is an organization with a service, two plain users
// and their seeded conversations.
type conversationFixture struct {
	env                *testenv.Env
	service            string
	alice, bob         *testenv.Client
	aliceID, bobID     string
	aliceConv, bobConv *testenv.Seeded
}

func newConversationFixture(t *testing.T, env *testenv.Env) *conversationFixture {
	t.Helper()
	sf := newServiceFixture(t, env)
	f := &conversationFixture{env: env, service: sf.create(t, sf.body("helper", true, map[string]any{}))}
	staff := newRoster(env, sf.org)
	f.alice, f.aliceID = staff.member(t, "DefaultUserRole")
	f.bob, f.bobID = staff.member(t, "DefaultUserRole")
	support := "support"
	f.aliceConv = env.SeedConversation(t, "acme", f.service, f.aliceID, map[string]*string{"team": &support}, time.Minute,
		[]testenv.SeedMessage{{Type: amigo.MessageUser, Content: "hello"}, {Type: amigo.MessageAgent, Content: "hi"}, {Type: amigo.MessageInnerThought, Content: "hmm"}},
		[]testenv.SeedMessage{{Type: amigo.MessageUser, Content: "bye"}, {Type: amigo.MessageAgent, Content: "ok"}})
	f.bobConv = env.SeedConversation(t, "acme", f.service, f.bobID, nil, time.Minute,
		[]testenv.SeedMessage{{Type: amigo.MessageUser, Content: "hey"}})
	return f
}

func listConversations(t *testing.T, c *testenv.Client, query string) conversationList {
	return listConversationsIn(t, c, "acme", query)
}

func listConversationsIn(t *testing.T, c *testenv.Client, org, query string) conversationList {
	t.Helper()
	var out conversationList
	c.Do(t, "GET", "/v1/"+org+"/conversation/"+query, nil).Expect(200).Decode(&out)
	return out
}

func listMessages(t *testing.T, c *testenv.Client, conv, query string) messageList {
	t.Helper()
	var out messageList
	c.Do(t, "GET", "/v1/acme/conversation/"+conv+"/messages/"+query, nil).Expect(200).Decode(&out)
	return out
}

func TestConversationListing(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newConversationFixture(t, env)
		admin := env.AdminOf(t, "acme").Admin

		all := listConversations(t, admin, "")
		if got := all.users(); !slices.Equal(got, []string{f.aliceID, f.bobID}) || all.HasMore || all.ContinuationToken != nil {
			t.Fatalf("admin lists %v (more %v)", got, all.HasMore)
		}
		a := all.Conversations[0]
		if a.ID != f.aliceConv.ID || a.NumMessages != 5 || a.FinalMessage != "ok" || a.IsFinished || a.IsAnalyzed || a.ServiceID != f.service ||
			*a.Tags["team"] != "support" || a.VersionSetInfo == nil || a.VersionSetInfo.Name != "release" || len(a.VersionSetInfo.AgentVersionInfo) != 2 {
			t.Fatalf("alice's conversation as the admin sees it: %+v", a)
		}

		// A plain user sees only their own.
		if got := listConversations(t, f.alice, "").users(); !slices.Equal(got, []string{f.aliceID}) {
			t.Errorf("alice lists %v", got)
		}
		if got := listConversations(t, f.alice, "?user_id="+f.bobID).Conversations; len(got) != 0 {
			t.Errorf("alice lists bob's conversations: %v", got)
		}

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?tag=team:support", []string{f.aliceID}},
			{"?tag=team:*", []string{f.aliceID}},
			{"?tag=team:", nil},
			{"?is_finished=false", []string{f.aliceID, f.bobID}},
			{"?is_finished=true", nil},
			{"?sort_by=-created_at", []string{f.bobID, f.aliceID}},
			{"?user_id=" + f.bobID, []string{f.bobID}},
			{"?id=" + f.bobConv.ID, []string{f.bobID}},
			{"?service_id=" + f.service, []string{f.aliceID, f.bobID}},
			{"?limit=1&continuation_token=1", []string{f.bobID}},
		} {
			if got := listConversations(t, admin, tc.query).users(); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
			}
		}
		page := listConversations(t, admin, "?limit=1")
		if !page.HasMore || page.ContinuationToken == nil || *page.ContinuationToken != 1 {
			t.Errorf("first page of one: more %v, token %v", page.HasMore, page.ContinuationToken)
		}
		for query, loc := range map[string]string{"?limit=0": "query.limit", "?limit=151": "query.limit", "?service_id=nope": "query.service_id.0",
			"?sort_by=name": "query.sort_by.0", "?is_finished=maybe": "query.is_finished", "?tag=nocolon": "query.tag.0"} {
			if r := admin.Do(t, "GET", "/v1/acme/conversation/"+query, nil).Expect(422); !slices.Contains(r.Locs(), loc) {
				t.Errorf("%s: locations %v, want %s", query, r.Locs(), loc)
			}
		}
	})
}

func TestConversationMessages(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newConversationFixture(t, env)
		conv := f.aliceConv.ID

		// Inner thoughts only when asked for; newest first by default.
		if got := listMessages(t, f.alice, conv, "").texts(); !slices.Equal(got, []string{"ok", "bye", "hi", "hello"}) {
			t.Errorf("default listing %v", got)
		}
		if got := listMessages(t, f.alice, conv, "?message_type=agent-inner-thought").texts(); !slices.Equal(got, []string{"hmm"}) {
			t.Errorf("inner thoughts %v", got)
		}
		if got := listMessages(t, f.alice, conv, "?sort_by=%2Bcreated_at").texts(); !slices.Equal(got, []string{"hello", "hi", "bye", "ok"}) {
			t.Errorf("oldest first %v", got)
		}
		if got := listMessages(t, f.alice, conv, "?sort_by=-interaction_id&sort_by=%2Bcreated_at").texts(); !slices.Equal(got, []string{"bye", "ok", "hello", "hi"}) {
			t.Errorf("latest interaction first %v", got)
		}
		first := listMessages(t, f.alice, conv, "?interaction_id="+f.aliceConv.Interactions[0]+"&sort_by=created_at")
		if got := first.texts(); !slices.Equal(got, []string{"hello", "hi"}) || first.Messages[0].InteractionID != f.aliceConv.Interactions[0] || first.Messages[1].Sender != "Agent" {
			t.Errorf("first interaction %+v", first.Messages)
		}
		page := listMessages(t, f.alice, conv, "?limit=3")
		if !page.HasMore || *page.ContinuationToken != 3 || len(page.Messages) != 3 {
			t.Errorf("page of 3: %+v", page)
		}
		if got := listMessages(t, f.alice, conv, "?limit=3&continuation_token=3").texts(); !slices.Equal(got, []string{"hello"}) {
			t.Errorf("second page %v", got)
		}
		if got := listMessages(t, f.alice, conv, "?id="+f.aliceConv.Messages[1]).texts(); !slices.Equal(got, []string{"hi"}) {
			t.Errorf("by id %v", got)
		}

		// Someone else's conversation, an unknown one, malformed queries.
		expectForbidden(t, f.bob.Do(t, "GET", "/v1/acme/conversation/"+conv+"/messages/", nil), amigo.PermGetMessage)
		f.alice.Do(t, "GET", "/v1/acme/conversation/ffffffffffffffffffffffff/messages/", nil).Expect(404)
		for path, loc := range map[string]string{
			"/v1/acme/conversation/nope/messages/":                        "path.conversation_id",
			"/v1/acme/conversation/" + conv + "/messages/?limit=501":      "query.limit",
			"/v1/acme/conversation/" + conv + "/messages/?message_type=x": "query.message_type.0",
			"/v1/acme/conversation/" + conv + "/messages/?sort_by=sender": "query.sort_by.0",
		} {
			if r := f.alice.Do(t, "GET", path, nil).Expect(422); !slices.Contains(r.Locs(), loc) {
				t.Errorf("%s: locations %v, want %s", path, r.Locs(), loc)
			}
		}

		// A text message has no source.
		r := f.alice.Do(t, "GET", "/v1/acme/conversation/"+conv+"/messages/"+f.aliceConv.Messages[0]+"/source", nil).Expect(400)
		if !strings.Contains(r.Detail(), "text message") {
			t.Errorf("source of a text message: %q", r.Detail())
		}
		f.alice.Do(t, "GET", "/v1/acme/conversation/"+conv+"/messages/ffffffffffffffffffffffff/source", nil).Expect(404)
		expectForbidden(t, f.bob.Do(t, "GET", "/v1/acme/conversation/"+conv+"/messages/"+f.aliceConv.Messages[0]+"/source", nil), amigo.PermGetMessage)
	})
}

func TestConversationTags(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newConversationFixture(t, env)
		path := "/v1/acme/conversation/" + f.aliceConv.ID + "/tags/"
		f.alice.Do(t, "POST", path, map[string]any{"updates": map[string]any{"tier": "gold", "flag": nil}, "deletes": []string{"team"}}).Expect(204)
		got := listConversations(t, f.alice, "").Conversations[0].Tags
		if len(got) != 2 || *got["tier"] != "gold" || got["flag"] != nil {
			t.Fatalf("tags %v", got)
		}
		many := map[string]any{}
		for i := range 19 {
			many[fmt.Sprintf("k%d", i)] = "v"
		}
		f.alice.Do(t, "POST", path, map[string]any{"updates": many}).Expect(400)
		for body, loc := range map[string]string{
			`{"updates": {"a-b": "c"}}`:  "body.updates.a-b",
			`{"updates": {"a": "c-d"}}`:  "body.updates.a",
			`{"deletes": ["x", "x"]}`:    "body.deletes.1",
			`{"updates": ["not a map"]}`: "body.updates",
		} {
			if r := f.alice.Do(t, "POST", path, testenv.RawBody(body)).Expect(422); !slices.Contains(r.Locs(), loc) {
				t.Errorf("%s: locations %v, want %s", body, r.Locs(), loc)
			}
		}
		expectForbidden(t, f.bob.Do(t, "POST", path, map[string]any{"updates": map[string]any{"x": "y"}}), amigo.PermModifyConversation)
		f.alice.Do(t, "POST", "/v1/acme/conversation/ffffffffffffffffffffffff/tags/", map[string]any{}).Expect(404)
	})
}

func TestFinishConversationAndUserModel(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newConversationFixture(t, env)
		finish := func(c *testenv.Client, id string) *testenv.Response {
			return c.Do(t, "POST", "/v1/acme/conversation/"+id+"/finish/", nil)
		}
		expectForbidden(t, finish(f.bob, f.aliceConv.ID), amigo.PermFinishConversation)
		finish(f.alice, f.aliceConv.ID).Expect(204)
		finish(f.alice, f.aliceConv.ID).Expect(409)
		if c := listConversations(t, f.alice, "").Conversations[0]; !c.IsFinished {
			t.Fatalf("after finish: %+v", c)
		}

		// A conversation whose interaction is running is busy; one without
		// messages is deleted rather than finished.
		busy := env.SeedConversation(t, "acme", f.service, f.aliceID, nil, time.Hour, nil)
		if r := finish(f.alice, busy.ID).Expect(409); !strings.Contains(r.Detail(), "in progress") {
			t.Errorf("busy: %q", r.Detail())
		}
		tenant, err := env.Runtime.App.Resolve(context.Background(), "acme", core.ResolveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := tenant.Store.FailInteraction(context.Background(), "acme", busy.ID, busy.Interactions[0], "testenv", env.Runtime.App.Now()); err != nil {
			t.Fatal(err)
		}
		finish(f.alice, busy.ID).Expect(204)
		if got := listConversations(t, f.alice, "?id="+busy.ID).Conversations; len(got) != 0 {
			t.Errorf("a conversation without messages survived its finish: %+v", got)
		}
		finish(f.alice, "ffffffffffffffffffffffff").Expect(404)
		finish(f.alice, "nope").Expect(422)

		// The user model: empty until the post-conversation job runs.
		model := func(c *testenv.Client, user string) map[string]any {
			return c.Do(t, "GET", "/v1/acme/user/"+user+"/user_model", nil).Expect(200).JSON()
		}
		if got := model(f.alice, f.aliceID); len(got["user_models"].([]any)) != 0 {
			t.Fatalf("before the job: %v", got)
		}
		expectForbidden(t, f.bob.Do(t, "GET", "/v1/acme/user/"+f.aliceID+"/user_model", nil), amigo.PermGetUserModel)
		f.alice.Do(t, "GET", "/v1/acme/user/ffffffffffffffffffffffff/user_model", nil).Expect(404)

		var seen core.UserModelInput
		runner := env.Runtime.PostConversation
		builtin := runner.UserModel
		runner.UserModel = func(_ context.Context, in core.UserModelInput) ([]amigo.UserModelEntry, error) {
			seen = in
			return []amigo.UserModelEntry{{Content: fmt.Sprintf("Said %d things.", len(in.Messages)), InsightIDs: []string{},
				Dimensions: []amigo.UserDimension{{Description: "chattiness", Tags: []string{"talk"}}}}}, nil
		}
		if n := runner.RunDue(context.Background()); n != 1 {
			t.Fatalf("%d jobs ran, want 1", n)
		}
		if seen.Conversation.ID != f.aliceConv.ID || len(seen.Messages) != 5 || seen.Messages[0].Content != "hello" || seen.User.ID != f.aliceID || seen.Previous != nil {
			t.Fatalf("the job saw %+v", seen)
		}
		if a, m, c := seen.Agent, seen.StateMachine, seen.Conversation; a == nil || a.AgentID != c.AgentID || a.Version != c.AgentVersion ||
			m == nil || m.MachineID != c.StateMachineID || m.Version != c.StateMachineVersion {
			t.Fatalf("the job saw agent %+v and machine %+v, want the conversation's pinned versions", a, m)
		}
		if o := seen.Organization; o == nil || o.ID != "acme" || len(o.UserDimensions) == 0 {
			t.Fatalf("the job saw organization %+v, want acme with its user dimensions", o)
		}
		got := model(env.AdminOf(t, "acme").Admin, f.aliceID)
		models := got["user_models"].([]any)
		if len(models) != 1 || models[0].(map[string]any)["content"] != "Said 5 things." {
			t.Fatalf("user model %v", got)
		}
		if c := listConversations(t, f.alice, "?id="+f.aliceConv.ID).Conversations[0]; !c.IsAnalyzed || !slices.Equal(c.CompletedPostProcessings, []string{"generate-user-models"}) {
			t.Errorf("after the job: %+v", c)
		}

		// The built-in model gives each of the organization's dimensions
		// the tags the user mentioned.
		env.AdminOf(t, "acme").Admin.Do(t, "POST", "/v1/acme/organization/", map[string]any{"user_dimensions": []map[string]any{
			{"description": "Greeting style", "tags": []string{"hey", "good morning"}}, {"description": "Pets", "tags": []string{"dog"}}}}).Expect(204)
		runner.UserModel = builtin
		finish(f.bob, f.bobConv.ID).Expect(204)
		if n := runner.RunDue(context.Background()); n != 1 {
			t.Fatalf("%d jobs ran, want 1", n)
		}
		var bobs struct {
			UserModels []struct {
				Dimensions []struct {
					Description string   `json:"description"`
					Tags        []string `json:"tags"`
				} `json:"dimensions"`
			} `json:"user_models"`
		}
		f.bob.Do(t, "GET", "/v1/acme/user/"+f.bobID+"/user_model", nil).Expect(200).Decode(&bobs)
		if len(bobs.UserModels) != 1 || len(bobs.UserModels[0].Dimensions) != 2 || bobs.UserModels[0].Dimensions[0].Description != "Greeting style" ||
			!slices.Equal(bobs.UserModels[0].Dimensions[0].Tags, []string{"hey"}) || bobs.UserModels[0].Dimensions[1].Description != engine.TopicsDimension {
			t.Fatalf("bob said hey; his user model: %+v", bobs)
		}
	})
}

// TestPostConversationJobsSurviveRestarts finishes a conversation, stops
// the server before its job runs, and checks that the next server runs
// it; and that a job claimed by a runner that died runs once the claim
// expires.
func TestPostConversationJobsSurviveRestarts(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		clock := testenv.NewClock()
		env := testenv.Start(t, b, testenv.Options{Clock: clock.Now})
		f := newConversationFixture(t, env)
		f.alice.Do(t, "POST", "/v1/acme/conversation/"+f.aliceConv.ID+"/finish/", nil).Expect(204)
		f.bob.Do(t, "POST", "/v1/acme/conversation/"+f.bobConv.ID+"/finish/", nil).Expect(204)
		// A runner claims one job and dies with it.
		tenant, err := env.Runtime.App.Resolve(context.Background(), "acme", core.ResolveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tenant.Store.ClaimPostConversationJob(context.Background(), "dead-runner", clock.Now(), clock.Now().Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		env.Runtime.Close()

		restarted := testenv.Serve(t, b, env.Runtime.Config, testenv.Options{Clock: clock.Now})
		users := map[string]bool{}
		runner := restarted.Runtime.PostConversation
		runner.UserModel = func(_ context.Context, in core.UserModelInput) ([]amigo.UserModelEntry, error) {
			users[in.User.ID] = in.Agent != nil && in.StateMachine != nil // the pinned versions, after the restart too
			return []amigo.UserModelEntry{{Content: "x"}}, nil
		}
		if n := runner.RunDue(context.Background()); n != 1 {
			t.Fatalf("after the restart, %d jobs ran, want the 1 unclaimed", n)
		}
		clock.Advance(2 * time.Minute)
		if n := runner.RunDue(context.Background()); n != 1 || !users[f.aliceID] || !users[f.bobID] {
			t.Fatalf("after the dead runner's claim expired, %d jobs ran for %v", n, users)
		}
		if n := runner.RunDue(context.Background()); n != 0 {
			t.Fatalf("a done job ran again (%d)", n)
		}
	})
}

// TestConversationsStayInTheirOrganization checks tenant isolation and
// that deleting an organization erases every conversation table's rows.
func TestConversationsStayInTheirOrganization(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newConversationFixture(t, env)
		f.alice.Do(t, "POST", "/v1/acme/conversation/"+f.aliceConv.ID+"/finish/", nil).Expect(204)

		globex := env.CreateOrg(t, "globex").Admin
		if got := listConversationsIn(t, globex, "globex", "").Conversations; len(got) != 0 {
			t.Errorf("globex lists acme's conversations: %v", got)
		}
		globex.Do(t, "GET", "/v1/globex/conversation/"+f.aliceConv.ID+"/messages/", nil).Expect(404)
		globex.Do(t, "POST", "/v1/globex/conversation/"+f.aliceConv.ID+"/finish/", nil).Expect(404)
		globex.Do(t, "POST", "/v1/globex/conversation/"+f.bobConv.ID+"/tags/", map[string]any{"updates": map[string]any{"x": "y"}}).Expect(404)
		globex.Do(t, "GET", "/v1/globex/user/"+f.aliceID+"/user_model", nil).Expect(404)

		cluster := env.Runtime.Clusters["default"].SQL()
		tables := []string{"conversations", "conversation_tags", "interactions", "messages", "post_conversation_jobs"}
		rows := testenv.OrgRows(t, cluster, "acme")
		for _, table := range tables {
			if rows[table] == 0 {
				t.Fatalf("the fixture has no rows in %s: %v", table, rows)
			}
		}
		env.Admin.With("X-ORG-ID", testenv.PlatformOrg).Do(t, "DELETE", "/v1/acme/organization/", nil).Expect(204)
		if rows := testenv.OrgRows(t, cluster, "acme"); testenv.TotalRows(rows) != 0 {
			t.Fatalf("rows left after deleting the organization: %v", rows)
		}
	})
}
