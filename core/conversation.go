package core

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// maxConversationTags is the spec's bound on a conversation's tags.
const maxConversationTags = 20

// ConversationView is a conversation as a caller may see it: the final
// message only with Conversation:GetMessage on it, the version set only
// with Service:GetService on the service (the spec's Service:GetVersionSet,
// which this server folds into reading the service).
type ConversationView struct {
	*amigo.Conversation
	ShowFinalMessage bool
	ShowVersionSet   bool
}

// ListConversations returns one page of the conversations the caller
// holds Conversation:GetConversation on, the continuation token, and
// whether more follow. A caller whose grants all cover only their own
// conversations has the listing narrowed to them in the database.
func (a *App) ListConversations(ctx context.Context, t *Tenant, f amigo.ConversationFilter) ([]ConversationView, *int, bool, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermGetConversation); err != nil {
		return nil, nil, false, err
	}
	if onlyOwn(caller, amigo.PermGetConversation) {
		if len(f.UserIDs) > 0 && !slices.Contains(f.UserIDs, caller.UserID) {
			return []ConversationView{}, nil, false, nil
		}
		f.UserIDs = []string{caller.UserID}
	}
	convs, next, more, err := listAllowed(caller, amigo.PermGetConversation, f.Offset, f.Limit,
		func(offset, limit int) ([]*amigo.Conversation, bool, error) {
			f.Offset, f.Limit = offset, limit
			return t.Store.ListConversations(ctx, t.Placement.OrgID, f)
		},
		func(c *amigo.Conversation) amigo.Attributes { return conversationAttrs(caller, c) })
	if err != nil {
		return nil, nil, false, err
	}
	out := make([]ConversationView, len(convs))
	for i, c := range convs {
		out[i] = ConversationView{Conversation: c,
			ShowFinalMessage: caller.Can(amigo.PermGetMessage, conversationAttrs(caller, c)),
			ShowVersionSet:   caller.Can(amigo.PermGetService, amigo.Attributes{"id": {c.ServiceID}})}
	}
	return out, next, more, nil
}

// onlyOwn reports whether every grant of perm the caller holds is
// conditioned on user_id self alone, so that nothing but the caller's own
// resources can match.
func onlyOwn(caller *amigo.Caller, perm string) bool {
	for _, g := range caller.Role.Grants {
		if g.Permission == perm && !slices.Equal(g.Conditions["user_id"], []string{amigo.Self}) {
			return false
		}
	}
	return true
}

// conversationFor loads a conversation and checks perm on it: ENOTFOUND,
// or EFORBIDDEN when the caller holds perm on other conversations only.
func conversationFor(ctx context.Context, t *Tenant, perm, id string) (*amigo.Conversation, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(perm); err != nil {
		return nil, err
	}
	c, err := t.Store.FindConversation(ctx, t.Placement.OrgID, id)
	if err != nil {
		return nil, err
	}
	return c, caller.Require(perm, conversationAttrs(caller, c))
}

// ListMessages returns one page of a conversation's messages, the
// continuation token and whether more follow. ENOTFOUND for an unknown
// conversation; EFORBIDDEN without Conversation:GetMessage on it.
func (a *App) ListMessages(ctx context.Context, t *Tenant, conversationID string, f amigo.MessageFilter) ([]*amigo.Message, *int, bool, error) {
	if _, err := conversationFor(ctx, t, amigo.PermGetMessage, conversationID); err != nil {
		return nil, nil, false, err
	}
	msgs, more, err := t.Store.ListMessages(ctx, t.Placement.OrgID, conversationID, f)
	if err != nil {
		return nil, nil, false, err
	}
	var next *int
	if more {
		n := f.Offset + len(msgs)
		next = &n
	}
	return msgs, next, more, nil
}

// MessageSource answers retrieve-message-source. Only voice messages have
// a source, and this server keeps no audio (voice is refused before any
// is stored), so it always refuses: ENOTFOUND for an unknown conversation
// or message, EFORBIDDEN without Conversation:GetMessage, EBADREQUEST (the
// spec's 400) for a text message, ENOTFOUND for any other.
func (a *App) MessageSource(ctx context.Context, t *Tenant, conversationID, messageID string) error {
	if _, err := conversationFor(ctx, t, amigo.PermGetMessage, conversationID); err != nil {
		return err
	}
	m, err := t.Store.FindMessage(ctx, t.Placement.OrgID, conversationID, messageID)
	if err != nil {
		return err
	} else if m.Format == amigo.FormatText {
		return amigo.Errorf(amigo.EBADREQUEST, "The message is a text message.")
	}
	return amigo.Errorf(amigo.ENOTFOUND, "Message %s has no stored source.", messageID)
}

// requireOnUser checks perm on the user userID (amigo.Self included for
// the caller), as finish and interact require User:UpdateUserInfo on the
// conversation's user. A user deleted since is described by id alone.
func (a *App) requireOnUser(ctx context.Context, t *Tenant, perm, userID string) error {
	caller := amigo.CallerFromContext(ctx)
	if caller.Can(perm, nil) {
		return nil
	}
	attrs := amigo.Attributes{"id": {userID}}
	// Through the auth caches, which authenticating the caller (often this
	// very user) has just filled.
	if u, err := a.findUser(ctx, t.Store, t.Placement.OrgID, userID); err == nil {
		role, err := a.findRole(ctx, t.Store, t.Placement.OrgID, u.RoleID)
		if err != nil {
			return err
		}
		attrs = userAttrs(u.ID, u.Email, role.Name)
	} else if amigo.ErrorCode(err) != amigo.ENOTFOUND {
		return err
	}
	return caller.Require(perm, withSelf(caller, attrs, "id", userID))
}

