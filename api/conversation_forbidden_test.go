package api_test

import (
	"strings"
	"testing"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestConversationStreamsForbidden: a plain user (DefaultUserRole, whose
// Conversation:* grants hold on user_id self) cannot drive someone else's
// conversation; a role whose Conversation:CreateConversation holds on
// another service cannot start a conversation of this one. Each is refused
// with 403 naming the permission, as JSON before any stream starts, and
// the refused calls leave the conversation as it was.
func TestConversationStreamsForbidden(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		cl := newClinic(t, env, "clinic")
		staff := newRoster(env, cl.org)
		alice, _ := staff.member(t, amigo.RoleUser)
		bob, _ := staff.member(t, amigo.RoleUser)

		s := cl.create(t, alice, "", nil)
		id := s.event(t, "conversation-created")["conversation_id"].(string)
		interaction := s.complete(t)["interaction_id"].(string)
		refused := func(name string, s *stream, perm string) {
			t.Helper()
			if s.Status != 403 || !strings.Contains(string(s.Body), perm) || len(s.Events) != 0 {
				t.Errorf("%s: %d %s (%d events), want 403 naming %s before any event", name, s.Status, s.Body, len(s.Events), perm)
			}
		}
		refused("bob interacts with alice's conversation", cl.interact(t, bob, id, "", form{Message: "I am Alice"}), amigo.PermInteractWithConversation)
		base := "/v1/clinic/conversation/" + id + "/interaction/" + interaction
		expectForbidden(t, bob.Do(t, "POST", base+"/recommend_responses", map[string]any{}), amigo.PermGetRecommendedResponses)
		expectForbidden(t, bob.Do(t, "GET", base+"/insights", nil), amigo.PermGetInteractionInsights)

		// Alice herself may do each of them.
		alice.Do(t, "POST", base+"/recommend_responses", map[string]any{}).Expect(200)
		alice.Do(t, "GET", base+"/insights", nil).Expect(200)
		cl.interact(t, alice, id, "", form{Message: "I want to book an appointment"}).complete(t)

		// A front desk may start conversations of another service only.
		other := "0123456789abcdef01234567"
		putRole(t, env, "clinic", "FrontDesk",
			amigo.Grant{Permission: amigo.PermGetService},
			amigo.Grant{Permission: amigo.PermCreateConversation, Conditions: map[string][]string{"service_id": {other}}})
		desk, _ := staff.member(t, "FrontDesk")
		refused("the front desk starts a conversation", cl.create(t, desk, "", nil), amigo.PermCreateConversation)
		expectForbidden(t, desk.Do(t, "POST", "/v1/clinic/conversation/conversation_starter", map[string]any{
			"service_id": cl.service, "facets": []string{"booking"}, "min_count": 1, "max_count": 2, "generation_instructions": "Short.",
		}), amigo.PermCreateConversation)
		var list struct {
			Conversations []any `json:"conversations"`
		}
		cl.admin.Do(t, "GET", "/v1/clinic/conversation/", nil).Expect(200).Decode(&list)
		if len(list.Conversations) != 1 {
			t.Errorf("%d conversations after the refusals, want alice's 1", len(list.Conversations))
		}

		// Triage may drive the conversations tagged queue:triage, as they
		// are tagged at the time: the tag added lets it in, the tag
		// removed keeps it out again.
		putRole(t, env, "clinic", "Triage",
			amigo.Grant{Permission: amigo.PermInteractWithConversation, Conditions: map[string][]string{"tags": {"queue:triage"}}},
			amigo.Grant{Permission: amigo.PermUpdateUserInfo})
		triage, _ := staff.member(t, "Triage")
		tags := "/v1/clinic/conversation/" + id + "/tags/"
		refused("triage before the tag", cl.interact(t, triage, id, "", form{Message: "Triage here"}), amigo.PermInteractWithConversation)
		cl.admin.Do(t, "POST", tags, map[string]any{"updates": map[string]any{"queue": "triage"}}).Expect(204)
		cl.interact(t, triage, id, "", form{Message: "Triage here"}).complete(t)
		cl.admin.Do(t, "POST", tags, map[string]any{"deletes": []string{"queue"}}).Expect(204)
		refused("triage after the tag is gone", cl.interact(t, triage, id, "", form{Message: "Triage again"}), amigo.PermInteractWithConversation)
		cl.interact(t, alice, id, "", form{Message: "Still me"}).complete(t)
	})
}
