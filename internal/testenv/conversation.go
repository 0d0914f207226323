package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

// SeedMessage is one message of a seeded interaction.
type SeedMessage struct {
	Type    amigo.MessageType
	Content string
}

// Seeded is a conversation SeedConversation stored.
type Seeded struct {
	ID           string
	Interactions []string
	Messages     []string // ids, oldest first
}

// SeedConversation stores, through the organization's cluster store, a
// conversation of userID with the service serviceID (pinned to its
// release version set as stored) and one complete interaction per
// element of turns, holding that element's messages. A turn of nil
// messages leaves its interaction running, holding the lease until
// leaseFor has passed.
//
// It stands in for create-conversation and interact-with-conversation
// until they exist: tests that use it should create conversations
// through the API once they land.
func (e *Env) SeedConversation(t testing.TB, orgID, serviceID, userID string, tags map[string]*string, leaseFor time.Duration, turns ...[]SeedMessage) *Seeded {
	t.Helper()
	ctx := context.Background()
	tenant, err := e.Runtime.App.Resolve(ctx, orgID, core.ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	store := tenant.Store
	svc, err := store.FindService(ctx, orgID, serviceID)
	if err != nil {
		t.Fatal(err)
	}
	now := e.Runtime.App.Now()
	release := svc.VersionSets[amigo.VersionSetRelease]
	c := &amigo.Conversation{ID: amigo.NewID(now), OrgID: orgID, ServiceID: serviceID, UserID: userID, VersionSetName: amigo.VersionSetRelease,
		AgentID: svc.AgentID, AgentVersion: valueOr(release.AgentVersion, 1), StateMachineID: svc.StateMachineID,
		StateMachineVersion: valueOr(release.StateMachineVersion, 1), LLMModelPreferences: release.LLMModelPreferences,
		Tags: tags, CreatedAt: now, UpdatedAt: now}
	out := &Seeded{ID: c.ID}
	const owner = "testenv"
	for i, turn := range turns {
		at := now.Add(time.Duration(i) * time.Millisecond)
		in := &amigo.Interaction{ID: amigo.NewID(at), OrgID: orgID, ConversationID: c.ID, StartedAt: at, Model: "seed"}
		lease := amigo.Lease{InteractionID: in.ID, Owner: owner, Until: at.Add(leaseFor)}
		if i == 0 {
			c.Lease = &lease
			err = store.CreateConversation(ctx, c, in)
		} else {
			_, _, err = store.BeginInteraction(ctx, in, lease, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		out.Interactions = append(out.Interactions, in.ID)
		if turn == nil {
			continue
		}
		msgs := make([]*amigo.Message, len(turn))
		for j, m := range turn {
			sender := "User"
			if m.Type == amigo.MessageAgent || m.Type == amigo.MessageInnerThought {
				sender = "Agent"
			}
			msgs[j] = &amigo.Message{ID: amigo.NewID(at), Sender: sender, Type: m.Type, Content: m.Content, Format: amigo.FormatText,
				CreatedAt: at.Add(time.Duration(j) * time.Microsecond)}
			out.Messages = append(out.Messages, msgs[j].ID)
		}
		if err := store.CompleteInteraction(ctx, &amigo.InteractionResult{OrgID: orgID, ConversationID: c.ID, InteractionID: in.ID,
			Owner: owner, Messages: msgs, EngineState: []byte(`{}`), Insights: []byte(`[]`), FinishedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func valueOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
