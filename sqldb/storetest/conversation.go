package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// convFixture is an organization with a service, for conversation tests.
type convFixture struct {
	org     org
	service *amigo.Service
}

func newConvFixture(t *testing.T, c amigo.ClusterStore, orgID string) convFixture {
	t.Helper()
	o := newOrg(t, c, orgID)
	a, m := newAgent(t, c, orgID, "a", epoch), newMachine(t, c, orgID, "m", epoch)
	s := newService(orgID, "svc", a, m, true, epoch, nil)
	must(t, "create service", c.CreateService(ctx, s, accept))
	return convFixture{org: o, service: s}
}

// newConversation returns a conversation of userID with its first
// interaction, leased by owner for a minute from at.
func (f convFixture) newConversation(userID, owner string, at time.Time) (*amigo.Conversation, *amigo.Interaction) {
	id, first := amigo.NewID(at), amigo.NewID(at)
	temp := 0.5
	c := &amigo.Conversation{ID: id, OrgID: f.org.ID, ServiceID: f.service.ID, UserID: userID, VersionSetName: "release",
		AgentID: f.service.AgentID, AgentVersion: 1, StateMachineID: f.service.StateMachineID, StateMachineVersion: 2,
		LLMModelPreferences: map[string]amigo.LLMConfig{"engage_user": {LLMName: "openai_gpt-5-mini-2025-08-07", Temperature: &temp}},
		Tags:                map[string]*string{"team": ptr("support"), "flag": nil}, CreatedAt: at, UpdatedAt: at,
		EngineState: []byte(`{"state":"start"}`), Lease: &amigo.Lease{InteractionID: first, Owner: owner, Until: at.Add(time.Minute)}}
	return c, &amigo.Interaction{ID: first, StartedAt: at, Model: "builtin"}
}

func message(typ amigo.MessageType, content string, at time.Time) *amigo.Message {
	return &amigo.Message{ID: amigo.NewID(at), Sender: "x", Type: typ, Content: content, Format: amigo.FormatText, CreatedAt: at}
}

// complete commits the interaction with the given messages.
func complete(c amigo.ClusterStore, conv *amigo.Conversation, interactionID, owner string, at time.Time, msgs ...*amigo.Message) error {
	return c.CompleteInteraction(ctx, &amigo.InteractionResult{OrgID: conv.OrgID, ConversationID: conv.ID, InteractionID: interactionID,
		Owner: owner, Messages: msgs, EngineState: []byte(`{"state":"` + at.String() + `"}`), Insights: []byte(`[{"log":1}]`), FinishedAt: at})
}