// FinishConversation finishes a conversation and enqueues its
// post-conversation processing; a conversation without messages is
// deleted instead. ENOTFOUND; EFORBIDDEN without
// Conversation:FinishConversation on it and User:UpdateUserInfo on its
// user; ECONFLICT (409) when it is already finished or an interaction
// holds it; EBADREQUEST (400) when it has no interactions.
func (a *App) FinishConversation(ctx context.Context, t *Tenant, id string) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermUpdateUserInfo); err != nil {
		return err
	}
	c, err := conversationFor(ctx, t, amigo.PermFinishConversation, id)
	if err != nil {
		return err
	} else if err := a.requireOnUser(ctx, t, amigo.PermUpdateUserInfo, c.UserID); err != nil {
		return err
	}
	now := a.Now()
	job := postConversationJob(now)
	_, err = t.Store.FinishConversation(ctx, t.Placement.OrgID, id, now, func(c *amigo.Conversation) error {
		switch {
		case c.Finished:
			return amigo.Errorf(amigo.ECONFLICT, "The conversation is already finished.")
		case c.Lease.Held(now):
			return amigo.Errorf(amigo.ECONFLICT, "An interaction with this conversation is in progress.")
		case c.Interactions == 0:
			return amigo.Errorf(amigo.EBADREQUEST, "The conversation has no interactions.")
		}
		return nil
	}, job)
	return err
}

// ModifyTagsInput is the body of modify-tags-of-conversation.
type ModifyTagsInput struct {
	Updates   map[string]*string
	Deletes   []string
	Malformed *amigo.Error
}

// conversationTagKey is the spec's pattern of a tag key.
var conversationTagKey = regexp.MustCompile(`^[\w\s]+$`)

func (in *ModifyTagsInput) check() error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	if len(in.Updates) > maxConversationTags {
		c.add([]any{"updates"}, nil, "too_long", "Dictionary should have at most 20 items")
	}
	for _, k := range slices.Sorted(maps.Keys(in.Updates)) {
		c.str([]any{"updates", k}, strings.TrimSpace(k), 1, maxTag, conversationTagKey)
		if v := in.Updates[k]; v != nil {
			c.str([]any{"updates", k}, strings.TrimSpace(*v), 1, maxTag, conversationTagKey)
		}
	}
	seen := map[string]bool{}
	for i, k := range in.Deletes {
		c.str([]any{"deletes", i}, strings.TrimSpace(k), 1, maxTag, nil)
		if seen[k] {
			c.add([]any{"deletes", i}, nil, "value_error", "List items should be unique")
		}
		seen[k] = true
	}
	return c.err()
}

// ModifyConversationTags sets and deletes tags of a conversation.
// EINVALID for malformed tags; ENOTFOUND; EFORBIDDEN without
// Conversation:ModifyConversation on it; EBADREQUEST when it would hold
// more than 20 tags.
func (a *App) ModifyConversationTags(ctx context.Context, t *Tenant, id string, in *ModifyTagsInput) error {
	if err := in.check(); err != nil {
		return err
	}
	if _, err := conversationFor(ctx, t, amigo.PermModifyConversation, id); err != nil {
		return err
	}
	return t.Store.UpdateConversationTags(ctx, t.Placement.OrgID, id, a.Now(), func(tags map[string]*string) error {
		for _, k := range in.Deletes {
			delete(tags, strings.TrimSpace(k))
		}
		maps.Copy(tags, trimmedTags(in.Updates))
		if len(tags) > maxConversationTags {
			return amigo.Errorf(amigo.EBADREQUEST, "The conversation cannot contain more than 20 tags.")
		}
		return nil
	})
}

// UserModelView is get-user-model's answer.
type UserModelView struct {
	Models            []amigo.UserModelEntry
	AdditionalContext []string
}

// GetUserModel returns a user's model (empty before the first
// post-conversation processing) and additional context. ENOTFOUND for an
// unknown user; EFORBIDDEN without User:GetUserModel on them.
func (a *App) GetUserModel(ctx context.Context, t *Tenant, userID string) (*UserModelView, error) {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermGetUserModel); err != nil {
		return nil, err
	}
	u, err := t.Store.FindUser(ctx, t.Placement.OrgID, userID)
	if err != nil {
		return nil, err
	}
	if !caller.Can(amigo.PermGetUserModel, nil) {
		if err := a.requireOnUser(ctx, t, amigo.PermGetUserModel, u.ID); err != nil {
			return nil, err
		}
	}
	view := &UserModelView{Models: []amigo.UserModelEntry{}, AdditionalContext: u.AdditionalContext}
	m, err := t.Store.FindUserModel(ctx, t.Placement.OrgID, u.ID)
	if err == nil {
		view.Models = m.Models
	} else if amigo.ErrorCode(err) != amigo.ENOTFOUND {
		return nil, err
	}
	return view, nil
}
