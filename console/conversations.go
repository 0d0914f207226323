package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/client"
)

// conversationsShown is how many conversations a list page shows.
const conversationsShown = 50

// conversationsPage lists a service's conversations, newest first, with
// the filters the API offers (user, finished, tags) and a time range.
type conversationsPage struct {
	Service client.Service
	Filter  conversationFilter
	List    []client.Conversation
	More    bool
}

// conversationFilter is the list page's query.
type conversationFilter struct {
	User, Finished, Tag, Since, Until string
}

func (c *Console) conversations(w http.ResponseWriter, r *http.Request, v *visit) error {
	svc, err := findService(r, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := conversationFilter{User: q.Get("user"), Finished: q.Get("finished"), Tag: q.Get("tag"), Since: q.Get("since"), Until: q.Get("until")}
	opts := client.ConversationListOptions{ServiceIDs: []string{svc.ID}, Sort: []string{"-created_at"}}
	if f.User != "" {
		opts.UserIDs = []string{f.User}
	}
	if f.Finished != "" {
		b, err := strconv.ParseBool(f.Finished)
		if err != nil {
			return &pageError{status: http.StatusBadRequest, msg: "Finished is yes, no or either."}
		}
		opts.IsFinished = &b
	}
	for _, t := range strings.Split(f.Tag, ",") {
		if t = strings.TrimSpace(t); t != "" {
			opts.Tags = append(opts.Tags, t)
		}
	}
	since, err := dateFilter("From", f.Since, 0)
	if err != nil {
		return err
	}
	until, err := dateFilter("To", f.Until, 24*time.Hour)
	if err != nil {
		return err
	}
	p := conversationsPage{Service: *svc, Filter: f, List: []client.Conversation{}}
	for conv, err := range v.api.Conversations(r.Context(), opts) {
		if err != nil {
			return err
		}
		at := conv.CreatedAt
		if !since.IsZero() && at.Before(since) {
			break // newest first: the rest are older
		}
		if !until.IsZero() && !at.Before(until) {
			continue
		}
		if len(p.List) == conversationsShown {
			p.More = true
			break
		}
		p.List = append(p.List, conv)
	}
	c.render(w, v, http.StatusOK, "conversations.html", "Services", p)
	return nil
}

// dateFilter reads a date (2006-01-02, UTC) of the filter form, plus
// shift (a day, for an inclusive end).
func dateFilter(label, s string, shift time.Duration) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &pageError{status: http.StatusBadRequest, msg: label + " is a date such as 2026-01-31."}
	}
	return t.Add(shift), nil
}

// conversationPage is one conversation: its messages by interaction with
// each interaction's insights, the recommended responses after the last,
// its tags (editable) and, once finished, the user's model.
type conversationPage struct {
	Conversation client.Conversation
	Service      string
	Interactions []interactionView
	Recommended  []string
	CanTag       bool
	CanChat      bool
	UserModel    *client.UserModel
	Tags         []tagView
}

type interactionView struct {
	turnView
	Insights *interactionInsights
}

type tagView struct {
	Key, Value string
	HasValue   bool
}

func (c *Console) conversation(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	id := r.PathValue("cid")
	page, err := v.api.ListConversations(ctx, client.ConversationListOptions{IDs: []string{id}}, 0)
	if err != nil {
		return err
	}
	if len(page.Conversations) == 0 {
		return &pageError{status: http.StatusNotFound, msg: "Conversation not found."}
	}
	conv := page.Conversations[0]
	p := conversationPage{Conversation: conv, Service: conv.ServiceID, CanTag: v.session.can(amigo.PermModifyConversation),
		CanChat: !conv.IsFinished && conv.UserID == v.session.caller.UserID}
	if svc, err := findService(r, v, conv.ServiceID); err == nil {
		p.Service = svc.Name
	}
	for k, val := range conv.Tags {
		t := tagView{Key: k}
		if val != nil {
			t.Value, t.HasValue = *val, true
		}
		p.Tags = append(p.Tags, t)
	}
	slices.SortFunc(p.Tags, func(a, b tagView) int { return strings.Compare(a.Key, b.Key) })
	ts, err := turns(r, v, id, false)
	if err != nil {
		return err
	}
	for _, t := range ts {
		ins, err := loadInsights(r, v, id, t.Interaction)
		if err != nil && !errors.Is(err, client.ErrNotFound) {
			return err
		}
		p.Interactions = append(p.Interactions, interactionView{turnView: t, Insights: ins})
	}
	if n := len(ts); n > 0 {
		recs, err := v.api.RecommendResponses(ctx, id, ts[n-1].Interaction, "")
		if err != nil && !errors.Is(err, client.ErrForbidden) && !errors.Is(err, client.ErrBadRequest) {
			return err
		}
		p.Recommended = recs
	}
	if conv.IsFinished {
		um, err := v.api.GetUserModel(ctx, conv.UserID)
		if err != nil && !errors.Is(err, client.ErrForbidden) && !errors.Is(err, client.ErrNotFound) {
			return err
		}
		p.UserModel = um
	}
	c.render(w, v, http.StatusOK, "conversation.html", "Services", p)
	return nil
}

// editTags sets, adds or removes one tag of a conversation
// (modify-tags-of-conversation) and shows the conversation again.
func (c *Console) editTags(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("cid")
	key := strings.TrimSpace(r.PostFormValue("key"))
	if key == "" {
		return &pageError{status: http.StatusBadRequest, msg: "A tag needs a key."}
	}
	var err error
	if r.PostFormValue("op") == "delete" {
		err = v.api.ModifyConversationTags(r.Context(), id, nil, []string{key})
	} else {
		var value *string
		if val := strings.TrimSpace(r.PostFormValue("value")); val != "" {
			value = &val
		}
		err = v.api.ModifyConversationTags(r.Context(), id, map[string]*string{key: value}, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, v.orgURL("conversations/"+url.PathEscape(id))+"#tags", http.StatusSeeOther)
	return nil
}