// testConversations checks creation with its lease, the one-open rule,
// pinning, completion and the message listing.
func testConversations(t *testing.T, s Stores) {
	c := s.Cluster
	f := newConvFixture(t, c, "acme")
	conv, first := f.newConversation("user1", "srv-a", epoch)
	must(t, "create", c.CreateConversation(ctx, conv, first))
	if first.Sequence != 1 || first.Status != amigo.InteractionRunning {
		t.Fatalf("first interaction %+v", first)
	}
	again, again1 := f.newConversation("user1", "srv-a", epoch)
	wantCode(t, "a second open conversation of the user and service", c.CreateConversation(ctx, again, again1), amigo.ECONFLICT)
	other, other1 := f.newConversation("user2", "srv-a", epoch)
	must(t, "another user's conversation", c.CreateConversation(ctx, other, other1))

	got, err := s.Replica.FindConversation(ctx, "acme", conv.ID)
	must(t, "find", err)
	if got.AgentVersion != 1 || got.StateMachineVersion != 2 || got.VersionSetName != "release" || *got.LLMModelPreferences["engage_user"].Temperature != 0.5 ||
		*got.Tags["team"] != "support" || got.Tags["flag"] != nil || string(got.EngineState) != `{"state":"start"}` ||
		got.Lease == nil || got.Lease.Owner != "srv-a" || got.Interactions != 1 || got.Finished {
		t.Fatalf("found %+v", got)
	}
	_, err = c.FindConversation(ctx, "other", conv.ID)
	wantCode(t, "find in another organization", err, amigo.ENOTFOUND)

	// While the first interaction runs, no other may begin.
	next := &amigo.Interaction{ID: amigo.NewID(epoch), OrgID: "acme", ConversationID: conv.ID, StartedAt: epoch.Add(time.Second)}
	_, _, err = c.BeginInteraction(ctx, next, amigo.Lease{Owner: "srv-b", Until: epoch.Add(time.Minute)}, 0)
	wantCode(t, "begin while busy", err, amigo.ECONFLICT)

	// Completing commits messages, state and insights and frees the lease.
	at := epoch.Add(2 * time.Second)
	user, reply, thought := message(amigo.MessageUser, "hello", at), message(amigo.MessageAgent, "hi there", at), message(amigo.MessageInnerThought, "hmm", at)
	must(t, "complete", complete(c, conv, first.ID, "srv-a", at, user, reply, thought))
	wantCode(t, "complete twice", complete(c, conv, first.ID, "srv-a", at), amigo.ECONFLICT)
	got, _ = c.FindConversation(ctx, "acme", conv.ID)
	if got.Lease != nil || got.NumMessages != 3 || got.FinalMessage != "hi there" || got.FinalMessageID != reply.ID || string(got.EngineState) != `{"state":"`+at.String()+`"}` {
		t.Fatalf("after completion %+v", got)
	}
	i, err := c.FindInteraction(ctx, "acme", conv.ID, first.ID)
	must(t, "find interaction", err)
	if i.Status != amigo.InteractionComplete || string(i.Insights) != `[{"log":1}]` || i.FinishedAt == nil || !i.FinishedAt.Equal(at) {
		t.Fatalf("interaction %+v", i)
	}

	// A second interaction, then a failed third one.
	second := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at, Model: "builtin"}
	leased, hist, err := c.BeginInteraction(ctx, second, amigo.Lease{Owner: "srv-b", Until: at.Add(time.Minute)}, 2)
	must(t, "begin second", err)
	if second.Sequence != 2 || leased.Lease.InteractionID != second.ID || leased.NumMessages != 3 {
		t.Fatalf("second %+v, conversation %+v", second, leased)
	}
	// The history read with the lease: the last two messages, newest first.
	if len(hist) != 2 || hist[0].ID != thought.ID || hist[1].ID != reply.ID {
		t.Fatalf("history with the lease %v, want hmm, hi there", ids(hist, func(m *amigo.Message) string { return m.Content }))
	}
	at2 := at.Add(time.Second)
	must(t, "complete second", complete(c, conv, second.ID, "srv-b", at2, message(amigo.MessageUser, "more", at2), message(amigo.MessageAgent, "sure", at2)))
	third := &amigo.Interaction{ID: amigo.NewID(at2), OrgID: "acme", ConversationID: conv.ID, StartedAt: at2}
	_, _, err = c.BeginInteraction(ctx, third, amigo.Lease{Owner: "srv-a", Until: at2.Add(time.Minute)}, 0)
	must(t, "begin third", err)
	must(t, "fail third", c.FailInteraction(ctx, "acme", conv.ID, third.ID, "srv-a", at2))
	wantCode(t, "fail twice", c.FailInteraction(ctx, "acme", conv.ID, third.ID, "srv-a", at2), amigo.ECONFLICT)
	if i, _ := c.FindInteraction(ctx, "acme", conv.ID, third.ID); i.Status != amigo.InteractionFailed {
		t.Fatalf("third %+v", i)
	}
	if last, err := c.LastInteraction(ctx, "acme", conv.ID); err != nil || last.ID != third.ID {
		t.Fatalf("last interaction %+v, %v", last, err)
	}

	// Listing messages: default newest first, all types unless filtered.
	all, more, err := c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{Limit: 10})
	must(t, "list messages", err)
	if more || len(all) != 5 || all[0].Content != "sure" || all[4].Content != "hello" || all[0].InteractionID != second.ID {
		t.Fatalf("messages %v", ids(all, func(m *amigo.Message) string { return m.Content }))
	}
	page, more, _ := c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{Types: []amigo.MessageType{amigo.MessageUser, amigo.MessageAgent},
		Sort: []amigo.SortField{{Field: "created_at"}}, Limit: 3})
	if !more || !slices.Equal(ids(page, func(m *amigo.Message) string { return m.Content }), []string{"hello", "hi there", "more"}) {
		t.Fatalf("first page %v (more %v)", ids(page, func(m *amigo.Message) string { return m.Content }), more)
	}
	page, _, _ = c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{InteractionIDs: []string{first.ID}, Sort: []amigo.SortField{{Field: "interaction", Desc: true}}, Limit: 10})
	if !slices.Equal(ids(page, func(m *amigo.Message) string { return m.Content }), []string{"hmm", "hi there", "hello"}) {
		t.Fatalf("first interaction's messages, descending %v", ids(page, func(m *amigo.Message) string { return m.Content }))
	}
	page, _, _ = c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{IDs: []string{reply.ID}, Limit: 10})
	if len(page) != 1 || page[0].ID != reply.ID {
		t.Fatalf("by id %+v", page)
	}
	m, err := c.FindMessage(ctx, "acme", conv.ID, thought.ID)
	if err != nil || m.Type != amigo.MessageInnerThought || m.Content != "hmm" || m.Format != amigo.FormatText {
		t.Fatalf("find message %+v %v", m, err)
	}
	_, err = c.FindMessage(ctx, "acme", other.ID, thought.ID)
	wantCode(t, "a message of another conversation", err, amigo.ENOTFOUND)
	if msgs, _, _ := c.ListMessages(ctx, "other", conv.ID, amigo.MessageFilter{Limit: 10}); len(msgs) != 0 {
		t.Fatal("messages listed across organizations")
	}
}

// testConversationListing checks get-conversations' filters and order.
func testConversationListing(t *testing.T, s Stores) {
	c := s.Cluster
	f := newConvFixture(t, c, "acme")
	var all []*amigo.Conversation
	for i, user := range []string{"u1", "u2", "u3"} {
		conv, first := f.newConversation(user, "srv", epoch.Add(time.Duration(i)*time.Second))
		if i == 1 {
			conv.Tags = map[string]*string{"team": ptr("sales")}
		}
		must(t, "create", c.CreateConversation(ctx, conv, first))
		all = append(all, conv)
	}
	must(t, "complete", complete(c, all[0], all[0].Lease.InteractionID, "srv", epoch, message(amigo.MessageUser, "x", epoch)))
	_, err := c.FinishConversation(ctx, "acme", all[0].ID, epoch, func(*amigo.Conversation) error { return nil }, nil)
	must(t, "finish", err)
	list := func(f amigo.ConversationFilter) []string {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 10
		}
		got, _, err := s.Replica.ListConversations(ctx, "acme", f)
		must(t, "list", err)
		return ids(got, func(c *amigo.Conversation) string { return c.UserID })
	}
	for _, tc := range []struct {
		name string
		f    amigo.ConversationFilter
		want []string
	}{
		{"all, by creation", amigo.ConversationFilter{}, []string{"u1", "u2", "u3"}},
		{"newest first", amigo.ConversationFilter{Sort: []amigo.SortField{{Field: "created_at", Desc: true}}}, []string{"u3", "u2", "u1"}},
		{"finished", amigo.ConversationFilter{Finished: ptr(true)}, []string{"u1"}},
		{"unfinished", amigo.ConversationFilter{Finished: ptr(false)}, []string{"u2", "u3"}},
		{"by user", amigo.ConversationFilter{UserIDs: []string{"u2", "u3"}}, []string{"u2", "u3"}},
		{"by id", amigo.ConversationFilter{IDs: []string{all[2].ID}}, []string{"u3"}},
		{"by service", amigo.ConversationFilter{ServiceIDs: []string{"ffffffffffffffffffffffff"}}, nil},
		{"tag value", amigo.ConversationFilter{Tags: []amigo.TagFilter{{Key: "team", Value: ptr("support")}}}, []string{"u1", "u3"}},
		{"tag any value", amigo.ConversationFilter{Tags: []amigo.TagFilter{{Key: "team", Any: true}}}, []string{"u1", "u2", "u3"}},
		{"tag without value", amigo.ConversationFilter{Tags: []amigo.TagFilter{{Key: "flag"}}}, []string{"u1", "u3"}},
		{"page", amigo.ConversationFilter{Offset: 1, Limit: 1}, []string{"u2"}},
	} {
		if got := list(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, more, _ := c.ListConversations(ctx, "acme", amigo.ConversationFilter{Limit: 2}); !more {
		t.Error("a page of 2 of 3 says no more follow")
	}
	if got, _, _ := c.ListConversations(ctx, "other", amigo.ConversationFilter{Limit: 10}); len(got) != 0 {
		t.Error("conversations listed across organizations")
	}

	// Tags change in place; the filter follows.
	must(t, "modify tags", c.UpdateConversationTags(ctx, "acme", all[1].ID, epoch, func(tags map[string]*string) error {
		delete(tags, "team")
		tags["flag"] = nil
		return nil
	}))
	wantRefused(t, "refused tags", c.UpdateConversationTags(ctx, "acme", all[1].ID, epoch, func(map[string]*string) error { return errRefused }))
	wantCode(t, "tags of an unknown conversation", c.UpdateConversationTags(ctx, "acme", "ffffffffffffffffffffffff", epoch, func(map[string]*string) error { return nil }), amigo.ENOTFOUND)
	if got := list(amigo.ConversationFilter{Tags: []amigo.TagFilter{{Key: "flag"}}}); !slices.Equal(got, []string{"u1", "u2", "u3"}) {
		t.Errorf("after the change, flag: %v", got)
	}
	if got := list(amigo.ConversationFilter{Tags: []amigo.TagFilter{{Key: "team", Any: true}}}); !slices.Equal(got, []string{"u1", "u3"}) {
		t.Errorf("after the change, team:*: %v", got)
	}
}

// testLeases checks the races and the expiry of interaction leases.
func testLeases(t *testing.T, s Stores) {
	c := s.Cluster
	f := newConvFixture(t, c, "acme")

	// Two servers creating the same user's conversation: one wins.
	var wins, conflicts int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, store := range []amigo.ClusterStore{s.Cluster, s.Replica, s.Cluster, s.Replica} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conv, first := f.newConversation("racer", "srv"+string(rune('a'+i)), epoch)
			err := store.CreateConversation(ctx, conv, first)
			mu.Lock()
			defer mu.Unlock()
			switch amigo.ErrorCode(err) {
			case "":
				wins++
			case amigo.ECONFLICT:
				conflicts++
			default:
				t.Errorf("create: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 3 {
		t.Fatalf("concurrent creates: %d won, %d conflicts", wins, conflicts)
	}

	conv, first := f.newConversation("u1", "srv-a", epoch)
	must(t, "create", c.CreateConversation(ctx, conv, first))
	at := epoch.Add(time.Second)
	must(t, "complete", complete(c, conv, first.ID, "srv-a", at, message(amigo.MessageUser, "hi", at)))

	// Two servers beginning an interaction at once: exactly one wins.
	wins, conflicts = 0, 0
	var winner string
	for i, store := range []amigo.ClusterStore{s.Cluster, s.Replica, s.Cluster, s.Replica} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := "srv" + string(rune('a'+i))
			i := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at}
			_, _, err := store.BeginInteraction(ctx, i, amigo.Lease{Owner: owner, Until: at.Add(time.Minute)}, 0)
			mu.Lock()
			defer mu.Unlock()
			switch amigo.ErrorCode(err) {
			case "":
				wins, winner = wins+1, i.ID
			case amigo.ECONFLICT:
				conflicts++
			default:
				t.Errorf("begin: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 3 {
		t.Fatalf("concurrent begins: %d won, %d conflicts", wins, conflicts)
	}
	leased, _ := c.FindConversation(ctx, "acme", conv.ID)
	if leased.Lease == nil || leased.Lease.InteractionID != winner || leased.Interactions != 2 {
		t.Fatalf("lease %+v after the race won by %s", leased.Lease, winner)
	}
	owner := leased.Lease.Owner

	// Renewing extends the lease; the lease can be taken over only after
	// it expires, and then its holder can neither complete nor fail.
	must(t, "renew", c.RenewLease(ctx, "acme", conv.ID, winner, owner, at.Add(2*time.Minute)))
	wantCode(t, "renew by another", c.RenewLease(ctx, "acme", conv.ID, winner, "intruder", at.Add(time.Hour)), amigo.ECONFLICT)
	early := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at.Add(90 * time.Second)}
	_, _, err := c.BeginInteraction(ctx, early, amigo.Lease{Owner: "srv-late", Until: at.Add(time.Hour)}, 0)
	wantCode(t, "take over a renewed lease", err, amigo.ECONFLICT)
	late := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at.Add(2 * time.Minute)}
	_, _, err = c.BeginInteraction(ctx, late, amigo.Lease{Owner: "srv-late", Until: at.Add(time.Hour)}, 0)
	must(t, "take over an expired lease", err)
	if i, _ := c.FindInteraction(ctx, "acme", conv.ID, winner); i.Status != amigo.InteractionFailed || i.FinishedAt == nil {
		t.Fatalf("the expired lease's interaction is %+v, want failed", i)
	}
	wantCode(t, "complete with a lost lease", complete(c, conv, winner, owner, at, message(amigo.MessageAgent, "late", at)), amigo.ECONFLICT)
	wantCode(t, "fail with a lost lease", c.FailInteraction(ctx, "acme", conv.ID, winner, owner, at), amigo.ECONFLICT)
	if got, _ := c.FindConversation(ctx, "acme", conv.ID); got.NumMessages != 1 || got.Lease.Owner != "srv-late" {
		t.Fatalf("a lost lease wrote: %+v", got)
	}
	if msgs, _, _ := c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{Limit: 10}); len(msgs) != 1 {
		t.Fatalf("a lost lease wrote messages: %d, want 1", len(msgs))
	}
	if i, _ := c.FindInteraction(ctx, "acme", conv.ID, late.ID); i.Status != amigo.InteractionRunning || i.Sequence != 3 {
		t.Fatalf("the new holder's interaction is %+v, want running, third", i)
	}
	must(t, "the new holder completes", complete(c, conv, late.ID, "srv-late", at, message(amigo.MessageAgent, "ok", at)))

	// A finished conversation cannot be leased.
	_, err = c.FinishConversation(ctx, "acme", conv.ID, at, func(*amigo.Conversation) error { return nil }, nil)
	must(t, "finish", err)
	done := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at.Add(time.Hour)}
	_, _, err = c.BeginInteraction(ctx, done, amigo.Lease{Owner: "x", Until: at.Add(2 * time.Hour)}, 0)
	wantCode(t, "begin on a finished conversation", err, amigo.ECONFLICT)
	missing := &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: "ffffffffffffffffffffffff", StartedAt: at}
	_, _, err = c.BeginInteraction(ctx, missing, amigo.Lease{Owner: "x", Until: at.Add(time.Hour)}, 0)
	wantCode(t, "begin on an unknown conversation", err, amigo.ENOTFOUND)
	_, _, err = c.BeginInteraction(ctx, &amigo.Interaction{ID: amigo.NewID(at), OrgID: "other", ConversationID: conv.ID, StartedAt: at.Add(time.Hour)},
		amigo.Lease{Owner: "x", Until: at.Add(2 * time.Hour)}, 0)
	wantCode(t, "begin across organizations", err, amigo.ENOTFOUND)
}

// testFinish checks finishing: the check sees the locked conversation,
// an empty conversation is deleted, a finished one frees the user to
// start another, and the job is enqueued with it.
func testFinish(t *testing.T, s Stores) {
	c := s.Cluster
	f := newConvFixture(t, c, "acme")
	basis := func(userID string) *amigo.ConversationBasis {
		t.Helper()
		b, err := c.ConversationBasis(ctx, "acme", f.service.ID, userID)
		must(t, "basis", err)
		return b
	}
	if b := basis("u1"); b.Service.ID != f.service.ID || len(b.Service.VersionSets) != 2 || !b.AgentFound || !b.StateMachineFound ||
		b.LatestAgentVersion != nil || b.LatestStateMachineVersion != nil || b.Returning {
		t.Fatalf("basis of a new service %+v", b)
	}
	_, err := agentVersion(c, "acme", f.service.AgentID, nil, "AB")
	must(t, "agent version", err)
	if b := basis("u1"); b.LatestAgentVersion == nil || *b.LatestAgentVersion != 1 || b.LatestStateMachineVersion != nil {
		t.Fatalf("basis after an agent version %+v", b)
	}
	_, err = c.ConversationBasis(ctx, "acme", "ffffffffffffffffffffffff", "u1")
	wantCode(t, "basis of an unknown service", err, amigo.ENOTFOUND)
	_, err = c.ConversationBasis(ctx, "other", f.service.ID, "u1")
	wantCode(t, "basis across organizations", err, amigo.ENOTFOUND)

	empty, first := f.newConversation("u1", "srv", epoch)
	must(t, "create", c.CreateConversation(ctx, empty, first))
	var seen *amigo.Conversation
	_, err = c.FinishConversation(ctx, "acme", empty.ID, epoch, func(cv *amigo.Conversation) error { seen = cv; return errRefused }, nil)
	wantRefused(t, "refused finish", err)
	if seen == nil || seen.Lease == nil || seen.Lease.Owner != "srv" || seen.Interactions != 1 {
		t.Fatalf("check saw %+v", seen)
	}
	must(t, "fail", c.FailInteraction(ctx, "acme", empty.ID, first.ID, "srv", epoch))
	deleted, err := c.FinishConversation(ctx, "acme", empty.ID, epoch, func(*amigo.Conversation) error { return nil }, nil)
	must(t, "finish empty", err)
	if !deleted {
		t.Fatal("a conversation without messages was not deleted")
	}
	_, err = c.FindConversation(ctx, "acme", empty.ID)
	wantCode(t, "find deleted", err, amigo.ENOTFOUND)

	conv, first := f.newConversation("u1", "srv", epoch)
	must(t, "create after the deletion", c.CreateConversation(ctx, conv, first))
	must(t, "complete", complete(c, conv, first.ID, "srv", epoch, message(amigo.MessageUser, "hi", epoch)))
	job := &amigo.PostConversationJob{ID: amigo.NewID(epoch), Kind: amigo.PostUserModels, CreatedAt: epoch, AvailableAt: epoch}
	at := epoch.Add(time.Minute)
	deleted, err = c.FinishConversation(ctx, "acme", conv.ID, at, func(*amigo.Conversation) error { return nil }, job)
	must(t, "finish", err)
	got, _ := c.FindConversation(ctx, "acme", conv.ID)
	if deleted || !got.Finished || got.FinishedAt == nil || !got.FinishedAt.Equal(at) {
		t.Fatalf("finished %+v", got)
	}
	if !basis("u1").Returning || basis("u2").Returning {
		t.Fatal("basis: u1 has finished a conversation of the service, u2 has not")
	}
	_, err = c.FinishConversation(ctx, "missing", conv.ID, at, func(*amigo.Conversation) error { return nil }, nil)
	wantCode(t, "finish across organizations", err, amigo.ENOTFOUND)
	next, nextFirst := f.newConversation("u1", "srv", at)
	must(t, "a new conversation once the last is finished", c.CreateConversation(ctx, next, nextFirst))

	// The job: claimed once, not again while claimed, again after the
	// claim expires, and done only by its holder.
	_, err = c.ClaimPostConversationJob(ctx, "runner-a", epoch.Add(-time.Second), at)
	wantCode(t, "claim before the job is due", err, amigo.ENOTFOUND)
	claimed, err := c.ClaimPostConversationJob(ctx, "runner-a", at, at.Add(time.Minute))
	must(t, "claim", err)
	if claimed.ID != job.ID || claimed.ConversationID != conv.ID || claimed.UserID != "u1" || claimed.OrgID != "acme" || claimed.Attempts != 1 || claimed.Kind != amigo.PostUserModels {
		t.Fatalf("claimed %+v", claimed)
	}
	_, err = s.Replica.ClaimPostConversationJob(ctx, "runner-b", at.Add(30*time.Second), at.Add(time.Hour))
	wantCode(t, "claim a claimed job", err, amigo.ENOTFOUND)
	stolen, err := s.Replica.ClaimPostConversationJob(ctx, "runner-b", at.Add(time.Minute), at.Add(2*time.Minute))
	must(t, "claim after the claim expired", err)
	if stolen.ID != job.ID || stolen.Attempts != 2 {
		t.Fatalf("reclaimed %+v", stolen)
	}
	wantCode(t, "complete a lost claim", c.CompletePostConversationJob(ctx, claimed, "runner-a"), amigo.ECONFLICT)
	must(t, "retry", s.Replica.RetryPostConversationJob(ctx, stolen, "runner-b", at.Add(5*time.Minute), "model unavailable"))
	_, err = c.ClaimPostConversationJob(ctx, "runner-a", at.Add(4*time.Minute), at.Add(time.Hour))
	wantCode(t, "claim before the retry is due", err, amigo.ENOTFOUND)
	claimed, err = c.ClaimPostConversationJob(ctx, "runner-a", at.Add(5*time.Minute), at.Add(6*time.Minute))
	must(t, "claim the retry", err)
	if claimed.Attempts != 3 || claimed.LastError != "model unavailable" {
		t.Fatalf("retried job %+v", claimed)
	}
	must(t, "complete", c.CompletePostConversationJob(ctx, claimed, "runner-a"))
	_, err = c.ClaimPostConversationJob(ctx, "runner-a", at.Add(time.Hour), at.Add(2*time.Hour))
	wantCode(t, "claim a done job", err, amigo.ENOTFOUND)
	if got, _ := c.FindConversation(ctx, "acme", conv.ID); !slices.Equal(got.CompletedPostProcessings, []string{amigo.PostUserModels}) {
		t.Fatalf("post-processings %v", got.CompletedPostProcessings)
	}
}

// testCompleteFinishes checks that completing an interaction with Finish
// finishes the conversation and enqueues its job in the same transaction,
// and that a lost lease writes neither.
func testCompleteFinishes(t *testing.T, s Stores) {
	c := s.Cluster
	f := newConvFixture(t, c, "acme")
	conv, first := f.newConversation("u1", "srv", epoch)
	must(t, "create", c.CreateConversation(ctx, conv, first))
	at := epoch.Add(time.Minute)
	result := func(owner string) *amigo.InteractionResult {
		return &amigo.InteractionResult{OrgID: conv.OrgID, ConversationID: conv.ID, InteractionID: first.ID, Owner: owner,
			Messages:    []*amigo.Message{message(amigo.MessageUser, "bye", at), message(amigo.MessageInnerThought, "done", at), message(amigo.MessageAgent, "Goodbye.", at)},
			EngineState: []byte(`{"state":"end"}`), Insights: []byte(`[]`), FinishedAt: at,
			Finish: &amigo.PostConversationJob{ID: amigo.NewID(at), Kind: amigo.PostUserModels, CreatedAt: at, AvailableAt: at}}
	}
	wantCode(t, "complete without the lease", c.CompleteInteraction(ctx, result("other")), amigo.ECONFLICT)
	if got, _ := c.FindConversation(ctx, "acme", conv.ID); got.Finished || got.NumMessages != 0 {
		t.Fatalf("a refused completion wrote %+v", got)
	}
	_, err := c.ClaimPostConversationJob(ctx, "runner", at, at.Add(time.Minute))
	wantCode(t, "claim after a refused completion", err, amigo.ENOTFOUND)

	r := result("srv")
	must(t, "complete and finish", c.CompleteInteraction(ctx, r))
	got, err := c.FindConversation(ctx, "acme", conv.ID)
	must(t, "find", err)
	if !got.Finished || got.FinishedAt == nil || !got.FinishedAt.Equal(at) || got.Lease != nil || got.NumMessages != 3 ||
		got.FinalMessage != "Goodbye." || string(got.EngineState) != `{"state":"end"}` {
		t.Fatalf("finished %+v", got)
	}
	msgs, _, err := c.ListMessages(ctx, "acme", conv.ID, amigo.MessageFilter{Sort: []amigo.SortField{{Field: "created_at"}}, Limit: 10})
	must(t, "messages", err)
	if len(msgs) != 3 || msgs[0].Content != "bye" || msgs[2].Content != "Goodbye." || msgs[2].InteractionID != first.ID {
		t.Fatalf("messages %+v", msgs)
	}
	i, err := c.FindInteraction(ctx, "acme", conv.ID, first.ID)
	must(t, "interaction", err)
	if i.Status != amigo.InteractionComplete || i.FinishedAt == nil || !i.FinishedAt.Equal(at) {
		t.Fatalf("interaction %+v", i)
	}
	job, err := c.ClaimPostConversationJob(ctx, "runner", at, at.Add(time.Minute))
	must(t, "claim the finished conversation's job", err)
	if job.ID != r.Finish.ID || job.ConversationID != conv.ID || job.UserID != "u1" || job.OrgID != "acme" {
		t.Fatalf("job %+v", job)
	}
	_, _, err = c.BeginInteraction(ctx, &amigo.Interaction{ID: amigo.NewID(at), OrgID: "acme", ConversationID: conv.ID, StartedAt: at},
		amigo.Lease{Owner: "srv", Until: at.Add(time.Minute)}, 0)
	wantCode(t, "interact with the finished conversation", err, amigo.ECONFLICT)
	next, nextFirst := f.newConversation("u1", "srv", at)
	must(t, "a new conversation once the last is finished", c.CreateConversation(ctx, next, nextFirst))
}

// testUserModels checks get and put of a user's model.
func testUserModels(t *testing.T, s Stores) {
	c := s.Cluster
	o := newOrg(t, c, "acme")
	_, err := c.FindUserModel(ctx, "acme", o.User.ID)
	wantCode(t, "no model yet", err, amigo.ENOTFOUND)
	m := &amigo.UserModel{OrgID: "acme", UserID: o.User.ID, UpdatedAt: epoch, Models: []amigo.UserModelEntry{
		{Content: "Likes tea.", InsightIDs: []string{"i1"}, Dimensions: []amigo.UserDimension{{Description: "taste", Tags: []string{"food"}}}}}}
	must(t, "put", c.PutUserModel(ctx, m))
	m.Models[0].Content, m.UpdatedAt = "Likes coffee.", epoch.Add(time.Hour)
	must(t, "replace", c.PutUserModel(ctx, m))
	got, err := s.Replica.FindUserModel(ctx, "acme", o.User.ID)
	must(t, "find", err)
	if len(got.Models) != 1 || got.Models[0].Content != "Likes coffee." || got.Models[0].Dimensions[0].Tags[0] != "food" ||
		got.Models[0].InsightIDs[0] != "i1" || !got.UpdatedAt.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("found %+v", got)
	}
	_, err = c.FindUserModel(ctx, "other", o.User.ID)
	wantCode(t, "across organizations", err, amigo.ENOTFOUND)
	must(t, "delete the user", c.DeleteUser(ctx, "acme", o.User.ID, nil))
	_, err = c.FindUserModel(ctx, "acme", o.User.ID)
	wantCode(t, "a deleted user's model", err, amigo.ENOTFOUND)
}
